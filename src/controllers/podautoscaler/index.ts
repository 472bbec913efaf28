// The horizontal pod autoscaler's entry point for the controller-manager.
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.d.ts";
import type { ControllerDescriptor } from "../context.ts";
import { Controller } from "../controller.ts";
import { DEFAULT_HPA_SYNC_PERIOD_MS, HorizontalController, HPA_V2 } from "./horizontal.ts";

export { DEFAULT_HPA_SYNC_PERIOD_MS, HorizontalController, setCondition } from "./horizontal.ts";

export const horizontalPodAutoscalerControllerDescriptor: ControllerDescriptor = {
  name: "horizontal-pod-autoscaler-controller",
  aliases: ["horizontalpodautoscaling"],
  serviceAccount: "horizontal-pod-autoscaler",
  eventSource: "horizontal-pod-autoscaler",
  concurrency: { flag: "concurrent-horizontal-pod-autoscaler-syncs", default: 5 },
  init(ctx) {
    const hpas = ctx.informers.forResource<HorizontalPodAutoscaler>(HPA_V2);
    const reconciler = new HorizontalController({
      client: ctx.client,
      hpas,
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
