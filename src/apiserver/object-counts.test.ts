import assert from "node:assert/strict";
import { test } from "node:test";
import { SqliteStore } from "../storage/sqlite.ts";
import { ObjectCounts } from "./object-counts.ts";

const enc = new TextEncoder();

test("counts each stored resource's objects as apiserver_storage_objects, under upstream's resource labels", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  for (let i = 0; i < 3; i++) await store.create(`/registry/pods/default/p-${i}`, enc.encode("{}"));
  await store.create("/registry/deployments/default/d", enc.encode("{}"));
  await store.create("/registry/pods/default/gone", enc.encode("{}"));
  await store.delete("/registry/pods/default/gone");
  const counts = new ObjectCounts(store, 20);
  try {
    await counts.start();
    assert.equal(counts.get("", "pods"), 3);
    assert.equal(counts.get("apps", "deployments"), 1);
    assert.equal(counts.get("", "secrets"), 0);
    assert.match(counts.render(), /^apiserver_storage_objects\{resource="pods"\} 3$/m);
    assert.match(counts.render(), /^apiserver_storage_objects\{resource="deployments.apps"\} 1$/m);
    // Counted again on the next poll.
    await store.create("/registry/pods/default/p-3", enc.encode("{}"));
    for (let i = 0; counts.get("", "pods") !== 4; i++) {
      assert.ok(i < 100, "not counted again");
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await counts.stop();
    await store.close();
  }
});
