// The node lifecycle controller's entry point for the controller-manager.
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { NodeLifecycleController } from "./node-lifecycle-controller.ts";
import type { EvictionSettings } from "./zones.ts";

export { markPodsNotReady } from "./mark-pods.ts";
export {
  computeNodeHealth,
  microTimeValue,
  type NodeHealthData,
  type NodeHealthResult,
} from "./node-health.ts";
export {
  NAMESPACE_NODE_LEASE,
  NodeLifecycleController,
  type NodeLifecycleControllerOptions,
} from "./node-lifecycle-controller.ts";
export {
  addOrUpdateTaint,
  addOrUpdateTaintOnNode,
  NOT_READY_TAINT_TEMPLATE,
  nodeTaintsPatch,
  noScheduleTaintChanges,
  removeTaint,
  removeTaintOffNode,
  swapNodeControllerTaint,
  taintExists,
  taintSetDiff,
  UNREACHABLE_TAINT_TEMPLATE,
} from "./node-taints.ts";
export { RateLimitedTimedQueue, TokenBucketRateLimiter } from "./rate-limited-queue.ts";
export {
  computeZoneState,
  DEFAULT_EVICTION_SETTINGS,
  type EvictionSettings,
  getZoneKey,
  type ZoneState,
} from "./zones.ts";

/** --node-monitor-grace-period, --node-monitor-period, --node-startup-grace-period defaults. */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;
export const DEFAULT_NODE_STARTUP_GRACE_PERIOD_MS = 60_000;

/** The descriptor, with eviction rates other than upstream's defaults (tests). */
export function newNodeLifecycleControllerDescriptor(
  eviction: Partial<EvictionSettings> = {},
): ControllerDescriptor {
  return {
    name: "node-lifecycle-controller",
    aliases: ["nodelifecycle"],
    serviceAccount: "node-controller",
    eventSource: "node-controller",
    init(ctx) {
      const nc = new NodeLifecycleController({
        client: ctx.client,
        recorder: ctx.recorder,
        clock: ctx.clock,
        random: ctx.random,
        nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
        podInformer: ctx.informers.forResource<Pod>(Resources.pods),
        leaseInformer: ctx.informers.forResource<Lease>(Resources.leases),
        nodeMonitorPeriodMs: ctx.config.nodeMonitorPeriodMs ?? DEFAULT_NODE_MONITOR_PERIOD_MS,
        nodeMonitorGracePeriodMs: ctx.config.nodeMonitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
        nodeStartupGracePeriodMs: ctx.config.nodeStartupGracePeriodMs ?? DEFAULT_NODE_STARTUP_GRACE_PERIOD_MS,
        eviction,
        log: ctx.log,
      });
      return {
        controllers: [nc.nodeController, nc.podController],
        run: () => nc.run(ctx.signal),
      };
    },
  };
}

export const nodeLifecycleControllerDescriptor: ControllerDescriptor = newNodeLifecycleControllerDescriptor();
