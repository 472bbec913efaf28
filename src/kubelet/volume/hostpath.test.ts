import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkHostPathType } from "./hostpath.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-hostpath-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("OrCreate types create what is missing", () => {
  checkHostPathType(join(root, "d/e"), "DirectoryOrCreate");
  assert.ok(statSync(join(root, "d/e")).isDirectory());
  checkHostPathType(join(root, "f"), "FileOrCreate");
  assert.ok(statSync(join(root, "f")).isFile());
});

test("failed checks carry upstream's texts", () => {
  const f = join(root, "file");
  writeFileSync(f, "");
  const d = join(root, "dir");
  mkdirSync(d);
  assert.throws(() => checkHostPathType(f, "Directory"), {
    message: `hostPath type check failed: ${f} is not a directory`,
  });
  assert.throws(() => checkHostPathType(f, "DirectoryOrCreate"), {
    message: `hostPath type check failed: ${f} is not a directory`,
  });
  assert.throws(() => checkHostPathType(join(root, "missing"), "Directory"), /is not a directory/);
  assert.throws(() => checkHostPathType(d, "File"), {
    message: `hostPath type check failed: ${d} is not a file`,
  });
  assert.throws(() => checkHostPathType(d, "FileOrCreate"), {
    message: `hostPath type check failed: ${d} is not a file`,
  });
  assert.throws(() => checkHostPathType(f, "Socket"), {
    message: `hostPath type check failed: ${f} is not a socket file`,
  });
  assert.throws(() => checkHostPathType(f, "CharDevice"), {
    message: `hostPath type check failed: ${f} is not a character device`,
  });
  assert.throws(() => checkHostPathType(f, "BlockDevice"), {
    message: `hostPath type check failed: ${f} is not a block device`,
  });
  checkHostPathType(join(root, "missing"), "");
  checkHostPathType("/dev/null", "CharDevice");
});

test("a socket passes the Socket check", async () => {
  const sock = join(root, "s.sock");
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(sock, r));
  try {
    checkHostPathType(sock, "Socket");
  } finally {
    await new Promise((r) => srv.close(r));
  }
});
