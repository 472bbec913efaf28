import assert from "node:assert/strict";
import { test } from "node:test";
import { configMapPayload } from "./configmap.ts";
import { secretPayload } from "./secret.ts";

test("configMap: every key at defaultMode 0644, or the items with their paths and modes", () => {
  const cm = { data: { a: "1", b: "2" }, binaryData: { bin: Buffer.from([1, 2]).toString("base64") } };
  const all = configMapPayload(undefined, cm, undefined, false);
  assert.deepEqual([...all.keys()].sort(), ["a", "b", "bin"]);
  assert.equal(all.get("a")?.mode, 0o644);
  assert.deepEqual([...(all.get("bin")?.data ?? [])], [1, 2]);
  const items = configMapPayload(
    [
      { key: "a", path: "dir/a.txt", mode: 0o600 },
      { key: "b", path: "b" },
    ],
    cm,
    0o440,
    false,
  );
  assert.deepEqual([...items.keys()], ["dir/a.txt", "b"]);
  assert.equal(items.get("dir/a.txt")?.mode, 0o600);
  assert.equal(items.get("b")?.mode, 0o440);
  assert.throws(() => configMapPayload([{ key: "zz", path: "z" }], cm, undefined, false), {
    message: "configmap references non-existent config key: zz",
  });
  assert.equal(configMapPayload([{ key: "zz", path: "z" }], cm, undefined, true).size, 0);
  assert.equal(configMapPayload(undefined, undefined, undefined, true).size, 0);
});

test("secret: base64 data decoded; missing keys as upstream words them", () => {
  const s = { data: { pw: Buffer.from("hunter2").toString("base64") } };
  assert.equal(secretPayload(undefined, s, undefined, false).get("pw")?.data.toString(), "hunter2");
  assert.throws(() => secretPayload([{ key: "x", path: "x" }], s, undefined, false), {
    message: "references non-existent secret key: x",
  });
});
