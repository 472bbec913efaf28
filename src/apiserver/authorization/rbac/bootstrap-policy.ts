// The default roles and bindings every cluster starts with, as v1.32's
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy (policy.go,
// controller_policy.go, namespace_policy.go) builds them with default feature
// gates; rule lists sorted as its rule builder sorts them (testdata/*.yaml).
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  Subject,
} from "kubernetes-types/rbac/v1.d.ts";
import { RBAC_GROUP } from "./rule.ts";

export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";
export const BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping";
const DEFAULT_LABELS = { [BOOTSTRAPPING_LABEL]: "rbac-defaults" };
const DEFAULT_ANNOTATIONS = { [AUTOUPDATE_ANNOTATION]: "true" };
export const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";
const CONTROLLER_PREFIX = "system:controller:";

const READ = ["get", "list", "watch"];
const READ_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const core = "";
const apps = "apps";
const authn = "authentication.k8s.io";
const authz = "authorization.k8s.io";
const autoscaling = "autoscaling";
const batch = "batch";
const certs = "certificates.k8s.io";
const coordination = "coordination.k8s.io";
const discovery = "discovery.k8s.io";
const events = "events.k8s.io";
const extensions = "extensions";
const networking = "networking.k8s.io";
const policy = "policy";
const storage = "storage.k8s.io";

const sorted = (xs: readonly string[]) => [...xs].sort();

/** rbacv1helpers.NewRule(verbs...).Groups(...).Resources(...).Names(...): every list sorted. */
function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  const r: PolicyRule = { verbs: sorted(verbs), apiGroups: sorted(groups), resources: sorted(resources) };
  if (names) r.resourceNames = sorted(names);
  return r;
}

function urls(verbs: string[], paths: string[]): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(paths) };
}

/** eventsRule(): recording events in either API. */
const eventsRule = () => rule(["create", "update", "patch"], [core, events], ["events"]);

function clusterRole(
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): ClusterRole {
  const role: ClusterRole = {
    kind: "ClusterRole",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: {
      name,
      labels: { ...DEFAULT_LABELS, ...extra.labels },
      annotations: { ...DEFAULT_ANNOTATIONS },
    },
  };
  if (extra.aggregateFrom) {
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: "true" } }] };
  } else {
    role.rules = rules;
  }
  return role;
}

/** The group kubeadm's bootstrap tokens carry (auth-extra-groups), as `k8ts token create` makes them. */
export const BOOTSTRAP_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

export const user = (name: string): Subject => ({ kind: "User", apiGroup: RBAC_GROUP, name });
export const group = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC_GROUP, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: "ServiceAccount",
  name,
  namespace,
});

function clusterRoleBinding(roleName: string, subjects: Subject[], name = roleName): ClusterRoleBinding {
  const b: ClusterRoleBinding = {
    kind: "ClusterRoleBinding",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: { name, labels: { ...DEFAULT_LABELS }, annotations: { ...DEFAULT_ANNOTATIONS } },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: roleName },
  };
  if (subjects.length > 0) b.subjects = subjects;
  return b;
}

/** NodeRules: what kubelets may do (the system:node role, and the Node authorizer's static rules). */
export function nodeRules(): PolicyRule[] {
  return [
    rule(["create"], [authn], ["tokenreviews"]),
    rule(["create"], [authz], ["subjectaccessreviews", "localsubjectaccessreviews"]),
    rule(READ, [core], ["services"]),
    rule(["create", "get", "list", "watch"], [core], ["nodes"]),
    rule(["update", "patch"], [core], ["nodes/status"]),
    rule(["update", "patch"], [core], ["nodes"]),
    rule(["create", "update", "patch"], [core], ["events"]),
    rule(READ, [core], ["pods"]),
    rule(["create", "delete"], [core], ["pods"]),
    rule(["update", "patch"], [core], ["pods/status"]),
    rule(["create"], [core], ["pods/eviction"]),
    rule(READ, [core], ["secrets", "configmaps"]),
    rule(["get"], [core], ["persistentvolumeclaims", "persistentvolumes"]),
    rule(["get"], [core], ["endpoints"]),
    rule(["create", "get", "list", "watch"], [certs], ["certificatesigningrequests"]),
    rule(["get", "create", "update", "patch", "delete"], [coordination], ["leases"]),
    rule(["get"], [storage], ["volumeattachments"]),
    rule(["create"], [core], ["serviceaccounts/token"]),
    rule(["get", "update", "patch"], [core], ["persistentvolumeclaims/status"]),
    rule(READ, [storage], ["csidrivers"]),
    rule(["get", "create", "update", "patch", "delete"], [storage], ["csinodes"]),
    rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
  ];
}

/** ClusterRoles(): the roles of people, nodes and control-plane components. */
export function clusterRoles(): ClusterRole[] {
  return [
    // A "root" role which can do absolutely anything.
    clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
    // Just enough to discover API versions for negotiation.
    clusterRole("system:discovery", [
      urls(
        ["get"],
        [
          "/livez",
          "/readyz",
          "/healthz",
          "/version",
          "/version/",
          "/openapi",
          "/openapi/*",
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
        ],
      ),
    ]),
    clusterRole("system:monitoring", [
      urls(
        ["get"],
        ["/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"],
      ),
    ]),
    // What a user needs to learn about themselves.
    clusterRole("system:basic-user", [
      rule(["create"], [authz], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
      rule(["create"], [authn], ["selfsubjectreviews"]),
    ]),
    clusterRole("system:public-info-viewer", [
      urls(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/"]),
    ]),
    // Namespace roles built by aggregation: admin ⊇ edit ⊇ view.
    clusterRole("admin", [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole("edit", [], { aggregateFrom: AGGREGATE_TO_EDIT, labels: { [AGGREGATE_TO_ADMIN]: "true" } }),
    clusterRole("view", [], { aggregateFrom: AGGREGATE_TO_VIEW, labels: { [AGGREGATE_TO_EDIT]: "true" } }),
    clusterRole(
      "system:aggregate-to-admin",
      [
        rule(["create"], [authz], ["localsubjectaccessreviews"]),
        rule(READ_WRITE, ["rbac.authorization.k8s.io"], ["roles", "rolebindings"]),
      ],
      { labels: { [AGGREGATE_TO_ADMIN]: "true" } },
    ),
    clusterRole(
      "system:aggregate-to-edit",
      [
        rule(
          READ,
          [core],
          ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"],
        ),
        rule(["impersonate"], [core], ["serviceaccounts"]),
        rule(WRITE, [core], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        rule(["create"], [core], ["pods/eviction"]),
        rule(
          WRITE,
          [core],
          [
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/proxy",
            "persistentvolumeclaims",
            "configmaps",
            "secrets",
            "events",
          ],
        ),
        rule(["create"], [core], ["serviceaccounts/token"]),
        rule(
          WRITE,
          [apps],
          [
            "statefulsets",
            "statefulsets/scale",
            "daemonsets",
            "deployments",
            "deployments/scale",
            "deployments/rollback",
            "replicasets",
            "replicasets/scale",
          ],
        ),
        rule(WRITE, [autoscaling], ["horizontalpodautoscalers"]),
        rule(WRITE, [batch], ["jobs", "cronjobs"]),
        rule(
          WRITE,
          [extensions],
          [
            "daemonsets",
            "deployments",
            "deployments/scale",
            "deployments/rollback",
            "ingresses",
            "replicasets",
            "replicasets/scale",
            "replicationcontrollers/scale",
            "networkpolicies",
          ],
        ),
        rule(WRITE, [policy], ["poddisruptionbudgets"]),
        rule(WRITE, [networking], ["ingresses", "networkpolicies"]),
        rule(READ_WRITE, [coordination], ["leases"]),
      ],
      { labels: { [AGGREGATE_TO_EDIT]: "true" } },
    ),
    clusterRole(
      "system:aggregate-to-view",
      [
        rule(
          READ,
          [core],
          [
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "configmaps",
          ],
        ),
        rule(
          READ,
          [core],
          [
            "limitranges",
            "resourcequotas",
            "bindings",
            "events",
            "pods/status",
            "resourcequotas/status",
            "namespaces/status",
            "replicationcontrollers/status",
            "pods/log",
          ],
        ),
        // Reading namespaces at the namespace scope reads *this* namespace: which ones one may use.
        rule(READ, [core], ["namespaces"]),
        rule(READ, [discovery], ["endpointslices"]),
        rule(
          READ,
          [apps],
          [
            "controllerrevisions",
            "statefulsets",
            "statefulsets/status",
            "statefulsets/scale",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/status",
            "deployments/scale",
            "replicasets",
            "replicasets/status",
            "replicasets/scale",
          ],
        ),
        rule(READ, [autoscaling], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        rule(READ, [batch], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        rule(
          READ,
          [extensions],
          [
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "ingresses",
            "ingresses/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "replicationcontrollers/scale",
            "networkpolicies",
          ],
        ),
        rule(READ, [policy], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, [networking], ["ingresses", "ingresses/status", "networkpolicies"]),
      ],
      { labels: { [AGGREGATE_TO_VIEW]: "true" } },
    ),
    clusterRole("system:heapster", [
      rule(READ, [core], ["events", "pods", "nodes", "namespaces"]),
      rule(READ, [extensions], ["deployments"]),
    ]),
    clusterRole("system:node", nodeRules()),
    clusterRole("system:node-problem-detector", [
      rule(["get"], [core], ["nodes"]),
      rule(["patch"], [core], ["nodes/status"]),
      eventsRule(),
    ]),
    clusterRole("system:kubelet-api-admin", [
      rule(READ, [core], ["nodes"]),
      rule(["proxy"], [core], ["nodes"]),
      rule(["*"], [core], ["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"]),
    ]),
    clusterRole("system:node-bootstrapper", [
      rule(["create", "get", "list", "watch"], [certs], ["certificatesigningrequests"]),
    ]),
    clusterRole("system:auth-delegator", [
      rule(["create"], [authn], ["tokenreviews"]),
      rule(["create"], [authz], ["subjectaccessreviews"]),
    ]),
    clusterRole("system:kube-aggregator", [rule(READ, [core], ["services", "endpoints"])]),
    clusterRole("system:kube-controller-manager", [
      eventsRule(),
      rule(["create"], [coordination], ["leases"]),
      rule(["get", "update"], [coordination], ["leases"], ["kube-controller-manager"]),
      rule(["create"], [core], ["secrets", "serviceaccounts"]),
      rule(["delete"], [core], ["secrets"]),
      rule(["get"], [core], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
      rule(["update"], [core], ["secrets", "serviceaccounts"]),
      rule(["create"], [authn], ["tokenreviews"]),
      rule(["create"], [authz], ["subjectaccessreviews"]),
      rule(["list", "watch"], ["*"], ["*"]),
      rule(["create"], [core], ["serviceaccounts/token"]),
    ]),
    clusterRole("system:kube-dns", [rule(["list", "watch"], [core], ["endpoints", "services"])]),
    clusterRole("system:persistent-volume-provisioner", [
      rule(["get", "list", "watch", "create", "delete"], [core], ["persistentvolumes"]),
      rule(["get", "list", "watch", "update"], [core], ["persistentvolumeclaims"]),
      rule(READ, [storage], ["storageclasses"]),
      rule(["watch"], [core], ["events"]),
      eventsRule(),
    ]),
    clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
      rule(["create"], [certs], ["certificatesigningrequests/nodeclient"]),
    ]),
    clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
      rule(["create"], [certs], ["certificatesigningrequests/selfnodeclient"]),
    ]),
    clusterRole("system:volume-scheduler", [
      rule(["get", "list", "watch", "patch", "update"], [core], ["persistentvolumes"]),
      rule(READ, [storage], ["storageclasses"]),
      rule(["get", "list", "watch", "patch", "update"], [core], ["persistentvolumeclaims"]),
    ]),
    clusterRole("system:certificates.k8s.io:legacy-unknown-approver", [
      rule(["approve"], [certs], ["signers"], ["kubernetes.io/legacy-unknown"]),
    ]),
    clusterRole("system:certificates.k8s.io:kubelet-serving-approver", [
      rule(["approve"], [certs], ["signers"], ["kubernetes.io/kubelet-serving"]),
    ]),
    clusterRole("system:certificates.k8s.io:kube-apiserver-client-approver", [
      rule(["approve"], [certs], ["signers"], ["kubernetes.io/kube-apiserver-client"]),
    ]),
    clusterRole("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", [
      rule(["approve"], [certs], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet"]),
    ]),
    clusterRole("system:service-account-issuer-discovery", [
      urls(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"]),
    ]),
    clusterRole("system:node-proxier", [
      rule(["list", "watch"], [core], ["services", "endpoints"]),
      rule(READ, [core], ["nodes"]),
      eventsRule(),
      rule(["list", "watch"], [discovery], ["endpointslices"]),
    ]),
    clusterRole("system:kube-scheduler", [
      eventsRule(),
      rule(["create"], [coordination], ["leases"]),
      rule(["get", "update"], [coordination], ["leases"], ["kube-scheduler"]),
      rule(READ, [core], ["nodes"]),
      rule(["get", "list", "watch", "delete"], [core], ["pods"]),
      rule(["create"], [core], ["pods/binding", "bindings"]),
      rule(["patch", "update"], [core], ["pods/status"]),
      rule(READ, [core], ["replicationcontrollers", "services"]),
      rule(READ, [apps, extensions], ["replicasets"]),
      rule(READ, [apps], ["statefulsets"]),
      rule(READ, [policy], ["poddisruptionbudgets"]),
      rule(READ, [core], ["persistentvolumeclaims", "persistentvolumes"]),
      rule(["create"], [authn], ["tokenreviews"]),
      rule(["create"], [authz], ["subjectaccessreviews"]),
      rule(READ, [storage], ["csinodes"]),
      rule(READ, [core], ["namespaces"]),
      rule(READ, [storage], ["csidrivers"]),
      rule(READ, [storage], ["csistoragecapacities"]),
    ]),
  ];
}

/** ClusterRoleBindings(): the default subjects of the roles above. */
export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding("cluster-admin", [group("system:masters")]),
    clusterRoleBinding("system:monitoring", [group("system:monitoring")]),
    clusterRoleBinding("system:discovery", [group("system:authenticated")]),
    clusterRoleBinding("system:basic-user", [group("system:authenticated")]),
    clusterRoleBinding("system:public-info-viewer", [
      group("system:authenticated"),
      group("system:unauthenticated"),
    ]),
    clusterRoleBinding("system:node-proxier", [user("system:kube-proxy")]),
    clusterRoleBinding("system:kube-controller-manager", [user("system:kube-controller-manager")]),
    clusterRoleBinding("system:kube-dns", [serviceAccount("kube-system", "kube-dns")]),
    clusterRoleBinding("system:kube-scheduler", [user("system:kube-scheduler")]),
    clusterRoleBinding("system:volume-scheduler", [user("system:kube-scheduler")]),
    clusterRoleBinding("system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
    // Nodes get their rights from the Node authorizer: the binding stays, without subjects.
    clusterRoleBinding("system:node", []),
    // What kubeadm adds at init so kubelets can join with a bootstrap token
    // (`k8ts kubelet --token`): create a CSR, have it auto-approved, renew it.
    // kubeadm's binding for the apiserver's kubelet client certificate (pods/log, exec…).
    clusterRoleBinding(
      "system:kubelet-api-admin",
      [user("kube-apiserver-kubelet-client")],
      "kube-apiserver-kubelet-client",
    ),
    clusterRoleBinding(
      "system:node-bootstrapper",
      [group(BOOTSTRAP_TOKEN_GROUP)],
      "kubeadm:kubelet-bootstrap",
    ),
    clusterRoleBinding(
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      [group(BOOTSTRAP_TOKEN_GROUP)],
      "kubeadm:node-autoapprove-bootstrap",
    ),
    clusterRoleBinding(
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      [group("system:nodes")],
      "kubeadm:node-autoapprove-certificate-rotation",
    ),
  ];
}

/** ControllerRoles(): one role per controller of the controller-manager (its service account's). */
export function controllerRoles(): ClusterRole[] {
  const c = (name: string, rules: PolicyRule[]) => clusterRole(CONTROLLER_PREFIX + name, rules);
  return [
    c("attachdetach-controller", [
      rule(["list", "watch"], [core], ["persistentvolumes", "persistentvolumeclaims"]),
      rule(READ, [core], ["nodes"]),
      rule(["patch", "update"], [core], ["nodes/status"]),
      rule(["list", "watch"], [core], ["pods"]),
      eventsRule(),
      rule(["get", "create", "delete", "list", "watch"], [storage], ["volumeattachments"]),
      rule(READ, [storage], ["csidrivers"]),
      rule(READ, [storage], ["csinodes"]),
    ]),
    c("clusterrole-aggregation-controller", [
      // Aggregated roles may hold any rule, hence escalate.
      rule(["escalate", "get", "list", "watch", "update", "patch"], [RBAC_GROUP], ["clusterroles"]),
    ]),
    c("cronjob-controller", [
      rule(["get", "list", "watch", "update"], [batch], ["cronjobs"]),
      rule(["get", "list", "watch", "create", "update", "delete", "patch"], [batch], ["jobs"]),
      rule(["update"], [batch], ["cronjobs/status"]),
      rule(["update"], [batch], ["cronjobs/finalizers"]),
      rule(["list", "watch", "delete"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("daemon-set-controller", [
      rule(READ, [extensions, apps], ["daemonsets"]),
      rule(["update"], [extensions, apps], ["daemonsets/status"]),
      rule(["update"], [extensions, apps], ["daemonsets/finalizers"]),
      rule(["list", "watch"], [core], ["nodes"]),
      rule(["list", "watch", "create", "delete", "patch"], [core], ["pods"]),
      rule(["create"], [core], ["pods/binding"]),
      rule(["get", "list", "watch", "create", "delete", "update", "patch"], [apps], ["controllerrevisions"]),
      eventsRule(),
    ]),
    c("deployment-controller", [
      rule(["get", "list", "watch", "update"], [extensions, apps], ["deployments"]),
      rule(["update"], [extensions, apps], ["deployments/status"]),
      rule(["update"], [extensions, apps], ["deployments/finalizers"]),
      rule(
        ["get", "list", "watch", "create", "update", "patch", "delete"],
        [extensions, apps],
        ["replicasets"],
      ),
      // The rollout of a Recreate deployment reads pods; update is for the pod-template hash label.
      rule(["get", "list", "watch", "update"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("disruption-controller", [
      rule(READ, [extensions, apps], ["deployments"]),
      rule(READ, [apps, extensions], ["replicasets"]),
      rule(READ, [core], ["replicationcontrollers"]),
      rule(READ, [policy], ["poddisruptionbudgets"]),
      rule(READ, [apps], ["statefulsets"]),
      rule(["update"], [policy], ["poddisruptionbudgets/status"]),
      rule(["patch", "update"], [core], ["pods/status"]),
      rule(["get"], ["*"], ["*/scale"]),
      eventsRule(),
    ]),
    c("endpoint-controller", [
      rule(READ, [core], ["services", "pods"]),
      rule(["get", "list", "create", "update", "delete", "watch"], [core], ["endpoints"]),
      rule(["create"], [core], ["endpoints/restricted"]),
      eventsRule(),
    ]),
    c("endpointslice-controller", [
      rule(READ, [core], ["services", "pods", "nodes"]),
      // Setting an owner reference on a Service's slices needs update on services/finalizers.
      rule(["update"], [core], ["services/finalizers"]),
      rule(["get", "list", "create", "update", "delete", "watch"], [discovery], ["endpointslices"]),
      eventsRule(),
    ]),
    c("endpointslicemirroring-controller", [
      rule(READ, [core], ["services", "endpoints"]),
      rule(["update"], [core], ["services/finalizers"]),
      rule(["update"], [core], ["endpoints/finalizers"]),
      rule(["get", "list", "create", "update", "delete", "watch"], [discovery], ["endpointslices"]),
      eventsRule(),
    ]),
    c("expand-controller", [
      rule(["get", "list", "watch", "update", "patch"], [core], ["persistentvolumes"]),
      rule(["update", "patch"], [core], ["persistentvolumeclaims/status"]),
      rule(READ, [core], ["persistentvolumeclaims"]),
      eventsRule(),
    ]),
    c("ephemeral-volume-controller", [
      rule(READ, [core], ["pods"]),
      rule(["update"], [core], ["pods/finalizers"]),
      rule(["get", "list", "watch", "create"], [core], ["persistentvolumeclaims"]),
      eventsRule(),
    ]),
    c("generic-garbage-collector", [
      // Any object may own any other, so the garbage collector reads and writes everything.
      rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"]),
      eventsRule(),
    ]),
    c("horizontal-pod-autoscaler", [
      rule(READ, [autoscaling], ["horizontalpodautoscalers"]),
      rule(["update"], [autoscaling], ["horizontalpodautoscalers/status"]),
      rule(["get", "update"], ["*"], ["*/scale"]),
      rule(["list", "watch"], [core], ["pods"]),
      rule(["list", "watch"], ["metrics.k8s.io"], ["pods"]),
      rule(READ, ["custom.metrics.k8s.io"], ["*"]),
      rule(READ, ["external.metrics.k8s.io"], ["*"]),
      eventsRule(),
    ]),
    c("job-controller", [
      rule(["get", "list", "watch", "update", "patch"], [batch], ["jobs"]),
      rule(["update"], [batch], ["jobs/status"]),
      rule(["update"], [batch], ["jobs/finalizers"]),
      rule(["list", "watch", "create", "delete", "patch"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("namespace-controller", [
      rule(["get", "list", "watch", "delete"], [core], ["namespaces"]),
      rule(["update"], [core], ["namespaces/finalize", "namespaces/status"]),
      rule(["get", "list", "delete", "deletecollection", "watch"], ["*"], ["*"]),
    ]),
    c("node-controller", [
      rule(["get", "list", "update", "delete", "patch", "watch"], [core], ["nodes"]),
      rule(["patch", "update"], [core], ["nodes/status"]),
      // Pods of an unreachable node are marked and deleted.
      rule(["patch", "update"], [core], ["pods/status"]),
      rule(["list", "delete", "get", "watch"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("persistent-volume-binder", [
      rule(["get", "list", "watch", "update", "create", "delete"], [core], ["persistentvolumes"]),
      rule(["update"], [core], ["persistentvolumes/status"]),
      rule(["get", "list", "watch", "update"], [core], ["persistentvolumeclaims"]),
      rule(["update"], [core], ["persistentvolumeclaims/status"]),
      rule(["list", "watch", "get", "create", "delete"], [core], ["pods"]),
      rule(READ, [storage], ["storageclasses"]),
      rule(["list", "watch"], [core], ["nodes"]),
      eventsRule(),
      rule(["watch"], [core], ["events"]),
    ]),
    c("pod-garbage-collector", [
      rule(["list", "watch", "delete"], [core], ["pods"]),
      rule(READ, [core], ["nodes"]),
      rule(["patch"], [core], ["pods/status"]),
    ]),
    c("replicaset-controller", [
      rule(["get", "list", "watch", "update"], [apps, extensions], ["replicasets"]),
      rule(["update"], [apps, extensions], ["replicasets/status"]),
      rule(["update"], [apps, extensions], ["replicasets/finalizers"]),
      rule(["list", "watch", "patch", "create", "delete"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("replication-controller", [
      // 1.0 controllers needed get, update, so without these old controllers break on new servers.
      rule(["get", "list", "watch", "update"], [core], ["replicationcontrollers"]),
      rule(["update"], [core], ["replicationcontrollers/status"]),
      rule(["update"], [core], ["replicationcontrollers/finalizers"]),
      rule(["list", "watch", "patch", "create", "delete"], [core], ["pods"]),
      eventsRule(),
    ]),
    c("resourcequota-controller", [
      // Quota can count quota on anything for reconciliation, so it needs full read access.
      rule(["list", "watch"], ["*"], ["*"]),
      rule(["update"], [core], ["resourcequotas/status"]),
      eventsRule(),
    ]),
    c("route-controller", [
      rule(["list", "watch"], [core], ["nodes"]),
      rule(["patch"], [core], ["nodes/status"]),
      eventsRule(),
    ]),
    c("service-account-controller", [rule(["create"], [core], ["serviceaccounts"]), eventsRule()]),
    c("service-controller", [
      rule(READ, [core], ["services"]),
      rule(["patch", "update"], [core], ["services/status"]),
      rule(["list", "watch"], [core], ["nodes"]),
      eventsRule(),
    ]),
    c("statefulset-controller", [
      rule(["list", "watch"], [core], ["pods"]),
      rule(READ, [apps], ["statefulsets"]),
      rule(["update"], [apps], ["statefulsets/status"]),
      rule(["update"], [apps], ["statefulsets/finalizers"]),
      rule(["get", "create", "delete", "update", "patch"], [core], ["pods"]),
      rule(["get", "create", "delete", "update", "patch", "list", "watch"], [apps], ["controllerrevisions"]),
      rule(["get", "create", "list", "watch"], [core], ["persistentvolumeclaims"]),
      // StatefulSetAutoDeletePVC (on by default) owns and deletes claims.
      rule(["update", "delete"], [core], ["persistentvolumeclaims"]),
      rule(["update"], [core], ["pods/finalizers"]),
      eventsRule(),
    ]),
    c("ttl-controller", [rule(["update", "patch", "list", "watch"], [core], ["nodes"]), eventsRule()]),
    c("certificate-controller", [
      rule(["get", "list", "watch", "delete"], [certs], ["certificatesigningrequests"]),
      rule(["update"], [certs], ["certificatesigningrequests/status", "certificatesigningrequests/approval"]),
      rule(["approve"], [certs], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet"]),
      rule(
        ["sign"],
        [certs],
        ["signers"],
        [
          "kubernetes.io/legacy-unknown",
          "kubernetes.io/kube-apiserver-client",
          "kubernetes.io/kube-apiserver-client-kubelet",
          "kubernetes.io/kubelet-serving",
        ],
      ),
      rule(["create"], [authz], ["subjectaccessreviews"]),
      eventsRule(),
    ]),
    c("pvc-protection-controller", [
      rule(["get", "list", "watch", "update"], [core], ["persistentvolumeclaims"]),
      rule(["update"], [core], ["persistentvolumeclaims/status"]),
      rule(["list", "watch", "get"], [core], ["pods"]),
      eventsRule(),
    ]),
    // Not upstream's: the local-path provisioner k8ts runs in its controller-manager (as k3s ships Rancher's).
    c("local-path-provisioner", [
      rule(["create", "get", "list", "watch"], [storage], ["storageclasses"]),
      rule(["get", "list", "watch", "update"], [core], ["persistentvolumeclaims"]),
      rule(["create", "delete", "get", "list", "watch"], [core], ["persistentvolumes"]),
      rule(["create", "delete", "get", "list", "watch"], [core], ["pods"]),
      rule(["get", "list", "watch"], [core], ["nodes"]),
      eventsRule(),
    ]),
    c("pv-protection-controller", [
      rule(["get", "list", "watch", "update"], [core], ["persistentvolumes"]),
      eventsRule(),
    ]),
    c("ttl-after-finished-controller", [
      rule(["get", "list", "watch", "delete"], [batch], ["jobs"]),
      eventsRule(),
    ]),
    c("root-ca-cert-publisher", [rule(["create", "update"], [core], ["configmaps"]), eventsRule()]),
    c("validatingadmissionpolicy-status-controller", [
      rule(READ, ["admissionregistration.k8s.io"], ["validatingadmissionpolicies"]),
      rule(
        ["get", "patch", "update"],
        ["admissionregistration.k8s.io"],
        ["validatingadmissionpolicies/status"],
      ),
      eventsRule(),
    ]),
    c("legacy-service-account-token-cleaner", [
      rule(["get"], [core], ["configmaps"], ["kube-apiserver-legacy-service-account-token-tracking"]),
      rule(["delete", "patch"], [core], ["secrets"]),
    ]),
  ];
}

/** ControllerRoleBindings(): each controller role bound to its kube-system service account. */
export function controllerRoleBindings(): ClusterRoleBinding[] {
  return controllerRoles().map((r) => {
    const name = r.metadata!.name!;
    return clusterRoleBinding(name, [serviceAccount("kube-system", name.slice(CONTROLLER_PREFIX.length))]);
  });
}

function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return {
    kind: "Role",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: {
      name,
      namespace,
      labels: { ...DEFAULT_LABELS },
      annotations: { ...DEFAULT_ANNOTATIONS },
    },
    rules,
  };
}

function roleBinding(namespace: string, roleName: string, subjects: Subject[], name = roleName): RoleBinding {
  return {
    kind: "RoleBinding",
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: {
      name,
      namespace,
      labels: { ...DEFAULT_LABELS },
      annotations: { ...DEFAULT_ANNOTATIONS },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: roleName },
    subjects,
  };
}

/** NamespaceRoles(): the roles bootstrapped into kube-system and kube-public. */
export function namespaceRoles(): Role[] {
  return [
    // The configmap that carries the authentication configuration of extension apiservers.
    role("kube-system", "extension-apiserver-authentication-reader", [
      rule(READ, [core], ["configmaps"], ["extension-apiserver-authentication"]),
    ]),
    role("kube-system", `${CONTROLLER_PREFIX}bootstrap-signer`, [rule(READ, [core], ["secrets"])]),
    // Deprecated since 1.10, kept as upstream keeps it.
    role("kube-system", `${CONTROLLER_PREFIX}cloud-provider`, [
      rule(["create", "get", "list", "watch"], [core], ["configmaps"]),
    ]),
    role("kube-system", `${CONTROLLER_PREFIX}token-cleaner`, [
      rule(["get", "list", "watch", "delete"], [core], ["secrets"]),
      eventsRule(),
    ]),
    role("kube-system", "system::leader-locking-kube-controller-manager", [
      rule(["watch"], [core], ["configmaps"]),
      rule(["get", "update"], [core], ["configmaps"], ["kube-controller-manager"]),
    ]),
    role("kube-system", "system::leader-locking-kube-scheduler", [
      rule(["watch"], [core], ["configmaps"]),
      rule(["get", "update"], [core], ["configmaps"], ["kube-scheduler"]),
    ]),
    role("kube-public", `${CONTROLLER_PREFIX}bootstrap-signer`, [
      rule(READ, [core], ["configmaps"]),
      rule(["update"], [core], ["configmaps"], ["cluster-info"]),
      eventsRule(),
    ]),
  ];
}

/** NamespaceRoleBindings(): who holds the namespaced roles. */
export function namespaceRoleBindings(): RoleBinding[] {
  return [
    roleBinding(
      "kube-system",
      "extension-apiserver-authentication-reader",
      [user("system:kube-controller-manager"), user("system:kube-scheduler")],
      "system::extension-apiserver-authentication-reader",
    ),
    roleBinding("kube-system", "system::leader-locking-kube-controller-manager", [
      user("system:kube-controller-manager"),
      serviceAccount("kube-system", "kube-controller-manager"),
    ]),
    roleBinding("kube-system", "system::leader-locking-kube-scheduler", [
      user("system:kube-scheduler"),
      serviceAccount("kube-system", "kube-scheduler"),
    ]),
    roleBinding("kube-system", `${CONTROLLER_PREFIX}bootstrap-signer`, [
      serviceAccount("kube-system", "bootstrap-signer"),
    ]),
    roleBinding("kube-system", `${CONTROLLER_PREFIX}cloud-provider`, [
      serviceAccount("kube-system", "cloud-provider"),
    ]),
    roleBinding("kube-system", `${CONTROLLER_PREFIX}token-cleaner`, [
      serviceAccount("kube-system", "token-cleaner"),
    ]),
    roleBinding("kube-public", `${CONTROLLER_PREFIX}bootstrap-signer`, [
      serviceAccount("kube-system", "bootstrap-signer"),
    ]),
  ];
}
