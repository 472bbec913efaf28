// The disruption controller (upstream's pkg/controller/disruption): the status
// of every PodDisruptionBudget, which the eviction API reads and decrements.
import type { Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod, ReplicationController } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import { DisruptionController, PDB_RESOURCE } from "./disruption.ts";

export {
  DisruptionController,
  type DisruptionControllerOptions,
  labelSelectorString,
  PDB_RESOURCE,
  STALE_POD_DISRUPTION_TIMEOUT_MS,
} from "./disruption.ts";
export {
  type ControllerAndScale,
  type FinderListers,
  PodControllerFinders,
  parseGroupVersion,
} from "./finders.ts";
export {
  buildDisruptedPodMap,
  conditionsAreUpToDate,
  countHealthyPods,
  DELETION_TIMEOUT_MS,
  DISRUPTION_ALLOWED_CONDITION,
  type DisruptedPods,
  failSafeStatus,
  getExpectedPodCount,
  getExpectedScale,
  INSUFFICIENT_PODS_REASON,
  newPdbStatus,
  SUFFICIENT_PODS_REASON,
  SYNC_FAILED_REASON,
  setStatusCondition,
  updateDisruptionAllowedCondition,
} from "./status.ts";

function init(ctx: ControllerContext): InitializedController {
  const dc = new DisruptionController({
    client: ctx.client,
    recorder: ctx.recorder,
    clock: ctx.clock,
    podInformer: ctx.informers.forResource<Pod>(Resources.pods),
    pdbInformer: ctx.informers.forResource<PodDisruptionBudget>(PDB_RESOURCE),
    listers: {
      replicationControllers: ctx.informers
        .forResource<ReplicationController>(Resources.replicationcontrollers)
        .getIndexer(),
      replicaSets: ctx.informers.forResource<ReplicaSet>(Resources.replicasets).getIndexer(),
      deployments: ctx.informers.forResource<Deployment>(Resources.deployments).getIndexer(),
      statefulSets: ctx.informers.forResource<StatefulSet>(Resources.statefulsets).getIndexer(),
    },
    log: ctx.log,
  });
  return {
    controllers: [dc.controller, dc.stalePodDisruption],
    async run() {
      // upstream starts it with one worker (there is no --concurrent-*-syncs flag for it).
      await Promise.all([dc.controller.run(1, ctx.signal), dc.stalePodDisruption.run(1, ctx.signal)]);
    },
  };
}

export const disruptionControllerDescriptor: ControllerDescriptor = {
  name: "disruption-controller",
  aliases: ["disruption"],
  serviceAccount: "disruption-controller",
  // upstream's recorder: v1.EventSource{Component: "controllermanager"}.
  eventSource: "controllermanager",
  init,
};
