// Covers, from upstream's policy_comparator_test.go, and CompactRules.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyRule } from "kubernetes-types/rbac/v1.d.ts";
import { compactRules, covers, nonResourceURLCovers } from "./covers.ts";

const r = (
  apiGroups: string[],
  verbs: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule =>
  resourceNames ? { apiGroups, verbs, resources, resourceNames } : { apiGroups, verbs, resources };
const u = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

const cases: Array<[string, PolicyRule[], PolicyRule[], boolean, PolicyRule[]]> = [
  ["ExactMatch", [r(["v1"], ["get"], ["builds"])], [r(["v1"], ["get"], ["builds"])], true, []],
  ["SubresourceWildcard", [r(["v1"], ["get"], ["*/scale"])], [r(["v1"], ["get"], ["foo/scale"])], true, []],
  [
    "MultipleRulesCoveringSingleRule",
    [
      r(["v1"], ["delete"], ["deployments"]),
      r(["v1"], ["delete"], ["builds"]),
      r(["v1"], ["update"], ["builds", "deployments"]),
    ],
    [r(["v1"], ["delete", "update"], ["builds", "deployments"])],
    true,
    [],
  ],
  [
    "MultipleAPIGroupsCoveringSingleRule",
    [
      r(["group1"], ["delete"], ["deployments"]),
      r(["group1"], ["delete"], ["builds"]),
      r(["group1"], ["update"], ["builds", "deployments"]),
      r(["group2"], ["delete"], ["deployments"]),
      r(["group2"], ["delete"], ["builds"]),
      r(["group2"], ["update"], ["builds", "deployments"]),
    ],
    [r(["group1", "group2"], ["delete", "update"], ["builds", "deployments"])],
    true,
    [],
  ],
  [
    "MultipleRulesMissingSingleVerbResourceCombination",
    [r(["v1"], ["delete", "update"], ["builds", "deployments"]), r(["v1"], ["delete"], ["pods"])],
    [r(["v1"], ["delete", "update"], ["builds", "deployments", "pods"])],
    false,
    [r(["v1"], ["update"], ["pods"])],
  ],
  [
    "APIGroupStarCoveringMultiple",
    [r(["*"], ["get"], ["roles"])],
    [r(["group1", "group2"], ["get"], ["roles"])],
    true,
    [],
  ],
  [
    "EnumerationNotCoveringAPIGroupStar",
    [r(["dummy-group"], ["get"], ["roles"])],
    [r(["*"], ["get"], ["roles"])],
    false,
    [r(["*"], ["get"], ["roles"])],
  ],
  [
    "VerbStarCoveringMultiple",
    [r(["v1"], ["*"], ["roles"])],
    [r(["v1"], ["watch", "list"], ["roles"])],
    true,
    [],
  ],
  [
    "EnumerationNotCoveringVerbStar",
    [r(["v1"], ["get", "list", "watch", "create", "update", "delete", "exec"], ["roles"])],
    [r(["v1"], ["*"], ["roles"])],
    false,
    [r(["v1"], ["*"], ["roles"])],
  ],
  [
    "ResourceStarCoveringMultiple",
    [r(["v1"], ["get"], ["*"])],
    [r(["v1"], ["get"], ["resourcegroup:deployments"])],
    true,
    [],
  ],
  [
    "EnumerationNotCoveringResourceStar",
    [r(["v1"], ["get"], ["roles", "resourcegroup:deployments"])],
    [r(["v1"], ["get"], ["*"])],
    false,
    [r(["v1"], ["get"], ["*"])],
  ],
  [
    "ResourceNameEmptyCoveringMultiple",
    [r(["v1"], ["get"], ["pods"], [])],
    [r(["v1"], ["get"], ["pods"], ["foo", "bar"])],
    true,
    [],
  ],
  [
    "EnumerationNotCoveringResourceNameEmpty",
    [r(["v1"], ["get"], ["pods"], ["foo", "bar"])],
    [r(["v1"], ["get"], ["pods"], [])],
    false,
    [r(["v1"], ["get"], ["pods"])],
  ],
  ["NonResourceURLs", [u(["/apis"], ["*"])], [u(["/apis"], ["*"])], true, []],
  ["NonResourceURLsStar", [u(["*"], ["*"])], [u(["/apis", "/apis/v1", "/"], ["*"])], true, []],
  [
    "NonResourceURLsStarAfterPrefixDoesntCover",
    [u(["/apis/*"], ["*"])],
    [u(["/apis", "/apis/v1"], ["get"])],
    false,
    [u(["/apis"], ["get"])],
  ],
  [
    "NonResourceURLsStarAfterPrefix",
    [u(["/apis/*"], ["*"])],
    [u(["/apis/v1/foo", "/apis/v1"], ["get"])],
    true,
    [],
  ],
  [
    "NonResourceURLsWithOtherFieldsFailure",
    [r(["v1"], ["get"], ["builds"])],
    [{ apiGroups: ["v1"], verbs: ["get"], resources: ["builds"], nonResourceURLs: ["/apis"] }],
    false,
    [u(["/apis"], ["get"])],
  ],
];

for (const [name, owner, servant, wantCovered, wantUncovered] of cases) {
  test(`Covers: ${name}`, () => {
    const got = covers(owner, servant);
    assert.equal(got.covered, wantCovered);
    assert.deepEqual(got.uncovered, wantUncovered);
  });
}

test("nonResourceURLCovers: upstream's table", () => {
  const table: Array<[string, string, boolean]> = [
    ["*", "", true],
    ["*", "/", true],
    ["*", "/api", true],
    ["/*", "", false],
    ["/*", "/", true],
    ["/*", "/foo", true],
    ["/api", "/api", true],
    ["/apis", "/api", false],
    ["/api/v1", "/api", false],
    ["/api/v1", "/api/v1", true],
    ["/api/*", "/api/v1", true],
    ["/api/*", "/api", false],
    ["/api/*/*", "/api/v1", false],
    ["/*/v1/*", "/api/v1", false],
  ];
  for (const [owner, requested, want] of table) {
    assert.equal(nonResourceURLCovers(owner, requested), want, `${owner} ${requested}`);
  }
});

test("CompactRules merges single group/resource rules that differ only by verb", () => {
  const got = compactRules([
    r([""], ["get"], ["pods"]),
    r([""], ["list"], ["pods"]),
    r(["apps"], ["get"], ["deployments"]),
    r([""], ["get"], ["configmaps"], ["x"]),
    u(["/healthz"], ["get"]),
    r([""], ["watch"], ["pods"]),
  ]);
  assert.deepEqual(got, [
    r([""], ["get"], ["configmaps"], ["x"]),
    u(["/healthz"], ["get"]),
    r([""], ["get", "list", "watch"], ["pods"]),
    r(["apps"], ["get"], ["deployments"]),
  ]);
});
