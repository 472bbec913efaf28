// The namespace controller's entry point for the controller-manager
// (upstream's startNamespaceController): it empties Terminating namespaces.
import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { serverPreferredNamespacedResources } from "./discovery.ts";
import { NamespaceController } from "./namespace-controller.ts";
import { FINALIZER_KUBERNETES, NamespacedResourcesDeleter } from "./resources-deleter.ts";

export {
  type DiscoverNamespacedResources,
  GroupDiscoveryFailedError,
  serverPreferredNamespacedResources,
} from "./discovery.ts";
export {
  NAMESPACE_DELETION_GRACE_PERIOD_MS,
  NAMESPACE_SYNC_PERIOD_MS,
  NamespaceController,
  nsControllerRateLimiter,
  remainingContentDelayMs,
} from "./namespace-controller.ts";
export {
  FINALIZER_ESTIMATE_SECONDS,
  FINALIZER_KUBERNETES,
  NamespacedResourcesDeleter,
  ResourcesRemainingError,
} from "./resources-deleter.ts";
export * from "./status-conditions.ts";

export const namespaceControllerDescriptor: ControllerDescriptor = {
  name: "namespace-controller",
  aliases: ["namespace"],
  serviceAccount: "namespace-controller",
  eventSource: "namespace-controller",
  concurrency: { flag: "concurrent-namespace-syncs", default: 10 },
  async init(ctx) {
    const deleter = new NamespacedResourcesDeleter({
      client: ctx.client,
      discover: serverPreferredNamespacedResources(ctx.client),
      clock: ctx.clock,
      finalizerToken: FINALIZER_KUBERNETES,
      signal: ctx.signal,
      log: ctx.log,
    });
    // Upstream fills its cache of unsupported verbs first, and cannot run without any resource.
    await deleter.initOpCache();
    const nc = new NamespaceController({
      namespaces: ctx.informers.forResource<Namespace>(Resources.namespaces),
      deleter,
      clock: ctx.clock,
      log: ctx.log,
    });
    return { controllers: [nc.controller], run: () => nc.run(ctx.workers, ctx.signal) };
  },
};
