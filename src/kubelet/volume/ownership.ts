// fsGroup ownership of a pod's volumes (upstream's SetVolumeOwnership,
// pkg/volume/volume_linux.go, v1.32, with fsGroupChangePolicy Always): every
// file gets the fsGroup as its group and group read (and write unless the
// volume is read-only); directories also get group search and setgid, so new
// files inherit the group.
import { chmodSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

/** changeFilePermission of one path; symlinks change group only. */
function changeFilePermission(path: string, fsGroup: number, readonly: boolean): void {
  lchownSync(path, -1, fsGroup);
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return;
  let mask = readonly ? RO_MASK : RW_MASK;
  if (info.isDirectory()) mask |= SETGID | EXEC_MASK;
  chmodSync(path, (info.mode & 0o7777) | mask);
}

/** SetVolumeOwnership: the whole tree under dir, not following symlinks. */
export function setVolumeOwnership(dir: string, fsGroup: number | undefined, readonly: boolean): void {
  if (fsGroup === undefined) return;
  const walk = (path: string) => {
    changeFilePermission(path, fsGroup, readonly);
    const info = lstatSync(path);
    if (!info.isDirectory()) return;
    for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
}
