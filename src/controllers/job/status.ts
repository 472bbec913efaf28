// upstream's trackJobStatusAndRemoveFinalizers and what it calls: the write
// side of finalizer-based tracking (tracking.ts). Each sync 1. writes the
// uids of newly finished pods to status.uncountedTerminatedPods (with the
// interim FailureTarget / SuccessCriteriaMet condition), 2. removes their
// tracking finalizers, 3. moves the uids into status.succeeded / failed, and
// 4. adds Complete or Failed once nothing is uncounted or terminating.
import type { Job, JobCondition } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { PodControl } from "../util/pod-control.ts";
import type { BackoffRecord, BackoffStore } from "./backoff.ts";
import {
  ensureJobConditionStatus,
  hasSuccessCriteriaMetCondition,
  isSuccessCriteriaMetCondition,
  JobConditionType,
  newCondition,
  newFailedConditionForFailureTarget,
} from "./conditions.ts";
import {
  compareByCompletionIndex,
  formatIntervals,
  getCompletionIndex,
  hasBackoffLimitPerIndex,
  hasIndex,
  type Interval,
  isIndexedJob,
  totalIndexes,
  UNKNOWN_COMPLETION_INDEX,
  withOrderedIndexes,
} from "./indexed.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";
import { isPodFailed } from "./pods.ts";
import {
  cleanUncountedPodsWithoutFinalizers,
  type FinalizerExpectations,
  hasJobTrackingFinalizer,
  removeTrackingFinalizerPatch,
  type UncountedTerminatedPods,
} from "./tracking.ts";

export const JOB_KIND = { apiVersion: "batch/v1", kind: "Job" } as const;
/** Keeps status.uncountedTerminatedPods roughly under 20 KB. */
const MAX_UNCOUNTED_PODS = 500;

/** What one syncJob knows about a Job (upstream's syncJobCtx). */
export interface SyncJobCtx {
  job: Job;
  pods: Pod[];
  finishedCondition?: JobCondition;
  activePods: Pod[];
  succeeded: number;
  failed: number;
  prevSucceededIndexes: Interval[];
  succeededIndexes: Interval[];
  failedIndexes?: Interval[];
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: ReadonlySet<string>;
  uncounted: UncountedTerminatedPods;
  podsWithDelayedDeletionPerIndex?: Map<number, Pod>;
  terminating: number;
  ready: number;
}

/** A copy with apiVersion and kind set (cached list items may lack them; events need them). */
export function asJob(j: Job): Job {
  return { ...j, apiVersion: JOB_KIND.apiVersion, kind: JOB_KIND.kind };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The status as Go would encode it: zero counters, empty strings and empty uid lists left out. */
function wireJob(job: Job): Job {
  const out = structuredClone(job);
  const s = out.status;
  if (!s) return out;
  if (!s.active) delete s.active;
  if (!s.succeeded) delete s.succeeded;
  if (!s.failed) delete s.failed;
  if (!s.completedIndexes) delete s.completedIndexes;
  if (!s.conditions?.length) delete s.conditions;
  const u = s.uncountedTerminatedPods;
  if (u) {
    if (!u.succeeded?.length) delete u.succeeded;
    if (!u.failed?.length) delete u.failed;
  }
  return out;
}

export interface JobStatusTrackerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  podControl: PodControl;
  finalizerExpectations: FinalizerExpectations;
  backoffStore: BackoffStore;
}

export class JobStatusTracker {
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly podControl: PodControl;
  private readonly finalizerExpectations: FinalizerExpectations;
  private readonly backoffStore: BackoffStore;

  constructor(o: JobStatusTrackerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.clock = o.clock;
    this.podControl = o.podControl;
    this.finalizerExpectations = o.finalizerExpectations;
    this.backoffStore = o.backoffStore;
  }

  /**
   * 1. adds finished pods to status.uncountedTerminatedPods, 2. removes their
   * finalizers, 3. moves them into the counters, 4. adds the terminal
   * condition when due. At most MAX_UNCOUNTED_PODS per sync, so big Jobs
   * neither bloat the status nor starve other Jobs.
   */
  async trackJobStatusAndRemoveFinalizers(ctx: SyncJobCtx, needsFlushIn: boolean): Promise<void> {
    let needsFlush = needsFlushIn;
    const job = ctx.job;
    job.status ??= {};
    const status = job.status;
    const isIndexed = isIndexedJob(job);
    const completions = job.spec?.completions ?? 0;
    status.uncountedTerminatedPods ??= {};
    const uncountedStatus = status.uncountedTerminatedPods;
    uncountedStatus.succeeded ??= [];
    uncountedStatus.failed ??= [];
    const pods = isIndexed ? [...ctx.pods].sort(compareByCompletionIndex) : ctx.pods;
    const uidsWithFinalizer = new Set<string>();
    for (const p of pods) {
      const uid = p.metadata?.uid ?? "";
      if (hasJobTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(uid)) uidsWithFinalizer.add(uid);
    }
    if (cleanUncountedPodsWithoutFinalizers(status, uidsWithFinalizer)) needsFlush = true;

    const podsToRemoveFinalizer: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMaxUncountedPods = false;
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? "";
      // Processed in an earlier sync.
      if (!hasJobTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
      const considerPodFailed = isPodFailed(pod, job);
      if (!this.canRemoveFinalizer(ctx, pod, considerPodFailed)) continue;
      podsToRemoveFinalizer.push(pod);
      if (pod.status?.phase === "Succeeded" && !ctx.uncounted.failed.has(uid)) {
        if (isIndexed) {
          // The index is enough to never count a success twice: no uid needed.
          const ix = getCompletionIndex(pod.metadata?.annotations);
          if (
            ix !== UNKNOWN_COMPLETION_INDEX &&
            ix < completions &&
            !hasIndex(ctx.prevSucceededIndexes, ix)
          ) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncounted.succeeded.has(uid)) {
          needsFlush = true;
          uncountedStatus.succeeded.push(uid);
        }
      } else if (
        considerPodFailed ||
        (ctx.finishedCondition && !isSuccessCriteriaMetCondition(ctx.finishedCondition))
      ) {
        // A failing Job counts every pod that did not succeed as failed.
        const ix = getCompletionIndex(pod.metadata?.annotations);
        if (
          !ctx.uncounted.failed.has(uid) &&
          (!isIndexed || (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions))
        ) {
          if (
            !job.spec?.podFailurePolicy ||
            matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed
          ) {
            needsFlush = true;
            uncountedStatus.failed.push(uid);
          }
        }
      }
      if (
        newSucceededIndexes.length + uncountedStatus.succeeded.length + uncountedStatus.failed.length >=
        MAX_UNCOUNTED_PODS
      ) {
        // Status and pod updates bring the Job back for the rest.
        reachedMaxUncountedPods = true;
        break;
      }
    }
    if (isIndexed) {
      ctx.succeededIndexes = withOrderedIndexes(
        ctx.succeededIndexes,
        [...newSucceededIndexes].sort((a, b) => a - b),
      );
      const succeededStr = formatIntervals(ctx.succeededIndexes);
      if (succeededStr !== (status.completedIndexes ?? "")) needsFlush = true;
      status.succeeded = totalIndexes(ctx.succeededIndexes);
      status.completedIndexes = succeededStr;
      const failedStr = ctx.failedIndexes ? formatIntervals(ctx.failedIndexes) : undefined;
      if ((status.failedIndexes ?? undefined) !== failedStr) {
        if (failedStr === undefined) delete status.failedIndexes;
        else status.failedIndexes = failedStr;
        needsFlush = true;
      }
    }
    const now = this.clock.now();
    if (ctx.finishedCondition?.type === JobConditionType.FailureTarget) {
      // The interim condition is written before any finalizer goes; Failed follows later.
      status.conditions ??= [];
      status.conditions.push(ctx.finishedCondition);
      needsFlush = true;
      ctx.finishedCondition = newFailedConditionForFailureTarget(ctx.finishedCondition, now);
    }
    if (isSuccessCriteriaMetCondition(ctx.finishedCondition)) {
      if (!hasSuccessCriteriaMetCondition(job)) {
        status.conditions ??= [];
        status.conditions.push(ctx.finishedCondition as JobCondition);
        needsFlush = true;
      }
      const c = ctx.finishedCondition as JobCondition;
      ctx.finishedCondition = newCondition(
        JobConditionType.Complete,
        "True",
        c.reason ?? "",
        c.message ?? "",
        now,
      );
    }
    needsFlush = await this.flushUncountedAndRemoveFinalizers(
      ctx,
      podsToRemoveFinalizer,
      uidsWithFinalizer,
      needsFlush,
    );
    const jobFinished = !reachedMaxUncountedPods && this.enactJobFinished(ctx);
    if (jobFinished) needsFlush = true;
    if (needsFlush) {
      try {
        ctx.job = await this.updateJobStatus(ctx.job);
      } catch (e) {
        throw new Error(`removing uncounted pods from status: ${errorMessage(e)}`, { cause: e });
      }
      if (jobFinished && ctx.finishedCondition) this.recordJobFinished(ctx.job, ctx.finishedCondition);
    }
  }

  /** The finalizer may go when the Job is ending or deleted, the pod succeeded, or it failed (unless its index awaits a replacement). */
  private canRemoveFinalizer(ctx: SyncJobCtx, pod: Pod, considerPodFailed: boolean): boolean {
    if (ctx.job.metadata?.deletionTimestamp || ctx.finishedCondition || pod.status?.phase === "Succeeded")
      return true;
    if (!considerPodFailed) return false;
    if (hasBackoffLimitPerIndex(ctx.job)) {
      const ix = getCompletionIndex(pod.metadata?.annotations);
      if (ix !== UNKNOWN_COMPLETION_INDEX) {
        const p = ctx.podsWithDelayedDeletionPerIndex?.get(ix);
        // Kept until the replacement carries the failure count over.
        if (p && p.metadata?.uid === pod.metadata?.uid) return false;
      }
    }
    return true;
  }

  /**
   * Writes the status with the new uncounted uids (and interim condition),
   * removes the finalizers, then moves the uids of the pods that lost theirs
   * into the counters. Returns whether a status change is still unwritten.
   */
  private async flushUncountedAndRemoveFinalizers(
    ctx: SyncJobCtx,
    podsToRemoveFinalizer: readonly Pod[],
    uidsWithFinalizer: Set<string>,
    needsFlushIn: boolean,
  ): Promise<boolean> {
    let needsFlush = needsFlushIn;
    if (needsFlush) {
      try {
        ctx.job = await this.updateJobStatus(ctx.job);
      } catch (e) {
        throw new Error(`adding uncounted pods to status: ${errorMessage(e)}`, { cause: e });
      }
      // The backoff record only advances once the failures it counts are in the status.
      this.backoffStore.update(ctx.newBackoffRecord);
      needsFlush = false;
    }
    let rmErr: unknown;
    if (podsToRemoveFinalizer.length > 0) {
      const r = await this.removeTrackingFinalizerFromPods(metaNamespaceKey(ctx.job), podsToRemoveFinalizer);
      podsToRemoveFinalizer.forEach((p, i) => {
        if (r.succeeded[i]) uidsWithFinalizer.delete(p.metadata?.uid ?? "");
      });
      rmErr = r.error;
    }
    ctx.job.status ??= {};
    const status = ctx.job.status;
    if (cleanUncountedPodsWithoutFinalizers(status, uidsWithFinalizer)) needsFlush = true;
    if (rmErr !== undefined) {
      // Save the partial progress, then report the failure.
      if (needsFlush) {
        try {
          ctx.job = await this.updateJobStatus(ctx.job);
        } catch (e) {
          throw new Error(`removing uncounted pods from status: ${errorMessage(e)}`, { cause: e });
        }
      }
      throw rmErr;
    }
    return needsFlush;
  }

  /** Patches the finalizer away; a pod already gone counts as done. */
  private async removeTrackingFinalizerFromPods(
    key: string,
    pods: readonly Pod[],
  ): Promise<{ succeeded: boolean[]; error?: unknown }> {
    const succeeded = pods.map(() => false);
    let error: unknown;
    this.finalizerExpectations.expectFinalizersRemoved(
      key,
      pods.map((p) => p.metadata?.uid ?? ""),
    );
    await Promise.all(
      pods.map(async (pod, i) => {
        const patch = removeTrackingFinalizerPatch(pod);
        if (!patch) return;
        try {
          await this.podControl.patchPod(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", patch);
        } catch (e) {
          // No pod update will confirm it.
          this.finalizerExpectations.finalizerRemovalObserved(key, pod.metadata?.uid ?? "");
          if (!isNotFound(e)) {
            error ??= new Error(`removing tracking finalizer: ${errorMessage(e)}`, { cause: e });
            return;
          }
        }
        succeeded[i] = true;
      }),
    );
    return { succeeded, error };
  }

  /** Adds Complete (with completionTime) or Failed once nothing is uncounted or terminating. */
  private enactJobFinished(ctx: SyncJobCtx): boolean {
    const cond = ctx.finishedCondition;
    if (!cond) return false;
    ctx.job.status ??= {};
    const status = ctx.job.status;
    const u = status.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (ctx.terminating > 0) return false;
    ensureJobConditionStatus(
      ctx.job,
      cond.type,
      cond.status as "True",
      cond.reason ?? "",
      cond.message ?? "",
      this.clock.now(),
    );
    if (cond.type === JobConditionType.Complete) status.completionTime = cond.lastTransitionTime;
    return true;
  }

  private recordJobFinished(job: Job, cond: JobCondition): void {
    if (cond.type === JobConditionType.Complete) {
      const completions = job.spec?.completions;
      if (completions != null && (job.status?.succeeded ?? 0) > completions) {
        this.recorder.event(
          job,
          "Warning",
          "TooManySucceededPods",
          "Too many succeeded pods running after completion count reached",
        );
      }
      this.recorder.event(job, "Normal", "Completed", "Job completed");
    } else {
      this.recorder.event(job, "Warning", cond.reason ?? "", cond.message ?? "");
    }
  }

  private async updateJobStatus(job: Job): Promise<Job> {
    const updated = await this.client.update<Job>(Resources.jobs, wireJob(job), {
      namespace: job.metadata?.namespace,
      subresource: "status",
    });
    const out = asJob(updated);
    out.status ??= {};
    out.status.uncountedTerminatedPods ??= {};
    return out;
  }
}
