// How the Job controller looks at its pods: which count as failed (it depends
// on the Job's podReplacementPolicy), which are terminating, and the order in
// which surplus active pods are deleted (upstream's controller.ActivePods).
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodReady, isPodTerminal, podReadyCondition } from "../util/pods.ts";

/**
 * Replace only pods that reached Failed, not those merely being deleted:
 * podReplacementPolicy Failed, or any Job with a pod failure policy (whose
 * rules need the final exit codes).
 */
export function onlyReplaceFailedPods(job: Job): boolean {
  if (job.spec?.podReplacementPolicy === "Failed") return true;
  return job.spec?.podFailurePolicy != null;
}

/** Failed, or (unless only failed pods are replaced) deleted before it could succeed. */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  // A deleted pod may never reach Failed (an orphan removed by the pod GC), so count it as failed now.
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded";
}

/** Being deleted but not finished yet (upstream's IsPodTerminating). */
export function isPodTerminating(p: Pod): boolean {
  return !isPodTerminal(p) && !!p.metadata?.deletionTimestamp;
}

export function countTerminatingPods(pods: readonly Pod[]): number {
  return pods.filter(isPodTerminating).length;
}

export function countReadyPods(pods: readonly Pod[]): number {
  return pods.filter(isPodReady).length;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxContainerRestarts(p: Pod): number {
  let max = 0;
  for (const c of p.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

function timeMs(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** upstream's afterOrZero: a zero time sorts first, then later before earlier. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/**
 * upstream's ActivePods.Less: the pod to delete first sorts first. Unscheduled
 * < scheduled, Pending < Unknown < Running, not ready < ready, ready more
 * recently < ready longer, more restarts < fewer, newer < older.
 */
export function activePodsLess(a: Pod, b: Pod): boolean {
  const na = a.spec?.nodeName ?? "";
  const nb = b.spec?.nodeName ?? "";
  if (na !== nb && (na === "" || nb === "")) return na === "";
  const pa = phaseOrdinal[a.status?.phase ?? ""] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ""] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return !ra;
  if (ra && rb) {
    const ta = timeMs(podReadyCondition(a)?.lastTransitionTime);
    const tb = timeMs(podReadyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return afterOrZero(ta, tb);
  }
  const ca = maxContainerRestarts(a);
  const cb = maxContainerRestarts(b);
  if (ca !== cb) return ca > cb;
  const sa = timeMs(a.metadata?.creationTimestamp);
  const sb = timeMs(b.metadata?.creationTimestamp);
  if (sa !== sb) return afterOrZero(sa, sb);
  return false;
}

/** A comparator for Array.prototype.sort from activePodsLess. */
export function compareActivePods(a: Pod, b: Pod): number {
  if (activePodsLess(a, b)) return -1;
  if (activePodsLess(b, a)) return 1;
  return 0;
}
