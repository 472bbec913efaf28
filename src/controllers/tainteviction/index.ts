// The taint eviction controller's entry point for the controller-manager
// (upstream's startTaintEvictionController: it runs with the node
// controller's identity and role).
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { TaintEvictionController } from "./taint-eviction.ts";

export {
  DISRUPTION_TARGET,
  patchPodStatus,
  podStatusPatch,
  updatePodCondition,
} from "../util/pod-status.ts";
export {
  addNodeNameIndex,
  getMatchingTolerations,
  getMinTolerationTime,
  getNoExecuteTaints,
  NODE_NAME_INDEX,
  TaintEvictionController,
  type TaintEvictionControllerOptions,
} from "./taint-eviction.ts";
export { type TimedWorker, TimedWorkerQueue } from "./timed-workers.ts";

export const taintEvictionControllerDescriptor: ControllerDescriptor = {
  name: "taint-eviction-controller",
  // upstream gives it no alias (feature-gated controllers may not have one).
  aliases: [],
  serviceAccount: "node-controller",
  eventSource: "taint-eviction-controller",
  init(ctx) {
    const tc = new TaintEvictionController({
      client: ctx.client,
      recorder: ctx.recorder,
      clock: ctx.clock,
      podInformer: ctx.informers.forResource<Pod>(Resources.pods),
      nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
      log: ctx.log,
    });
    return {
      controllers: [tc.nodeController, tc.podController],
      run: () => tc.run(ctx.signal),
    };
  },
};
