// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files
// live in a timestamped directory ..<ts>; the ..data symlink points at it and
// each top-level name is a symlink through ..data, so one rename swaps every
// file at once and a reader never sees half an update.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, posix } from "node:path";

export interface FileProjection {
  data: Buffer;
  mode: number;
}

const DATA_DIR = "..data";
const DATA_TMP = "..data_tmp";

/** validatePath: relative, no `..` element, not starting with `..`. */
export function validatePayloadPath(p: string): void {
  if (p === "") throw new Error("invalid path: must not be empty");
  if (posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  if (p.split("/").includes("..")) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith("..")) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function timestampDirName(): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const ts = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
  return `..${ts}.${Math.floor(Math.random() * 1e10)}`;
}

function sameAsCurrent(dir: string, payload: Map<string, FileProjection>): boolean {
  const current = join(dir, DATA_DIR);
  if (!existsSync(current)) return false;
  const files: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else files.push(r);
    }
  };
  walk(current, "");
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const p = join(current, f);
    if ((statSync(p).mode & 0o7777) !== want.mode || !readFileSync(p).equals(want.data)) return false;
  }
  return true;
}

/** Write: makes dir hold exactly payload (paths relative); returns false when nothing changed. */
export function writePayload(dir: string, payload: Map<string, FileProjection>): boolean {
  for (const p of payload.keys()) validatePayloadPath(p);
  mkdirSync(dir, { recursive: true });
  if (sameAsCurrent(dir, payload)) return false;

  const oldTs = existsSync(join(dir, DATA_DIR)) ? readlinkSync(join(dir, DATA_DIR)) : undefined;
  const tsName = timestampDirName();
  const tsDir = join(dir, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  chmodSync(tsDir, 0o755);
  for (const [p, f] of payload) {
    const full = join(tsDir, p);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, f.data, { mode: f.mode });
    // The umask must not narrow the mode asked for.
    chmodSync(full, f.mode);
  }
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(tsName, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA_DIR));

  // User-visible names: one symlink per top-level element, through ..data.
  const tops = new Set([...payload.keys()].map((p) => p.split("/")[0]));
  for (const t of tops) {
    const link = join(dir, t);
    let ok = false;
    try {
      ok = lstatSync(link).isSymbolicLink() && readlinkSync(link) === posix.join(DATA_DIR, t);
    } catch {}
    if (!ok) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(posix.join(DATA_DIR, t), link);
    }
  }
  // Names no longer in the payload go.
  for (const e of readdirSync(dir)) {
    if (e.startsWith("..") || tops.has(e)) continue;
    rmSync(join(dir, e), { recursive: true, force: true });
  }
  if (oldTs && oldTs !== tsName) rmSync(join(dir, oldTs), { recursive: true, force: true });
  return true;
}
