// guaranteedUpdate may start from the newest write a watch decoded instead of
// reading the store (upstream's cachedExistingObject). When that copy is behind
// the store, nothing may show it: the write lands on what the store holds,
// preconditions are checked against it, a change that comes out as none
// answers with the stored object, and a refusal based on the old copy is
// asked again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findResource } from "../../api/registry.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "./index.ts";
import type { ResourceStore } from "./resource-store.ts";

// biome-ignore lint/suspicious/noExplicitAny: API objects as the registry handles them.
type Obj = any;

/** A ConfigMap whose newest decode (rev "1" of a:1) is older than the store (a:2). */
async function staleCache(): Promise<{ rs: ResourceStore; store: SqliteStore; rvs: string[] }> {
  const store = new SqliteStore({ path: ":memory:" });
  const rs = new Registry(store).storeFor(findResource("", "v1", "configmaps")!)!;
  const created = await rs.create("default", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", namespace: "default" },
    data: { a: "1" },
  });
  // As a watch would decode the create's event.
  const { kv } = await store.get(rs.key("default", "cm"));
  rs.decodeForWatch(kv!);
  // A write no watch decoded.
  const updated = await rs.update("default", "cm", { ...created, data: { a: "2" } });
  return { rs, store, rvs: [created.metadata.resourceVersion, updated.object.metadata.resourceVersion] };
}

test("a change made from a cache that is behind lands on what the store holds", async () => {
  const { rs, store } = await staleCache();
  const r = await rs.guaranteedUpdate("default", "cm", (cur: Obj) => {
    cur.data.b = "x";
    return cur;
  });
  assert.deepEqual(r.object.data, { a: "2", b: "x" });
  const { kv } = await store.get(rs.key("default", "cm"));
  assert.deepEqual(JSON.parse(Buffer.from(kv!.value).toString()).data, { a: "2", b: "x" });
  store.close();
});

test("resourceVersion preconditions are checked against the store, not the cache", async () => {
  const { rs, store, rvs } = await staleCache();
  const current = await rs.guaranteedUpdate(
    "default",
    "cm",
    (cur: Obj) => {
      cur.data.c = "y";
      return cur;
    },
    { expectedRv: rvs[1] },
  );
  assert.deepEqual(current.object.data, { a: "2", c: "y" });
  await assert.rejects(
    rs.guaranteedUpdate("default", "cm", (cur: Obj) => cur, { expectedRv: rvs[0] }),
    (e: Obj) => e.status?.code === 409 || e.code === 409,
  );
  store.close();
});

test("a change that comes out as none answers with the stored object", async () => {
  const { rs, store, rvs } = await staleCache();
  const same = await rs.guaranteedUpdate("default", "cm", (cur: Obj) => cur);
  assert.equal(same.object.metadata.resourceVersion, rvs[1]);
  assert.deepEqual(same.object.data, { a: "2" });
  const left = await rs.guaranteedUpdate("default", "cm", () => undefined);
  assert.equal(left.object.metadata.resourceVersion, rvs[1]);
  store.close();
});

test("a refusal based on the cached copy is asked again with the store's", async () => {
  const { rs, store } = await staleCache();
  const seen: string[] = [];
  const r = await rs.guaranteedUpdate("default", "cm", (cur: Obj) => {
    seen.push(cur.data.a);
    if (cur.data.a !== "2") throw new Error("refused on old data");
    cur.data.d = "z";
    return cur;
  });
  assert.deepEqual(seen, ["1", "2"], "the cached copy first, then the store's");
  assert.deepEqual(r.object.data, { a: "2", d: "z" });
  store.close();
});
