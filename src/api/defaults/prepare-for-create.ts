// What the registry strategies (pkg/registry/<group>/<kind>/strategy.go) do to an
// object on create, beyond defaulting: PrepareForCreate resets status and sets
// metadata.generation, plus a few create-only mutations (Namespace finalizer,
// pod QoS class and scheduling-gated condition, Job selector, DaemonSet template
// generation). Upstream defaults again when it decodes the stored object for the
// response, so prepareForCreate ends by defaulting again: a Job's generated
// template labels thereby become its own labels, a PVC's reset status gets phase
// Pending back, exactly as a real apiserver returns them.
//
// Needs metadata.name and metadata.uid already filled in (the Job selector uses
// the uid, the Namespace label the name). Feature-gated field dropping, the
// AppArmor annotation/field sync and a CSR's requesting-user fields are left out.

import { applyDefaults } from "./apply-defaults.ts";
import { isObject, type JsonObject, objectAt, objectsAt, structAt } from "./json.ts";
import { getPodQOS } from "./qos.ts";

export interface PrepareOptions {
  /** The clock for timestamps set on create (a PersistentVolume's lastPhaseTransitionTime). */
  now?: () => Date;
}

type Preparer = (obj: JsonObject, options: PrepareOptions) => void;

/**
 * Applies defaults, the strategy's create-time mutations for group/kind, and
 * defaults again, in place. A no-op beyond defaulting for kinds without any.
 */
export function prepareForCreate(
  group: string,
  kind: string,
  obj: Record<string, unknown>,
  options: PrepareOptions = {},
): void {
  if (!isObject(obj)) return;
  applyDefaults(group, kind, obj);
  const key = `${group === "core" ? "" : group}/${kind}`;
  preparers.get(key)?.(obj, options);
  if (tracksGeneration(group, kind)) setGeneration(obj);
  applyDefaults(group, kind, obj);
}

// Strategies whose PrepareForCreate sets metadata.generation = 1 (and whose
// PrepareForUpdate bumps it when the spec changes).
const generationKinds = new Set([
  "/ReplicationController",
  "apps/Deployment",
  "apps/ReplicaSet",
  "apps/StatefulSet",
  "apps/DaemonSet",
  "batch/Job",
  "batch/CronJob",
  "policy/PodDisruptionBudget",
  "networking.k8s.io/Ingress",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/NetworkPolicy",
  "discovery.k8s.io/EndpointSlice",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
]);

/** Whether the kind's strategy tracks metadata.generation. */
export function tracksGeneration(group: string, kind: string): boolean {
  return generationKinds.has(`${group === "core" ? "" : group}/${kind}`);
}

function setGeneration(obj: JsonObject): void {
  const metadata = structAt(obj, "metadata");
  if (metadata) metadata.generation = 1;
}

/** Replaces status with its Go zero value as JSON shows it (non-omitempty fields appear). */
function resetStatus(status: JsonObject): Preparer {
  return (obj) => {
    obj.status = structuredClone(status);
  };
}

const preparers = new Map<string, Preparer>([
  ["/Namespace", prepareNamespace],
  ["/Pod", preparePod],
  ["/Service", resetStatus({ loadBalancer: {} })],
  ["/PersistentVolume", preparePersistentVolume],
  ["/PersistentVolumeClaim", resetStatus({})],
  ["/ReplicationController", resetStatus({ replicas: 0 })],
  ["/ResourceQuota", resetStatus({})],
  ["apps/Deployment", resetStatus({})],
  ["apps/ReplicaSet", resetStatus({ replicas: 0 })],
  ["apps/StatefulSet", resetStatus({ replicas: 0, availableReplicas: 0 })],
  ["apps/DaemonSet", prepareDaemonSet],
  ["batch/Job", prepareJob],
  ["batch/CronJob", resetStatus({})],
  ["autoscaling/HorizontalPodAutoscaler", prepareHorizontalPodAutoscaler],
  [
    "policy/PodDisruptionBudget",
    resetStatus({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  ],
  ["networking.k8s.io/Ingress", resetStatus({ loadBalancer: {} })],
  ["admissionregistration.k8s.io/ValidatingAdmissionPolicy", resetStatus({})],
  ["flowcontrol.apiserver.k8s.io/FlowSchema", resetStatus({})],
  ["flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration", resetStatus({})],
]);

// api.FinalizerKubernetes: the namespace controller removes it once the namespace is empty.
const finalizerKubernetes = "kubernetes";

function prepareNamespace(ns: JsonObject): void {
  ns.status = { phase: "Active" };
  const spec = structAt(ns, "spec");
  if (!spec) return;
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!finalizers.includes(finalizerKubernetes)) spec.finalizers = [...finalizers, finalizerKubernetes];
}

function preparePod(pod: JsonObject): void {
  // The QoS class is read before status is replaced, as upstream's struct literal does.
  const qosClass = getPodQOS(pod);
  pod.status = { phase: "Pending", qosClass };
  const spec = objectAt(pod, "spec");
  if (!spec) return;
  applySchedulingGatedCondition(pod, spec);
  mutatePodAffinity(pod, spec);
}

/** A pod created with scheduling gates is reported as not schedulable yet. */
function applySchedulingGatedCondition(pod: JsonObject, spec: JsonObject): void {
  if (!Array.isArray(spec.schedulingGates) || spec.schedulingGates.length === 0) return;
  const status = pod.status as JsonObject;
  const conditions = objectsAt(status, "conditions");
  if (conditions.some((c) => c.type === "PodScheduled")) return;
  status.conditions = [
    ...conditions,
    {
      type: "PodScheduled",
      status: "False",
      lastProbeTime: null,
      lastTransitionTime: null,
      reason: "SchedulingGated",
      message: "Scheduling is blocked due to non-empty scheduling gates",
    },
  ];
}

/**
 * MatchLabelKeysInPodAffinity (beta, on in v1.32): matchLabelKeys and mismatchLabelKeys
 * become In / NotIn requirements on the pod's own label values.
 */
function mutatePodAffinity(pod: JsonObject, spec: JsonObject): void {
  const affinity = objectAt(spec, "affinity");
  if (!affinity) return;
  const labels = objectAt(objectAt(pod, "metadata") ?? {}, "labels") ?? {};
  for (const key of ["podAffinity", "podAntiAffinity"]) {
    const podAffinity = objectAt(affinity, key);
    if (!podAffinity) continue;
    for (const weighted of objectsAt(podAffinity, "preferredDuringSchedulingIgnoredDuringExecution")) {
      const term = objectAt(weighted, "podAffinityTerm");
      if (term) applyLabelKeys(term, labels);
    }
    for (const term of objectsAt(podAffinity, "requiredDuringSchedulingIgnoredDuringExecution")) {
      applyLabelKeys(term, labels);
    }
  }
}

function applyLabelKeys(term: JsonObject, labels: JsonObject): void {
  const matchKeys = Array.isArray(term.matchLabelKeys) ? term.matchLabelKeys : [];
  const mismatchKeys = Array.isArray(term.mismatchLabelKeys) ? term.mismatchLabelKeys : [];
  // A nil labelSelector matches nothing, so there is nothing to narrow.
  const selector = objectAt(term, "labelSelector");
  if ((matchKeys.length === 0 && mismatchKeys.length === 0) || !selector) return;
  const expressions = Array.isArray(selector.matchExpressions) ? [...selector.matchExpressions] : [];
  for (const [keys, operator] of [
    [matchKeys, "In"],
    [mismatchKeys, "NotIn"],
  ] as const) {
    for (const key of keys) {
      if (typeof key === "string" && typeof labels[key] === "string") {
        expressions.push({ key, operator, values: [labels[key]] });
      }
    }
  }
  if (expressions.length > 0) selector.matchExpressions = expressions;
}

function preparePersistentVolume(pv: JsonObject, options: PrepareOptions): void {
  const now = options.now?.() ?? new Date();
  pv.status = { phase: "Pending", lastPhaseTransitionTime: rfc3339(now) };
}

// The conversion of the internal templateGeneration to apps/v1.
const templateGenerationAnnotation = "deprecated.daemonset.template.generation";

function prepareDaemonSet(ds: JsonObject): void {
  ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  const metadata = structAt(ds, "metadata");
  if (!metadata) return;
  if (metadata.annotations === undefined || metadata.annotations === null) metadata.annotations = {};
  const annotations = metadata.annotations;
  if (!isObject(annotations)) return;
  const current = Number.parseInt(String(annotations[templateGenerationAnnotation] ?? ""), 10);
  if (!(current >= 1)) annotations[templateGenerationAnnotation] = "1";
}

// Labels of generated Job selectors (k8s.io/api/batch/v1).
const jobNameLabels = ["job-name", "batch.kubernetes.io/job-name"];
const controllerUidLabels = ["controller-uid", "batch.kubernetes.io/controller-uid"];

function prepareJob(job: JsonObject): void {
  job.status = {};
  const spec = objectAt(job, "spec");
  if (spec && spec.manualSelector !== true) generateSelector(job, spec);
}

/**
 * The Job strategy's generateSelector: pods of this Job, and only those, carry its
 * uid. Labels the user already set are kept; a conflict fails validation later.
 */
function generateSelector(job: JsonObject, spec: JsonObject): void {
  const metadata = objectAt(job, "metadata") ?? {};
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const uid = typeof metadata.uid === "string" ? metadata.uid : "";
  const template = structAt(spec, "template");
  const templateMetadata = template ? structAt(template, "metadata") : undefined;
  if (!templateMetadata) return;
  if (templateMetadata.labels === undefined || templateMetadata.labels === null) templateMetadata.labels = {};
  const labels = templateMetadata.labels;
  if (!isObject(labels)) return;
  for (const key of jobNameLabels) if (!(key in labels)) labels[key] = name;
  for (const key of controllerUidLabels) if (!(key in labels)) labels[key] = uid;

  const selector = structAt(spec, "selector");
  if (!selector) return;
  if (selector.matchLabels === undefined || selector.matchLabels === null) selector.matchLabels = {};
  const matchLabels = selector.matchLabels;
  if (isObject(matchLabels) && !(controllerUidLabels[1] in matchLabels))
    matchLabels[controllerUidLabels[1]] = uid;
}

function prepareHorizontalPodAutoscaler(hpa: JsonObject): void {
  // currentReplicas is omitempty in v2 only.
  hpa.status =
    hpa.apiVersion === "autoscaling/v2" ? { desiredReplicas: 0 } : { currentReplicas: 0, desiredReplicas: 0 };
}

/** metav1.Time's JSON form: RFC 3339 in UTC with whole seconds. */
function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
