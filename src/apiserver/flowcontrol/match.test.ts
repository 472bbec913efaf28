import assert from "node:assert/strict";
import { test } from "node:test";
import { mandatoryFlowSchemas, suggestedFlowSchemas } from "../../api/flowcontrol/bootstrap.ts";
import { compareFlowSchemas } from "../../api/printers/flowschema.ts";
import type { Obj } from "../../api/registry.ts";
import { requestInfo } from "../request-info.ts";
import { flowDistinguisher, matchesFlowSchema, type RequestDigest } from "./match.ts";

const schemas = [...mandatoryFlowSchemas(), ...suggestedFlowSchemas()].sort(compareFlowSchemas);

function digest(user: string, groups: string[], method: string, path: string): RequestDigest {
  return {
    user: { name: user, groups: [...groups, "system:authenticated"] },
    info: requestInfo(method, path, new URLSearchParams()),
  };
}

const classify = (d: RequestDigest): Obj => schemas.find((fs) => matchesFlowSchema(fs, d))!;

test("the bootstrap schemas classify the cluster's own clients as upstream's do", () => {
  const cases: Array<[RequestDigest, string, string]> = [
    [digest("admin", ["system:masters"], "DELETE", "/api/v1/namespaces/a/pods/p"), "exempt", "exempt"],
    [
      digest("system:node:n1", ["system:nodes"], "PATCH", "/api/v1/namespaces/a/pods/p/status"),
      "system-nodes",
      "system",
    ],
    [
      digest("system:node:n1", ["system:nodes"], "PUT", "/api/v1/nodes/n1/status"),
      "system-node-high",
      "node-high",
    ],
    [
      digest(
        "system:node:n1",
        ["system:nodes"],
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1",
      ),
      "system-node-high",
      "node-high",
    ],
    [
      digest(
        "system:kube-scheduler",
        [],
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler",
      ),
      "system-leader-election",
      "leader-election",
    ],
    [
      digest("system:kube-scheduler", [], "POST", "/api/v1/namespaces/a/pods/p/binding"),
      "kube-scheduler",
      "workload-high",
    ],
    [
      digest(
        "system:serviceaccount:kube-system:replicaset-controller",
        ["system:serviceaccounts"],
        "POST",
        "/api/v1/namespaces/a/pods",
      ),
      "kube-system-service-accounts",
      "workload-high",
    ],
    [
      digest(
        "system:serviceaccount:kube-system:endpoint-controller",
        ["system:serviceaccounts"],
        "PUT",
        "/api/v1/namespaces/a/endpoints/e",
      ),
      "endpoint-controller",
      "workload-high",
    ],
    [
      digest(
        "system:serviceaccount:default:app",
        ["system:serviceaccounts"],
        "GET",
        "/api/v1/namespaces/default/pods",
      ),
      "service-accounts",
      "workload-low",
    ],
    [digest("alice", [], "GET", "/api/v1/namespaces/default/pods"), "global-default", "global-default"],
    [digest("alice", [], "GET", "/healthz"), "probes", "exempt"],
    [digest("alice", [], "GET", "/version"), "global-default", "global-default"],
  ];
  for (const [d, fs, pl] of cases) {
    const got = classify(d);
    assert.equal(got.metadata.name, fs, `${d.user.name} ${d.info.verb} ${d.info.path}`);
    assert.equal(got.spec.priorityLevelConfiguration.name, pl);
  }
});

test("unauthenticated requests fall to global-default; nothing falls through catch-all", () => {
  const d: RequestDigest = {
    user: { name: "system:anonymous", groups: ["system:unauthenticated"] },
    info: requestInfo("GET", "/api/v1/namespaces", new URLSearchParams()),
  };
  assert.equal(classify(d).metadata.name, "global-default");
  const only = mandatoryFlowSchemas().find((fs) => fs.metadata.name === "catch-all")!;
  assert.ok(matchesFlowSchema(only, d));
});

test("rules: cluster scope, namespaces, subresources, wildcard URLs and service account subjects", () => {
  const fs = {
    metadata: { name: "t" },
    spec: {
      priorityLevelConfiguration: { name: "p" },
      distinguisherMethod: { type: "ByNamespace" },
      rules: [
        {
          subjects: [{ kind: "ServiceAccount", serviceAccount: { namespace: "team", name: "*" } }],
          resourceRules: [
            {
              verbs: ["get", "list"],
              apiGroups: ["apps"],
              resources: ["deployments/scale"],
              namespaces: ["team"],
            },
          ],
          nonResourceURLs: undefined,
          nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/metrics/*"] }],
        },
      ],
    },
  };
  const sa = (method: string, path: string) =>
    digest("system:serviceaccount:team:bot", ["system:serviceaccounts"], method, path);
  assert.ok(matchesFlowSchema(fs, sa("GET", "/apis/apps/v1/namespaces/team/deployments/d/scale")));
  assert.ok(!matchesFlowSchema(fs, sa("GET", "/apis/apps/v1/namespaces/team/deployments/d")));
  assert.ok(!matchesFlowSchema(fs, sa("GET", "/apis/apps/v1/namespaces/other/deployments/d/scale")));
  assert.ok(!matchesFlowSchema(fs, sa("PUT", "/apis/apps/v1/namespaces/team/deployments/d/scale")));
  assert.ok(matchesFlowSchema(fs, sa("GET", "/metrics/slis")));
  assert.ok(!matchesFlowSchema(fs, sa("GET", "/metrics")));
  assert.ok(
    !matchesFlowSchema(
      fs,
      digest(
        "system:serviceaccount:other:bot",
        [],
        "GET",
        "/apis/apps/v1/namespaces/team/deployments/d/scale",
      ),
    ),
  );
  assert.equal(flowDistinguisher(fs, sa("GET", "/apis/apps/v1/namespaces/team/deployments/d/scale")), "team");
  // A cluster-scoped request matches only a rule with clusterScope.
  const nodes = {
    ...fs,
    spec: {
      ...fs.spec,
      rules: [
        {
          ...fs.spec.rules[0],
          resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"] }],
        },
      ],
    },
  };
  assert.ok(!matchesFlowSchema(nodes, sa("GET", "/api/v1/nodes")));
  assert.ok(matchesFlowSchema(nodes, sa("GET", "/api/v1/namespaces/x/pods")));
});

test("schemas are tried by matchingPrecedence, then name", () => {
  const names = schemas.map((fs) => fs.metadata.name);
  assert.deepEqual(names, [
    "exempt",
    "probes",
    "system-leader-election",
    "endpoint-controller",
    "workload-leader-election",
    "system-node-high",
    "system-nodes",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-system-service-accounts",
    "service-accounts",
    "global-default",
    "catch-all",
  ]);
});
