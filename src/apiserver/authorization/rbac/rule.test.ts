// Rule matching: upstream's TestRuleMatches table (plugin/pkg/auth/authorizer/rbac/rbac_test.go),
// plus "*/subresource" and resourceNames, and CompactString's text.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyRule } from "kubernetes-types/rbac/v1.d.ts";
import { compactString, type RuleAttributes, ruleAllows } from "./rule.ts";

const res = (verb: string, group: string, resource: string, subresource = "", name = ""): RuleAttributes => ({
  verb,
  isResourceRequest: true,
  path: "",
  apiGroup: group,
  resource,
  subresource,
  name,
});
const url = (verb: string, path: string): RuleAttributes => ({
  verb,
  isResourceRequest: false,
  path,
  apiGroup: "",
  resource: "",
  subresource: "",
  name: "",
});

const cases: Array<{ name: string; rule: PolicyRule; expect: Array<[RuleAttributes, boolean]> }> = [
  {
    name: "star verb, exact match other",
    rule: { verbs: ["*"], apiGroups: ["group1"], resources: ["resource1"] },
    expect: [
      [res("verb1", "group1", "resource1"), true],
      [res("verb1", "group2", "resource1"), false],
      [res("verb1", "group1", "resource2"), false],
      [res("verb1", "group2", "resource2"), false],
      [res("verb2", "group1", "resource1"), true],
      [res("verb2", "group2", "resource1"), false],
      [res("verb2", "group1", "resource2"), false],
      [res("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "star group, exact match other",
    rule: { verbs: ["verb1"], apiGroups: ["*"], resources: ["resource1"] },
    expect: [
      [res("verb1", "group1", "resource1"), true],
      [res("verb1", "group2", "resource1"), true],
      [res("verb1", "group1", "resource2"), false],
      [res("verb1", "group2", "resource2"), false],
      [res("verb2", "group1", "resource1"), false],
      [res("verb2", "group2", "resource1"), false],
      [res("verb2", "group1", "resource2"), false],
      [res("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "star resource, exact match other",
    rule: { verbs: ["verb1"], apiGroups: ["group1"], resources: ["*"] },
    expect: [
      [res("verb1", "group1", "resource1"), true],
      [res("verb1", "group2", "resource1"), false],
      [res("verb1", "group1", "resource2"), true],
      [res("verb1", "group2", "resource2"), false],
      [res("verb2", "group1", "resource1"), false],
      [res("verb2", "group2", "resource1"), false],
      [res("verb2", "group1", "resource2"), false],
      [res("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "tuple expansion",
    rule: {
      verbs: ["verb1", "verb2"],
      apiGroups: ["group1", "group2"],
      resources: ["resource1", "resource2"],
    },
    expect: [
      [res("verb1", "group1", "resource1"), true],
      [res("verb1", "group2", "resource1"), true],
      [res("verb1", "group1", "resource2"), true],
      [res("verb1", "group2", "resource2"), true],
      [res("verb2", "group1", "resource1"), true],
      [res("verb2", "group2", "resource1"), true],
      [res("verb2", "group1", "resource2"), true],
      [res("verb2", "group2", "resource2"), true],
    ],
  },
  {
    name: "subresource expansion",
    rule: { verbs: ["*"], apiGroups: ["*"], resources: ["resource1/subresource1"] },
    expect: [
      [res("verb1", "group1", "resource1", "subresource1"), true],
      [res("verb1", "group2", "resource1", "subresource2"), false],
      [res("verb1", "group1", "resource2", "subresource1"), false],
      [res("verb1", "group2", "resource2", "subresource1"), false],
      [res("verb2", "group1", "resource1", "subresource1"), true],
      [res("verb2", "group2", "resource1", "subresource2"), false],
      [res("verb2", "group1", "resource2", "subresource1"), false],
      [res("verb2", "group2", "resource2", "subresource1"), false],
    ],
  },
  {
    name: "star nonresource, exact match other",
    rule: { verbs: ["verb1"], nonResourceURLs: ["*"] },
    expect: [
      [url("verb1", "/foo"), true],
      [url("verb1", "/foo/bar"), true],
      [url("verb1", "/foo/baz"), true],
      [url("verb1", "/foo/bar/one"), true],
      [url("verb1", "/foo/baz/one"), true],
      [url("verb2", "/foo"), false],
      [url("verb2", "/foo/bar"), false],
      [url("verb2", "/foo/baz"), false],
      [url("verb2", "/foo/bar/one"), false],
      [url("verb2", "/foo/baz/one"), false],
    ],
  },
  {
    name: "star nonresource subpath",
    rule: { verbs: ["verb1"], nonResourceURLs: ["/foo/*"] },
    expect: [
      [url("verb1", "/foo"), false],
      [url("verb1", "/foo/bar"), true],
      [url("verb1", "/foo/baz"), true],
      [url("verb1", "/foo/bar/one"), true],
      [url("verb1", "/foo/baz/one"), true],
      [url("verb1", "/notfoo"), false],
      [url("verb1", "/notfoo/bar"), false],
      [url("verb1", "/notfoo/baz"), false],
      [url("verb1", "/notfoo/bar/one"), false],
      [url("verb1", "/notfoo/baz/one"), false],
    ],
  },
  {
    name: "star verb, exact nonresource",
    rule: { verbs: ["*"], nonResourceURLs: ["/foo", "/foo/bar/one"] },
    expect: [
      [url("verb1", "/foo"), true],
      [url("verb1", "/foo/bar"), false],
      [url("verb1", "/foo/baz"), false],
      [url("verb1", "/foo/bar/one"), true],
      [url("verb1", "/foo/baz/one"), false],
      [url("verb2", "/foo"), true],
      [url("verb2", "/foo/bar"), false],
      [url("verb2", "/foo/baz"), false],
      [url("verb2", "/foo/bar/one"), true],
      [url("verb2", "/foo/baz/one"), false],
    ],
  },
  {
    name: "star/subresource matches that subresource of any resource only",
    rule: { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] },
    expect: [
      [res("get", "apps", "deployments", "scale"), true],
      [res("get", "", "replicationcontrollers", "scale"), true],
      [res("get", "apps", "deployments"), false],
      [res("get", "apps", "deployments", "status"), false],
      [res("get", "apps", "deployments", "xscale"), false],
    ],
  },
  {
    name: "a resource does not match its subresources",
    rule: { verbs: ["*"], apiGroups: ["*"], resources: ["pods"] },
    expect: [
      [res("get", "", "pods"), true],
      [res("get", "", "pods", "status"), false],
    ],
  },
  {
    name: "resourceNames restrict to named objects (and never match unnamed requests)",
    rule: { verbs: ["get", "update"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"] },
    expect: [
      [res("get", "", "configmaps", "", "a"), true],
      [res("update", "", "configmaps", "", "b"), true],
      [res("get", "", "configmaps", "", "c"), false],
      [res("get", "", "configmaps"), false],
    ],
  },
  {
    name: "a resource rule never matches a non-resource request",
    rule: { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
    expect: [
      [url("get", "/healthz"), false],
      [res("get", "x", "y"), true],
    ],
  },
];

for (const c of cases) {
  test(`RuleAllows: ${c.name}`, () => {
    for (const [attrs, want] of c.expect) {
      assert.equal(ruleAllows(attrs, c.rule), want, JSON.stringify(attrs));
    }
  });
}

test("CompactString prints the set fields with Go's %q of a []string", () => {
  assert.equal(
    compactString({ verbs: ["get"], apiGroups: [""], resources: ["pods"] }),
    '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
  );
  assert.equal(
    compactString({ verbs: ["get", "list"], nonResourceURLs: ["/healthz", "/api/*"] }),
    '{NonResourceURLs:["/healthz" "/api/*"], Verbs:["get" "list"]}',
  );
  assert.equal(
    compactString({ verbs: ["update"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["x"] }),
    '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["x"], Verbs:["update"]}',
  );
});
