// Ported from upstream's TestSlowStartBatch (replica_set_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { slowStartBatch } from "./slow-start.ts";

test("slowStartBatch: batches of 1, 2, 4…; the batch with a failure is the last one", async () => {
  const fakeErr = new Error("fake error");
  const cases: Array<[string, number, number, (n: number) => boolean, number, number]> = [
    // name, count, initial batch size, fails(callIndex), want successes, want calls
    ["callCnt = 0", 0, 1, () => false, 0, 0],
    ["count = 10, all succeed", 10, 1, () => false, 10, 10],
    ["count = 10, all fail", 10, 1, () => true, 0, 1],
    ["count = 10, fail from the 5th call: batches 1, 2, 4 (3 of the 4 fail)", 10, 1, (n) => n >= 4, 4, 7],
    ["initialBatchSize 3, count 10, all succeed", 10, 3, () => false, 10, 10],
  ];
  for (const [name, count, initial, fails, wantSuccesses, wantCalls] of cases) {
    let calls = 0;
    const { successes, error } = await slowStartBatch(count, initial, async () => {
      const n = calls++;
      if (fails(n)) throw fakeErr;
    });
    assert.equal(successes, wantSuccesses, name);
    assert.equal(calls, wantCalls, name);
    assert.equal(error, successes === count ? undefined : fakeErr, name);
  }
});
