// The TTL-after-finished controller's entry point for the controller-manager.
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { Controller } from "../controller.ts";
import { TTLAfterFinishedReconciler } from "./ttl-after-finished.ts";

export { TTLAfterFinishedReconciler, timeLeft } from "./ttl-after-finished.ts";

export const ttlAfterFinishedControllerDescriptor: ControllerDescriptor = {
  name: "ttl-after-finished-controller",
  aliases: ["ttl-after-finished"],
  serviceAccount: "ttl-after-finished-controller",
  eventSource: "ttl-after-finished-controller",
  concurrency: { flag: "concurrent-ttl-after-finished-syncs", default: 5 },
  init(ctx) {
    const jobs = ctx.informers.forResource<Job>(Resources.jobs);
    const reconciler = new TTLAfterFinishedReconciler({
      client: ctx.client,
      jobs,
      clock: ctx.clock,
      log: ctx.log,
    });
    const controller = new Controller({
      name: "ttl_jobs_to_delete",
      reconciler,
      clock: ctx.clock,
      log: ctx.log,
    });
    reconciler.registerHandlers(controller);
    return { controllers: [controller] };
  },
};
