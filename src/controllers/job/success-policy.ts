// upstream's success_policy.go: an Indexed Job with a successPolicy succeeds
// as soon as one rule is met (given indexes succeeded, or enough of them),
// before all completions are reached; lingering pods are then terminated.
import type { SuccessPolicy } from "kubernetes-types/batch/v1.d.ts";
import { type OrderedIntervals, parseIndexesFromString, totalIndexes } from "./indexed.ts";

/** The SuccessCriteriaMet message ("Matched rules at index N") when a rule is met. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined | null,
  completions: number,
  succeededIndexes: OrderedIntervals,
): string | undefined {
  if (!policy || succeededIndexes.length === 0) return undefined;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (rule.succeededIndexes != null) {
      const required = parseIndexesFromString(rule.succeededIndexes, completions);
      // An unparsable rule never matches.
      if (required.length === 0) continue;
      if (matchSucceededIndexesRule(required, succeededIndexes, rule.succeededCount)) {
        return `Matched rules at index ${index}`;
      }
    } else if (rule.succeededCount != null && totalIndexes(succeededIndexes) >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}

/** All the rule's indexes succeeded, or at least succeededCount of them. */
export function matchSucceededIndexesRule(
  ruleIndexes: OrderedIntervals,
  succeededIndexes: OrderedIntervals,
  succeededCount: number | undefined | null,
): boolean {
  let contains = 0;
  let s = 0;
  let r = 0;
  while (r < ruleIndexes.length && s < succeededIndexes.length) {
    const overlap =
      Math.min(ruleIndexes[r].last, succeededIndexes[s].last) -
      Math.max(ruleIndexes[r].first, succeededIndexes[s].first) +
      1;
    if (overlap > 0) contains += overlap;
    if (succeededIndexes[s].last < ruleIndexes[r].last) s++;
    else if (succeededIndexes[s].last > ruleIndexes[r].last) r++;
    else {
      s++;
      r++;
    }
  }
  return contains === totalIndexes(ruleIndexes) || (succeededCount != null && contains >= succeededCount);
}
