// Port of upstream's TestBrokenLinearFunction plus the per-resource score
// functions' edge cases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildBrokenLinearFunction,
  leastRequestedScore,
  mostRequestedScore,
  requestedToCapacityRatioScorer,
} from "./resource-allocation.ts";

describe("buildBrokenLinearFunction (TestBrokenLinearFunction)", () => {
  const cases: Array<{ points: Array<[number, number]>; assertions: Array<[number, number]> }> = [
    {
      points: [
        [10, 1],
        [90, 9],
      ],
      assertions: [
        [-10, 1],
        [0, 1],
        [9, 1],
        [10, 1],
        [15, 1],
        [19, 1],
        [20, 2],
        [89, 8],
        [90, 9],
        [99, 9],
        [100, 9],
        [110, 9],
      ],
    },
    {
      points: [
        [0, 2],
        [40, 10],
        [100, 0],
      ],
      assertions: [
        [-10, 2],
        [0, 2],
        [20, 6],
        [30, 8],
        [40, 10],
        [70, 5],
        [100, 0],
        [110, 0],
      ],
    },
    {
      points: [
        [0, 2],
        [40, 2],
        [100, 2],
      ],
      assertions: [
        [-10, 2],
        [0, 2],
        [20, 2],
        [30, 2],
        [40, 2],
        [70, 2],
        [100, 2],
        [110, 2],
      ],
    },
  ];
  cases.forEach((c, i) => {
    it(`case_${i}`, () => {
      const f = buildBrokenLinearFunction(c.points.map(([utilization, score]) => ({ utilization, score })));
      for (const [p, want] of c.assertions) assert.equal(f(p), want, `p=${p}`);
    });
  });

  it("truncates toward zero on a falling segment, as Go's integer division", () => {
    // 10 + (0-10)*(1-0)/(3-0) = 10 + trunc(-3.33) = 7 (Math.floor would give 6).
    const f = buildBrokenLinearFunction([
      { utilization: 0, score: 10 },
      { utilization: 3, score: 0 },
    ]);
    assert.equal(f(1), 7);
  });
});

describe("per-resource scores", () => {
  it("leastRequestedScore / mostRequestedScore", () => {
    assert.equal(leastRequestedScore(3000, 4000), 25);
    assert.equal(leastRequestedScore(5000, 4000), 0);
    assert.equal(leastRequestedScore(0, 0), 0);
    assert.equal(mostRequestedScore(3000, 4000), 75);
    assert.equal(mostRequestedScore(5000, 4000), 100);
    assert.equal(mostRequestedScore(1, 0), 0);
  });

  it("RequestedToCapacityRatio scales shape scores by 10 and rounds the weighted mean", () => {
    const f = requestedToCapacityRatioScorer(
      [
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
      [
        { utilization: 0, score: 10 },
        { utilization: 100, score: 0 },
      ],
    );
    // cpu 75% → 25, memory 50% → 50: (25 + 50) / 2 = 37.5 → 38.
    assert.equal(f(new Float64Array([3000, 5000]), new Float64Array([4000, 10000])), 38);
    // Over capacity counts as 100% utilization → score 0, which leaves the resource out.
    assert.equal(f(new Float64Array([5000, 5000]), new Float64Array([4000, 10000])), 50);
  });
});
