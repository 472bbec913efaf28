// The garbage collector (upstream's pkg/controller/garbagecollector): deletes
// objects whose owners are gone, and carries out foreground and orphan
// deletion through the foregroundDeletion and orphan finalizers.
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import { GarbageCollector, type GarbageCollectorOptions } from "./garbage-collector.ts";

export { type Discover, type DiscoveryResult, deletableResources, discoveryFor } from "./discovery.ts";
export { GarbageCollector, type GarbageCollectorOptions, GC_RESYNC_PERIOD_MS } from "./garbage-collector.ts";
export { DEFAULT_IGNORED_RESOURCES } from "./graph-builder.ts";

/** Builds the GC (graph builder, both queues, rediscovery) for a controller context. */
export function startGarbageCollector(
  ctx: ControllerContext,
  opts: GarbageCollectorOptions = {},
): Promise<InitializedController> {
  return new GarbageCollector(ctx, opts).init();
}

export const garbageCollectorControllerDescriptor: ControllerDescriptor = {
  name: "garbage-collector-controller",
  aliases: ["garbagecollector"],
  serviceAccount: "generic-garbage-collector",
  eventSource: "garbage-collector-controller",
  concurrency: { flag: "concurrent-gc-syncs", default: 20 },
  init: (ctx) => startGarbageCollector(ctx),
};
