import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setUpEmptyDir } from "./emptydir.ts";
import { isLikelyNotMountPoint, isMountPoint, mountPointsUnder, unmount } from "./mount-util.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-emptydir-"));
after(async () => {
  for (const p of mountPointsUnder(root)) await unmount(p);
  rmSync(root, { recursive: true, force: true });
});

test("a disk emptyDir is a world-writable directory", async () => {
  const d = join(root, "disk");
  await setUpEmptyDir(d, {});
  assert.equal(statSync(d).mode & 0o777, 0o777);
  assert.equal(isMountPoint(d), false);
  assert.equal(isLikelyNotMountPoint(d), true);
});

test("medium Memory is a tmpfs of sizeLimit", async () => {
  const d = join(root, "mem");
  await setUpEmptyDir(d, { medium: "Memory", sizeLimit: "16Mi" });
  assert.equal(isMountPoint(d), true);
  assert.equal(isLikelyNotMountPoint(d), false);
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("df", ["-B1", "--output=fstype,size", d], { encoding: "utf8" });
  assert.match(out, /tmpfs\s+16777216/);
  // Setting up again (every sync) does not stack mounts.
  await setUpEmptyDir(d, { medium: "Memory", sizeLimit: "16Mi" });
  assert.deepEqual(mountPointsUnder(d), [d]);
  await unmount(d);
});
