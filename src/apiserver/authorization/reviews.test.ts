// The authorization.k8s.io reviews: who is asked about, what is answered, and
// upstream's validation errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { StatusError } from "../../machinery/status.ts";
import type { VirtualContext } from "../handlers/rest.ts";
import type { RequestInfo } from "../request-info.ts";
import type { Attributes, Authorizer } from "./authorizer.ts";
import { rbacVirtualHandlers } from "./reviews.ts";
import type { RuleResolver } from "./rule-resolver.ts";

const seen: Attributes[] = [];
const authorizer: Authorizer = {
  authorize: (a) => {
    seen.push(a);
    if (a.verb === "explode") throw new Error("webhook down");
    if (a.verb === "deny") return { decision: "Deny", reason: "denied by policy" };
    return a.user.name === "alice"
      ? {
          decision: "Allow",
          reason: 'RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "alice"',
        }
      : { decision: "NoOpinion", reason: "" };
  },
};
const ruleResolver: RuleResolver = {
  rulesFor: (user, namespace) => ({
    resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: [] }],
    nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }],
    incomplete: user.name === "system:node:n",
    errors: user.name === "system:node:n" ? [new Error(`no rules in ${namespace}`)] : [],
  }),
};
const handlers = rbacVirtualHandlers({ authorizer, ruleResolver });
const ctx = (user: string, namespace = ""): VirtualContext => ({
  user: { name: user, groups: ["system:authenticated"] },
  info: { namespace } as RequestInfo,
  query: new URLSearchParams(),
});
const call = async (resource: string, obj: Obj, c: VirtualContext): Promise<Obj> =>
  handlers.get(`authorization.k8s.io/${resource}`)!(obj, c);

async function rejected(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

test("SelfSubjectAccessReview asks about the caller and answers in status", async () => {
  const body = {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes: { namespace: "ns1", verb: "get", resource: "pods", group: "" } },
  };
  const got = await call("selfsubjectaccessreviews", body, ctx("alice"));
  assert.deepEqual(got.status, {
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "alice"',
  });
  assert.deepEqual(got.spec, body.spec);
  assert.deepEqual(got.metadata, { creationTimestamp: null });
  const a = seen.at(-1)!;
  assert.equal(a.user.name, "alice");
  assert.equal(a.apiVersion, "*", "an empty version means every version");
  assert.equal(a.namespace, "ns1");
  assert.deepEqual((await call("selfsubjectaccessreviews", body, ctx("bob"))).status, { allowed: false });
  const nonResource = { spec: { nonResourceAttributes: { verb: "deny", path: "/metrics" } } };
  assert.deepEqual((await call("selfsubjectaccessreviews", nonResource, ctx("bob"))).status, {
    allowed: false,
    denied: true,
    reason: "denied by policy",
  });
  assert.deepEqual(
    (
      await call(
        "selfsubjectaccessreviews",
        { spec: { nonResourceAttributes: { verb: "explode", path: "/" } } },
        ctx("bob"),
      )
    ).status,
    { allowed: false, evaluationError: "webhook down" },
  );
});

test("reviews need exactly one of resourceAttributes and nonResourceAttributes", async () => {
  const none = await rejected(call("selfsubjectaccessreviews", { spec: {} }, ctx("alice")));
  assert.equal(none.code, 422);
  assert.equal(
    none.message,
    '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
  const both = await rejected(
    call(
      "selfsubjectaccessreviews",
      { spec: { resourceAttributes: { verb: "get" }, nonResourceAttributes: { verb: "get", path: "/x" } } },
      ctx("alice"),
    ),
  );
  assert.equal(
    both.message,
    '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes',
  );
});

test("SubjectAccessReview asks about the user in its spec, exactly as given", async () => {
  const got = await call(
    "subjectaccessreviews",
    { spec: { user: "alice", groups: ["g"], resourceAttributes: { verb: "list", resource: "nodes" } } },
    ctx("system:kube-apiserver"),
  );
  assert.equal(got.status.allowed, true);
  assert.deepEqual(seen.at(-1)!.user, { name: "alice", groups: ["g"] });
  const noSubject = await rejected(
    call("subjectaccessreviews", { spec: { resourceAttributes: { verb: "get" } } }, ctx("x")),
  );
  assert.equal(
    noSubject.message,
    '.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
  );
});

test("LocalSubjectAccessReview stays in its namespace", async () => {
  const ok = await call(
    "localsubjectaccessreviews",
    {
      metadata: { namespace: "ns1" },
      spec: { user: "alice", resourceAttributes: { namespace: "ns1", verb: "get", resource: "pods" } },
    },
    ctx("admin", "ns1"),
  );
  assert.equal(ok.status.allowed, true);
  const mismatch = await rejected(
    call(
      "localsubjectaccessreviews",
      {
        metadata: { namespace: "ns1" },
        spec: { user: "alice", resourceAttributes: { namespace: "ns2", verb: "get" } },
      },
      ctx("admin", "ns1"),
    ),
  );
  assert.equal(
    mismatch.message,
    '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "ns2": must match metadata.namespace',
  );
});

test("SelfSubjectRulesReview lists the caller's rules in a namespace", async () => {
  const got = await call(
    "selfsubjectrulesreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: "ns1" } },
    ctx("alice"),
  );
  assert.deepEqual(got, {
    kind: "SelfSubjectRulesReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: {},
    status: {
      resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
      nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }],
      incomplete: false,
    },
  });
  const n = await call("selfsubjectrulesreviews", { spec: { namespace: "ns1" } }, ctx("system:node:n"));
  assert.equal(n.status.incomplete, true);
  assert.equal(n.status.evaluationError, "no rules in ns1");
  const noNs = await rejected(call("selfsubjectrulesreviews", { spec: {} }, ctx("alice")));
  assert.equal(noNs.code, 400);
  assert.equal(noNs.message, "no namespace on request");
});
