// Parallel's slow-start batches and maxUnavailable's arithmetic (upstream's
// TestGetStatefulSetMaxUnavailable table).
import assert from "node:assert/strict";
import { test } from "node:test";
import { getStatefulSetMaxUnavailable, slowStartBatch } from "./stateful-set-control.ts";

test("slowStartBatch runs 1, 2, 4… calls at once and stops after the first batch with an error", async () => {
  const batches: number[][] = [];
  let inFlight: number[] = [];
  const fn = async (i: number) => {
    inFlight.push(i);
    await Promise.resolve();
    if (inFlight.length > 0) {
      batches.push(inFlight);
      inFlight = [];
    }
  };
  assert.equal(await slowStartBatch(1, 10, fn), 10);
  assert.deepEqual(batches, [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9]]);

  const called: number[] = [];
  await assert.rejects(
    slowStartBatch(1, 10, async (i) => {
      called.push(i);
      if (i === 2) throw new Error("boom");
    }),
    /boom/,
  );
  assert.deepEqual(called, [0, 1, 2]);
});

test("getStatefulSetMaxUnavailable rounds percentages down and never goes below 1", () => {
  const cases: Array<[number | string | undefined, number, number]> = [
    [undefined, 10, 1],
    [3, 10, 3],
    [3, 0, 3],
    [0, 0, 1],
    ["10%", 25, 2],
    ["100%", 5, 5],
    ["50%", 5, 2],
    ["10%", 5, 1],
    ["1%", 0, 1],
    ["0%", 0, 1],
  ];
  for (const [maxUnavailable, replicas, want] of cases) {
    assert.equal(
      getStatefulSetMaxUnavailable(maxUnavailable, replicas),
      want,
      `${maxUnavailable} of ${replicas}`,
    );
  }
});
