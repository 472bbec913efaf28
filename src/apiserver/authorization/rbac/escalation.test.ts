// Escalation prevention: upstream's messages (ConfirmNoEscalation, the
// policybased storages), the escalate and bind verbs, the exemptions.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import type { Obj } from "../../../api/registry.ts";
import { StatusError } from "../../../machinery/status.ts";
import type { AdmissionAttributes } from "../../admission/admission.ts";
import type { UserInfo } from "../../authentication/user.ts";
import type { Registry } from "../../registry/index.ts";
import { RBACAuthorizer } from "./authorizer.ts";
import { confirmNoEscalation, isOnlyMutatingGCFields, RBACEscalation } from "./escalation.ts";
import { type RoleSource, RuleResolver } from "./resolver.ts";

const G = "rbac.authorization.k8s.io";
const alice: UserInfo = { name: "alice", groups: ["dev", "system:authenticated"] };

function world(o: {
  roles?: Role[];
  clusterRoles?: ClusterRole[];
  roleBindings?: RoleBinding[];
  clusterRoleBindings?: ClusterRoleBinding[];
}): RoleSource {
  return {
    getRole: (ns, name) => o.roles?.find((r) => r.metadata?.namespace === ns && r.metadata?.name === name),
    getClusterRole: (name) => o.clusterRoles?.find((r) => r.metadata?.name === name),
    listRoleBindings: (ns) => (o.roleBindings ?? []).filter((b) => b.metadata?.namespace === ns),
    listClusterRoleBindings: () => o.clusterRoleBindings ?? [],
  };
}

const podReader: ClusterRole = {
  metadata: { name: "pod-reader" },
  rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
};
const rbacWriter: ClusterRole = {
  metadata: { name: "rbac-writer" },
  rules: [
    {
      // Not "*": that would include escalate and bind.
      verbs: ["create", "update", "get", "list"],
      apiGroups: [G],
      resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
    },
  ],
};
const binder: ClusterRole = {
  metadata: { name: "binder" },
  rules: [{ verbs: ["bind"], apiGroups: [G], resources: ["clusterroles"], resourceNames: ["admin"] }],
};
const escalator: ClusterRole = {
  metadata: { name: "escalator" },
  rules: [{ verbs: ["escalate"], apiGroups: [G], resources: ["roles"] }],
};
const admin: ClusterRole = {
  metadata: { name: "admin" },
  rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
};
const crb = (name: string, role: string, user: string): ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: G, kind: "ClusterRole", name: role },
  subjects: [{ kind: "User", apiGroup: G, name: user }],
});

function plugin(source: RoleSource) {
  const authorizer = new RBACAuthorizer(new RuleResolver(source));
  return new RBACEscalation({
    registry: {} as Registry,
    authorizer,
    roleSource: async () => source,
  });
}

function attrs(
  resource: string,
  object: Obj,
  opts: { user?: UserInfo; namespace?: string; operation?: "CREATE" | "UPDATE"; old?: Obj } = {},
): AdmissionAttributes {
  return {
    operation: opts.operation ?? "CREATE",
    kind: { group: G, version: "v1", kind: "X" },
    resource: { group: G, version: "v1", resource },
    subresource: "",
    namespace: opts.namespace ?? "",
    name: object.metadata?.name ?? "",
    object,
    oldObject: opts.old,
    user: opts.user ?? alice,
    dryRun: false,
    warnings: [],
  };
}

async function refusal(p: Promise<void>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

test("ConfirmNoEscalation lists what is missing, compacted and sorted, in upstream's words", () => {
  const resolver = new RuleResolver(
    world({ clusterRoles: [podReader], clusterRoleBindings: [crb("r", "pod-reader", "alice")] }),
  );
  assert.equal(
    confirmNoEscalation(resolver, alice, "", [
      { verbs: ["get", "list", "delete", "create"], apiGroups: [""], resources: ["pods", "secrets"] },
      { verbs: ["get"], nonResourceURLs: ["/metrics"] },
    ]),
    'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n' +
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete" "create"]}\n' +
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  );
  assert.equal(
    confirmNoEscalation(resolver, alice, "", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]),
    undefined,
  );
});

test("resolution errors are appended to the message", () => {
  const resolver = new RuleResolver(world({ clusterRoleBindings: [crb("r", "gone", "alice")] }));
  assert.equal(
    confirmNoEscalation(resolver, alice, "", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]),
    'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [clusterrole.rbac.authorization.k8s.io "gone" not found]',
  );
});

test("a Role with rules the user lacks is forbidden; escalate on roles allows it", async () => {
  const role: Obj = {
    metadata: { name: "big", namespace: "ns1" },
    rules: [{ verbs: ["delete"], apiGroups: [""], resources: ["pods"] }],
  };
  const p = plugin(
    world({
      clusterRoles: [podReader, rbacWriter],
      clusterRoleBindings: [crb("a", "pod-reader", "alice"), crb("b", "rbac-writer", "alice")],
    }),
  );
  const err = await refusal(p.validate(attrs("roles", role, { namespace: "ns1" })));
  assert.equal(err.code, 403);
  assert.equal(
    err.message,
    'roles.rbac.authorization.k8s.io "big" is forbidden: user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
  );
  await p.validate(
    attrs(
      "roles",
      { ...role, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] },
      { namespace: "ns1" },
    ),
  );
  const withEscalate = plugin(
    world({
      clusterRoles: [podReader, escalator],
      clusterRoleBindings: [crb("a", "pod-reader", "alice"), crb("e", "escalator", "alice")],
    }),
  );
  await withEscalate.validate(attrs("roles", role, { namespace: "ns1" }));
});

test("bindings need the role's rules, or bind on it; a missing role is 404", async () => {
  const binding: Obj = {
    metadata: { name: "make-me-admin", namespace: "ns1" },
    roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" },
    subjects: [{ kind: "User", apiGroup: G, name: "alice" }],
  };
  const plain = plugin(
    world({ clusterRoles: [podReader, admin], clusterRoleBindings: [crb("a", "pod-reader", "alice")] }),
  );
  const err = await refusal(plain.validate(attrs("rolebindings", binding, { namespace: "ns1" })));
  assert.equal(
    err.message,
    'rolebindings.rbac.authorization.k8s.io "make-me-admin" is forbidden: user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}',
  );
  const canBind = plugin(
    world({
      clusterRoles: [podReader, admin, binder],
      clusterRoleBindings: [crb("a", "pod-reader", "alice"), crb("b", "binder", "alice")],
    }),
  );
  await canBind.validate(attrs("rolebindings", binding, { namespace: "ns1" }));
  // bind is on the named role only.
  const other = { ...binding, roleRef: { apiGroup: G, kind: "ClusterRole", name: "nope" } };
  const missing = await refusal(canBind.validate(attrs("rolebindings", other, { namespace: "ns1" })));
  assert.equal(missing.code, 404);
  assert.equal(missing.message, 'clusterroles.rbac.authorization.k8s.io "nope" not found');
  // Binding a role whose rules one holds needs no bind.
  const readerBinding = { ...binding, roleRef: { apiGroup: G, kind: "ClusterRole", name: "pod-reader" } };
  await plain.validate(attrs("rolebindings", readerBinding, { namespace: "ns1" }));
});

test("system:masters is exempt", async () => {
  const p = plugin(world({}));
  const role: Obj = {
    metadata: { name: "x" },
    rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
  };
  await p.validate(attrs("clusterroles", role, { user: { name: "root", groups: ["system:masters"] } }));
  await p.validate(
    attrs("clusterroles", role, { user: { name: "system:apiserver", groups: ["system:masters"] } }),
  );
  const err = await refusal(p.validate(attrs("clusterroles", role, { user: { name: "bob", groups: [] } })));
  assert.match(
    err.message,
    /^clusterroles\.rbac\.authorization\.k8s\.io "x" is forbidden: user "bob" \(groups=\[\]\)/,
  );
});

test("an aggregationRule needs cluster-admin", async () => {
  const p = plugin(
    world({ clusterRoles: [rbacWriter], clusterRoleBindings: [crb("b", "rbac-writer", "alice")] }),
  );
  const role: Obj = {
    metadata: { name: "agg" },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] },
  };
  const err = await refusal(p.validate(attrs("clusterroles", role)));
  assert.equal(
    err.message,
    'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
  );
});

test("updates that only touch ownerReferences and finalizers pass", async () => {
  const old: Obj = {
    metadata: { name: "big", namespace: "ns1", resourceVersion: "5" },
    rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
  };
  const next: Obj = structuredClone(old);
  next.metadata.finalizers = ["example.com/x"];
  next.metadata.resourceVersion = "6";
  assert.equal(isOnlyMutatingGCFields(next, old), true);
  const p = plugin(world({}));
  await p.validate(attrs("roles", next, { namespace: "ns1", operation: "UPDATE", old }));
  next.metadata.labels = { a: "b" };
  assert.equal(isOnlyMutatingGCFields(next, old), false);
  await refusal(p.validate(attrs("roles", next, { namespace: "ns1", operation: "UPDATE", old })));
});
