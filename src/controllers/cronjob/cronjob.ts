// The CronJob controller (upstream's ControllerV2, pkg/controller/cronjob):
// one reconcile per CronJob removes finished Jobs beyond the history limits,
// brings status.active in line with the Jobs it owns, and, when a scheduled
// time is due, creates the Job named after that time (the name is the lock
// against creating it twice), honouring suspend, startingDeadlineSeconds
// and concurrencyPolicy. It then asks to be woken for the next scheduled time.
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { CronParseError, parseStandard } from "../../api/cron/parse.ts";
import type { Schedule } from "../../api/cron/schedule.ts";
import { formatRFC1123Z, type Location, loadLocation, localLocation, UTC } from "../../api/cron/time-zone.ts";
import { ApiError, isAlreadyExists, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import { type Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { getControllerOf, isControlledBy } from "../util/owner.ts";
import {
  byJobStartTime,
  CRONJOB_KIND,
  deleteFromActiveList,
  finishedCondition,
  getJobFromTemplate2,
  getJobName,
  inActiveList,
  inActiveListByName,
  isJobSucceeded,
  jobReference,
  nextScheduleTime,
  nextScheduleTimeDuration,
  timeOf,
} from "./utils.ts";

export interface CronJobControllerOptions {
  client: RestClient;
  cronJobs: SharedInformer<CronJob>;
  jobs: SharedInformer<Job>;
  recorder: EventRecorder;
  clock: Clock;
  /** Go's time.Local: the zone of schedules without spec.timeZone (default: this process's zone). */
  local?: Location;
  log?(msg: string): void;
}

/** What syncCronJob hands back to sync (upstream returns the three as a tuple). */
interface SyncResult {
  requeueAfterMs?: number;
  updateStatus: boolean;
  /** The copy to write: a fresh read from the API replaces the cached one when it knows a Job the cache did not. */
  cronJob: CronJob;
  error?: unknown;
}

export class CronJobReconciler implements Reconciler {
  // Resolved at the first schedule that needs it: asking Intl for the zone costs ~25 ms at start-up.
  private localZone: Location | undefined;
  private readonly log: (msg: string) => void;
  /** Set by the descriptor once the queue exists, for the cronjob update handler's enqueueAfter. */
  controller?: Controller;

  constructor(private readonly o: CronJobControllerOptions) {
    this.localZone = o.local;
    this.log = o.log ?? (() => {});
  }

  /** Event handlers: jobs map to their controlling CronJob; a new schedule re-queues for its next time. */
  registerHandlers(controller: Controller): void {
    this.controller = controller;
    this.o.jobs.addEventHandler({
      onAdd: (job) => {
        // A job already being deleted at start-up is not a creation.
        if (job.metadata?.deletionTimestamp) return this.onJobDeleted(job);
        this.enqueueOwner(job, getControllerOf(job));
      },
      onUpdate: (old, cur) => {
        // Resyncs bring the same version again.
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const curRef = getControllerOf(cur);
        const oldRef = getControllerOf(old);
        if (oldRef && JSON.stringify(curRef) !== JSON.stringify(oldRef)) this.enqueueOwner(old, oldRef);
        this.enqueueOwner(cur, curRef);
      },
      onDelete: (job) => this.onJobDeleted(job),
    });
    this.o.cronJobs.addEventHandler({
      onAdd: (cj) => controller.enqueueObject(cj),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
      onDelete: (cj) => controller.enqueueObject(cj),
    });
  }

  private onJobDeleted(job: Job): void {
    this.enqueueOwner(job, getControllerOf(job));
  }

  private enqueueOwner(job: Job, ref: OwnerReference | undefined): void {
    if (!ref) return;
    const cj = this.resolveControllerRef(job.metadata?.namespace ?? "", ref);
    if (cj) this.controller?.enqueueObject(cj);
  }

  /** The CronJob a controller reference names, if it is still the same object (same uid). */
  private resolveControllerRef(namespace: string, ref: OwnerReference): CronJob | undefined {
    if (ref.kind !== CRONJOB_KIND.kind) return undefined;
    const cj = this.o.cronJobs.getIndexer().get(`${namespace}/${ref.name}`);
    return cj && cj.metadata?.uid === ref.uid ? cj : undefined;
  }

  /** A changed schedule or time zone is woken at its next time; any other change now. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    const controller = this.controller;
    if (!controller) return;
    if (
      old.spec?.schedule !== cur.spec?.schedule ||
      (old.spec?.timeZone ?? null) !== (cur.spec?.timeZone ?? null)
    ) {
      let sched: Schedule;
      try {
        sched = this.parse(this.formatSchedule(cur, false));
      } catch (e) {
        if (!(e instanceof CronParseError)) throw e;
        this.o.recorder.event(
          cur,
          "Warning",
          "UnParseableCronJobSchedule",
          `unparseable schedule for cronjob: ${cur.spec?.schedule ?? ""}`,
        );
        return;
      }
      controller.enqueueAfter(
        metaNamespaceKey(cur),
        nextScheduleTimeDuration(cur, this.o.clock.now(), sched),
      );
      return;
    }
    controller.enqueueObject(cur);
  }

  private parse(spec: string): Schedule {
    // Schedules without a zone run on the controller's local time, as upstream's time.Local.
    this.localZone ??= localLocation();
    return parseStandard(spec, this.localZone);
  }

  /** formatSchedule: spec.timeZone becomes robfig's "TZ=" prefix; a TZ in the schedule itself draws a warning. */
  private formatSchedule(cj: CronJob, warn: boolean): string {
    const schedule = cj.spec?.schedule ?? "";
    if (schedule.includes("TZ")) {
      if (warn) {
        this.o.recorder.event(
          cj,
          "Warning",
          "UnsupportedSchedule",
          `CRON_TZ or TZ used in schedule ${goQuote(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
        );
      }
      return schedule;
    }
    const tz = cj.spec?.timeZone;
    if (tz != null) {
      try {
        loadLocation(tz);
      } catch {
        return schedule;
      }
      return `TZ=${tz} ${schedule}`;
    }
    return schedule;
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const cronJob = this.o.cronJobs.getIndexer().get(key);
    // Deleted: nothing to requeue.
    if (!cronJob) return undefined;
    const jobs = this.getJobsToBeReconciled(cronJob);

    // All status changes go out in one update.
    const copy = structuredClone(cronJob);
    const updateStatusAfterCleanup = await this.cleanupFinishedJobs(copy, jobs);
    const r = await this.syncCronJob(copy, jobs);
    if (r.error !== undefined) {
      this.log(`error reconciling cronjob ${key}: ${(r.error as Error).message ?? r.error}`);
    }
    if (updateStatusAfterCleanup || r.updateStatus) {
      const { namespace } = splitKey(key);
      await this.o.client.update(Resources.cronjobs, r.cronJob, { namespace, subresource: "status" });
    }
    if (r.requeueAfterMs !== undefined) return { requeueAfterMs: r.requeueAfterMs };
    // Only a suspended CronJob or a bad schedule ends here without an error: done until its next change.
    if (r.error !== undefined) throw r.error;
    return undefined;
  }

  /** Every Job in the namespace whose controller reference names the CronJob (even if its labels no longer match). */
  private getJobsToBeReconciled(cj: CronJob): Job[] {
    return this.o.jobs
      .getIndexer()
      .byNamespace(cj.metadata?.namespace ?? "")
      .filter((j) => getControllerOf(j)?.name === cj.metadata?.name);
  }

  /** syncCronJob: reconcile the active list with the Jobs, then start the Job that is due, if any. */
  private async syncCronJob(cronJob: CronJob, jobs: Job[]): Promise<SyncResult> {
    const { client, recorder } = this.o;
    const now = this.o.clock.now();
    let updateStatus = false;
    const namespace = cronJob.metadata?.namespace ?? "";
    const done = (requeueAfterMs?: number, error?: unknown): SyncResult => ({
      requeueAfterMs,
      updateStatus,
      cronJob,
      error,
    });

    const childrenJobs = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata?.uid ?? "";
      childrenJobs.add(uid);
      const found = inActiveList(cronJob, uid);
      const condition = finishedCondition(j);
      if (!found && condition === undefined) {
        // Our cache of the CronJob may be older than the Job: ask the API.
        let fresh: CronJob;
        try {
          fresh = await client.get<CronJob>(Resources.cronjobs, cronJob.metadata?.name ?? "", { namespace });
        } catch (e) {
          return done(undefined, e);
        }
        if (inActiveList(fresh, uid)) {
          cronJob = fresh;
          continue;
        }
        // Created by us just before a crash, or by someone else (kubectl create job --from) who owned it to us.
        recorder.event(
          cronJob,
          "Warning",
          "UnexpectedJob",
          `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`,
        );
      } else if (condition !== undefined) {
        if (found) {
          deleteFromActiveList(cronJob, uid);
          recorder.event(
            cronJob,
            "Normal",
            "SawCompletedJob",
            `Saw completed job: ${j.metadata?.name}, condition: ${condition}`,
          );
          updateStatus = true;
        }
        if (isJobSucceeded(j)) {
          // It need not be in the active list: any succeeded Job moves lastSuccessfulTime.
          const completion = timeOf(j.status?.completionTime);
          const last = timeOf(cronJob.status?.lastSuccessfulTime);
          if (last === undefined) {
            cronJob.status = { ...cronJob.status, lastSuccessfulTime: j.status?.completionTime };
            updateStatus = true;
          } else if (completion !== undefined && completion > last) {
            cronJob.status = { ...cronJob.status, lastSuccessfulTime: j.status?.completionTime };
            updateStatus = true;
          }
        }
      }
    }

    // An active Job that no longer exists would hold the CronJob active forever.
    for (const ref of [...(cronJob.status?.active ?? [])]) {
      if (childrenJobs.has(ref.uid ?? "")) continue;
      // The cache may lag: ask the API before declaring it missing.
      try {
        await client.get<Job>(Resources.jobs, ref.name ?? "", { namespace: ref.namespace });
      } catch (e) {
        if (!isNotFound(e)) return done(undefined, e);
        recorder.event(cronJob, "Normal", "MissingJob", `Active job went missing: ${ref.name}`);
        deleteFromActiveList(cronJob, ref.uid);
        updateStatus = true;
      }
    }

    // Being deleted: only status is kept up to date.
    if (cronJob.metadata?.deletionTimestamp) return done();

    const timeZone = cronJob.spec?.timeZone;
    if (timeZone != null) {
      try {
        loadLocation(timeZone);
      } catch (e) {
        recorder.event(
          cronJob,
          "Warning",
          "UnknownTimeZone",
          `invalid timeZone: ${goQuote(timeZone)}: ${(e as Error).message}`,
        );
        return done();
      }
    }

    if (cronJob.spec?.suspend === true) return done();

    let sched: Schedule;
    try {
      sched = this.parse(this.formatSchedule(cronJob, true));
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      // A user error: not reconciled again until the spec changes.
      recorder.event(
        cronJob,
        "Warning",
        "UnparseableSchedule",
        `unparseable schedule: ${goQuote(cronJob.spec?.schedule ?? "")} : ${e.message}`,
      );
      return done();
    }

    const next = nextScheduleTime(cronJob, now, sched, recorder);
    if (next.error !== undefined) {
      recorder.event(
        cronJob,
        "Warning",
        "InvalidSchedule",
        `invalid schedule: ${cronJob.spec?.schedule} : ${next.error}`,
      );
      return done();
    }
    const requeue = () => nextScheduleTimeDuration(cronJob, now, sched);
    const scheduledTime = next.time;
    // Nothing due: normally only right after a restart, as the queue wakes us at each scheduled time.
    if (scheduledTime === undefined) return done(requeue());

    const deadline = cronJob.spec?.startingDeadlineSeconds;
    if (deadline != null && scheduledTime + deadline * 1000 < now) {
      recorder.event(
        cronJob,
        "Warning",
        "MissSchedule",
        `Missed scheduled time to start a job: ${formatRFC1123Z(scheduledTime, UTC)}`,
      );
      return done(requeue());
    }
    if (
      inActiveListByName(cronJob, namespace, getJobName(cronJob, scheduledTime)) ||
      timeOf(cronJob.status?.lastScheduleTime) === scheduledTime
    ) {
      // This scheduled time was already handled.
      return done(requeue());
    }
    if (cronJob.spec?.concurrencyPolicy === "Forbid" && (cronJob.status?.active ?? []).length > 0) {
      // The active list may lag behind a Job we just made, so Forbid can in theory overlap when runs are close together.
      recorder.event(
        cronJob,
        "Normal",
        "JobAlreadyActive",
        "Not starting job because prior execution is running and concurrency policy is Forbid",
      );
      return done(requeue());
    }
    if (cronJob.spec?.concurrencyPolicy === "Replace") {
      for (const ref of [...(cronJob.status?.active ?? [])]) {
        let job: Job;
        try {
          job = await client.get<Job>(Resources.jobs, ref.name ?? "", { namespace: ref.namespace });
        } catch (e) {
          recorder.event(cronJob, "Warning", "FailedGet", `Get job: ${(e as Error).message}`);
          return done(undefined, e);
        }
        if (!(await this.deleteJob(cronJob, job))) {
          return done(
            undefined,
            new Error(`could not replace job ${job.metadata?.namespace}/${job.metadata?.name}`),
          );
        }
        updateStatus = true;
      }
    }

    let jobReq: Job;
    try {
      jobReq = getJobFromTemplate2(cronJob, scheduledTime);
    } catch (e) {
      return done(undefined, e);
    }
    let jobResp: Job;
    let jobAlreadyExists = false;
    try {
      jobResp = await client.create<Job>(Resources.jobs, jobReq, { namespace });
    } catch (e) {
      if (hasStatusCause(e, "NamespaceTerminating")) {
        // Every create fails while the namespace goes away.
        return done(undefined, e);
      }
      if (!isAlreadyExists(e)) {
        recorder.event(cronJob, "Warning", "FailedCreate", `Error creating job: ${(e as Error).message}`);
        return done(undefined, e);
      }
      // Made by us before a status update was lost, or by someone else.
      jobAlreadyExists = true;
      try {
        jobResp = await client.get<Job>(Resources.jobs, jobReq.metadata?.name ?? "", { namespace });
      } catch (e2) {
        return done(undefined, e2);
      }
      // Someone else's Job: they keep the status.
      if (!isControlledBy(jobResp, cronJob)) return done();
      if (inActiveList(cronJob, jobResp.metadata?.uid)) return done();
    }
    if (jobAlreadyExists) {
      this.log(`job already exists: ${namespace}/${jobReq.metadata?.name}`);
    } else {
      recorder.event(cronJob, "Normal", "SuccessfulCreate", `Created job ${jobResp.metadata?.name}`);
    }

    // Should we stop here, before the status update, the next sync finds the Job by its name.
    cronJob.status ??= {};
    cronJob.status.active = [...(cronJob.status.active ?? []), jobReference(jobResp)];
    cronJob.status.lastScheduleTime = metaTime(scheduledTime);
    updateStatus = true;
    return done(requeue());
  }

  /**
   * cleanupFinishedJobs: the oldest finished Jobs beyond
   * successfulJobsHistoryLimit and failedJobsHistoryLimit are deleted.
   */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const successfulLimit = cj.spec?.successfulJobsHistoryLimit;
    const failedLimit = cj.spec?.failedJobsHistoryLimit;
    if (successfulLimit == null && failedLimit == null) return false;
    const successful: Job[] = [];
    const failed: Job[] = [];
    for (const j of jobs) {
      const condition = finishedCondition(j);
      if (condition === "Complete") successful.push(j);
      else if (condition === "Failed") failed.push(j);
    }
    let updateStatus = false;
    if (successfulLimit != null && (await this.removeOldestJobs(cj, successful, successfulLimit))) {
      updateStatus = true;
    }
    if (failedLimit != null && (await this.removeOldestJobs(cj, failed, failedLimit))) updateStatus = true;
    return updateStatus;
  }

  private async removeOldestJobs(cj: CronJob, jobs: Job[], maxJobs: number): Promise<boolean> {
    const numToDelete = jobs.length - maxJobs;
    if (numToDelete <= 0) return false;
    let updateStatus = false;
    const sorted = [...jobs].sort(byJobStartTime);
    for (let i = 0; i < numToDelete; i++) {
      if (await this.deleteJob(cj, sorted[i])) updateStatus = true;
    }
    return updateStatus;
  }

  /** upstream's deleteJob: the Job (its pods follow in the background) and its active-list entry. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.o.client.delete(Resources.jobs, job.metadata?.name ?? "", {
        namespace: job.metadata?.namespace,
        propagationPolicy: "Background",
      });
    } catch (e) {
      this.o.recorder.event(cj, "Warning", "FailedDelete", `Deleted job: ${(e as Error).message}`);
      this.log(
        `error deleting job ${job.metadata?.name} from cronjob ${cj.metadata?.name}: ${(e as Error).message}`,
      );
      return false;
    }
    deleteFromActiveList(cj, job.metadata?.uid);
    this.o.recorder.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${job.metadata?.name}`);
    return true;
  }
}

/** errors.HasStatusCause. */
function hasStatusCause(e: unknown, cause: string): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === cause);
}
