import assert from "node:assert/strict";
import { test } from "node:test";
import { ReasonCache } from "./reason-cache.ts";
import { PodSyncResult } from "./sync-result.ts";

function failed(container: string, message: string): PodSyncResult {
  const r = new PodSyncResult();
  Object.assign(r.add("StartContainer", container), { error: "ErrImagePull", message });
  return r;
}

test("the cache keeps the last start failure per container, bounded by evicting the oldest", () => {
  const cache = new ReasonCache(2);
  cache.update("a", failed("c1", "m1"));
  cache.update("b", failed("c1", "m2"));
  cache.update("b", failed("c2", "m3"));
  assert.equal(cache.get("a", "c1"), undefined, "the oldest entry went");
  assert.deepEqual(cache.get("b", "c1"), { reason: "ErrImagePull", message: "m2" });
  cache.removePod("b");
  assert.equal(cache.forPod("b").size, 0);
});
