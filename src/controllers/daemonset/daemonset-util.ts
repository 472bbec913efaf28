// upstream's pkg/controller/daemon/util/daemonset_util.go: the default
// tolerations every daemon pod carries, the pod template with the revision
// hash and template generation labels, the node-name affinity that pins a pod
// to its node (the default scheduler binds it), and maxSurge/maxUnavailable.
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type {
  Affinity,
  NodeSelectorRequirement,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Toleration,
} from "kubernetes-types/core/v1.d.ts";
import {
  matchToleration,
  sameToleration,
  TaintNodeDiskPressure,
  TaintNodeMemoryPressure,
  TaintNodeNetworkUnavailable,
  TaintNodeNotReady,
  TaintNodePIDPressure,
  TaintNodeUnreachable,
  TaintNodeUnschedulable,
} from "../../api/scheduling/taints.ts";
import { getScaledValueFromIntOrPercent } from "../../machinery/intstr.ts";

/** apps.DefaultDaemonSetUniqueLabelKey (= apps.ControllerRevisionHashLabelKey): the revision a daemon pod was made from. */
export const DAEMONSET_UNIQUE_LABEL_KEY = "controller-revision-hash";
/** extensions.DaemonSetTemplateGenerationKey: the template generation, for pods made before revisions existed. */
export const TEMPLATE_GENERATION_LABEL_KEY = "pod-template-generation";
/** apps.DeprecatedTemplateGeneration: where apps/v1 carries spec.templateGeneration. */
export const DEPRECATED_TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
/** metav1.ObjectNameField. */
const OBJECT_NAME_FIELD = "metadata.name";

/**
 * GetTemplateGeneration: the generation from the deprecated annotation;
 * undefined when there is none or (as every caller treats a parse error) it
 * does not parse as an int64.
 */
export function getTemplateGeneration(ds: DaemonSet): bigint | undefined {
  const annotation = ds.metadata?.annotations?.[DEPRECATED_TEMPLATE_GENERATION_ANNOTATION];
  if (annotation === undefined) return undefined;
  if (!/^[+-]?[0-9]+$/.test(annotation)) return undefined;
  const v = BigInt(annotation);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

/** v1helper.AddOrUpdateTolerationInPodSpec: replaces a toleration that matches by key, operator, value and effect, else appends. */
export function addOrUpdateTolerationInPodSpec(spec: PodSpec, toleration: Toleration): boolean {
  const out: Toleration[] = [];
  let updated = false;
  for (const t of spec.tolerations ?? []) {
    if (matchToleration(toleration, t)) {
      if (sameToleration(toleration, t)) return false;
      out.push({ ...toleration });
      updated = true;
      continue;
    }
    out.push(t);
  }
  if (!updated) out.push({ ...toleration });
  spec.tolerations = out;
  return true;
}

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive node problems. The
 * NoExecute tolerations have no tolerationSeconds, so taint-based eviction
 * never removes them; the NoSchedule ones let them land on nodes that have
 * conditions (TaintNodesByCondition) or are cordoned.
 */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  const exists = (key: string, effect: "NoExecute" | "NoSchedule"): Toleration => ({
    key,
    operator: "Exists",
    effect,
  });
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeNotReady, "NoExecute"));
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeUnreachable, "NoExecute"));
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeDiskPressure, "NoSchedule"));
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeMemoryPressure, "NoSchedule"));
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodePIDPressure, "NoSchedule"));
  addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeUnschedulable, "NoSchedule"));
  if (spec.hostNetwork) {
    addOrUpdateTolerationInPodSpec(spec, exists(TaintNodeNetworkUnavailable, "NoSchedule"));
  }
}

/** CreatePodTemplate: a copy of the template with the default tolerations and the generation and hash labels. */
export function createPodTemplate(
  template: PodTemplateSpec,
  generation: bigint | undefined,
  hash: string,
): PodTemplateSpec {
  const t = structuredClone(template);
  t.spec ??= { containers: [] };
  addOrUpdateDaemonPodTolerations(t.spec);
  t.metadata ??= {};
  t.metadata.labels = { ...t.metadata.labels };
  if (generation !== undefined) t.metadata.labels[TEMPLATE_GENERATION_LABEL_KEY] = generation.toString();
  if (hash.length > 0) t.metadata.labels[DAEMONSET_UNIQUE_LABEL_KEY] = hash;
  return t;
}

/** IsPodUpdated: the pod carries the current hash, or (for old pods) the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: bigint | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches =
    generation !== undefined && labels[TEMPLATE_GENERATION_LABEL_KEY] === generation.toString();
  const hashMatches = hash.length > 0 && labels[DAEMONSET_UNIQUE_LABEL_KEY] === hash;
  return hashMatches || templateMatches;
}

/** SurgeCount: 0 unless a RollingUpdate asks for maxSurge; percentages round up. Throws on a bad value. */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  if (ds.spec?.updateStrategy?.type !== "RollingUpdate") return 0;
  const r = ds.spec.updateStrategy.rollingUpdate;
  if (!r) return 0;
  if (r.maxSurge === undefined || r.maxSurge === null) return 0;
  return getScaledValueFromIntOrPercent(r.maxSurge, numberToSchedule, true);
}

/** UnavailableCount: 0 unless a RollingUpdate; percentages round up. Throws on a bad or missing value. */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  if (ds.spec?.updateStrategy?.type !== "RollingUpdate") return 0;
  const r = ds.spec.updateStrategy.rollingUpdate;
  if (!r) return 0;
  return getScaledValueFromIntOrPercent(r.maxUnavailable, numberToSchedule, true);
}

/** AllowsSurge: may a node run an old and a new pod at once? */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes
 * the single term `metadata.name In [nodeName]`, so the default scheduler can
 * only bind the pod to its node. Other affinity (preferred terms, pod
 * affinity) is kept. Mutates and returns affinity, as upstream.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(
  affinity: Affinity | undefined,
  nodeName: string,
): Affinity {
  const req: NodeSelectorRequirement = { key: OBJECT_NAME_FIELD, operator: "In", values: [nodeName] };
  const nodeSelector = { nodeSelectorTerms: [{ matchFields: [req] }] };
  if (!affinity) return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: nodeSelector } };
  if (!affinity.nodeAffinity) {
    affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: nodeSelector };
    return affinity;
  }
  const na = affinity.nodeAffinity;
  if (!na.requiredDuringSchedulingIgnoredDuringExecution) {
    na.requiredDuringSchedulingIgnoredDuringExecution = nodeSelector;
    return affinity;
  }
  na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms = [{ matchFields: [req] }];
  return affinity;
}

/**
 * GetTargetNodeName: spec.nodeName once bound; before that, the node the
 * metadata.name affinity pins the pod to. Throws upstream's messages.
 */
export function getTargetNodeName(pod: Pod): string {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const ns = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) {
    throw new Error(
      `no spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution for pod ${ns}/${name}`,
    );
  }
  const terms = required.nodeSelectorTerms ?? [];
  if (terms.length < 1) {
    throw new Error(
      `no nodeSelectorTerms in requiredDuringSchedulingIgnoredDuringExecution of pod ${ns}/${name}`,
    );
  }
  for (const term of terms) {
    for (const exp of term.matchFields ?? []) {
      if (exp.key === OBJECT_NAME_FIELD && exp.operator === "In") {
        if (exp.values?.length !== 1) {
          throw new Error(
            `the matchFields value of '${OBJECT_NAME_FIELD}' is not unique for pod ${ns}/${name}`,
          );
        }
        return exp.values[0];
      }
    }
  }
  throw new Error(`no node name found for pod ${ns}/${name}`);
}

function creationMs(p: Pod): number {
  const t = Date.parse(p.metadata?.creationTimestamp ?? "");
  return Number.isNaN(t) ? 0 : t;
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest first, then by name. */
export function comparePodsByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = !!a.spec?.nodeName;
  const bBound = !!b.spec?.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = creationMs(a);
  const tb = creationMs(b);
  if (ta === tb) {
    const na = a.metadata?.name ?? "";
    const nb = b.metadata?.name ?? "";
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return ta - tb;
}
