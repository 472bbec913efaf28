// upstream's pkg/controller/deployment/progress.go: the status of a
// deployment in the middle of a rollout. The Progressing condition says
// whether the rollout completed (NewReplicaSetAvailable), moves
// (ReplicaSetUpdated) or stalled past progressDeadlineSeconds
// (ProgressDeadlineExceeded); a stalled-looking deployment is requeued for the
// moment its deadline passes.
import type { DeploymentCondition } from "kubernetes-types/apps/v1.d.ts";
import {
  DEPLOYMENT_PROGRESSING,
  DEPLOYMENT_REPLICA_FAILURE,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getDeploymentCondition,
  NEW_RS_AVAILABLE_REASON,
  newDeploymentCondition,
  REPLICA_SET_UPDATED_REASON,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  setDeploymentCondition,
  TIMED_OUT_REASON,
} from "./conditions.ts";
import {
  calculateStatus,
  normalizeStatus,
  type SyncContext,
  statusEqual,
  updateDeploymentStatus,
} from "./sync.ts";
import { type DeploymentObj, hasProgressDeadline, type ReplicaSetObj } from "./util.ts";

/**
 * Updates the status during a rollout. A resync right after a scale-up can
 * land here too; a finished rollout (one RS, NewReplicaSetAvailable) is not
 * estimated again.
 */
export async function syncRolloutStatus(
  dc: SyncContext,
  allRSs: Array<ReplicaSetObj | undefined>,
  newRS: ReplicaSetObj | undefined,
  d: DeploymentObj,
): Promise<void> {
  const now = dc.clock.now();
  const newStatus = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, DEPLOYMENT_PROGRESSING);

  const currentCond = getDeploymentCondition(d.status, DEPLOYMENT_PROGRESSING);
  const isCompleteDeployment =
    (newStatus.replicas ?? 0) === (newStatus.updatedReplicas ?? 0) &&
    currentCond?.reason === NEW_RS_AVAILABLE_REASON;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const name = d.metadata?.name;
    const rsName = newRS?.metadata?.name;
    if (deploymentComplete(d, newStatus)) {
      const msg = newRS
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : `Deployment "${name}" has successfully progressed.`;
      setDeploymentCondition(
        newStatus,
        newDeploymentCondition(DEPLOYMENT_PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, msg, now),
      );
    } else if (deploymentProgressing(d, newStatus)) {
      // Progress moves lastUpdateTime even with the same reason, so this bypasses setDeploymentCondition's no-op.
      const msg = newRS ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${name}" is progressing.`;
      const condition = newDeploymentCondition(
        DEPLOYMENT_PROGRESSING,
        "True",
        REPLICA_SET_UPDATED_REASON,
        msg,
        now,
      );
      if (currentCond) {
        if (currentCond.status === "True") condition.lastTransitionTime = currentCond.lastTransitionTime;
        removeDeploymentCondition(newStatus, DEPLOYMENT_PROGRESSING);
      }
      setDeploymentCondition(newStatus, condition);
    } else if (deploymentTimedOut(d, newStatus, now)) {
      const msg = newRS
        ? `ReplicaSet "${rsName}" has timed out progressing.`
        : `Deployment "${name}" has timed out progressing.`;
      setDeploymentCondition(
        newStatus,
        newDeploymentCondition(DEPLOYMENT_PROGRESSING, "False", TIMED_OUT_REASON, msg, now),
      );
    }
  }

  // Failures of the replica sets (only one is reported) surface on the deployment.
  const replicaFailureCond = getReplicaFailures(allRSs, newRS);
  if (replicaFailureCond.length > 0) setDeploymentCondition(newStatus, replicaFailureCond[0]);
  else removeDeploymentCondition(newStatus, DEPLOYMENT_REPLICA_FAILURE);

  const normalized = normalizeStatus(newStatus);
  if (statusEqual(d.status, normalized)) {
    requeueStuckDeployment(dc, d, normalized, now);
    return;
  }
  d.status = normalized;
  await updateDeploymentStatus(dc, d);
}

/** ReplicaFailure conditions of the new RS, else of any RS, as deployment conditions. */
export function getReplicaFailures(
  allRSs: Array<ReplicaSetObj | undefined>,
  newRS: ReplicaSetObj | undefined,
): DeploymentCondition[] {
  const fromRS = (rs: ReplicaSetObj) =>
    (rs.status?.conditions ?? [])
      .filter((c) => c.type === DEPLOYMENT_REPLICA_FAILURE)
      .map(replicaSetToDeploymentCondition);
  if (newRS) {
    const conditions = fromRS(newRS);
    if (conditions.length > 0) return conditions;
  }
  return allRSs.flatMap((rs) => (rs ? fromRS(rs) : []));
}

/**
 * Requeues a deployment that shows no progress for the moment its deadline
 * passes (kubernetes#34458). Returns that delay in ms, 0 when requeued now,
 * -1 when no check is needed.
 */
export function requeueStuckDeployment(
  dc: SyncContext,
  d: DeploymentObj,
  newStatus: ReturnType<typeof normalizeStatus>,
  nowMs: number,
): number {
  const currentCond = getDeploymentCondition(d.status, DEPLOYMENT_PROGRESSING);
  if (!hasProgressDeadline(d) || !currentCond) return -1;
  if (deploymentComplete(d, newStatus) || currentCond.reason === TIMED_OUT_REASON) return -1;
  const lastUpdate = Date.parse(currentCond.lastUpdateTime ?? "");
  if (Number.isNaN(lastUpdate)) return -1;
  const after = lastUpdate + d.spec!.progressDeadlineSeconds! * 1000 - nowMs;
  // Less than a second left: now, but rate limited, until it completes or times out.
  if (after < 1000) {
    dc.enqueueRateLimited(d);
    return 0;
  }
  // A second more against millisecond skew in enqueueAfter (kubernetes#39785).
  dc.enqueueAfter(d, after + 1000);
  return after;
}
