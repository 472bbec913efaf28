// upstream's pod orderings for scale-down (pkg/controller/controller_utils.go:
// ActivePods and ActivePodsWithRanks, v1.32 with PodDeletionCost and
// LogarithmicScaleDown on, as they are by default) and the ReplicaSet's
// getPodsToDelete. A pod that sorts first is the one to delete first.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodActive, isPodReady, podReadyCondition } from "../util/pods.ts";

/** The annotation that orders pods of one ReplicaSet for deletion: lower cost goes first. */
export const POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

/** Pending < Unknown < Running; any other phase (and none) counts as Pending, as Go's zero value. */
const podPhaseToOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(p: Pod): number {
  return podPhaseToOrdinal[p.status?.phase ?? ""] ?? 0;
}

/** Pods that are neither finished nor being deleted (upstream's FilterActivePods). */
export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

// Values that start with a plus sign ("+10") or leading zeros ("008") are not valid.
function validFirstDigit(s: string): boolean {
  if (s.length === 0) return false;
  return s[0] === "-" || s === "0" || (s[0] >= "1" && s[0] <= "9");
}

/** upstream's GetDeletionCostFromPodAnnotations: the int32 value, or 0 when absent or invalid. */
export function getDeletionCostFromPodAnnotations(annotations: Record<string, string> | undefined): number {
  const value = annotations?.[POD_DELETION_COST_ANNOTATION];
  if (value === undefined || !validFirstDigit(value)) return 0;
  // strconv.ParseInt(value, 10, 32): an optional sign and decimal digits, within int32.
  if (!/^[+-]?[0-9]+$/.test(value)) return 0;
  const n = Number(value);
  if (n < -2147483648 || n > 2147483647) return 0;
  return n === 0 ? 0 : n; // never -0
}

/** ms since the epoch of a time field; 0 stands for Go's zero time. */
function timeMs(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** When the pod became Ready, or 0 when it is not Ready. */
export function podReadyTimeMs(p: Pod): number {
  if (!isPodReady(p)) return 0;
  return timeMs(podReadyCondition(p)?.lastTransitionTime);
}

/** The highest restart count of the pod's (regular) containers. */
export function maxContainerRestarts(p: Pod): number {
  let max = 0;
  for (const c of p.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** t1 after t2, where a zero time counts as after any other. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/**
 * Difference of the base-2 logarithms of the two ages at now, in whole steps.
 * Ages are in nanoseconds as upstream's time.Duration, so the buckets fall where upstream's do.
 */
export function logarithmicRankDiff(t1Ms: number, t2Ms: number, nowMs: number): number {
  const d1 = (nowMs - t1Ms) * 1e6;
  const d2 = (nowMs - t2Ms) * 1e6;
  const r1 = d1 > 0 ? Math.floor(Math.log2(d1)) : -1;
  const r2 = d2 > 0 ? Math.floor(Math.log2(d2)) : -1;
  return r1 - r2;
}

/** Rules 1–3 shared by both orderings; undefined when they do not decide. */
function compareStartup(a: Pod, b: Pod): boolean | undefined {
  // 1. Unassigned < assigned
  const na = a.spec?.nodeName ?? "";
  const nb = b.spec?.nodeName ?? "";
  if (na !== nb && (na === "" || nb === "")) return na === "";
  // 2. PodPending < PodUnknown < PodRunning
  if (phaseOrdinal(a) !== phaseOrdinal(b)) return phaseOrdinal(a) < phaseOrdinal(b);
  // 3. Not ready < ready
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  return undefined;
}

/** upstream's ActivePods.Less: true when a should be deleted before b. */
export function activePodsLess(a: Pod, b: Pod): boolean {
  const startup = compareStartup(a, b);
  if (startup !== undefined) return startup;
  // 4. Been ready for empty time < less time < more time
  if (isPodReady(a) && isPodReady(b)) {
    const ra = podReadyTimeMs(a);
    const rb = podReadyTimeMs(b);
    if (ra !== rb) return afterOrZero(ra, rb);
  }
  // 5. Pods with containers with higher restart counts < lower restart counts
  if (maxContainerRestarts(a) !== maxContainerRestarts(b))
    return maxContainerRestarts(a) > maxContainerRestarts(b);
  // 6. Empty creation time pods < newer pods < older pods
  const ca = timeMs(a.metadata?.creationTimestamp);
  const cb = timeMs(b.metadata?.creationTimestamp);
  if (ca !== cb) return afterOrZero(ca, cb);
  return false;
}

/** A pod with its rank: how many active related pods share its node (more means "doubled up"). */
export interface RankedPod {
  pod: Pod;
  rank: number;
}

/** Compares two times the LogarithmicScaleDown way, tie-broken by uid. */
function logarithmicLess(ta: number, tb: number, nowMs: number, a: Pod, b: Pod): boolean {
  if (nowMs === 0 || ta === 0 || tb === 0) return afterOrZero(ta, tb);
  const diff = logarithmicRankDiff(ta, tb, nowMs);
  if (diff === 0) return (a.metadata?.uid ?? "") < (b.metadata?.uid ?? "");
  return diff < 0;
}

/** upstream's ActivePodsWithRanks.Less: true when a should be deleted before b. */
export function activePodsWithRanksLess(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const startup = compareStartup(a.pod, b.pod);
  if (startup !== undefined) return startup;
  // 4. lower pod-deletion-cost < higher pod-deletion cost
  const costA = getDeletionCostFromPodAnnotations(a.pod.metadata?.annotations);
  const costB = getDeletionCostFromPodAnnotations(b.pod.metadata?.annotations);
  if (costA !== costB) return costA < costB;
  // 5. Doubled up < not doubled up
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Been ready for empty time < less time < more time
  if (isPodReady(a.pod) && isPodReady(b.pod)) {
    const ra = podReadyTimeMs(a.pod);
    const rb = podReadyTimeMs(b.pod);
    if (ra !== rb) return logarithmicLess(ra, rb, nowMs, a.pod, b.pod);
  }
  // 7. Pods with containers with higher restart counts < lower restart counts
  const restartsA = maxContainerRestarts(a.pod);
  const restartsB = maxContainerRestarts(b.pod);
  if (restartsA !== restartsB) return restartsA > restartsB;
  // 8. Empty creation time pods < newer pods < older pods
  const ca = timeMs(a.pod.metadata?.creationTimestamp);
  const cb = timeMs(b.pod.metadata?.creationTimestamp);
  if (ca !== cb) return logarithmicLess(ca, cb, nowMs, a.pod, b.pod);
  return false;
}

function lessToCompare<T>(less: (a: T, b: T) => boolean): (a: T, b: T) => number {
  return (a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
}

/** Sorts pods in place in upstream's ActivePods order (first = first to delete). */
export function sortActivePods(pods: Pod[]): Pod[] {
  return pods.sort(lessToCompare(activePodsLess));
}

/** Sorts ranked pods in place in upstream's ActivePodsWithRanks order at nowMs. */
export function sortActivePodsWithRanks(pods: RankedPod[], nowMs: number): RankedPod[] {
  return pods.sort(lessToCompare((a: RankedPod, b: RankedPod) => activePodsWithRanksLess(a, b, nowMs)));
}

/**
 * upstream's getPodsRankedByRelatedPodsOnSameNode: each pod ranked by the
 * number of active pods of relatedPods on its node (relatedPods is usually a
 * superset of podsToRank: the pods of every ReplicaSet of the same Deployment).
 */
export function getPodsRankedByRelatedPodsOnSameNode(podsToRank: Pod[], relatedPods: Pod[]): RankedPod[] {
  const podsOnNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? "";
    podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + 1);
  }
  return podsToRank.map((pod) => ({ pod, rank: podsOnNode.get(pod.spec?.nodeName ?? "") ?? 0 }));
}

/** upstream's getPodsToDelete: the diff pods of filteredPods to delete first. */
export function getPodsToDelete(filteredPods: Pod[], relatedPods: Pod[], diff: number, nowMs: number): Pod[] {
  // No need to sort when all of them go.
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const ranked = sortActivePodsWithRanks(
    getPodsRankedByRelatedPodsOnSameNode(filteredPods, relatedPods),
    nowMs,
  );
  return ranked.slice(0, diff).map((r) => r.pod);
}
