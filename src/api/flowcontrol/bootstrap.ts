// The FlowSchemas and PriorityLevelConfigurations every v1.32 apiserver keeps
// (upstream's apis/flowcontrol/bootstrap/default.go): the mandatory ones
// (exempt, catch-all) and the suggested ones, each marked for automatic update.
// The apiserver keeps them in the store; validation holds the mandatory ones fixed.

import type { Obj } from "../registry.ts";

// user.SystemPrivilegedGroup, AllAuthenticated, AllUnauthenticated, NodesGroup and
// serviceaccount.AllServiceAccountsGroup: the groups the authenticators put users in.
const SYSTEM_MASTERS = "system:masters";
const ALL_AUTHENTICATED = "system:authenticated";
const ALL_UNAUTHENTICATED = "system:unauthenticated";
const NODES_GROUP = "system:nodes";
const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

export const FLOWCONTROL_GROUP = "flowcontrol.apiserver.k8s.io";
const API_VERSION = `${FLOWCONTROL_GROUP}/v1`;
export const AUTO_UPDATE_ANNOTATION = "apf.kubernetes.io/autoupdate-spec";
const KUBE_CONTROLLER_MANAGER = "system:kube-controller-manager";
const KUBE_SCHEDULER = "system:kube-scheduler";

type Subject = Obj;
type Rules = Obj;

const group = (...names: string[]): Subject[] => names.map((name) => ({ kind: "Group", group: { name } }));
const user = (...names: string[]): Subject[] => names.map((name) => ({ kind: "User", user: { name } }));
const kubeSystemServiceAccount = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: "ServiceAccount", serviceAccount: { namespace: "kube-system", name } }));

const everything = (subjects: Subject[]): Rules => ({
  subjects,
  resourceRules: [
    { verbs: ["*"], apiGroups: ["*"], resources: ["*"], clusterScope: true, namespaces: ["*"] },
  ],
  nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
});

function flowSchema(
  name: string,
  priorityLevel: string,
  matchingPrecedence: number,
  distinguisher: "ByUser" | "ByNamespace" | undefined,
  rules: Rules,
): Obj {
  return {
    apiVersion: API_VERSION,
    kind: "FlowSchema",
    metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: "true" } },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [rules],
    },
  };
}

function limited(
  name: string,
  nominalConcurrencyShares: number,
  lendablePercent: number,
  queuing?: { queues: number; handSize: number; queueLengthLimit: number },
): Obj {
  return {
    apiVersion: API_VERSION,
    kind: "PriorityLevelConfiguration",
    metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: "true" } },
    spec: {
      type: "Limited",
      limited: {
        nominalConcurrencyShares,
        lendablePercent,
        limitResponse: queuing ? { type: "Queue", queuing } : { type: "Reject" },
      },
    },
  };
}

export const mandatoryPriorityLevels = (): Obj[] => [
  {
    apiVersion: API_VERSION,
    kind: "PriorityLevelConfiguration",
    metadata: { name: "exempt", annotations: { [AUTO_UPDATE_ANNOTATION]: "true" } },
    spec: { type: "Exempt", exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  },
  limited("catch-all", 5, 0),
];

export const mandatoryFlowSchemas = (): Obj[] => [
  flowSchema("exempt", "exempt", 1, undefined, everything(group(SYSTEM_MASTERS))),
  flowSchema(
    "catch-all",
    "catch-all",
    10000,
    "ByUser",
    everything(group(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED)),
  ),
];

export const suggestedPriorityLevels = (): Obj[] => [
  limited("system", 30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  limited("node-high", 40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  limited("leader-election", 10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 }),
  limited("workload-high", 40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  limited("workload-low", 100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  limited("global-default", 20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
];

const leaderElectionRules = (subjects: Subject[], configMapNamespaces: string[]): Rules => ({
  subjects,
  resourceRules: [
    {
      verbs: ["get", "create", "update"],
      apiGroups: [""],
      resources: ["endpoints", "configmaps"],
      namespaces: configMapNamespaces,
    },
    {
      verbs: ["get", "create", "update"],
      apiGroups: ["coordination.k8s.io"],
      resources: ["leases"],
      namespaces: ["*"],
    },
  ],
});

export const suggestedFlowSchemas = (): Obj[] => [
  flowSchema("system-nodes", "system", 500, "ByUser", everything(group(NODES_GROUP))),
  flowSchema("system-node-high", "node-high", 400, "ByUser", {
    subjects: group(NODES_GROUP),
    resourceRules: [
      {
        verbs: ["*"],
        apiGroups: [""],
        resources: ["nodes", "nodes/status"],
        clusterScope: true,
        namespaces: ["*"],
      },
      { verbs: ["*"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], namespaces: ["*"] },
    ],
  }),
  flowSchema("probes", "exempt", 2, undefined, {
    subjects: group(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED),
    nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/readyz", "/livez"] }],
  }),
  flowSchema(
    "system-leader-election",
    "leader-election",
    100,
    "ByUser",
    leaderElectionRules(
      [...user(KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER), ...kubeSystemServiceAccount("*")],
      ["kube-system"],
    ),
  ),
  flowSchema(
    "workload-leader-election",
    "leader-election",
    200,
    "ByUser",
    leaderElectionRules(kubeSystemServiceAccount("*"), ["*"]),
  ),
  flowSchema("endpoint-controller", "workload-high", 150, "ByUser", {
    subjects: [
      ...user(KUBE_CONTROLLER_MANAGER),
      ...kubeSystemServiceAccount("endpoint-controller", "endpointslicemirroring-controller"),
    ],
    resourceRules: [
      { verbs: ["get", "create", "update"], apiGroups: [""], resources: ["endpoints"], namespaces: ["*"] },
    ],
  }),
  flowSchema(
    "kube-controller-manager",
    "workload-high",
    800,
    "ByNamespace",
    everything(user(KUBE_CONTROLLER_MANAGER)),
  ),
  flowSchema("kube-scheduler", "workload-high", 800, "ByNamespace", everything(user(KUBE_SCHEDULER))),
  flowSchema(
    "kube-system-service-accounts",
    "workload-high",
    900,
    "ByNamespace",
    everything(kubeSystemServiceAccount("*")),
  ),
  flowSchema("service-accounts", "workload-low", 9000, "ByUser", everything(group(SERVICE_ACCOUNTS_GROUP))),
  flowSchema(
    "global-default",
    "global-default",
    9900,
    "ByUser",
    everything(group(ALL_UNAUTHENTICATED, ALL_AUTHENTICATED)),
  ),
];
