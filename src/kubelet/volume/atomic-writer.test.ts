import assert from "node:assert/strict";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type FileProjection, validatePayloadPath, writePayload } from "./atomic-writer.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-atomic-"));
after(() => rmSync(root, { recursive: true, force: true }));

const file = (s: string, mode = 0o644): FileProjection => ({ data: Buffer.from(s), mode });

test("files sit in a timestamped dir behind ..data, with top-level symlinks", () => {
  const dir = join(root, "a");
  assert.equal(
    writePayload(
      dir,
      new Map([
        ["k", file("v", 0o600)],
        ["sub/x", file("y")],
      ]),
    ),
    true,
  );
  const ts = readlinkSync(join(dir, "..data"));
  assert.match(ts, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/);
  assert.equal(readlinkSync(join(dir, "k")), "..data/k");
  assert.equal(readlinkSync(join(dir, "sub")), "..data/sub");
  assert.equal(readFileSync(join(dir, "k"), "utf8"), "v");
  assert.equal(readFileSync(join(dir, "sub/x"), "utf8"), "y");
  assert.equal(statSync(join(dir, "k")).mode & 0o777, 0o600);
});

test("an unchanged payload writes nothing; a change swaps ..data and drops old names and dirs", () => {
  const dir = join(root, "b");
  writePayload(
    dir,
    new Map([
      ["a", file("1")],
      ["b", file("2")],
    ]),
  );
  const first = readlinkSync(join(dir, "..data"));
  assert.equal(
    writePayload(
      dir,
      new Map([
        ["a", file("1")],
        ["b", file("2")],
      ]),
    ),
    false,
  );
  assert.equal(writePayload(dir, new Map([["a", file("3")]])), true);
  const second = readlinkSync(join(dir, "..data"));
  assert.notEqual(first, second);
  assert.equal(readFileSync(join(dir, "a"), "utf8"), "3");
  assert.throws(() => lstatSync(join(dir, "b")));
  assert.deepEqual(readdirSync(dir).sort(), [second, "..data", "a"].sort());
  // A mode change alone is a change.
  assert.equal(writePayload(dir, new Map([["a", file("3", 0o400)]])), true);
  assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o400);
});

test("paths are validated as upstream's validatePath", () => {
  assert.throws(() => validatePayloadPath("/abs"), /must be relative path/);
  assert.throws(() => validatePayloadPath("a/../b"), /must not contain '\.\.'/);
  assert.throws(() => validatePayloadPath("..a"), /must not start with '\.\.'/);
  validatePayloadPath("a/b");
});
