// Loads image archives into containerd with ctr, the way CONTAINERD.md
// verified, and leaves only the names the archives carry.

import { execFile } from "node:child_process";

export interface ImportOptions {
  /** containerd's socket. */
  address: string;
  /** containerd namespace; the CRI plugin uses "k8s.io". */
  namespace: string;
  /** The ctr binary; "ctr" on PATH unless told. */
  ctr?: string;
}

/**
 * Imports each OCI archive with
 *   ctr --address <sock> -n <namespace> images import <archive>
 * and removes any `import-<date>` reference the import added (CONTAINERD.md
 * trap 2: the CRI plugin can resolve the sandbox image to it and fail).
 */
export async function importImages(archives: readonly string[], opts: ImportOptions): Promise<void> {
  const before = new Set(await listImages(opts));
  for (const archive of archives) {
    await ctr(opts, ["images", "import", archive]);
  }
  const extra = (await listImages(opts)).filter((n) => !before.has(n) && n.startsWith("import-"));
  if (extra.length > 0) await ctr(opts, ["images", "rm", ...extra]);
}

/** The image references in the namespace (`ctr images ls -q`). */
export async function listImages(opts: ImportOptions): Promise<string[]> {
  const out = await ctr(opts, ["images", "ls", "-q"]);
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

function ctr(opts: ImportOptions, args: string[]): Promise<string> {
  const bin = opts.ctr ?? "ctr";
  const full = ["--address", opts.address, "-n", opts.namespace, ...args];
  return new Promise((resolve, reject) => {
    execFile(bin, full, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = stderr.trim() || err.message;
        reject(new Error(`${[bin, ...full].join(" ")} failed: ${why}`, { cause: err }));
        return;
      }
      resolve(stdout);
    });
  });
}
