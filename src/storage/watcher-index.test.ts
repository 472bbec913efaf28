import assert from "node:assert/strict";
import { test } from "node:test";
import type { KeyValue, WatchTrigger } from "./store.ts";
import { rootOf, triggeredDeliveries, WatcherIndex } from "./watcher-index.ts";

test("rootOf is the first three segments, shared by every key under a rooted prefix", () => {
  assert.equal(rootOf("/registry/pods/ns/name"), "/registry/pods/");
  assert.equal(rootOf("/registry/pods/"), "/registry/pods/");
  assert.equal(rootOf("/registry/pods"), undefined);
  assert.equal(rootOf("/registry/"), undefined);
  assert.equal(rootOf("/"), undefined);
  for (const prefix of ["/registry/pods/", "/registry/pods/ns/"])
    for (const key of ["/registry/pods/ns/a", "/registry/pods/ns/b/c"])
      if (key.startsWith(prefix)) assert.equal(rootOf(key), rootOf(prefix));
});

test("watchers are found under their resource; broad ones are kept apart; deletes clean up", () => {
  const idx = new WatcherIndex<{ prefix: string }>();
  const pods = { prefix: "/registry/pods/" };
  const podsNs = { prefix: "/registry/pods/ns/" };
  const podsLike = { prefix: "/registry/pods" };
  const leases = { prefix: "/registry/leases/" };
  for (const w of [pods, podsNs, podsLike, leases]) idx.add(w);
  assert.deepEqual([...idx.under("/registry/pods/")], [pods, podsNs]);
  assert.deepEqual([...idx.under("/registry/leases/")], [leases]);
  assert.deepEqual([...idx.broad], [podsLike]);
  assert.equal([...idx].length, 4);
  idx.delete(leases);
  idx.delete(podsLike);
  assert.deepEqual([...idx.under("/registry/leases/")], []);
  assert.deepEqual([...idx], [pods, podsNs]);
});

test("watchers with a trigger are indexed by field and value, apart from the others", () => {
  type W = { prefix: string; trigger?: WatchTrigger };
  const idx = new WatcherIndex<W>();
  const keyOf = (kv: KeyValue) => kv.key;
  const onNode = (value: string): W => ({
    prefix: "/registry/pods/",
    trigger: { field: "spec.nodeName", value, valueOf: keyOf },
  });
  const all = { prefix: "/registry/pods/" };
  const a1 = onNode("a");
  const a2 = onNode("a");
  const b = onNode("b");
  for (const w of [all, a1, a2, b]) idx.add(w);
  assert.deepEqual([...idx.under("/registry/pods/")], [all]);
  const [index] = [...idx.triggersUnder("/registry/pods/")];
  assert.deepEqual([...index.byValue.keys()], ["a", "b"]);
  assert.deepEqual([...index.byValue.get("a")!], [a1, a2]);
  assert.equal([...idx].length, 4);
  for (const w of [a1, a2, b]) idx.delete(w);
  assert.deepEqual([...idx.triggersUnder("/registry/pods/")], []);
  assert.deepEqual([...idx], [all]);
});

test("triggeredDeliveries offers each event to the watchers of its value now and before, in order", () => {
  const kv = (value: string): KeyValue => ({
    key: "/registry/pods/ns/p",
    value: new TextEncoder().encode(value),
    createRevision: 1,
    modRevision: 1,
    version: 1,
  });
  const deleted: KeyValue = { ...kv(""), value: new Uint8Array() };
  const text = (k: KeyValue) => new TextDecoder().decode(k.value);
  const index = {
    valueOf: (k: KeyValue) => {
      if (text(k) === "bad") throw new Error("cannot decode");
      return k.value.length === 0 ? undefined : text(k);
    },
    byValue: new Map([
      ["a", new Set(["watcher-a"])],
      ["b", new Set(["watcher-b"])],
    ]),
  };
  const created = { kv: kv("a") };
  const moved = { kv: kv("b"), prevKv: kv("a") };
  const elsewhere = { kv: kv("c"), prevKv: kv("c") };
  const gone = { kv: deleted, prevKv: kv("b") };
  const unreadable = { kv: kv("bad") };
  const out = triggeredDeliveries(index, [created, moved, elsewhere, gone, unreadable]);
  assert.deepEqual(out.get("watcher-a"), [created, moved, unreadable]);
  assert.deepEqual(out.get("watcher-b"), [moved, gone, unreadable]);
});
