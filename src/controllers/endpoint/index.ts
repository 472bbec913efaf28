// The Endpoints controller (upstream's pkg/controller/endpoint): core/v1
// Endpoints for every Service with a selector, and the canonical subset form
// (RepackSubsets) other code may want. Left out: the controller's metrics.
import type { Endpoints, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { EndpointsController } from "./endpoints-controller.ts";

export {
  capacityAnnotationSetCorrectly,
  ENDPOINTS_OVER_CAPACITY,
  MAX_CAPACITY,
  TRUNCATED,
  truncateEndpoints,
} from "./capacity.ts";
export {
  EndpointsController,
  type EndpointsControllerOptions,
  endpointSubsetsEqualIgnoreResourceVersion,
  LEADER_ELECTION_RECORD_ANNOTATION,
  podToEndpointAddressForService,
} from "./endpoints-controller.ts";
export { lessEndpointAddress, repackSubsets, sortSubsets } from "./repack.ts";
export { StaleEndpointsTracker } from "./stale-endpoints-tracker.ts";

export interface EndpointsControllerSettings {
  /** --endpoint-updates-batch-period in ms (0). */
  endpointUpdatesBatchPeriodMs?: number;
}

/** The descriptor with non-default flag values. */
export function newEndpointsControllerDescriptor(s: EndpointsControllerSettings = {}): ControllerDescriptor {
  return {
    name: "endpoints-controller",
    aliases: ["endpoint"],
    serviceAccount: "endpoint-controller",
    eventSource: "endpoint-controller",
    concurrency: { flag: "concurrent-endpoint-syncs", default: 5 },
    init: (ctx) => {
      const c = new EndpointsController({
        client: ctx.client,
        recorder: ctx.recorder,
        clock: ctx.clock,
        serviceInformer: ctx.informers.forResource<Service>(Resources.services),
        podInformer: ctx.informers.forResource<Pod>(Resources.pods),
        endpointsInformer: ctx.informers.forResource<Endpoints>(Resources.endpoints),
        endpointUpdatesBatchPeriodMs: s.endpointUpdatesBatchPeriodMs,
        log: ctx.log,
      });
      return {
        controllers: [c.controller],
        run: async () => {
          // The caches are synced by now: find Endpoints whose Service went while we were away.
          c.enqueueLeftoverEndpoints();
          await c.controller.run(ctx.workers, ctx.signal);
        },
      };
    },
  };
}

export const endpointsControllerDescriptor: ControllerDescriptor = newEndpointsControllerDescriptor();
