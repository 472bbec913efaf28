// The pod garbage collector's entry point for the controller-manager.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { DEFAULT_TERMINATED_POD_GC_THRESHOLD, PodGCController } from "./gc-controller.ts";

export {
  byEvictionAndCreationTimestamp,
  DEFAULT_TERMINATED_POD_GC_THRESHOLD,
  GC_CHECK_PERIOD_MS,
  isPodTerminated,
  PodGCController,
  type PodGCControllerOptions,
  podIsEvicted,
  QUARANTINE_TIME_MS,
  terminatedPodsToDelete,
} from "./gc-controller.ts";

/** Periods for integration tests (upstream's NewPodGCInternal); the manager uses upstream's. */
export interface PodGCTuning {
  gcCheckPeriodMs?: number;
  quarantineTimeMs?: number;
}

export function newPodGCControllerDescriptor(tuning: PodGCTuning = {}): ControllerDescriptor {
  return {
    name: "pod-garbage-collector-controller",
    aliases: ["podgc"],
    serviceAccount: "pod-garbage-collector",
    // PodGC records no events; the name its client would carry.
    eventSource: "pod-garbage-collector",
    init(ctx) {
      const gc = new PodGCController({
        client: ctx.client,
        podInformer: ctx.informers.forResource<Pod>(Resources.pods),
        nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
        clock: ctx.clock,
        terminatedPodThreshold: ctx.config.terminatedPodGCThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD,
        ...tuning,
        log: ctx.log,
      });
      return { controllers: [], run: () => gc.run(ctx.signal) };
    },
  };
}

export const podGCControllerDescriptor: ControllerDescriptor = newPodGCControllerDescriptor();
