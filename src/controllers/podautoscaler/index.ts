// The horizontal pod autoscaler's entry point for the controller-manager.
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { Controller } from "../controller.ts";
import { DEFAULT_HPA_SYNC_PERIOD_MS, HorizontalController } from "./horizontal.ts";

export { DEFAULT_HPA_SYNC_PERIOD_MS, HorizontalController } from "./horizontal.ts";

export const horizontalPodAutoscalerControllerDescriptor: ControllerDescriptor = {
  name: "horizontal-pod-autoscaler-controller",
  aliases: ["horizontalpodautoscaling"],
  serviceAccount: "horizontal-pod-autoscaler",
  eventSource: "horizontal-pod-autoscaler",
  concurrency: { flag: "concurrent-horizontal-pod-autoscaler-syncs", default: 5 },
  init(ctx) {
    const hpas = ctx.informers.forResource<HorizontalPodAutoscaler>(Resources.horizontalpodautoscalers);
    const pods = ctx.informers.forResource<Pod>(Resources.pods);
    const reconciler = new HorizontalController({
      client: ctx.client,
      hpas,
      pods,
      recorder: ctx.recorder,
      clock: ctx.clock,
      syncPeriodMs: ctx.config.horizontalPodAutoscalerSyncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS,
      log: ctx.log,
    });
    const controller = new Controller({
      name: "horizontalpodautoscaler",
      reconciler,
      clock: ctx.clock,
      log: ctx.log,
    });
    reconciler.registerHandlers(controller);
    return { controllers: [controller] };
  },
};
