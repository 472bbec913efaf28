// The ReplicaSet and ReplicationController controllers (one logic, two kinds),
// and the pieces other workload controllers reuse: the scale-down order of
// pods, slow-start batches, and the ReplicaSet status and conditions.
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod, ReplicationController } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject } from "../../client/rest-client.ts";
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import { type ReplicaSetKind, replicaSetKind, replicationControllerKind } from "./kinds.ts";
import { ReplicaSetController } from "./replica-set.ts";

export {
  activePodsLess,
  activePodsWithRanksLess,
  filterActivePods,
  getDeletionCostFromPodAnnotations,
  getPodsRankedByRelatedPodsOnSameNode,
  getPodsToDelete,
  logarithmicRankDiff,
  maxContainerRestarts,
  POD_DELETION_COST_ANNOTATION,
  podReadyTimeMs,
  type RankedPod,
  sortActivePods,
  sortActivePodsWithRanks,
} from "./active-pods.ts";
export {
  type ReplicaSetKind,
  rcSelectorToLabelSelector,
  replicaSetKind,
  replicationControllerKind,
} from "./kinds.ts";
export {
  BURST_REPLICAS,
  CONTROLLER_UID_INDEX,
  ReplicaSetController,
  type ReplicaSetControllerOptions,
} from "./replica-set.ts";
export { SLOW_START_INITIAL_BATCH_SIZE, type SlowStartResult, slowStartBatch } from "./slow-start.ts";
export {
  calculateStatus,
  getCondition,
  newReplicaSetCondition,
  REPLICA_SET_REPLICA_FAILURE,
  removeCondition,
  setCondition,
  statusUpToDate,
  withObservedGeneration,
} from "./status.ts";

function initFor<T extends KubeObject>(
  kind: ReplicaSetKind<T>,
  ctx: ControllerContext,
): InitializedController {
  const c = new ReplicaSetController<T>({
    kind,
    client: ctx.client,
    recorder: ctx.recorder,
    clock: ctx.clock,
    rsInformer: ctx.informers.forResource<T>(kind.resource),
    podInformer: ctx.informers.forResource<Pod>(Resources.pods),
    log: ctx.log,
  });
  return { controllers: [c.controller] };
}

export const replicaSetControllerDescriptor: ControllerDescriptor = {
  name: "replicaset-controller",
  aliases: ["replicaset"],
  serviceAccount: "replicaset-controller",
  eventSource: "replicaset-controller",
  concurrency: { flag: "concurrent-replicaset-syncs", default: 5 },
  init: (ctx) => initFor<ReplicaSet>(replicaSetKind, ctx),
};

export const replicationControllerDescriptor: ControllerDescriptor = {
  name: "replicationcontroller-controller",
  aliases: ["replicationcontroller"],
  serviceAccount: "replication-controller",
  eventSource: "replication-controller",
  concurrency: { flag: "concurrent-rc-syncs", default: 5 },
  init: (ctx) => initFor<ReplicationController>(replicationControllerKind, ctx),
};
