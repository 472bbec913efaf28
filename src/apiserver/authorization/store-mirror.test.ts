// The store mirror: a list, then every change in order; a watcher dropped as
// too slow relists and ends up with the store's state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SqliteStore } from "../../storage/sqlite.ts";
import type { KeyValue } from "../../storage/store.ts";
import { StoreMirror } from "./store-mirror.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const put = (o: object) => enc.encode(JSON.stringify(o));
const decode = (kv: KeyValue) => JSON.parse(dec.decode(kv.value));

test("lists, then follows creates, updates and deletes by namespace", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  await store.create("/registry/things/a/one", put({ v: 1 }));
  await store.create("/registry/thingsx/a/other", put({ v: 9 }));
  const m = new StoreMirror<{ v: number }>({ store, prefix: "/registry/things/", decode });
  await m.start();
  try {
    assert.deepEqual(m.get("a", "one"), { v: 1 });
    assert.equal(m.get("a", "other"), undefined, "another prefix is not mirrored");
    const c = await store.create("/registry/things/b/two", put({ v: 2 }));
    await m.waitForRevision(c.revision);
    assert.deepEqual(m.list("b"), [{ v: 2 }]);
    const cur = await store.get("/registry/things/a/one");
    const u = await store.update("/registry/things/a/one", put({ v: 3 }), cur.kv!.modRevision);
    await m.waitForRevision(u.revision);
    assert.deepEqual(m.get("a", "one"), { v: 3 });
    const d = await store.delete("/registry/things/a/one");
    await m.waitForRevision(d.revision);
    assert.equal(m.get("a", "one"), undefined);
    assert.deepEqual(m.namespaces(), ["b"]);
    assert.equal(m.lastRevision, d.revision);
  } finally {
    await m.stop();
    await store.close();
  }
});

test('cluster-scoped keys live in namespace ""; a transform may drop objects', async () => {
  const store = new SqliteStore({ path: ":memory:" });
  await store.create("/registry/nodes/n1", put({ keep: true }));
  await store.create("/registry/nodes/n2", put({ keep: false }));
  const m = new StoreMirror<string>({
    store,
    prefix: "/registry/nodes/",
    decode,
    transform: (o) => (o.keep ? "kept" : undefined),
  });
  await m.start();
  try {
    assert.deepEqual(m.all(), ["kept"]);
    assert.equal(m.get("", "n1"), "kept");
    // An update that the transform drops removes the object.
    const cur = await store.get("/registry/nodes/n1");
    const u = await store.update("/registry/nodes/n1", put({ keep: false }), cur.kv!.modRevision);
    await m.waitForRevision(u.revision);
    assert.deepEqual(m.all(), []);
  } finally {
    await m.stop();
    await store.close();
  }
});

test("a watcher dropped as too slow relists and catches up", async () => {
  const store = new SqliteStore({ path: ":memory:", watchBuffer: 1 });
  const errors: unknown[] = [];
  const m = new StoreMirror({ store, prefix: "/registry/things/", decode, onError: (e) => errors.push(e) });
  await m.start();
  try {
    const writes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.create(`/registry/things/ns/t${i}`, put({ i }))),
    );
    const last = Math.max(...writes.map((w) => w.revision));
    await m.waitForRevision(last);
    assert.equal(m.list("ns").length, 200);
  } finally {
    await m.stop();
    await store.close();
  }
});
