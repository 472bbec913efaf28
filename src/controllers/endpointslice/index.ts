// The EndpointSlice controller (upstream's pkg/controller/endpointslice) and
// the pieces of the k8s.io/endpointslice library the Endpoints controller
// shares: which pods belong in endpoints, which Services a pod change
// concerns, named ports, the last-change-trigger-time tracker, and go-spew's
// hash input for upstream's canonical orders.
//
// Left out: topology-aware hints from the service.kubernetes.io/topology-mode
// annotation (they need upstream's per-zone CPU topology cache; such Services
// get no hints), the node-topology queue, and the controller's metrics.
import type { Node, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, EndpointSliceController } from "./endpointslice-controller.ts";
import { ENDPOINT_SLICES } from "./reconciler.ts";

export {
  endpointsEqualBeyondHash,
  findPort,
  formatRFC3339Nano,
  getPodServiceMemberships,
  getServicesToUpdateOnPodChange,
  newPortMapKey,
  podEndpointsChanged,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  sortPortsInOrder,
} from "./controller-utils.ts";
export {
  CORE_ENDPOINT_ADDRESS,
  CORE_ENDPOINT_PORT,
  CORE_ENDPOINT_SUBSET,
  DISCOVERY_ENDPOINT_PORT,
  deepHashObjectToString,
  dumpForHash,
  fnv128aHex,
  type GoType,
  md5ForHash,
  OBJECT_REFERENCE,
} from "./dump-for-hash.ts";
export { EndpointSet, endpointKey } from "./endpoint-set.ts";
export {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  EndpointSliceController,
  type EndpointSliceControllerOptions,
  StaleInformerCacheError,
} from "./endpointslice-controller.ts";
export { EndpointSliceTracker } from "./endpointslice-tracker.ts";
export * from "./labels.ts";
export { AggregatedError, ENDPOINT_SLICES, Reconciler, reconcileByPortMapping } from "./reconciler.ts";
export { reconcileHints, TRAFFIC_DISTRIBUTION_PREFER_CLOSE } from "./traffic-distribution.ts";
export { ENDPOINTS_LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker } from "./trigger-time-tracker.ts";
export {
  type AddressType,
  getAddressTypesForService,
  getEndpointSlicePrefix,
  isServiceIPSet,
  newEndpointSlice,
  podToEndpoint,
} from "./utils.ts";

export interface EndpointSliceControllerSettings {
  /** --max-endpoints-per-slice (100). */
  maxEndpointsPerSlice?: number;
  /** --endpointslice-updates-batch-period in ms (0). */
  endpointUpdatesBatchPeriodMs?: number;
}

/** The descriptor with non-default flag values. */
export function newEndpointSliceControllerDescriptor(
  s: EndpointSliceControllerSettings = {},
): ControllerDescriptor {
  return {
    name: "endpointslice-controller",
    aliases: ["endpointslice"],
    serviceAccount: "endpointslice-controller",
    eventSource: "endpoint-slice-controller",
    concurrency: { flag: "concurrent-service-endpoint-syncs", default: 5 },
    init: (ctx) => {
      const c = new EndpointSliceController({
        client: ctx.client,
        recorder: ctx.recorder,
        clock: ctx.clock,
        serviceInformer: ctx.informers.forResource<Service>(Resources.services),
        podInformer: ctx.informers.forResource<Pod>(Resources.pods),
        nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
        endpointSliceInformer: ctx.informers.forResource<EndpointSlice>(ENDPOINT_SLICES),
        maxEndpointsPerSlice: s.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE,
        endpointUpdatesBatchPeriodMs: s.endpointUpdatesBatchPeriodMs,
        log: ctx.log,
      });
      return { controllers: [c.controller] };
    },
  };
}

export const endpointSliceControllerDescriptor: ControllerDescriptor = newEndpointSliceControllerDescriptor();
