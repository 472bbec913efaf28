// successPolicy rules of Indexed Jobs (upstream's success_policy_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIndexesFromString } from "./indexed.ts";
import { matchSucceededIndexesRule, matchSuccessPolicy } from "./success-policy.ts";

const idx = (s: string) => parseIndexesFromString(s, 100);

test("no policy or nothing succeeded: no match", () => {
  assert.equal(matchSuccessPolicy(undefined, 10, idx("0-9")), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 1 }] }, 10, []), undefined);
});

test("succeededIndexes: all listed indexes must succeed; the message names the rule", () => {
  const policy = { rules: [{ succeededIndexes: "0,2-4" }, { succeededIndexes: "6-7" }] };
  assert.equal(matchSuccessPolicy(policy, 10, idx("0,2-3,5")), undefined);
  assert.equal(matchSuccessPolicy(policy, 10, idx("0,2-4")), "Matched rules at index 0");
  assert.equal(matchSuccessPolicy(policy, 10, idx("1,5-7")), "Matched rules at index 1");
});

test("succeededCount alone, and within succeededIndexes", () => {
  assert.equal(
    matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 10, idx("1,5,9")),
    "Matched rules at index 0",
  );
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 4 }] }, 10, idx("1,5,9")), undefined);
  const policy = { rules: [{ succeededIndexes: "0-5", succeededCount: 2 }] };
  assert.equal(matchSuccessPolicy(policy, 10, idx("5-9")), undefined);
  assert.equal(matchSuccessPolicy(policy, 10, idx("4-9")), "Matched rules at index 0");
});

test("an unparsable or out-of-range rule never matches", () => {
  assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: "12-14" }] }, 10, idx("0-9")), undefined);
});

test("matchSucceededIndexesRule counts overlaps across intervals", () => {
  assert.equal(matchSucceededIndexesRule(idx("0-2,5-7"), idx("1-6"), 4), true);
  assert.equal(matchSucceededIndexesRule(idx("0-2,5-7"), idx("1-6"), 5), false);
  assert.equal(matchSucceededIndexesRule(idx("0-2,5-7"), idx("0-7"), undefined), true);
});
