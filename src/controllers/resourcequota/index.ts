// The resource quota controller (upstream's pkg/controller/resourcequota):
// measures every ResourceQuota's usage into its status.
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import { ResourceQuotaController, type ResourceQuotaControllerOptions } from "./resource-quota-controller.ts";

export {
  QUOTA_DISCOVERY_PERIOD_MS,
  quotableResources,
  RESOURCE_QUOTA_SYNC_PERIOD_MS,
  ResourceQuotaController,
  type ResourceQuotaControllerOptions,
} from "./resource-quota-controller.ts";

/** Builds the controller (monitors primed by a first discovery) for a controller context. */
export function startResourceQuotaController(
  ctx: ControllerContext,
  opts: ResourceQuotaControllerOptions = {},
): Promise<InitializedController> {
  return new ResourceQuotaController(ctx, opts).init();
}

export const resourceQuotaControllerDescriptor: ControllerDescriptor = {
  name: "resourcequota-controller",
  aliases: ["resourcequota"],
  serviceAccount: "resourcequota-controller",
  eventSource: "resourcequota-controller",
  concurrency: { flag: "concurrent-resource-quota-syncs", default: 5 },
  init: (ctx) => startResourceQuotaController(ctx),
};
