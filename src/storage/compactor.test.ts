import assert from "node:assert/strict";
import { test } from "node:test";
import { Compactor } from "./compactor.ts";
import { SqliteStore } from "./sqlite.ts";
import { isStoreError } from "./store.ts";

test("each tick compacts to the revision seen at the previous tick", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  let fire: (() => void) | undefined;
  const compactor = new Compactor({
    store,
    intervalMs: 1000,
    setInterval: (fn) => {
      fire = fn;
      return {};
    },
    clearInterval: () => {},
  });
  compactor.start();
  assert.ok(fire, "the compactor scheduled itself");
  const v = new Uint8Array([1]);
  const r1 = await store.create("/registry/a/x", v);
  await compactor.tick(); // remembers r1, compacts nothing yet
  await store.get("/registry/a/x", { revision: r1.revision });
  const r2 = await store.update("/registry/a/x", v, r1.revision);
  await compactor.tick(); // compacts to r1, remembers r2
  await store.get("/registry/a/x", { revision: r1.revision });
  await store.update("/registry/a/x", v, r2.revision);
  await compactor.tick(); // compacts to r2
  await assert.rejects(store.get("/registry/a/x", { revision: r1.revision }), (e) =>
    isStoreError(e, "Compacted"),
  );
  assert.ok((await store.get("/registry/a/x", { revision: r2.revision })).kv);
  // Nothing new since the last tick: compacting to the same revision again is not an error.
  await compactor.tick();
  await compactor.tick();
  await compactor.stop();
  await store.close();
});
