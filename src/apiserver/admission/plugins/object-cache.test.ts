import assert from "node:assert/strict";
import { test } from "node:test";
import { ObjectCache } from "./object-cache.ts";
import { newRegistry } from "./test-helpers.ts";

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
}

test("lists at start, follows creates, updates and deletes, and stops", async () => {
  const registry = newRegistry();
  const store = registry.byResource("", "v1", "serviceaccounts")!;
  await store.create("a", { metadata: { name: "default", namespace: "a" } });
  const cache = new ObjectCache(store);
  assert.equal(cache.synced, false);
  await cache.start();
  assert.equal(cache.synced, true);
  assert.equal(cache.get("a", "default")?.metadata.name, "default");
  await store.create("b", { metadata: { name: "default", namespace: "b" } });
  await store.create("b", { metadata: { name: "builder", namespace: "b" } });
  await until(() => cache.list("b").length === 2);
  assert.equal(cache.list().length, 3);
  await store.guaranteedUpdate("b", "builder", (sa) => ({ ...sa!, automountServiceAccountToken: false }));
  await until(() => cache.get("b", "builder")?.automountServiceAccountToken === false);
  await store.delete("a", "default");
  await until(() => cache.get("a", "default") === undefined);
  cache.stop();
  assert.equal(cache.synced, false);
  await cache.stopped();
});

test("cluster-scoped objects are keyed by name alone", async () => {
  const registry = newRegistry();
  const cache = new ObjectCache(registry.namespaces);
  await cache.start();
  await registry.namespaces.create(undefined, { metadata: { name: "team" }, spec: {} });
  await until(() => cache.get(undefined, "team") !== undefined);
  assert.equal(cache.get("ignored", "team")?.metadata.name, "team");
  cache.stop();
});
