// upstream's pkg/controller/deployment/rolling.go: the RollingUpdate
// strategy. Each sync either scales the new ReplicaSet up (as far as maxSurge
// allows) or the old ones down (as far as maxUnavailable allows, unhealthy
// replicas first), then records the status; once complete, old ReplicaSets
// past revisionHistoryLimit go.
import { deploymentComplete } from "./conditions.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  type SyncContext,
  scaleReplicaSetAndRecordEvent,
} from "./sync.ts";
import {
  byCreationTimestamp,
  type DeploymentObj,
  deploymentReplicas,
  filterActiveReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  maxUnavailable,
  newRSNewReplicas,
  type ReplicaSetObj,
  rsReplicas,
} from "./util.ts";

export async function rolloutRolling(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
  // createIfNotExisted: there is a new RS now.
  const allRSs = [...oldRSs, newRS!];

  if (await reconcileNewReplicaSet(dc, allRSs, newRS!, d)) {
    await syncRolloutStatus(dc, allRSs, newRS, d);
    return;
  }
  if (await reconcileOldReplicaSets(dc, allRSs, filterActiveReplicaSets(oldRSs), newRS!, d)) {
    await syncRolloutStatus(dc, allRSs, newRS, d);
    return;
  }
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  await syncRolloutStatus(dc, allRSs, newRS, d);
}

/** Scales the new RS toward spec.replicas within maxSurge; true when it scaled. */
export async function reconcileNewReplicaSet(
  dc: SyncContext,
  allRSs: ReplicaSetObj[],
  newRS: ReplicaSetObj,
  d: DeploymentObj,
): Promise<boolean> {
  if (rsReplicas(newRS) === deploymentReplicas(d)) return false;
  if (rsReplicas(newRS) > deploymentReplicas(d)) {
    return (await scaleReplicaSetAndRecordEvent(dc, newRS, deploymentReplicas(d), d)).scaled;
  }
  const newReplicasCount = newRSNewReplicas(d, allRSs, newRS);
  return (await scaleReplicaSetAndRecordEvent(dc, newRS, newReplicasCount, d)).scaled;
}

/**
 * Scales old RSes down as far as availability allows: at most
 * allPods - minAvailable - (new RS pods not yet available), so pods of a new
 * RS that never become available do not let us take healthy old ones away
 * (but do let a rollback remove them).
 */
export async function reconcileOldReplicaSets(
  dc: SyncContext,
  allRSs: ReplicaSetObj[],
  oldRSs: ReplicaSetObj[],
  newRS: ReplicaSetObj,
  d: DeploymentObj,
): Promise<boolean> {
  const oldPodsCount = getReplicaCountForReplicaSets(oldRSs);
  if (oldPodsCount === 0) return false;
  const allPodsCount = getReplicaCountForReplicaSets(allRSs);
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newRSUnavailablePodCount = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;

  // Unhealthy replicas first: otherwise they block the rollout until it times out (kubernetes#16737).
  let cleanup: { oldRSs: ReplicaSetObj[]; cleanupCount: number };
  try {
    cleanup = await cleanupUnhealthyReplicas(dc, oldRSs, d, maxScaledDown);
  } catch {
    return false;
  }
  let scaledDownCount: number;
  try {
    scaledDownCount = await scaleDownOldReplicaSetsForRollingUpdate(
      dc,
      [...cleanup.oldRSs, newRS],
      cleanup.oldRSs,
      d,
    );
  } catch {
    return false;
  }
  return cleanup.cleanupCount + scaledDownCount > 0;
}

/** Scales old RSes down by their unavailable replicas (the RS controller deletes those first). */
export async function cleanupUnhealthyReplicas(
  dc: SyncContext,
  oldRSs: ReplicaSetObj[],
  d: DeploymentObj,
  maxCleanupCount: number,
): Promise<{ oldRSs: ReplicaSetObj[]; cleanupCount: number }> {
  oldRSs.sort(byCreationTimestamp);
  let totalScaledDown = 0;
  for (let i = 0; i < oldRSs.length; i++) {
    const target = oldRSs[i];
    if (totalScaledDown >= maxCleanupCount) break;
    if (rsReplicas(target) === 0) continue;
    const available = target.status?.availableReplicas ?? 0;
    if (rsReplicas(target) === available) continue;
    const scaledDownCount = Math.min(maxCleanupCount - totalScaledDown, rsReplicas(target) - available);
    const newReplicasCount = rsReplicas(target) - scaledDownCount;
    if (newReplicasCount > rsReplicas(target)) {
      throw new Error(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${target.metadata?.namespace}/${target.metadata?.name} ${rsReplicas(target)} -> ${newReplicasCount}`,
      );
    }
    const { rs } = await scaleReplicaSetAndRecordEvent(dc, target, newReplicasCount, d);
    totalScaledDown += scaledDownCount;
    oldRSs[i] = rs;
  }
  return { oldRSs, cleanupCount: totalScaledDown };
}

/** Scales old RSes down, oldest first, by what is available beyond minAvailable. */
export async function scaleDownOldReplicaSetsForRollingUpdate(
  dc: SyncContext,
  allRSs: ReplicaSetObj[],
  oldRSs: ReplicaSetObj[],
  d: DeploymentObj,
): Promise<number> {
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  oldRSs.sort(byCreationTimestamp);
  let totalScaledDown = 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  for (const target of oldRSs) {
    if (totalScaledDown >= totalScaleDownCount) break;
    if (rsReplicas(target) === 0) continue;
    const scaleDownCount = Math.min(rsReplicas(target), totalScaleDownCount - totalScaledDown);
    const newReplicasCount = rsReplicas(target) - scaleDownCount;
    if (newReplicasCount > rsReplicas(target)) {
      throw new Error(
        `when scaling down old RS, got invalid request to scale down ${target.metadata?.namespace}/${target.metadata?.name} ${rsReplicas(target)} -> ${newReplicasCount}`,
      );
    }
    await scaleReplicaSetAndRecordEvent(dc, target, newReplicasCount, d);
    totalScaledDown += scaleDownCount;
  }
  return totalScaledDown;
}
