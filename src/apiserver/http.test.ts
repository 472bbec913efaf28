import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { drainedOrClosed } from "./http.ts";

test("waiting for a drain many times (a long watch behind a slow reader) leaves no listener behind", async () => {
  const res = new EventEmitter();
  for (let i = 0; i < 50; i++) {
    const waited = drainedOrClosed(res);
    res.emit("drain");
    await waited;
  }
  assert.equal(res.listenerCount("close"), 0);
  assert.equal(res.listenerCount("drain"), 0);
  const closed = drainedOrClosed(res);
  res.emit("close");
  await closed;
  assert.equal(res.listenerCount("drain"), 0);
});
