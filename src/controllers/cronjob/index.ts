// The CronJob controller's entry point for the controller-manager.
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { Controller } from "../controller.ts";
import { CronJobReconciler } from "./cronjob.ts";

export { parseStandard } from "../../api/cron/parse.ts";
export type { Schedule } from "../../api/cron/schedule.ts";
export { CronJobReconciler } from "./cronjob.ts";

export const cronJobControllerDescriptor: ControllerDescriptor = {
  name: "cronjob-controller",
  aliases: ["cronjob"],
  serviceAccount: "cronjob-controller",
  eventSource: "cronjob-controller",
  concurrency: { flag: "concurrent-cron-job-syncs", default: 5 },
  init(ctx) {
    const reconciler = new CronJobReconciler({
      client: ctx.client,
      cronJobs: ctx.informers.forResource<CronJob>(Resources.cronjobs),
      jobs: ctx.informers.forResource<Job>(Resources.jobs),
      recorder: ctx.recorder,
      clock: ctx.clock,
      log: ctx.log,
    });
    const controller = new Controller({ name: "cronjob", reconciler, clock: ctx.clock, log: ctx.log });
    reconciler.registerHandlers(controller);
    return { controllers: [controller] };
  },
};
