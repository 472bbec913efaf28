// upstream's replica_set_utils.go: the status a ReplicaSet (or a
// ReplicationController seen as one) should have given its active pods, the
// ReplicaFailure condition that reports a failed create or delete, and the
// check that decides whether the status needs writing at all.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { selectorFromSet } from "../../machinery/labels.ts";
import { isPodAvailable, isPodReady } from "../util/pods.ts";

/** The condition type a failed create or delete of pods sets (apps.ReplicaSetReplicaFailure). */
export const REPLICA_SET_REPLICA_FAILURE = "ReplicaFailure";

export function newReplicaSetCondition(
  type: string,
  status: "True" | "False" | "Unknown",
  reason: string,
  message: string,
  nowMs: number,
): ReplicaSetCondition {
  return { type, status, lastTransitionTime: metaTime(nowMs), reason, message };
}

export function getCondition(
  status: ReplicaSetStatus | undefined,
  type: string,
): ReplicaSetCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

// Go's filterOutCondition appends to a nil slice: nothing left means nil (omitted), not [].
function filterOutCondition(
  conditions: ReplicaSetCondition[] | undefined,
  type: string,
): ReplicaSetCondition[] | undefined {
  const out = (conditions ?? []).filter((c) => c.type !== type);
  return out.length > 0 ? out : undefined;
}

/** Adds or replaces a condition; one with the same status and reason is left as it is (keeping its time). */
export function setCondition(status: ReplicaSetStatus, condition: ReplicaSetCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  status.conditions = [...(filterOutCondition(status.conditions, condition.type) ?? []), condition];
}

export function removeCondition(status: ReplicaSetStatus, type: string): void {
  const rest = filterOutCondition(status.conditions, type);
  if (rest) status.conditions = rest;
  else delete status.conditions;
}

/**
 * upstream's calculateStatus: counts of the ReplicaSet's active pods, and
 * ReplicaFailure set when manageReplicas failed (FailedCreate when pods were
 * missing, FailedDelete when there were too many) or removed once it succeeds.
 * observedGeneration is the previous one: the writer sets it.
 */
export function calculateStatus(
  rs: ReplicaSet,
  filteredPods: Pod[],
  manageReplicasErr: unknown,
  nowMs: number,
): ReplicaSetStatus {
  const newStatus: ReplicaSetStatus = deepCopyJson(rs.status ?? { replicas: 0 });
  // The template's labels are a superset of the selector, so fully labelled pods are among filteredPods.
  const templateLabel = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (templateLabel.matches(pod.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }

  const failureCond = getCondition(rs.status, REPLICA_SET_REPLICA_FAILURE);
  if (manageReplicasErr && !failureCond) {
    let reason = "";
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) reason = "FailedCreate";
    else if (diff > 0) reason = "FailedDelete";
    const message =
      manageReplicasErr instanceof Error ? manageReplicasErr.message : String(manageReplicasErr);
    setCondition(
      newStatus,
      newReplicaSetCondition(REPLICA_SET_REPLICA_FAILURE, "True", reason, message, nowMs),
    );
  } else if (!manageReplicasErr && failureCond) {
    removeCondition(newStatus, REPLICA_SET_REPLICA_FAILURE);
  }

  newStatus.replicas = filteredPods.length;
  setOrOmit(newStatus, "fullyLabeledReplicas", fullyLabeled);
  setOrOmit(newStatus, "readyReplicas", ready);
  setOrOmit(newStatus, "availableReplicas", available);
  return newStatus;
}

// The fields are omitempty in Go: a zero is not serialised.
function setOrOmit(
  status: ReplicaSetStatus,
  field: "fullyLabeledReplicas" | "readyReplicas" | "availableReplicas" | "observedGeneration",
  value: number,
): void {
  if (value) status[field] = value;
  else delete status[field];
}

function conditionsEqual(
  a: ReplicaSetCondition[] | undefined,
  b: ReplicaSetCondition[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c, i) => {
    const d = y[i];
    return (
      c.type === d.type &&
      c.status === d.status &&
      (c.reason ?? "") === (d.reason ?? "") &&
      (c.message ?? "") === (d.message ?? "") &&
      (c.lastTransitionTime ?? "") === (d.lastTransitionTime ?? "")
    );
  });
}

/**
 * The steady state of updateReplicaSetStatus: counts and conditions unchanged
 * and the current generation already observed, so nothing is written.
 */
export function statusUpToDate(rs: ReplicaSet, newStatus: ReplicaSetStatus): boolean {
  const cur = rs.status;
  return (
    (cur?.replicas ?? 0) === (newStatus.replicas ?? 0) &&
    (cur?.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
    (cur?.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) &&
    (cur?.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
    (rs.metadata?.generation ?? 0) === (cur?.observedGeneration ?? 0) &&
    conditionsEqual(cur?.conditions, newStatus.conditions)
  );
}

/** newStatus stamped with the generation it was computed from (what updateReplicaSetStatus writes). */
export function withObservedGeneration(rs: ReplicaSet, newStatus: ReplicaSetStatus): ReplicaSetStatus {
  const out = { ...newStatus };
  setOrOmit(out, "observedGeneration", rs.metadata?.generation ?? 0);
  return out;
}
