// upstream's pkg/controller/deployment/recreate.go: the Recreate strategy.
// Old ReplicaSets go to zero, and only when none of their pods runs any more
// is the new ReplicaSet created and scaled up to spec.replicas at once.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { deploymentComplete } from "./conditions.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  type SyncContext,
  scaleReplicaSetAndRecordEvent,
} from "./sync.ts";
import {
  type DeploymentObj,
  deploymentReplicas,
  filterActiveReplicaSets,
  getActualReplicaCountForReplicaSets,
  type ReplicaSetObj,
  rsReplicas,
} from "./util.ts";

/** Pods of the deployment by the uid of the RS that controls them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
  podMap: PodMap,
): Promise<void> {
  // No new RS yet, so that nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  let allRSs: Array<ReplicaSetObj | undefined> = [...oldRSs, newRS];
  const activeOldRSs = filterActiveReplicaSets(oldRSs);

  if (await scaleDownOldReplicaSetsForRecreate(dc, activeOldRSs, d)) {
    await syncRolloutStatus(dc, allRSs, newRS, d);
    return;
  }
  if (oldPodsRunning(newRS, oldRSs, podMap)) {
    await syncRolloutStatus(dc, allRSs, newRS, d);
    return;
  }
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  await scaleUpNewReplicaSetForRecreate(dc, newRS!, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  await syncRolloutStatus(dc, allRSs, newRS, d);
}

/** Scales every active old RS to zero; true when any was scaled. */
export async function scaleDownOldReplicaSetsForRecreate(
  dc: SyncContext,
  oldRSs: ReplicaSetObj[],
  d: DeploymentObj,
): Promise<boolean> {
  let scaled = false;
  for (let i = 0; i < oldRSs.length; i++) {
    if (rsReplicas(oldRSs[i]) === 0) continue;
    const r = await scaleReplicaSetAndRecordEvent(dc, oldRSs[i], 0, d);
    if (r.scaled) {
      oldRSs[i] = r.rs;
      scaled = true;
    }
  }
  return scaled;
}

/** An old RS still counts pods, or a pod of an old RS is not finished (Unknown counts as running). */
export function oldPodsRunning(
  newRS: ReplicaSetObj | undefined,
  oldRSs: ReplicaSetObj[],
  podMap: PodMap,
): boolean {
  if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
  for (const [rsUID, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === rsUID) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === "Failed" || phase === "Succeeded") continue;
      return true;
    }
  }
  return false;
}

export async function scaleUpNewReplicaSetForRecreate(
  dc: SyncContext,
  newRS: ReplicaSetObj,
  d: DeploymentObj,
): Promise<boolean> {
  return (await scaleReplicaSetAndRecordEvent(dc, newRS, deploymentReplicas(d), d)).scaled;
}
