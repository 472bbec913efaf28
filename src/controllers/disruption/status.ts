// The arithmetic of a PodDisruptionBudget's status (upstream's disruption.go
// and component-helpers/apps/poddisruptionbudget): how many selected pods are
// healthy, how many must be, which evicted pods still count as going, and the
// DisruptionAllowed condition.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Condition } from "kubernetes-types/meta/v1.d.ts";
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from "kubernetes-types/policy/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import { getScaledValueFromIntOrPercent } from "../../machinery/intstr.ts";
import { isPodReady } from "../util/pods.ts";

/**
 * How long after an eviction is recorded in status.disruptedPods the pod is
 * expected to have a deletionTimestamp; after that it counts again (upstream's
 * DeletionTimeout).
 */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** policy/v1's condition type and reasons. */
export const DISRUPTION_ALLOWED_CONDITION = "DisruptionAllowed";
export const SUFFICIENT_PODS_REASON = "SufficientPods";
export const INSUFFICIENT_PODS_REASON = "InsufficientPods";
export const SYNC_FAILED_REASON = "SyncFailed";

/** status.disruptedPods: pod name → when the eviction was admitted (RFC 3339). */
export type DisruptedPods = Record<string, string>;

/** countHealthyPods: Ready pods that are neither being deleted nor just evicted. */
export function countHealthyPods(pods: readonly Pod[], disruptedPods: DisruptedPods, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const disrupted = disruptedPods[pod.metadata?.name ?? ""];
    // Expected to be deleted soon.
    if (disrupted !== undefined && Date.parse(disrupted) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** A pod the eviction API recorded but that was never deleted (upstream's NotDeleted event). */
export interface NotDeletedPod {
  pod: Pod;
  disruptedAt: string;
}

/**
 * buildDisruptedPodMap: the entries of status.disruptedPods still awaited —
 * pods that exist, are not being deleted yet and whose timeout has not passed
 * — and when to look again (the earliest timeout), in ms since the epoch.
 */
export function buildDisruptedPodMap(
  pods: readonly Pod[],
  pdb: PodDisruptionBudget,
  nowMs: number,
): { disruptedPods: DisruptedPods; recheckAtMs?: number; notDeleted: NotDeletedPod[] } {
  const recorded = pdb.status?.disruptedPods;
  const result: DisruptedPods = {};
  const notDeleted: NotDeletedPod[] = [];
  let recheckAtMs: number | undefined;
  if (!recorded) return { disruptedPods: result, notDeleted };
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? "";
    const at = recorded[name];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < nowMs) {
      notDeleted.push({ pod, disruptedAt: at });
    } else {
      if (recheckAtMs === undefined || expectedDeletion < recheckAtMs) recheckAtMs = expectedDeletion;
      result[name] = at;
    }
  }
  return { disruptedPods: result, recheckAtMs, notDeleted };
}

/** Finds the scale of a pod's controller: its uid and replicas, or undefined for a controller of another kind. */
export type ScaleOfController = (pod: Pod) => Promise<{ uid: string; scale: number } | undefined>;

/**
 * getExpectedScale: the sum of the scales of the controllers of the pods
 * (each counted once), and the pods without a controller. Throws "found no
 * controllers for pod" when no finder knows a pod's controller.
 */
export async function getExpectedScale(
  pods: readonly Pod[],
  controllerOf: (pod: Pod) => { uid: string } | undefined,
  scaleOf: ScaleOfController,
): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const controllerScale = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata?.name ?? "");
      continue;
    }
    if (controllerScale.has(ref.uid)) continue;
    const found = await scaleOf(pod);
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? "")}`);
    controllerScale.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of controllerScale.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/**
 * getExpectedPodCount: expectedPods and desiredHealthy. An integer
 * minAvailable counts the selected pods; a percentage, or maxUnavailable,
 * scales with the pods' controllers (percentages round up).
 */
export async function getExpectedPodCount(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  expectedScale: () => Promise<{ expectedCount: number; unmanagedPods: string[] }>,
): Promise<{ expectedCount: number; desiredHealthy: number; unmanagedPods: string[] }> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale();
    const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === "number") {
      return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    }
    const { expectedCount, unmanagedPods } = await expectedScale();
    const minAvailable = getScaledValueFromIntOrPercent(spec.minAvailable, expectedCount, true);
    return { expectedCount, desiredHealthy: minAvailable, unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/** metav1.Condition in Go's field order (observedGeneration omitempty, message not). */
function condition(
  type: string,
  status: "True" | "False",
  observedGeneration: number,
  lastTransitionTime: string,
  reason: string,
  message: string,
): Condition {
  const c = { type, status } as Condition;
  if (observedGeneration) c.observedGeneration = observedGeneration;
  return Object.assign(c, { lastTransitionTime, reason, message });
}

/**
 * apimeta.SetStatusCondition: adds or updates the condition of that type; the
 * transition time moves only when the status changes. Returns whether
 * anything changed.
 */
export function setStatusCondition(
  conditions: Condition[],
  next: {
    type: string;
    status: "True" | "False";
    reason: string;
    message?: string;
    observedGeneration?: number;
  },
  nowMs: number,
): boolean {
  const i = conditions.findIndex((c) => c.type === next.type);
  const message = next.message ?? "";
  const gen = next.observedGeneration ?? 0;
  if (i < 0) {
    conditions.push(condition(next.type, next.status, gen, metaTime(nowMs), next.reason, message));
    return true;
  }
  const old = conditions[i];
  const changed =
    old.status !== next.status ||
    old.reason !== next.reason ||
    (old.message ?? "") !== message ||
    (old.observedGeneration ?? 0) !== gen;
  const transition = old.status !== next.status ? metaTime(nowMs) : old.lastTransitionTime;
  conditions[i] = condition(next.type, next.status, gen, transition, next.reason, message);
  return changed;
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, nowMs: number): void {
  status.conditions ??= [];
  const allowed = status.disruptionsAllowed > 0;
  setStatusCondition(
    status.conditions,
    {
      type: DISRUPTION_ALLOWED_CONDITION,
      status: allowed ? "True" : "False",
      reason: allowed ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON,
      observedGeneration: status.observedGeneration,
    },
    nowMs,
  );
}

/** pdbhelper.ConditionsAreUpToDate. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED_CONDITION);
  if (!cond) return false;
  if ((pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) {
    return cond.status === "True" && cond.reason === SUFFICIENT_PODS_REASON;
  }
  return cond.status === "False" && cond.reason === INSUFFICIENT_PODS_REASON;
}

function sameDisruptedPods(a: DisruptedPods | undefined, b: DisruptedPods): boolean {
  const x = a ?? {};
  const keys = Object.keys(x);
  // Semantic equality: a missing map equals an empty one.
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && x[k] === b[k]);
}

/**
 * updatePdbStatus's computation: the new status, or undefined when the
 * current one already says the same. disruptionsAllowed stays 0 while no pod
 * is expected, so a budget whose pods have not appeared yet protects them.
 */
export function newPdbStatus(
  pdb: PodDisruptionBudget,
  o: { currentHealthy: number; desiredHealthy: number; expectedCount: number; disruptedPods: DisruptedPods },
  nowMs: number,
): PodDisruptionBudgetStatus | undefined {
  let disruptionsAllowed = o.currentHealthy - o.desiredHealthy;
  if (o.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const s = pdb.status;
  const generation = pdb.metadata?.generation ?? 0;
  if (
    s &&
    (s.currentHealthy ?? 0) === o.currentHealthy &&
    (s.desiredHealthy ?? 0) === o.desiredHealthy &&
    (s.expectedPods ?? 0) === o.expectedCount &&
    (s.disruptionsAllowed ?? 0) === disruptionsAllowed &&
    sameDisruptedPods(s.disruptedPods, o.disruptedPods) &&
    (s.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb)
  ) {
    return undefined;
  }
  // Go's field order; observedGeneration and disruptedPods are omitempty.
  const status = {} as PodDisruptionBudgetStatus;
  if (generation) status.observedGeneration = generation;
  if (Object.keys(o.disruptedPods).length > 0) status.disruptedPods = o.disruptedPods;
  status.disruptionsAllowed = disruptionsAllowed;
  status.currentHealthy = o.currentHealthy;
  status.desiredHealthy = o.desiredHealthy;
  status.expectedPods = o.expectedCount;
  status.conditions = structuredClone(s?.conditions ?? []);
  updateDisruptionAllowedCondition(status, nowMs);
  return status;
}

/** failSafe's status: no disruptions, and DisruptionAllowed False/SyncFailed with the error. */
export function failSafeStatus(
  pdb: PodDisruptionBudget,
  err: string,
  nowMs: number,
): PodDisruptionBudgetStatus {
  const status: PodDisruptionBudgetStatus = structuredClone(
    pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  );
  status.disruptionsAllowed = 0;
  status.conditions ??= [];
  setStatusCondition(
    status.conditions,
    {
      type: DISRUPTION_ALLOWED_CONDITION,
      status: "False",
      reason: SYNC_FAILED_REASON,
      message: err,
      observedGeneration: status.observedGeneration,
    },
    nowMs,
  );
  return status;
}
