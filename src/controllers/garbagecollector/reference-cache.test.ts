import assert from "node:assert/strict";
import { test } from "node:test";
import { ReferenceCache } from "./reference-cache.ts";

test("the absent-owner cache forgets the least recently used reference", () => {
  const ref = (uid: string) => ({ apiVersion: "v1", kind: "ConfigMap", name: uid, uid, namespace: "ns" });
  const c = new ReferenceCache(2);
  c.add(ref("1"));
  c.add(ref("2"));
  assert.ok(c.has(ref("1"))); // now 2 is the oldest
  c.add(ref("3"));
  assert.ok(c.has(ref("1")));
  assert.ok(c.has(ref("3")));
  assert.equal(c.has(ref("2")), false);
  assert.equal(c.has({ ...ref("1"), namespace: "" }), false, "the namespace is part of the key");
});
