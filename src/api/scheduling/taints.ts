// Taints and tolerations, as k8s.io/api/core/v1 (toleration.go, taint.go) and
// k8s.io/component-helpers/scheduling/corev1 (helpers.go) define them at v1.32.
// The scheduler, the kubelet's admission and the taint-eviction controller all
// decide "does this pod tolerate that node" with these functions.
import type { Taint, Toleration } from "kubernetes-types/core/v1.d.ts";

export const TaintEffect = {
  NoSchedule: "NoSchedule",
  PreferNoSchedule: "PreferNoSchedule",
  NoExecute: "NoExecute",
} as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

export const TolerationOperator = {
  Exists: "Exists",
  Equal: "Equal",
} as const;

/** Well-known taint keys (k8s.io/api/core/v1/well_known_taints.go). */
export const TaintNodeNotReady = "node.kubernetes.io/not-ready";
export const TaintNodeUnreachable = "node.kubernetes.io/unreachable";
export const TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
export const TaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
export const TaintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
export const TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable";
export const TaintNodePIDPressure = "node.kubernetes.io/pid-pressure";
export const TaintNodeOutOfService = "node.kubernetes.io/out-of-service";
export const TaintExternalCloudProvider = "node.cloudprovider.kubernetes.io/uninitialized";
export const TaintNodeShutdown = "node.cloudprovider.kubernetes.io/shutdown";

/** apiequality.Semantic.DeepEqual of two tolerations: an absent field equals its zero value. */
export function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? "") === (b.key ?? "") &&
    (a.operator ?? "") === (b.operator ?? "") &&
    (a.value ?? "") === (b.value ?? "") &&
    (a.effect ?? "") === (b.effect ?? "") &&
    (a.tolerationSeconds ?? null) === (b.tolerationSeconds ?? null)
  );
}

/** Which taints a caller cares about (upstream's taintsFilterFunc). */
export type TaintFilter = (taint: Taint) => boolean;

/**
 * Toleration.ToleratesTaint:
 *  1. an empty toleration effect matches every effect;
 *  2. operator Exists matches every value;
 *  3. an empty toleration key (with Exists) matches every key;
 *  4. an empty operator means Equal.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "":
    case TolerationOperator.Equal:
      return (toleration.value ?? "") === (taint.value ?? "");
    case TolerationOperator.Exists:
      return true;
    default:
      return false;
  }
}

/** TolerationsTolerateTaint: is the taint tolerated by any of the tolerations? */
export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): boolean {
  if (!tolerations) return false;
  for (let i = 0; i < tolerations.length; i++) {
    if (toleratesTaint(tolerations[i], taint)) return true;
  }
  return false;
}

/**
 * FindMatchingUntoleratedTaint: the first taint (among those `filter` keeps;
 * all when no filter) that no toleration tolerates, or undefined when every
 * one is tolerated.
 */
export function findMatchingUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter?: TaintFilter,
): Taint | undefined {
  if (!taints) return undefined;
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (filter && !filter(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** The scheduler's filter (helper.DoNotScheduleTaintsFilterFunc): only NoSchedule and NoExecute taints. */
export const doNotScheduleTaintsFilter: TaintFilter = (t) =>
  t.effect === TaintEffect.NoSchedule || t.effect === TaintEffect.NoExecute;

/** Taint.MatchTaint: taints are unique by key and effect. */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** Toleration.MatchToleration: tolerations are unique by key, effect, operator and value. */
export function matchToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? "") === (b.key ?? "") &&
    (a.effect ?? "") === (b.effect ?? "") &&
    (a.operator ?? "") === (b.operator ?? "") &&
    (a.value ?? "") === (b.value ?? "")
  );
}

/** Taint.ToString: `key=value:effect`, `key=value:`, `key:effect` or `key`. */
export function taintToString(t: Taint): string {
  const value = t.value ?? "";
  if (!t.effect) return value ? `${t.key}=${value}:` : t.key;
  return value ? `${t.key}=${value}:${t.effect}` : `${t.key}:${t.effect}`;
}

/**
 * The taint as kube-scheduler's TaintToleration plugin prints it in its
 * reason, fmt.Sprintf("{%s: %s}", key, value): `{dedicated: x}`, `{foo: }`.
 */
export function taintReasonString(t: Taint): string {
  return `{${t.key}: ${t.value ?? ""}}`;
}
