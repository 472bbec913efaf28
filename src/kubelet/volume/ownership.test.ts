import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setVolumeOwnership } from "./ownership.ts";

describe("setVolumeOwnership", () => {
  it("gives the tree the fsGroup, group rw (r for read-only volumes), setgid on directories", () => {
    // npm test runs as root (it installs packages and runs containerd); chown needs it.
    if (process.getuid?.() !== 0) throw new Error("this test chowns files: run it as root");
    const dir = mkdtempSync(join(tmpdir(), "fsgroup-"));
    mkdirSync(join(dir, "sub"), { mode: 0o700 });
    writeFileSync(join(dir, "sub", "f"), "x", { mode: 0o600 });
    symlinkSync("sub/f", join(dir, "link"));
    setVolumeOwnership(dir, 2000, false);
    assert.equal(lstatSync(join(dir, "sub")).gid, 2000);
    assert.equal(lstatSync(join(dir, "sub")).mode & 0o7777, 0o2770);
    assert.equal(lstatSync(join(dir, "sub", "f")).mode & 0o7777, 0o660);
    assert.equal(lstatSync(join(dir, "link")).gid, 2000);

    const ro = mkdtempSync(join(tmpdir(), "fsgroup-"));
    writeFileSync(join(ro, "f"), "x", { mode: 0o600 });
    setVolumeOwnership(ro, 3000, true);
    assert.equal(lstatSync(join(ro, "f")).mode & 0o7777, 0o640);
    assert.equal(lstatSync(join(ro, "f")).gid, 3000);
  });
  it("does nothing without an fsGroup", () => {
    const dir = mkdtempSync(join(tmpdir(), "fsgroup-"));
    const before = lstatSync(dir);
    setVolumeOwnership(dir, undefined, false);
    assert.equal(lstatSync(dir).mode, before.mode);
  });
});
