import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_NODE_SCORE } from "../../framework/interface.ts";
import { defaultNormalizeScore } from "./normalize-score.ts";

// Upstream: pkg/scheduler/framework/plugins/helper/normalize_score_test.go TestDefaultNormalizeScore.
const cases: Array<{ reverse?: boolean; scores: number[]; expected: number[] }> = [
  { scores: [1, 2, 3, 4], expected: [25, 50, 75, 100] },
  { reverse: true, scores: [1, 2, 3, 4], expected: [75, 50, 25, 0] },
  { scores: [1000, 10, 20, 30], expected: [100, 1, 2, 3] },
  { reverse: true, scores: [1000, 10, 20, 30], expected: [0, 99, 98, 97] },
  { scores: [1, 1, 1, 1], expected: [100, 100, 100, 100] },
  { scores: [1000, 1, 1, 1], expected: [100, 0, 0, 0] },
  { reverse: true, scores: [0, 1, 1, 1], expected: [100, 0, 0, 0] },
  { scores: [0, 0, 0], expected: [0, 0, 0] },
  { reverse: true, scores: [0, 0], expected: [100, 100] },
];

cases.forEach((c, i) => {
  test(`case_${i}`, () => {
    const scores = c.scores.map((score, j) => ({ name: `n${j}`, score }));
    assert.equal(defaultNormalizeScore(MAX_NODE_SCORE, !!c.reverse, scores), null);
    assert.deepEqual(
      scores.map((s) => s.score),
      c.expected,
    );
  });
});
