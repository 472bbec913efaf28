// --token-auth-file (k8s.io/apiserver/pkg/authentication/token/tokenfile):
// a CSV of static tokens, `token,user,uid[,"group1,group2"]`, read once at
// start. Parsing follows Go's encoding/csv (quotes, "" escapes, blank lines
// skipped, any number of fields) and upstream's record rules.
import { readFileSync } from "node:fs";
import { log } from "../log.ts";
import type { AuthResult } from "./authenticator.ts";
import type { TokenAuthenticator } from "./token-authenticator.ts";
import type { UserInfo } from "./user.ts";

/** A Go encoding/csv ParseError. */
export class CsvParseError extends Error {
  constructor(startLine: number, line: number, column: number, err: string) {
    super(
      startLine !== line
        ? `record on line ${startLine}; parse error on line ${line}, column ${column}: ${err}`
        : `parse error on line ${line}, column ${column}: ${err}`,
    );
  }
}

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';

/** encoding/csv Reader.ReadAll with FieldsPerRecord = -1 and the default options. */
export function parseCsv(text: string): string[][] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  // A final newline does not start another line.
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === "";
  if (endsWithNewline) lines.pop();
  const records: string[][] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i] === "") {
      i++;
      continue;
    }
    const startLine = i + 1;
    const fields: string[] = [];
    let line = lines[i];
    let pos = 0;
    for (;;) {
      if (line[pos] !== '"') {
        // Non-quoted field: up to the next comma or the end of the line.
        const end = line.indexOf(",", pos);
        const field = end < 0 ? line.slice(pos) : line.slice(pos, end);
        const q = field.indexOf('"');
        if (q >= 0)
          throw new CsvParseError(
            startLine,
            i + 1,
            Buffer.byteLength(line.slice(0, pos + q)) + 1,
            ERR_BARE_QUOTE,
          );
        fields.push(field);
        if (end < 0) break;
        pos = end + 1;
        continue;
      }
      // Quoted field: "" is a quote; may span lines.
      let field = "";
      pos++;
      let done = false;
      for (;;) {
        const q = line.indexOf('"', pos);
        if (q < 0) {
          field += `${line.slice(pos)}\n`;
          i++;
          if (i >= lines.length) {
            // EOF inside a quoted field: Go points past the last line, its newline included.
            const last = Buffer.byteLength(lines[i - 1]) + (endsWithNewline ? 1 : 0);
            throw new CsvParseError(startLine, i, last + 1, ERR_QUOTE);
          }
          line = lines[i];
          pos = 0;
          continue;
        }
        field += line.slice(pos, q);
        const next = line[q + 1];
        if (next === '"') {
          field += '"';
          pos = q + 2;
        } else if (next === ",") {
          pos = q + 2;
          break;
        } else if (next === undefined) {
          done = true;
          break;
        } else {
          // Go points at the closing quote.
          throw new CsvParseError(startLine, i + 1, Buffer.byteLength(line.slice(0, q)) + 1, ERR_QUOTE);
        }
      }
      fields.push(field);
      if (done) break;
    }
    records.push(fields);
    i++;
  }
  return records;
}

/** What os.Open reports for the usual failures. */
function openError(path: string, e: NodeJS.ErrnoException): Error {
  const reason =
    e.code === "ENOENT"
      ? "no such file or directory"
      : e.code === "EACCES"
        ? "permission denied"
        : e.code === "EISDIR"
          ? "is a directory"
          : e.message;
  return new Error(`open ${path}: ${reason}`);
}

/** NewCSV's records to users: at least 3 columns; empty tokens skipped, later duplicates win. */
export function parseTokenFile(text: string, path: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  let recordNum = 0;
  for (const record of parseCsv(text)) {
    if (record.length < 3) {
      throw new Error(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`,
      );
    }
    recordNum++;
    if (record[0] === "") {
      log.info(`empty token has been found in token file '${path}', record number '${recordNum}'`);
      continue;
    }
    if (tokens.has(record[0])) {
      log.info(`duplicate token has been found in token file '${path}', record number '${recordNum}'`);
    }
    // strings.Split: an empty fourth column is one empty group, as upstream.
    const groups = record.length >= 4 ? record[3].split(",") : [];
    tokens.set(record[0], { name: record[1], uid: record[2], groups });
  }
  return tokens;
}

export class TokenFileAuthenticator implements TokenAuthenticator {
  constructor(private readonly tokens: Map<string, UserInfo>) {}

  /** NewCSV: the authenticator for a --token-auth-file; throws upstream's errors for a bad file. */
  static fromFile(path: string): TokenFileAuthenticator {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw openError(path, e as NodeJS.ErrnoException);
    }
    return new TokenFileAuthenticator(parseTokenFile(text, path));
  }

  authenticateToken(token: string): AuthResult | undefined {
    const u = this.tokens.get(token);
    if (!u) return undefined;
    return { user: { ...u, groups: [...u.groups] } };
  }
}
