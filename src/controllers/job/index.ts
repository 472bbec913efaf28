// The Job controller as the controller-manager runs it: --concurrent-job-syncs
// workers on the Job queue, one worker on the orphan-pod queue (as upstream).
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { JobController, type JobControllerOptions } from "./job.ts";

export { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from "./backoff.ts";
export { isJobFinished, JobConditionType, JobReason } from "./conditions.ts";
export {
  formatIntervals,
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_FAILURE_COUNT_ANNOTATION,
  parseIndexesFromString,
} from "./indexed.ts";
export { JOB_CONTROLLER_NAME, JobController, type JobControllerOptions } from "./job.ts";
export { JOB_TRACKING_FINALIZER } from "./tracking.ts";

/** Backoff tuning for tests; the manager uses upstream's defaults. */
export type JobControllerTuning = Pick<
  JobControllerOptions,
  "podFailureBackoffMs" | "maxPodFailureBackoffMs"
>;

export function newJobControllerDescriptor(tuning: JobControllerTuning = {}): ControllerDescriptor {
  return {
    name: "job-controller",
    aliases: ["job"],
    serviceAccount: "job-controller",
    eventSource: "job-controller",
    concurrency: { flag: "concurrent-job-syncs", default: 5 },
    init(ctx) {
      const jc = new JobController({
        client: ctx.client,
        recorder: ctx.recorder,
        clock: ctx.clock,
        jobInformer: ctx.informers.forResource<Job>(Resources.jobs),
        podInformer: ctx.informers.forResource<Pod>(Resources.pods),
        log: ctx.log,
        ...tuning,
      });
      return {
        controllers: [jc.controller, jc.orphanController],
        async run() {
          await Promise.all([
            jc.controller.run(ctx.workers, ctx.signal),
            jc.orphanController.run(1, ctx.signal),
          ]);
        },
      };
    },
  };
}

export const jobControllerDescriptor: ControllerDescriptor = newJobControllerDescriptor();
