import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeTar } from "./tar.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-tar-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function gnuTar(archive: Buffer, ...args: string[]): string {
  const file = join(dir, `a${Math.random().toString(36).slice(2)}.tar`);
  writeFileSync(file, archive);
  return execFileSync("tar", [...args, "-f", file], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
  });
}

describe("writeTar", () => {
  it("lists exactly the entries written, as GNU tar reads them", () => {
    const archive = writeTar([
      { type: "dir", path: "bin" },
      { type: "file", path: "bin/busybox", data: Buffer.from("#!x\n"), mode: 0o755 },
      { type: "symlink", path: "bin/sh", target: "/bin/busybox" },
      { type: "dir", path: "tmp", mode: 0o1777 },
      { type: "file", path: "etc/passwd", data: Buffer.alloc(700, "a") },
    ]);
    assert.equal(archive.length % 512, 0);
    assert.equal(
      gnuTar(archive, "-tv"),
      [
        "drwxr-xr-x root/root         0 1970-01-01 00:00 bin/",
        "-rwxr-xr-x root/root         4 1970-01-01 00:00 bin/busybox",
        "lrwxrwxrwx root/root         0 1970-01-01 00:00 bin/sh -> /bin/busybox",
        "drwxrwxrwt root/root         0 1970-01-01 00:00 tmp/",
        "-rw-r--r-- root/root       700 1970-01-01 00:00 etc/passwd",
        "",
      ].join("\n"),
    );
    gnuTar(archive, "-x");
    assert.equal(readFileSync(join(dir, "bin/busybox"), "utf8"), "#!x\n");
    assert.equal(readlinkSync(join(dir, "bin/sh")), "/bin/busybox");
    assert.equal(statSync(join(dir, "etc/passwd")).size, 700);
  });

  it("round-trips long paths via the ustar prefix and pax headers", () => {
    const viaPrefix = `${"p".repeat(120)}/${"n".repeat(90)}`;
    const viaPax = `d/${"x".repeat(150)}/${"y".repeat(120)}`;
    const longLink = `/${"t".repeat(130)}`;
    const archive = writeTar([
      { type: "file", path: viaPrefix, data: Buffer.from("one") },
      { type: "file", path: viaPax, data: Buffer.from("two") },
      { type: "symlink", path: "l", target: longLink },
    ]);
    assert.equal(gnuTar(archive, "-t"), `${viaPrefix}\n${viaPax}\nl\n`);
    assert.match(gnuTar(archive, "-tv"), new RegExp(` l -> ${longLink}\n$`));
    gnuTar(archive, "-x");
    assert.equal(readFileSync(join(dir, viaPax), "utf8"), "two");
    assert.equal(readFileSync(join(dir, viaPrefix), "utf8"), "one");
  });

  it("is byte-for-byte reproducible, with a fixed mtime", () => {
    const entries = [{ type: "file" as const, path: "a", data: Buffer.from("x") }];
    assert.deepEqual(writeTar(entries), writeTar(entries));
    assert.match(gnuTar(writeTar(entries, { mtime: 86400 }), "-tv"), / 1970-01-02 00:00 a\n$/);
  });
});
