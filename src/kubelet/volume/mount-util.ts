// Mounting and unmounting through mount(8) and /proc/self/mountinfo, as
// upstream's mount-utils does on Linux.
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The mount points at or under prefix, deepest first (for unmounting). */
export function mountPointsUnder(prefix: string): string[] {
  const points: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mp = line.split(" ")[4];
    if (!mp) continue;
    // mountinfo escapes spaces and such as octal.
    const p = mp.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (p === prefix || p.startsWith(`${prefix}/`)) points.push(p);
  }
  return points.sort((a, b) => b.length - a.length);
}

export function isMountPoint(path: string): boolean {
  return mountPointsUnder(path).includes(path);
}

/**
 * IsLikelyNotMountPoint (mount-utils): a path on the same device as its parent
 * is no mount point. A stat pair instead of reading mountinfo, which grows with
 * every pod's mounts and was read on every sync; it misses same-device bind
 * mounts, which a tmpfs never is.
 */
export function isLikelyNotMountPoint(path: string): boolean {
  return statSync(path).dev === statSync(dirname(path)).dev;
}

/** mount -t tmpfs; size in bytes when given. */
export async function mountTmpfs(path: string, sizeBytes?: number): Promise<void> {
  if (!isLikelyNotMountPoint(path)) return;
  const options = sizeBytes !== undefined && sizeBytes > 0 ? ["-o", `size=${sizeBytes}`] : [];
  await run("mount", ["-t", "tmpfs", ...options, "tmpfs", path]);
}

export async function unmount(path: string): Promise<void> {
  await run("umount", [path]);
}
