// A minimal POSIX tar (ustar) writer, enough for image layers and OCI
// archives: regular files, directories and symlinks, owned by root, with a
// fixed mtime so the same entries always give the same bytes (and digests).
// Names that do not fit ustar's name/prefix fields get a pax "x" header.

export type TarEntry =
  | { type: "file"; path: string; data: Buffer; mode?: number }
  | { type: "dir"; path: string; mode?: number }
  | { type: "symlink"; path: string; target: string };

export interface TarOptions {
  /** Seconds since the epoch for every entry; 0 unless told (reproducible builds). */
  mtime?: number;
}

const BLOCK = 512;

export function writeTar(entries: readonly TarEntry[], opts: TarOptions = {}): Buffer {
  const mtime = opts.mtime ?? 0;
  const parts: Buffer[] = [];
  for (const e of entries) {
    const path = e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path;
    const linkname = e.type === "symlink" ? e.target : "";
    const data = e.type === "file" ? e.data : Buffer.alloc(0);
    const mode = e.type === "symlink" ? 0o777 : (e.mode ?? (e.type === "dir" ? 0o755 : 0o644));
    const typeflag = e.type === "file" ? "0" : e.type === "dir" ? "5" : "2";

    const split = splitName(path);
    const pax: Record<string, string> = {};
    if (!split) pax.path = path;
    if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      parts.push(header({ name: paxName(path), mode: 0o644, size: body.length, mtime, typeflag: "x" }));
      parts.push(padded(body));
    }
    parts.push(
      header({
        name: split?.name ?? path.slice(-100),
        prefix: split?.prefix ?? "",
        mode,
        size: data.length,
        mtime,
        typeflag,
        linkname: pax.linkpath ? linkname.slice(0, 100) : linkname,
      }),
    );
    if (data.length > 0) parts.push(padded(data));
  }
  // End of archive: two zero blocks.
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

// ustar stores up to 255 bytes as prefix "/" name (prefix ≤ 155, name ≤ 100).
function splitName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== "") {
      return { name, prefix };
    }
  }
  return undefined;
}

// GNU tar and Go's archive/tar name pax headers like this; readers ignore it.
function paxName(path: string): string {
  const base = path.replace(/\/$/, "").split("/").pop() ?? "";
  return `PaxHeaders.0/${base}`.slice(0, 100);
}

// Each record is "<len> <key>=<value>\n", where <len> counts its own digits.
function paxBody(records: Record<string, string>): Buffer {
  let out = "";
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    const restLen = Buffer.byteLength(rest);
    let len = restLen + String(restLen).length;
    if (String(len).length !== String(restLen).length) len = restLen + String(len).length;
    out += `${len}${rest}`;
  }
  return Buffer.from(out, "utf8");
}

interface Header {
  name: string;
  prefix?: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: string;
}

function header(h: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  field(b, 0, 100, h.name);
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid
  octal(b, 116, 8, 0); // gid
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime);
  b.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  field(b, 156, 1, h.typeflag);
  field(b, 157, 100, h.linkname ?? "");
  field(b, 257, 6, "ustar"); // "ustar\0"
  field(b, 263, 2, "00");
  field(b, 265, 32, "root");
  field(b, 297, 32, "root");
  octal(b, 329, 8, 0);
  octal(b, 337, 8, 0);
  field(b, 345, 155, h.prefix ?? "");
  let sum = 0;
  for (const byte of b) sum += byte;
  // Six octal digits, NUL, space: the form GNU tar writes.
  field(b, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return b;
}

function field(b: Buffer, off: number, len: number, s: string): void {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length > len) throw new Error(`tar: ${JSON.stringify(s)} does not fit in ${len} bytes`);
  bytes.copy(b, off);
}

function octal(b: Buffer, off: number, len: number, n: number): void {
  const s = n.toString(8).padStart(len - 1, "0");
  if (s.length > len - 1) throw new Error(`tar: ${n} does not fit in ${len} bytes`);
  field(b, off, len, s);
}

function padded(data: Buffer): Buffer {
  const rem = data.length % BLOCK;
  return rem === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rem)]);
}
