// The RBAC authorizer over static roles: upstream's TestAuthorizer cases
// (plugin/pkg/auth/authorizer/rbac/rbac_test.go), the reasons it gives, the
// subjects it recognises and RulesFor.
import assert from "node:assert/strict";
import { test } from "node:test";
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  Subject,
} from "kubernetes-types/rbac/v1.d.ts";
import type { Attributes } from "../authorizer.ts";
import { RBACAuthorizer } from "./authorizer.ts";
import { type RoleSource, RuleResolver } from "./resolver.ts";

const G = "rbac.authorization.k8s.io";

/** newRule(verbs, apiGroups, resources, nonResourceURLs) of rbac_test.go: comma-separated lists. */
function newRule(verbs: string, groups: string, resources: string, urls: string): PolicyRule {
  return {
    verbs: verbs.split(","),
    apiGroups: groups.split(","),
    resources: resources.split(","),
    nonResourceURLs: urls.split(","),
  };
}

function subjects(list: string[]): Subject[] {
  return list.map((s) => {
    const i = s.indexOf(":");
    const kind = s.slice(0, i);
    const rest = s.slice(i + 1);
    if (kind === "ServiceAccount") {
      const [namespace, name] = rest.includes("/") ? rest.split("/") : ["", rest];
      return namespace ? { kind, name, namespace } : { kind, name };
    }
    return { kind, apiGroup: G, name: rest };
  });
}

const clusterRole = (name: string, ...rules: PolicyRule[]): ClusterRole => ({ metadata: { name }, rules });
const role = (namespace: string, name: string, ...rules: PolicyRule[]): Role => ({
  metadata: { name, namespace },
  rules,
});
const crb = (name: string, roleName: string, ...subs: string[]): ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: G, kind: "ClusterRole", name: roleName },
  subjects: subjects(subs),
});
const rb = (
  namespace: string,
  name: string,
  kind: "Role" | "ClusterRole",
  roleName: string,
  ...subs: string[]
) =>
  ({
    metadata: { name, namespace },
    roleRef: { apiGroup: G, kind, name: roleName },
    subjects: subjects(subs),
  }) as RoleBinding;

function source(o: {
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

/** defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}. */
function attrs(
  user: string,
  groups: string,
  verb: string,
  resource: string,
  subresource: string,
  namespace: string,
  apiGroup: string,
): Attributes {
  return {
    user: { name: user, groups: groups.split(",") },
    verb,
    isResourceRequest: true,
    path: "",
    namespace,
    apiGroup,
    apiVersion: "",
    resource,
    subresource,
    name: "",
  };
}

function url(user: { name?: string; groups?: string[] }, verb: string, path: string): Attributes {
  return {
    user: { name: user.name ?? "", groups: user.groups ?? [] },
    verb,
    isResourceRequest: false,
    path,
    namespace: "",
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    name: "",
  };
}

function check(a: RBACAuthorizer, pass: Attributes[], fail: Attributes[]) {
  for (const x of pass) assert.equal(a.authorize(x).decision, "Allow", `should pass: ${JSON.stringify(x)}`);
  for (const x of fail)
    assert.equal(a.authorize(x).decision, "NoOpinion", `should fail: ${JSON.stringify(x)}`);
}

test("TestAuthorizer: a ClusterRole bound in a namespace applies only there", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [clusterRole("admin", newRule("*", "*", "*", "*"))],
        roleBindings: [rb("ns1", "b", "ClusterRole", "admin", "User:admin", "Group:admins")],
      }),
    ),
  );
  check(
    a,
    [
      attrs("admin", "", "get", "Pods", "", "ns1", ""),
      attrs("admin", "", "watch", "Pods", "", "ns1", ""),
      attrs("admin", "group1", "watch", "Foobar", "", "ns1", ""),
      attrs("joe", "admins", "watch", "Foobar", "", "ns1", ""),
      attrs("joe", "group1,admins", "watch", "Foobar", "", "ns1", ""),
    ],
    [
      attrs("admin", "", "GET", "Pods", "", "ns2", ""),
      attrs("admin", "", "GET", "Nodes", "", "", ""),
      attrs("admin", "admins", "GET", "Pods", "", "ns2", ""),
      attrs("admin", "admins", "GET", "Nodes", "", "", ""),
    ],
  );
});

test("TestAuthorizer: non-resource URLs", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [
          clusterRole("non-resource-url-getter", newRule("get", "", "", "/apis")),
          clusterRole("non-resource-url", newRule("*", "", "", "/apis")),
          clusterRole("non-resource-url-prefix", newRule("get", "", "", "/apis/*")),
        ],
        clusterRoleBindings: [
          crb("b1", "non-resource-url-getter", "User:foo", "Group:bar"),
          crb("b2", "non-resource-url", "User:admin", "Group:admin"),
          crb("b3", "non-resource-url-prefix", "User:prefixed", "Group:prefixed"),
        ],
      }),
    ),
  );
  check(
    a,
    [
      url({ name: "foo" }, "get", "/apis"),
      url({ groups: ["bar"] }, "get", "/apis"),
      url({ name: "admin" }, "get", "/apis"),
      url({ groups: ["admin"] }, "get", "/apis"),
      url({ name: "admin" }, "watch", "/apis"),
      url({ groups: ["admin"] }, "watch", "/apis"),
      url({ name: "prefixed" }, "get", "/apis/v1"),
      url({ groups: ["prefixed"] }, "get", "/apis/v1"),
      url({ name: "prefixed" }, "get", "/apis/v1/foobar"),
      url({ groups: ["prefixed"] }, "get", "/apis/v1/foorbar"),
    ],
    [
      url({ name: "foo" }, "watch", "/apis"),
      url({ groups: ["bar"] }, "watch", "/apis"),
      url({ name: "foo" }, "get", "/api/v1"),
      url({ groups: ["bar"] }, "get", "/api/v1"),
      url({ name: "admin" }, "get", "/api/v1"),
      url({ groups: ["admin"] }, "get", "/api/v1"),
      url({ name: "prefixed" }, "get", "/api/v1"),
      url({ groups: ["prefixed"] }, "get", "/api/v1"),
    ],
  );
});

test("TestAuthorizer: subresource resolution", () => {
  const whole = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [clusterRole("admin", newRule("*", "*", "pods", "*"))],
        roleBindings: [rb("ns1", "b", "ClusterRole", "admin", "User:admin", "Group:admins")],
      }),
    ),
  );
  check(
    whole,
    [attrs("admin", "", "get", "pods", "", "ns1", "")],
    [attrs("admin", "", "get", "pods", "status", "ns1", "")],
  );
  const sub = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [clusterRole("admin", newRule("*", "*", "pods/status", "*"))],
        roleBindings: [rb("ns1", "b", "ClusterRole", "admin", "User:admin", "Group:admins")],
      }),
    ),
  );
  check(
    sub,
    [attrs("admin", "", "get", "pods", "status", "ns1", "")],
    [attrs("admin", "", "get", "pods", "", "ns1", "")],
  );
});

test("reasons name the binding, the role and the subject as upstream's describers do", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [clusterRole("reader", { verbs: ["get"], apiGroups: [""], resources: ["pods"] })],
        roles: [role("ns1", "writer", { verbs: ["create"], apiGroups: [""], resources: ["pods"] })],
        clusterRoleBindings: [crb("read-all", "reader", "Group:readers")],
        roleBindings: [
          rb("ns1", "write", "Role", "writer", "User:alice", "ServiceAccount:robot"),
          rb("ns1", "other-sa", "ClusterRole", "reader", "ServiceAccount:ns2/bot"),
        ],
      }),
    ),
  );
  assert.deepEqual(a.authorize(attrs("bob", "readers", "get", "pods", "", "ns9", "")), {
    decision: "Allow",
    reason: 'RBAC: allowed by ClusterRoleBinding "read-all" of ClusterRole "reader" to Group "readers"',
  });
  assert.deepEqual(a.authorize(attrs("alice", "", "create", "pods", "", "ns1", "")), {
    decision: "Allow",
    reason: 'RBAC: allowed by RoleBinding "write/ns1" of Role "writer" to User "alice"',
  });
  // A service account subject without a namespace is one of the binding's namespace; upstream prints name/namespace.
  assert.deepEqual(
    a.authorize(attrs("system:serviceaccount:ns1:robot", "", "create", "pods", "", "ns1", "")),
    {
      decision: "Allow",
      reason: 'RBAC: allowed by RoleBinding "write/ns1" of Role "writer" to ServiceAccount "robot/ns1"',
    },
  );
  assert.deepEqual(a.authorize(attrs("system:serviceaccount:ns2:bot", "", "get", "pods", "", "ns1", "")), {
    decision: "Allow",
    reason: 'RBAC: allowed by RoleBinding "other-sa/ns1" of ClusterRole "reader" to ServiceAccount "bot/ns2"',
  });
  // The same name in another namespace is another service account.
  assert.deepEqual(
    a.authorize(attrs("system:serviceaccount:ns2:robot", "", "create", "pods", "", "ns1", "")),
    {
      decision: "NoOpinion",
      reason: "",
    },
  );
});

test("a ServiceAccount subject without namespace never matches in a ClusterRoleBinding", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [clusterRole("all", newRule("*", "*", "*", "*"))],
        clusterRoleBindings: [crb("sa", "all", "ServiceAccount:robot")],
      }),
    ),
  );
  assert.equal(
    a.authorize(attrs("system:serviceaccount:default:robot", "", "get", "pods", "", "default", "")).decision,
    "NoOpinion",
  );
});

test("a binding to a missing role is a NoOpinion carrying the lister's NotFound", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoleBindings: [crb("dangling", "gone", "User:alice"), crb("dangling2", "gone2", "User:alice")],
        roleBindings: [rb("ns1", "r", "Role", "missing", "User:alice")],
      }),
    ),
  );
  assert.deepEqual(a.authorize(attrs("alice", "", "get", "pods", "", "", "")), {
    decision: "NoOpinion",
    reason:
      'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, clusterrole.rbac.authorization.k8s.io "gone2" not found]',
  });
  const one = new RBACAuthorizer(
    new RuleResolver(source({ roleBindings: [rb("ns1", "r", "Role", "missing", "User:alice")] })),
  );
  assert.deepEqual(one.authorize(attrs("alice", "", "get", "pods", "", "ns1", "")), {
    decision: "NoOpinion",
    reason: 'RBAC: role.rbac.authorization.k8s.io "missing" not found',
  });
});

test("RulesFor splits rules into resource and non-resource parts, cluster bindings first", () => {
  const a = new RBACAuthorizer(
    new RuleResolver(
      source({
        clusterRoles: [
          clusterRole(
            "basic",
            {
              verbs: ["create"],
              apiGroups: ["authorization.k8s.io"],
              resources: ["selfsubjectaccessreviews"],
            },
            {
              verbs: ["get"],
              nonResourceURLs: ["/healthz"],
            },
          ),
        ],
        roles: [
          role("ns1", "cm", {
            verbs: ["get"],
            apiGroups: [""],
            resources: ["configmaps"],
            resourceNames: ["x"],
          }),
        ],
        clusterRoleBindings: [crb("basic", "basic", "Group:system:authenticated")],
        roleBindings: [rb("ns1", "cm", "Role", "cm", "User:alice")],
      }),
    ),
  );
  const got = a.rulesFor({ name: "alice", groups: ["system:authenticated"] }, "ns1");
  assert.deepEqual(got.resourceRules, [
    {
      verbs: ["create"],
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews"],
      resourceNames: [],
    },
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["x"] },
  ]);
  assert.deepEqual(got.nonResourceRules, [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }]);
  assert.equal(got.incomplete, false);
  assert.deepEqual(got.errors, []);
});
