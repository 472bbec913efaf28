// The catalogue of built-in resources: what discovery lists, how paths map to
// kinds, and which fields each kind can be selected by. Names, short names,
// categories and verbs follow a real v1.32 cluster's `kubectl api-resources`.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface SubresourceType {
  name: string;
  /** The kind the subresource answers with, when it is not the parent's. */
  kind?: GroupVersionKind;
  verbs: string[];
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** The plural: the path segment and RBAC resource name. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceType[];
  /** Where objects live in the store: `/registry/<storageResource>/…`. Shared by all versions of a resource. */
  storageResource: string;
  /** Field selectors the kind supports beyond metadata.name and metadata.namespace, with how to read them. */
  selectableFields: Record<string, (obj: Obj) => string | undefined>;
  /**
   * A selectable field that indexes watches asking for one exact value of it
   * (upstream's cacher trigger: pods' spec.nodeName, which every kubelet watches).
   */
  watchTrigger?: string;
  /** Not stored: the resource only answers a create (TokenReview, SubjectAccessReview, Binding…). */
  virtual?: boolean;
  /** Served for a CustomResourceDefinition: what its version says of the objects. */
  custom?: CustomResourceInfo;
}

/** What one served version of a CustomResourceDefinition holds for its custom resources. */
export interface CustomResourceInfo {
  /** The CRD's name, `<plural>.<group>`. */
  crd: string;
  /** The version objects are stored in: every served version converts to and from it. */
  storageVersion: string;
  /** The version's openAPIV3Schema (structural), when it has one. */
  schema?: Obj;
  /** The storage version's, whose defaults objects read from the store get. */
  storageSchema?: Obj;
  /** additionalPrinterColumns, or upstream's default Age column. */
  columns: Obj[];
  scale?: ScaleSubresource;
  /** The CRD is being deleted: its objects may be read and deleted, not created. */
  terminating: boolean;
  /** spec.conversion.strategy: None rewrites apiVersion; Webhook calls conversionWebhook. */
  conversionStrategy: "None" | "Webhook";
  conversionWebhook?: { clientConfig: Obj; conversionReviewVersions: string[] };
  /** spec.versions[].deprecated, with the warning every request gets. */
  deprecationWarning?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: objects arrive as untyped JSON
export type Obj = Record<string, any>;

export const STANDARD_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];
export const STATUS_VERBS = ["get", "patch", "update"];

export const AUTOSCALING_SCALE: GroupVersionKind = { group: "autoscaling", version: "v1", kind: "Scale" };

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : String(v);
}

interface Def {
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: boolean;
  subresources?: SubresourceType[];
  storageResource?: string;
  fields?: Record<string, (obj: Obj) => string | undefined>;
  trigger?: string;
  virtual?: boolean;
}

function group(groupName: string, version: string, defs: Def[]): ResourceType[] {
  return defs.map((d) => {
    const subresources: SubresourceType[] = [];
    if (d.status) subresources.push({ name: "status", verbs: STATUS_VERBS });
    if (d.scale) subresources.push({ name: "scale", kind: AUTOSCALING_SCALE, verbs: STATUS_VERBS });
    subresources.push(...(d.subresources ?? []));
    return {
      group: groupName,
      version,
      kind: d.kind,
      resource: d.resource,
      singular: d.kind.toLowerCase(),
      namespaced: d.namespaced,
      shortNames: d.shortNames ?? [],
      categories: d.categories ?? [],
      verbs: d.verbs ?? STANDARD_VERBS,
      subresources,
      storageResource: d.storageResource ?? d.resource,
      selectableFields: d.fields ?? {},
      watchTrigger: d.trigger,
      virtual: d.virtual,
    };
  });
}

const horizontalPodAutoscalers: Def = {
  kind: "HorizontalPodAutoscaler",
  resource: "horizontalpodautoscalers",
  namespaced: true,
  shortNames: ["hpa"],
  categories: ["all"],
  status: true,
};

const NO_DELETECOLLECTION = ["create", "delete", "get", "list", "patch", "update", "watch"];

const eventFields: Record<string, (obj: Obj) => string | undefined> = {
  "involvedObject.kind": (o) => str(o.involvedObject?.kind),
  "involvedObject.namespace": (o) => str(o.involvedObject?.namespace),
  "involvedObject.name": (o) => str(o.involvedObject?.name),
  "involvedObject.uid": (o) => str(o.involvedObject?.uid),
  "involvedObject.apiVersion": (o) => str(o.involvedObject?.apiVersion),
  "involvedObject.resourceVersion": (o) => str(o.involvedObject?.resourceVersion),
  "involvedObject.fieldPath": (o) => str(o.involvedObject?.fieldPath),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  source: (o) => str(o.source?.component),
  type: (o) => str(o.type),
};

export const resourceTypes: ResourceType[] = [
  ...group("", "v1", [
    {
      kind: "Binding",
      resource: "bindings",
      namespaced: true,
      verbs: ["create"],
      virtual: true,
    },
    {
      // Not stored: the apiserver probes the scheduler, the controller-manager and the store when asked.
      kind: "ComponentStatus",
      resource: "componentstatuses",
      namespaced: false,
      shortNames: ["cs"],
      verbs: ["get", "list"],
      virtual: true,
    },
    {
      kind: "ConfigMap",
      resource: "configmaps",
      namespaced: true,
      shortNames: ["cm"],
    },
    { kind: "Endpoints", resource: "endpoints", namespaced: true, shortNames: ["ep"] },
    { kind: "Event", resource: "events", namespaced: true, shortNames: ["ev"], fields: eventFields },
    { kind: "LimitRange", resource: "limitranges", namespaced: true, shortNames: ["limits"] },
    {
      kind: "Namespace",
      resource: "namespaces",
      namespaced: false,
      shortNames: ["ns"],
      verbs: NO_DELETECOLLECTION,
      status: true,
      subresources: [{ name: "finalize", verbs: ["update"] }],
      fields: { "status.phase": (o) => str(o.status?.phase) },
    },
    {
      kind: "Node",
      resource: "nodes",
      namespaced: false,
      shortNames: ["no"],
      status: true,
      subresources: [
        {
          name: "proxy",
          kind: { group: "", version: "v1", kind: "NodeProxyOptions" },
          verbs: ["create", "delete", "get", "patch", "update"],
        },
      ],
      fields: { "spec.unschedulable": (o) => String(o.spec?.unschedulable === true) },
    },
    {
      kind: "PersistentVolumeClaim",
      resource: "persistentvolumeclaims",
      namespaced: true,
      shortNames: ["pvc"],
      status: true,
    },
    {
      kind: "PersistentVolume",
      resource: "persistentvolumes",
      namespaced: false,
      shortNames: ["pv"],
      status: true,
    },
    {
      kind: "Pod",
      resource: "pods",
      namespaced: true,
      shortNames: ["po"],
      categories: ["all"],
      status: true,
      subresources: [
        {
          name: "attach",
          kind: { group: "", version: "v1", kind: "PodAttachOptions" },
          verbs: ["create", "get"],
        },
        { name: "binding", kind: { group: "", version: "v1", kind: "Binding" }, verbs: ["create"] },
        { name: "ephemeralcontainers", verbs: STATUS_VERBS },
        { name: "eviction", kind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] },
        {
          name: "exec",
          kind: { group: "", version: "v1", kind: "PodExecOptions" },
          verbs: ["create", "get"],
        },
        { name: "log", verbs: ["get"] },
        {
          name: "portforward",
          kind: { group: "", version: "v1", kind: "PodPortForwardOptions" },
          verbs: ["create", "get"],
        },
        {
          name: "proxy",
          kind: { group: "", version: "v1", kind: "PodProxyOptions" },
          verbs: ["create", "delete", "get", "patch", "update"],
        },
      ],
      trigger: "spec.nodeName",
      fields: {
        "spec.nodeName": (o) => str(o.spec?.nodeName) ?? "",
        "spec.restartPolicy": (o) => str(o.spec?.restartPolicy),
        "spec.schedulerName": (o) => str(o.spec?.schedulerName),
        "spec.serviceAccountName": (o) => str(o.spec?.serviceAccountName),
        "spec.hostNetwork": (o) => String(o.spec?.hostNetwork === true),
        "status.phase": (o) => str(o.status?.phase),
        "status.podIP": (o) => str(o.status?.podIP),
        "status.podIPs": (o) => str(o.status?.podIPs?.[0]?.ip),
        "status.nominatedNodeName": (o) => str(o.status?.nominatedNodeName),
      },
    },
    { kind: "PodTemplate", resource: "podtemplates", namespaced: true },
    {
      kind: "ReplicationController",
      resource: "replicationcontrollers",
      namespaced: true,
      shortNames: ["rc"],
      categories: ["all"],
      status: true,
      scale: true,
      fields: { "status.replicas": (o) => String(o.status?.replicas ?? 0) },
    },
    {
      kind: "ResourceQuota",
      resource: "resourcequotas",
      namespaced: true,
      shortNames: ["quota"],
      status: true,
    },
    {
      kind: "Secret",
      resource: "secrets",
      namespaced: true,
      fields: { type: (o) => str(o.type) },
    },
    {
      kind: "ServiceAccount",
      resource: "serviceaccounts",
      namespaced: true,
      shortNames: ["sa"],
      subresources: [
        {
          name: "token",
          kind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" },
          verbs: ["create"],
        },
      ],
    },
    {
      kind: "Service",
      resource: "services",
      namespaced: true,
      shortNames: ["svc"],
      categories: ["all"],
      status: true,
      subresources: [
        {
          name: "proxy",
          kind: { group: "", version: "v1", kind: "ServiceProxyOptions" },
          verbs: ["create", "delete", "get", "patch", "update"],
        },
      ],
      fields: { "spec.clusterIP": (o) => str(o.spec?.clusterIP), "spec.type": (o) => str(o.spec?.type) },
    },
  ]),
  // First of the named groups, as upstream's aggregator lists it (group priority 18000).
  ...group("apiregistration.k8s.io", "v1", [
    {
      kind: "APIService",
      resource: "apiservices",
      namespaced: false,
      categories: ["api-extensions"],
      status: true,
    },
  ]),
  ...group("apps", "v1", [
    { kind: "ControllerRevision", resource: "controllerrevisions", namespaced: true },
    {
      kind: "DaemonSet",
      resource: "daemonsets",
      namespaced: true,
      shortNames: ["ds"],
      categories: ["all"],
      status: true,
    },
    {
      kind: "Deployment",
      resource: "deployments",
      namespaced: true,
      shortNames: ["deploy"],
      categories: ["all"],
      status: true,
      scale: true,
    },
    {
      kind: "ReplicaSet",
      resource: "replicasets",
      namespaced: true,
      shortNames: ["rs"],
      categories: ["all"],
      status: true,
      scale: true,
      fields: { "status.replicas": (o) => String(o.status?.replicas ?? 0) },
    },
    {
      kind: "StatefulSet",
      resource: "statefulsets",
      namespaced: true,
      shortNames: ["sts"],
      categories: ["all"],
      status: true,
      scale: true,
    },
  ]),
  ...group("authentication.k8s.io", "v1", [
    {
      kind: "SelfSubjectReview",
      resource: "selfsubjectreviews",
      namespaced: false,
      verbs: ["create"],
      virtual: true,
    },
    { kind: "TokenReview", resource: "tokenreviews", namespaced: false, verbs: ["create"], virtual: true },
  ]),
  ...group("authorization.k8s.io", "v1", [
    {
      kind: "LocalSubjectAccessReview",
      resource: "localsubjectaccessreviews",
      namespaced: true,
      verbs: ["create"],
      virtual: true,
    },
    {
      kind: "SelfSubjectAccessReview",
      resource: "selfsubjectaccessreviews",
      namespaced: false,
      verbs: ["create"],
      virtual: true,
    },
    {
      kind: "SelfSubjectRulesReview",
      resource: "selfsubjectrulesreviews",
      namespaced: false,
      verbs: ["create"],
      virtual: true,
    },
    {
      kind: "SubjectAccessReview",
      resource: "subjectaccessreviews",
      namespaced: false,
      verbs: ["create"],
      virtual: true,
    },
  ]),
  // Stored once as autoscaling/v2, the preferred version; autoscaling/v1 converts on the way in and out.
  ...group("autoscaling", "v2", [horizontalPodAutoscalers]),
  ...group("autoscaling", "v1", [horizontalPodAutoscalers]),
  ...group("batch", "v1", [
    {
      kind: "CronJob",
      resource: "cronjobs",
      namespaced: true,
      shortNames: ["cj"],
      categories: ["all"],
      status: true,
    },
    {
      kind: "Job",
      resource: "jobs",
      namespaced: true,
      categories: ["all"],
      status: true,
      fields: { "status.successful": (o) => String(o.status?.succeeded ?? 0) },
    },
  ]),
  ...group("certificates.k8s.io", "v1", [
    {
      kind: "CertificateSigningRequest",
      resource: "certificatesigningrequests",
      namespaced: false,
      shortNames: ["csr"],
      status: true,
      subresources: [{ name: "approval", verbs: ["get", "patch", "update"] }],
      fields: { "spec.signerName": (o) => str(o.spec?.signerName) },
    },
  ]),
  ...group("networking.k8s.io", "v1", [
    { kind: "IngressClass", resource: "ingressclasses", namespaced: false },
    { kind: "Ingress", resource: "ingresses", namespaced: true, shortNames: ["ing"], status: true },
    { kind: "NetworkPolicy", resource: "networkpolicies", namespaced: true, shortNames: ["netpol"] },
  ]),
  ...group("coordination.k8s.io", "v1", [{ kind: "Lease", resource: "leases", namespaced: true }]),
  ...group("node.k8s.io", "v1", [{ kind: "RuntimeClass", resource: "runtimeclasses", namespaced: false }]),
  ...group("discovery.k8s.io", "v1", [
    { kind: "EndpointSlice", resource: "endpointslices", namespaced: true },
  ]),
  ...group("apiextensions.k8s.io", "v1", [
    {
      kind: "CustomResourceDefinition",
      resource: "customresourcedefinitions",
      namespaced: false,
      shortNames: ["crd", "crds"],
      categories: ["api-extensions"],
      status: true,
    },
  ]),
  ...group("admissionregistration.k8s.io", "v1", [
    {
      kind: "MutatingWebhookConfiguration",
      resource: "mutatingwebhookconfigurations",
      namespaced: false,
      categories: ["api-extensions"],
    },
    {
      kind: "ValidatingAdmissionPolicy",
      resource: "validatingadmissionpolicies",
      namespaced: false,
      categories: ["api-extensions"],
      status: true,
    },
    {
      kind: "ValidatingAdmissionPolicyBinding",
      resource: "validatingadmissionpolicybindings",
      namespaced: false,
      categories: ["api-extensions"],
    },
    {
      kind: "ValidatingWebhookConfiguration",
      resource: "validatingwebhookconfigurations",
      namespaced: false,
      categories: ["api-extensions"],
    },
  ]),
  ...group("events.k8s.io", "v1", [
    {
      kind: "Event",
      resource: "events",
      namespaced: true,
      shortNames: ["ev"],
      // The same objects as core/v1 events, converted on the way in and out.
      storageResource: "events",
      fields: eventFields,
    },
  ]),
  ...group("policy", "v1", [
    {
      kind: "PodDisruptionBudget",
      resource: "poddisruptionbudgets",
      namespaced: true,
      shortNames: ["pdb"],
      status: true,
    },
  ]),
  ...group("rbac.authorization.k8s.io", "v1", [
    { kind: "ClusterRoleBinding", resource: "clusterrolebindings", namespaced: false },
    { kind: "ClusterRole", resource: "clusterroles", namespaced: false },
    { kind: "RoleBinding", resource: "rolebindings", namespaced: true },
    { kind: "Role", resource: "roles", namespaced: true },
  ]),
  ...group("scheduling.k8s.io", "v1", [
    { kind: "PriorityClass", resource: "priorityclasses", namespaced: false, shortNames: ["pc"] },
  ]),
  ...group("storage.k8s.io", "v1", [
    { kind: "CSIDriver", resource: "csidrivers", namespaced: false },
    { kind: "CSINode", resource: "csinodes", namespaced: false },
    { kind: "CSIStorageCapacity", resource: "csistoragecapacities", namespaced: true },
    { kind: "StorageClass", resource: "storageclasses", namespaced: false, shortNames: ["sc"] },
    { kind: "VolumeAttachment", resource: "volumeattachments", namespaced: false, status: true },
  ]),
  // Last, as upstream lists it: the lowest group priority of the GA groups (16100).
  ...group("flowcontrol.apiserver.k8s.io", "v1", [
    { kind: "FlowSchema", resource: "flowschemas", namespaced: false, status: true },
    {
      kind: "PriorityLevelConfiguration",
      resource: "prioritylevelconfigurations",
      namespaced: false,
      status: true,
    },
  ]),
];

export interface ApiGroupVersions {
  name: string;
  versions: string[];
}

/** API groups in the order discovery lists them (the core group first, as upstream). */
export function apiGroups(types: readonly ResourceType[] = resourceTypes): ApiGroupVersions[] {
  const out: ApiGroupVersions[] = [];
  for (const t of types) {
    let g = out.find((x) => x.name === t.group);
    if (!g) {
      g = { name: t.group, versions: [] };
      out.push(g);
    }
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return out;
}

export function findResource(
  groupName: string,
  version: string,
  resource: string,
  types: readonly ResourceType[] = resourceTypes,
): ResourceType | undefined {
  return types.find((t) => t.group === groupName && t.version === version && t.resource === resource);
}

export function findKind(
  groupName: string,
  kind: string,
  types: readonly ResourceType[] = resourceTypes,
): ResourceType | undefined {
  return types.find((t) => t.group === groupName && t.kind === kind);
}

/**
 * The resources one apiserver serves: the built-in ones, then those its
 * CustomResourceDefinitions add and remove while it runs. Custom groups come
 * after every built-in one (upstream gives them group priority 1000), by name,
 * their versions in Kubernetes' version order.
 */
export class ResourceCatalog {
  private readonly custom = new Map<string, ResourceType[]>();
  private all: readonly ResourceType[] = resourceTypes;
  /** Counts changes, for what is built from the catalogue (the aggregator's APIServices). */
  generation = 0;
  private readonly listeners: Array<() => void> = [];

  /** Calls `fn` after every change (the aggregator registers the new group-versions). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  types(): readonly ResourceType[] {
    return this.all;
  }

  findResource(group: string, version: string, resource: string): ResourceType | undefined {
    return findResource(group, version, resource, this.all);
  }

  findKind(group: string, kind: string): ResourceType | undefined {
    return findKind(group, kind, this.all);
  }

  apiGroups(): ApiGroupVersions[] {
    return apiGroups(this.all);
  }

  /** The custom types one CRD serves now (none: it is gone or serves nothing). */
  customTypes(crd: string): readonly ResourceType[] {
    return this.custom.get(crd) ?? [];
  }

  setCustom(crd: string, types: ResourceType[]): void {
    if (types.length === 0) this.custom.delete(crd);
    else this.custom.set(crd, types);
    const custom = [...this.custom.values()]
      .flat()
      .sort(
        (a, b) =>
          (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
          compareKubeAwareVersions(a.version, b.version) ||
          (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0),
      );
    this.all = [...resourceTypes, ...custom];
    this.generation++;
    for (const fn of this.listeners) fn();
  }
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Upstream's version.CompareKubeAwareVersionStrings as a sort: GA before beta
 * before alpha, higher numbers first, then versions that are not
 * Kubernetes-like, by name.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Splits an apiVersion such as "apps/v1" or "v1" into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i === -1
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
