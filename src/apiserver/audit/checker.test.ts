import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AuditAttributes, PolicyRuleEvaluator, pathMatches, ruleMatches } from "./checker.ts";
import type { PolicyRule } from "./types.ts";

// The request attributes of upstream's checker_test.go.
const tim = { name: "tim", groups: ["humans"] };
const attrs: Record<string, AuditAttributes> = {
  namespaced: {
    user: tim,
    verb: "get",
    isResourceRequest: true,
    path: "/api/v1/namespaces/default/pods/busybox",
    namespace: "default",
    apiGroup: "",
    resource: "pods",
    subresource: "",
    name: "busybox",
  },
  cluster: {
    user: tim,
    verb: "get",
    isResourceRequest: true,
    path: "/api/v1/nodes/mynode",
    namespace: "",
    apiGroup: "",
    resource: "nodes",
    subresource: "",
    name: "mynode",
  },
  nonResource: {
    user: tim,
    verb: "get",
    isResourceRequest: false,
    path: "/logs/kubelet.log",
    namespace: "",
    apiGroup: "",
    resource: "",
    subresource: "",
    name: "",
  },
  subresource: {
    user: tim,
    verb: "get",
    isResourceRequest: true,
    path: "/api/v1/namespaces/default/pods/busybox/log",
    namespace: "default",
    apiGroup: "",
    resource: "pods",
    subresource: "log",
    name: "busybox",
  },
  rbac: {
    user: tim,
    verb: "create",
    isResourceRequest: true,
    path: "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    namespace: "",
    apiGroup: "rbac.authorization.k8s.io",
    resource: "clusterroles",
    subresource: "",
    name: "",
  },
};

const rules: Record<string, PolicyRule> = {
  default: { level: "Metadata" },
  create: { level: "RequestResponse", verbs: ["create"] },
  tims: { level: "Metadata", users: ["tim"] },
  humans: { level: "Metadata", userGroups: ["humans"] },
  serviceAccounts: { level: "Request", userGroups: ["system:serviceaccounts"] },
  getPods: { level: "RequestResponse", verbs: ["get"], resources: [{ group: "", resources: ["pods"] }] },
  getPodLogs: { level: "Request", verbs: ["get"], resources: [{ group: "", resources: ["pods/log"] }] },
  getPodWildcardMatching: { level: "Request", verbs: ["get"], resources: [{ group: "", resources: ["*"] }] },
  getPodResourceWildcardMatching: {
    level: "Request",
    verbs: ["get"],
    resources: [{ group: "", resources: ["*/log"] }],
  },
  getPodSubResourceWildcardMatching: {
    level: "Request",
    verbs: ["get"],
    resources: [{ group: "", resources: ["pods/*"] }],
  },
  getClusterRoles: {
    level: "Request",
    verbs: ["get"],
    resources: [{ group: "rbac.authorization.k8s.io", resources: ["clusterroles"] }],
  },
  getLogs: { level: "RequestResponse", verbs: ["get"], nonResourceURLs: ["/logs*"] },
  getMetrics: { level: "Request", verbs: ["get"], nonResourceURLs: ["/metrics"] },
  clusterRoleEdit: {
    level: "Request",
    resources: [{ group: "rbac.authorization.k8s.io", resources: ["clusterroles", "clusterrolebindings"] }],
  },
  coreMisc: {
    level: "Metadata",
    resources: [{ group: "", resources: ["events", "nodes/status", "pods/status"] }],
  },
  serviceAccountProvisioning: {
    level: "RequestResponse",
    resources: [{ group: "", resources: ["serviceaccounts"] }],
    namespaces: ["kube-system"],
  },
  noNamespace: { level: "Request", namespaces: [""] },
  getWhitelistedPods: {
    level: "RequestResponse",
    verbs: ["get"],
    resources: [{ group: "", resources: ["pods"], resourceNames: ["busybox"] }],
  },
  getBlacklistedPods: {
    level: "RequestResponse",
    verbs: ["get"],
    resources: [{ group: "", resources: ["pods"], resourceNames: ["secret-pod"] }],
  },
};

describe("ruleMatches (upstream's checker_test cases)", () => {
  const expect = (request: string, matching: string[], notMatching: string[]) => {
    for (const r of matching)
      assert.ok(ruleMatches(rules[r], attrs[request]), `${r} should match ${request}`);
    for (const r of notMatching)
      assert.ok(!ruleMatches(rules[r], attrs[request]), `${r} should not match ${request}`);
  };

  it("a namespaced resource", () => {
    expect(
      "namespaced",
      // "pods/*" matches pods themselves too, as upstream's code does.
      [
        "default",
        "tims",
        "humans",
        "getPods",
        "getPodWildcardMatching",
        "getPodSubResourceWildcardMatching",
        "getWhitelistedPods",
      ],
      [
        "create",
        "serviceAccounts",
        "getPodLogs",
        "getPodResourceWildcardMatching",
        "getClusterRoles",
        "getLogs",
        "clusterRoleEdit",
        "coreMisc",
        "serviceAccountProvisioning",
        "noNamespace",
        "getBlacklistedPods",
      ],
    );
  });

  it('a cluster-scoped resource: namespace ""', () => {
    expect(
      "cluster",
      ["default", "noNamespace", "getPodWildcardMatching"],
      ["getPods", "getLogs", "coreMisc"],
    );
  });

  it("a non-resource URL", () => {
    expect(
      "nonResource",
      ["default", "tims", "getLogs"],
      ["getPods", "getMetrics", "noNamespace", "getPodWildcardMatching"],
    );
  });

  it("a subresource: resource/subresource, */subresource and resource/*", () => {
    expect(
      "subresource",
      [
        "getPodLogs",
        "getPodWildcardMatching",
        "getPodResourceWildcardMatching",
        "getPodSubResourceWildcardMatching",
      ],
      ["getPods", "coreMisc"],
    );
  });

  it("an API group other than core", () => {
    expect("rbac", ["create", "clusterRoleEdit", "noNamespace"], ["getClusterRoles", "getPods", "coreMisc"]);
  });

  it("matches non-resource paths exactly, by '*', or by a trailing-'*' prefix", () => {
    assert.ok(pathMatches("/healthz", "/healthz"));
    assert.ok(pathMatches("/healthz/etcd", "/healthz*"));
    assert.ok(pathMatches("/anything", "*"));
    assert.ok(!pathMatches("/healthz/etcd", "/healthz"));
    assert.ok(!pathMatches("/version", "/healthz*"));
  });
});

describe("PolicyRuleEvaluator", () => {
  it("takes the first matching rule, else None; a rule's omitted stages add to the policy's", () => {
    const p = new PolicyRuleEvaluator({
      omitStages: ["RequestReceived"],
      omitManagedFields: true,
      rules: [
        { level: "None", users: ["system:kube-proxy"] },
        {
          level: "RequestResponse",
          resources: [{ group: "", resources: ["pods"] }],
          omitStages: ["ResponseStarted"],
        },
        { level: "Metadata", verbs: ["get"], omitManagedFields: false },
      ],
    });
    const r = p.evaluate(attrs.namespaced);
    assert.equal(r.level, "RequestResponse");
    assert.deepEqual([...r.omitStages].sort(), ["RequestReceived", "ResponseStarted"]);
    assert.equal(r.omitManagedFields, true);
    assert.deepEqual(p.evaluate(attrs.cluster), {
      level: "Metadata",
      omitStages: ["RequestReceived"],
      omitManagedFields: false,
    });
    assert.equal(
      p.evaluate({ ...attrs.namespaced, user: { name: "system:kube-proxy", groups: [] } }).level,
      "None",
    );
    assert.deepEqual(p.evaluate(attrs.rbac), {
      level: "None",
      omitStages: ["RequestReceived"],
      omitManagedFields: true,
    });
  });
});
