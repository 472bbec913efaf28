// A StatefulSet's status (stateful_set_control.go computeReplicaStatus,
// stateful_set_utils.go inconsistentStatus and completeRollingUpdate,
// stateful_set_status_updater.go): the counts `kubectl rollout status sts`
// reads, the current and update revisions, and the collision count.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isConflict } from "../../client/api-error.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { getPodRevision } from "./identity.ts";
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from "./pod-state.ts";

/** Recounts replicas, ready, available, current and updated over the pod lists into status. */
export function updateStatus(
  status: StatefulSetStatus,
  minReadySeconds: number,
  currentRevision: ControllerRevision,
  updateRevision: ControllerRevision,
  nowMs: number,
  ...podLists: Pod[][]
): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const pods of podLists) {
    for (const pod of pods) {
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const revision = getPodRevision(pod);
        if (revision === currentRevision.metadata?.name) status.currentReplicas++;
        if (revision === updateRevision.metadata?.name) status.updatedReplicas++;
      }
    }
  }
}

/** Every replica is updated and ready: the update revision becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = set.spec?.replicas ?? 1;
  if (
    (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate" &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** status differs from the set's in a field the controller owns (collisionCount is not compared, as upstream). */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const s = set.status ?? { replicas: 0 };
  return (
    (status.observedGeneration ?? 0) > (s.observedGeneration ?? 0) ||
    status.replicas !== s.replicas ||
    (status.currentReplicas ?? 0) !== (s.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (s.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (s.updatedReplicas ?? 0) ||
    (status.currentRevision ?? "") !== (s.currentRevision ?? "") ||
    (status.availableReplicas ?? 0) !== (s.availableReplicas ?? 0) ||
    (status.updateRevision ?? "") !== (s.updateRevision ?? "")
  );
}

/** status as Go encodes apps/v1 StatefulSetStatus: omitempty fields left out when zero, replicas and availableReplicas always. */
export function wireStatus(status: StatefulSetStatus): StatefulSetStatus {
  const out: StatefulSetStatus = { replicas: status.replicas ?? 0 };
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.currentReplicas) out.currentReplicas = status.currentReplicas;
  if (status.updatedReplicas) out.updatedReplicas = status.updatedReplicas;
  if (status.currentRevision) out.currentRevision = status.currentRevision;
  if (status.updateRevision) out.updateRevision = status.updateRevision;
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  out.availableReplicas = status.availableReplicas ?? 0;
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}

/** retry.DefaultRetry's steps. */
const STATUS_ATTEMPTS = 5;

/**
 * Writes status to the set's /status subresource. On a conflict (our cache
 * lags behind, often only by our own last status write) it starts again from
 * the set as the apiserver has it, and stops when that already shows status.
 */
export async function updateStatefulSetStatus(
  client: RestClient,
  set: StatefulSet,
  status: StatefulSetStatus,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.update<StatefulSet & { metadata: object }>(
        Resources.statefulsets,
        { ...structuredClone(set), status: wireStatus(status) } as StatefulSet & { metadata: object },
        { namespace: set.metadata?.namespace, subresource: "status" },
      );
      return;
    } catch (e) {
      if (!isConflict(e) || attempt >= STATUS_ATTEMPTS) throw e;
    }
    set = await client.get<StatefulSet>(Resources.statefulsets, set.metadata?.name ?? "", {
      namespace: set.metadata?.namespace,
    });
    if (!inconsistentStatus(set, status)) return;
  }
}
