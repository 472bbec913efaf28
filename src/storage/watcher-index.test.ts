import assert from "node:assert/strict";
import { test } from "node:test";
import { rootOf, WatcherIndex } from "./watcher-index.ts";

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
