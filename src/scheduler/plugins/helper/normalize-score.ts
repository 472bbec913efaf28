// helper.DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper/normalize_score.go):
// the Score plugins whose raw scores are unbounded counts or weight sums share it.
import type { NodeScore } from "../../framework/interface.ts";
import type { Result } from "../../framework/status.ts";

/**
 * Scales scores from [0, max(scores)] to [0, maxPriority], in place, with Go's
 * integer division; reverse subtracts each from maxPriority. When every score
 * is 0 they stay 0 (or all become maxPriority when reversed). Scores are
 * assumed non-negative integers.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): Result {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;

  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return null;
  }

  for (const s of scores) {
    let score = Math.trunc((maxPriority * s.score) / maxCount);
    if (reverse) score = maxPriority - score;
    s.score = score;
  }
  return null;
}
