// upstream's pkg/controller/job/job_controller.go (v1.32): keeps the pods of
// each Job in line with its spec (parallelism, completions, Indexed mode,
// suspend), counts finished pods through the tracking finalizer
// (tracking.ts, status.ts), waits between failures (backoff.ts), and ends the Job with
// Complete or Failed (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy,
// MaxFailedIndexesExceeded, FailedIndexes), the interim SuccessCriteriaMet or
// FailureTarget condition first.
//
// Pod and Job-status events enqueue the Job after a 1 s batching delay, Job
// creation and spec changes at once. A second queue strips the tracking
// finalizer from pods whose Job is gone or finished.
import type { Job, JobCondition } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { type IndexerView, metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { ItemExponentialFailureRateLimiter } from "../../client/workqueue/rate-limiters.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import { Controller, type Reconciler, splitKey } from "../controller.ts";
import { claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { ControllerExpectations } from "../util/expectations.ts";
import { getControllerOf, isControlledBy, newControllerRef } from "../util/owner.ts";
import { getPodFromTemplate, PodControl } from "../util/pod-control.ts";
import { isPodActive, isPodReady } from "../util/pods.ts";
import {
  BackoffStore,
  DEFAULT_POD_FAILURE_BACKOFF_MS,
  getFinishedTime,
  getRemainingTime,
  getRemainingTimePerIndex,
  MAX_POD_FAILURE_BACKOFF_MS,
} from "./backoff.ts";
import {
  ensureJobConditionStatus,
  findConditionByType,
  hasSuccessCriteriaMetCondition,
  isJobFinished,
  JobConditionType,
  JobMessage,
  JobReason,
  newCondition,
  newFailedConditionForFailureTarget,
} from "./conditions.ts";
import {
  addCompletionIndexAnnotation,
  addCompletionIndexEnvVariables,
  addCompletionIndexLabel,
  addIndexFailureCountAnnotation,
  calculateFailedIndexes,
  calculateSucceededIndexes,
  duplicatedIndexPodsForRemoval,
  firstPendingIndexes,
  getCompletionIndex,
  getPodsWithDelayedDeletionPerIndex,
  hasBackoffLimitPerIndex,
  isIndexedJob,
  podGenerateNameWithIndex,
  totalIndexes,
  UNKNOWN_COMPLETION_INDEX,
} from "./indexed.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";
import {
  compareActivePods,
  countReadyPods,
  countTerminatingPods,
  isPodFailed,
  onlyReplaceFailedPods,
} from "./pods.ts";
import { asJob, errorMessage, JOB_KIND, JobStatusTracker, type SyncJobCtx } from "./status.ts";
import { matchSuccessPolicy } from "./success-policy.ts";
import {
  appendJobTrackingFinalizer,
  FinalizerExpectations,
  hasJobTrackingFinalizer,
  JOB_TRACKING_FINALIZER,
  removeTrackingFinalizerPatch,
  UncountedTerminatedPods,
} from "./tracking.ts";

/** spec.managedBy of Jobs this controller reconciles (or unset). */
export const JOB_CONTROLLER_NAME = "kubernetes.io/job-controller";

/** Batching delay of syncs triggered by pod events and status updates. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;
const DEFAULT_JOB_API_BACKOFF_MS = 1000;
const MAX_JOB_API_BACKOFF_MS = 60_000;
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface JobControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  jobInformer: SharedInformer<Job>;
  podInformer: SharedInformer<Pod>;
  log?(msg: string): void;
  /** First pod-failure backoff (upstream's DefaultJobPodFailureBackOff, 10 s); tests may shorten it. */
  podFailureBackoffMs?: number;
  /** Cap of the pod-failure backoff (upstream's MaxJobPodFailureBackOff, 10 min). */
  maxPodFailureBackoffMs?: number;
}

function jobKey(j: Job): string {
  return metaNamespaceKey(j);
}

function jobSuspended(j: Job): boolean {
  return j.spec?.suspend === true;
}

/** The controller named in spec.managedBy when it is not this one. */
export function managedByExternalController(j: Job): string | undefined {
  const name = j.spec?.managedBy;
  return name != null && name !== JOB_CONTROLLER_NAME ? name : undefined;
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

function sameControllerRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

export class JobController implements Reconciler {
  readonly controller: Controller;
  /** Strips the tracking finalizer from pods no unfinished Job of ours owns. */
  readonly orphanController: Controller;
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly podControl: PodControl;
  private readonly jobLister: IndexerView<Job>;
  private readonly podLister: IndexerView<Pod>;
  private readonly expectations: ControllerExpectations;
  private readonly finalizerExpectations = new FinalizerExpectations();
  private readonly backoffStore = new BackoffStore();
  private readonly tracker: JobStatusTracker;
  private readonly podFailureBackoffMs: number;
  private readonly maxPodFailureBackoffMs: number;

  constructor(o: JobControllerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.clock = o.clock;
    this.podControl = new PodControl(o.client, o.recorder);
    this.expectations = new ControllerExpectations(o.clock);
    this.tracker = new JobStatusTracker({
      client: o.client,
      recorder: o.recorder,
      clock: o.clock,
      podControl: this.podControl,
      finalizerExpectations: this.finalizerExpectations,
      backoffStore: this.backoffStore,
    });
    this.podFailureBackoffMs = o.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    this.maxPodFailureBackoffMs = o.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS;
    this.controller = new Controller({
      name: "job",
      reconciler: this,
      clock: o.clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(DEFAULT_JOB_API_BACKOFF_MS, MAX_JOB_API_BACKOFF_MS),
      log: o.log,
    });
    this.orphanController = new Controller({
      name: "job_orphan_pod",
      reconciler: { reconcile: (key) => this.syncOrphanPod(key) },
      clock: o.clock,
      rateLimiter: new ItemExponentialFailureRateLimiter(DEFAULT_JOB_API_BACKOFF_MS, MAX_JOB_API_BACKOFF_MS),
      log: o.log,
    });
    this.jobLister = o.jobInformer.getIndexer();
    this.podLister = o.podInformer.getIndexer();
    o.jobInformer.addEventHandler({
      onAdd: (j) => this.enqueueSyncJob(j, 0),
      onUpdate: (old, cur) => this.updateJob(old, cur),
      onDelete: (j) => this.deleteJob(j),
    });
    o.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (p) => this.deletePod(p, true),
    });
  }

  // --- event handlers: they only enqueue keys and note what was observed ---

  private enqueueSyncJob(job: Job, delayMs: number): void {
    this.controller.enqueueAfter(jobKey(job), delayMs);
  }

  private enqueueOrphanPod(pod: Pod): void {
    this.orphanController.enqueue(metaNamespaceKey(pod));
  }

  /** The Job a controller reference names, if it is in the cache with that uid. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): Job | undefined {
    if (ref.kind !== JOB_KIND.kind) return undefined;
    const job = this.jobLister.get(`${namespace}/${ref.name}`);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }

  /** Jobs whose selector matches the pod's labels (for orphans that may be adopted). */
  private getPodJobs(pod: Pod): Job[] {
    const labels = pod.metadata?.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.jobLister.byNamespace(pod.metadata?.namespace ?? "").filter((j) => {
      try {
        const sel = labelSelectorAsSelector(j.spec?.selector);
        return !sel.empty() && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Seen already being deleted (e.g. after a restart): not a creation.
      this.deletePod(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
      if (!job) return;
      this.expectations.creationObserved(jobKey(job));
      this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
      return;
    }
    if (hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    for (const job of this.getPodJobs(pod)) this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
  }

  private updatePod(oldPod: Pod, curPod: Pod): void {
    if (curPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return;
    if (curPod.metadata?.deletionTimestamp) {
      // A graceful deletion: replace the pod now rather than when the kubelet is done.
      this.deletePod(curPod, false);
      return;
    }
    // The finalizer may have been re-added and removed again during an ownership change: look only at the latest state.
    const finalizerRemoved = !hasJobTrackingFinalizer(curPod);
    const curRef = getControllerOf(curPod);
    const oldRef = getControllerOf(oldPod);
    const refChanged = !sameControllerRef(curRef, oldRef);
    const uid = curPod.metadata?.uid ?? "";
    const ns = curPod.metadata?.namespace ?? "";
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(ns, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(jobKey(job), uid);
        this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
      }
    }
    if (curRef) {
      const job = this.resolveControllerRef(ns, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(jobKey(job), uid);
      this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
      return;
    }
    if (hasJobTrackingFinalizer(curPod)) this.enqueueOrphanPod(curPod);
    if (refChanged || !sameLabels(curPod.metadata?.labels, oldPod.metadata?.labels)) {
      for (const job of this.getPodJobs(curPod)) this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
    }
  }

  /** final: the pod is gone; otherwise it just got its deletion timestamp. */
  private deletePod(pod: Pod, final: boolean): void {
    const ref = getControllerOf(pod);
    const hasFinalizer = hasJobTrackingFinalizer(pod);
    if (!ref) {
      // The garbage collector may have removed the reference of a Job's pod.
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const job = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
    if (!job || isJobFinished(job)) {
      // syncJob will not remove this finalizer.
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const key = jobKey(job);
    this.expectations.deletionObserved(key);
    if (final || !hasFinalizer)
      this.finalizerExpectations.finalizerRemovalObserved(key, pod.metadata?.uid ?? "");
    this.enqueueSyncJob(job, SYNC_JOB_BATCH_PERIOD_MS);
  }

  private updateJob(oldJob: Job, curJob: Job): void {
    // A spec change syncs at once; status updates (typically from pod events) are batched.
    this.enqueueSyncJob(
      curJob,
      curJob.metadata?.generation === oldJob.metadata?.generation ? SYNC_JOB_BATCH_PERIOD_MS : 0,
    );
    // Finalizers should be gone before a Job finishes; this is the backstop.
    if (isJobFinished(curJob)) this.cleanupPodFinalizers(curJob);
    const start = curJob.status?.startTime;
    const ads = curJob.spec?.activeDeadlineSeconds;
    if (start && ads != null) {
      const oldAds = oldJob.spec?.activeDeadlineSeconds;
      if (oldAds == null || oldAds !== ads) {
        const passed = this.clock.now() - Date.parse(start);
        this.controller.enqueueAfter(jobKey(curJob), ads * 1000 - passed);
      }
    }
  }

  private deleteJob(job: Job): void {
    this.enqueueSyncJob(job, 0);
    this.cleanupPodFinalizers(job);
  }

  private cleanupPodFinalizers(job: Job): void {
    let selector: ReturnType<typeof labelSelectorAsSelector>;
    try {
      selector = labelSelectorAsSelector(job.spec?.selector);
    } catch {
      return;
    }
    for (const pod of this.podLister.byNamespace(job.metadata?.namespace ?? "")) {
      if (!selector.matches(pod.metadata?.labels ?? {})) continue;
      if (isControlledBy(pod, job) && hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    }
  }

  // --- the orphan queue ---

  /** Removes the tracking finalizer from a pod no unfinished Job of ours controls. */
  async syncOrphanPod(key: string): Promise<undefined> {
    const pod = this.podLister.get(key);
    if (!pod) return;
    const ref = getControllerOf(pod);
    if (ref) {
      // Owned by something else than a batch/v1 Job: not ours to touch.
      if (ref.kind !== JOB_KIND.kind || ref.apiVersion !== JOB_KIND.apiVersion) return;
      const job = this.resolveControllerRef(pod.metadata?.namespace ?? "", ref);
      if (job && managedByExternalController(job) !== undefined) return;
      // Adopted meanwhile.
      if (job && !isJobFinished(job)) return;
    }
    const patch = removeTrackingFinalizerPatch(pod);
    if (!patch) return;
    try {
      await this.podControl.patchPod(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", patch);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return;
  }

  // --- syncJob ---

  async reconcile(key: string): Promise<undefined> {
    const { namespace, name } = splitKey(key);
    if (!namespace || !name) throw new Error(`invalid job key "${key}": either namespace or name is missing`);
    const shared = this.jobLister.get(key);
    if (!shared) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.deleteExpectations(key);
      this.backoffStore.remove(key);
      return;
    }
    // Another controller (spec.managedBy) owns this Job's status and pods.
    if (managedByExternalController(shared) !== undefined) return;
    const job = asJob(structuredClone(shared));
    // Finished Jobs are never touched again.
    if (isJobFinished(job)) {
      this.backoffStore.remove(key);
      return;
    }
    const mode = job.spec?.completionMode;
    if (mode != null && mode !== "NonIndexed" && mode !== "Indexed") {
      this.recorder.event(
        job,
        "Warning",
        "UnknownCompletionMode",
        "Skipped Job sync because completion mode is unknown",
      );
      return;
    }
    job.status ??= {};
    const status = job.status;
    status.uncountedTerminatedPods ??= {};
    const now = this.clock.now();

    // Expectations first: a pod that enters the cache after this check only defers the sync.
    const satisfiedExpectations = this.expectations.satisfiedExpectations(key);
    const pods = await this.getPodsForJob(job);
    const activePods = pods.filter(isPodActive);
    const ctx: SyncJobCtx = {
      job,
      pods,
      activePods,
      ready: countReadyPods(activePods),
      uncounted: new UncountedTerminatedPods(status.uncountedTerminatedPods),
      expectedRmFinalizers: this.finalizerExpectations.getExpectedUIDs(key),
      terminating: countTerminatingPods(pods),
      succeeded: 0,
      failed: 0,
      prevSucceededIndexes: [],
      succeededIndexes: [],
      newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
    };
    let active = activePods.length;
    const newSucceededPods = this.getValidPods(
      ctx,
      ctx.uncounted.succeeded,
      (p) => p.status?.phase === "Succeeded",
    );
    const newFailedPods = this.getValidPods(ctx, ctx.uncounted.failed, (p) => isPodFailed(p, job));
    ctx.succeeded = (status.succeeded ?? 0) + newSucceededPods.length + ctx.uncounted.succeeded.size;
    ctx.failed =
      (status.failed ?? 0) + nonIgnoredFailedPodsCount(job, newFailedPods) + ctx.uncounted.failed.size;

    // The first start; a Job created suspended starts when resumed.
    if (!status.startTime && !jobSuspended(job)) status.startTime = metaTime(now);
    ctx.newBackoffRecord = this.backoffStore.newBackoffRecord(key, newSucceededPods, newFailedPods);

    const errors: unknown[] = [];
    const exceedsBackoffLimit = ctx.failed > (job.spec?.backoffLimit ?? 6);
    ctx.finishedCondition = hasSuccessCriteriaMetCondition(job);
    // Once SuccessCriteriaMet is set, the pod failure policy no longer applies.
    if (!ctx.finishedCondition) {
      const failureTarget = findConditionByType(status.conditions, JobConditionType.FailureTarget);
      if (failureTarget?.status === "True") {
        ctx.finishedCondition = newFailedConditionForFailureTarget(failureTarget, now);
      } else {
        const msg = getFailJobMessage(job, pods);
        // FailureTarget records the message before the finalizers (that keep the failed pod around) go.
        if (msg !== undefined)
          ctx.finishedCondition = newCondition(
            JobConditionType.FailureTarget,
            "True",
            JobReason.PodFailurePolicy,
            msg,
            now,
          );
      }
    }
    if (!ctx.finishedCondition) {
      if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        ctx.finishedCondition = this.newFailureCondition(
          JobReason.BackoffLimitExceeded,
          JobMessage.BackoffLimitExceeded,
        );
      } else if (this.pastActiveDeadline(job)) {
        ctx.finishedCondition = this.newFailureCondition(
          JobReason.DeadlineExceeded,
          JobMessage.DeadlineExceeded,
        );
      } else if (job.spec?.activeDeadlineSeconds != null && !jobSuspended(job)) {
        const passed = now - Date.parse(status.startTime ?? "");
        this.controller.enqueueAfter(key, job.spec.activeDeadlineSeconds * 1000 - passed);
      }
    }

    if (isIndexedJob(job)) {
      const completions = job.spec?.completions ?? 0;
      const { prev, current } = calculateSucceededIndexes(job, pods);
      ctx.prevSucceededIndexes = prev;
      ctx.succeededIndexes = current;
      ctx.succeeded = totalIndexes(current);
      if (hasBackoffLimitPerIndex(job)) {
        ctx.failedIndexes = calculateFailedIndexes(job, pods);
        if (!ctx.finishedCondition) {
          const failedCount = totalIndexes(ctx.failedIndexes);
          const maxFailed = job.spec?.maxFailedIndexes;
          if (maxFailed != null && failedCount > maxFailed) {
            ctx.finishedCondition = this.newFailureCondition(
              JobReason.MaxFailedIndexesExceeded,
              JobMessage.MaxFailedIndexesExceeded,
            );
          } else if (failedCount > 0 && failedCount + totalIndexes(ctx.succeededIndexes) >= completions) {
            ctx.finishedCondition = this.newFailureCondition(
              JobReason.FailedIndexes,
              JobMessage.FailedIndexes,
            );
          }
        }
        ctx.podsWithDelayedDeletionPerIndex = getPodsWithDelayedDeletionPerIndex(
          job,
          this.getValidPods(ctx, undefined, () => true),
          ctx.activePods,
          ctx.succeededIndexes,
          ctx.failedIndexes,
          getFinishedTime,
        );
      }
      if (!ctx.finishedCondition) {
        const msg = matchSuccessPolicy(job.spec?.successPolicy, completions, ctx.succeededIndexes);
        if (msg !== undefined)
          ctx.finishedCondition = newCondition(
            JobConditionType.SuccessCriteriaMet,
            "True",
            JobReason.SuccessPolicy,
            msg,
            now,
          );
      }
    }

    let suspendCondChanged = false;
    if (ctx.finishedCondition) {
      // Finishing: stop every active pod.
      const r = await this.deleteActivePods(job, ctx.activePods);
      // Not finished yet while pods may remain, or may still be missing from the cache.
      if (r.deleted !== active || !satisfiedExpectations) ctx.finishedCondition = undefined;
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      if (r.error) errors.push(r.error);
    } else {
      let manageJobCalled = false;
      if (satisfiedExpectations && !job.metadata?.deletionTimestamp) {
        const r = await this.manageJob(job, ctx);
        active = r.active;
        if (r.error) errors.push(r.error);
        manageJobCalled = true;
      }
      const completions = job.spec?.completions;
      // Without completions, one success ends the Job once the other pods are done.
      const complete =
        completions == null
          ? ctx.succeeded > 0 && active === 0
          : ctx.succeeded >= completions && active === 0;
      if (complete) {
        ctx.finishedCondition = this.newSuccessCondition();
      } else if (manageJobCalled) {
        // Conditions and events only from the sync that managed the pods.
        if (jobSuspended(job)) {
          if (
            ensureJobConditionStatus(
              job,
              JobConditionType.Suspended,
              "True",
              "JobSuspended",
              "Job suspended",
              now,
            )
          ) {
            suspendCondChanged = true;
            this.recorder.event(job, "Normal", "Suspended", "Job suspended");
          }
        } else if (
          ensureJobConditionStatus(job, JobConditionType.Suspended, "False", "JobResumed", "Job resumed", now)
        ) {
          suspendCondChanged = true;
          this.recorder.event(job, "Normal", "Resumed", "Job resumed");
          // activeDeadlineSeconds counts continuous activity: the clock restarts on resume.
          status.startTime = metaTime(now);
        }
      }
    }

    const needsStatusUpdate =
      suspendCondChanged ||
      active !== (status.active ?? 0) ||
      ctx.ready !== status.ready ||
      ctx.terminating !== status.terminating;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    try {
      await this.tracker.trackJobStatusAndRemoveFinalizers(ctx, needsStatusUpdate);
    } catch (e) {
      throw new Error(`tracking status: ${errorMessage(e)}`, { cause: e });
    }
    if (errors.length > 0) throw errors[0];
    return;
  }

  private newFailureCondition(reason: string, message: string): JobCondition {
    // v1.32 (JobPodReplacementPolicy on): FailureTarget first, Failed once no pod is terminating.
    return newCondition(JobConditionType.FailureTarget, "True", reason, message, this.clock.now());
  }

  private newSuccessCondition(): JobCondition {
    return newCondition(JobConditionType.SuccessCriteriaMet, "True", "", "", this.clock.now());
  }

  private pastActiveDeadline(job: Job): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    const start = job.status?.startTime;
    if (ads == null || !start || jobSuspended(job)) return false;
    return this.clock.now() - Date.parse(start) >= ads * 1000;
  }

  /**
   * Pods with a finalizer, not in `uncounted`, not awaiting finalizer
   * removal and (Indexed) with a valid index, that pass filter.
   */
  private getValidPods(
    ctx: SyncJobCtx,
    uncounted: ReadonlySet<string> | undefined,
    filter: (p: Pod) => boolean,
  ): Pod[] {
    const completions = ctx.job.spec?.completions ?? 0;
    const indexed = isIndexedJob(ctx.job);
    return ctx.pods.filter((p) => {
      const uid = p.metadata?.uid ?? "";
      // Without the finalizer the pod is already uncounted or counted.
      if (!hasJobTrackingFinalizer(p) || uncounted?.has(uid) || ctx.expectedRmFinalizers.has(uid))
        return false;
      if (indexed) {
        const ix = getCompletionIndex(p.metadata?.annotations);
        if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions) return false;
      }
      return filter(p);
    });
  }

  /** The pods this Job owns after adopting matching orphans (with the tracking finalizer) and releasing the rest. */
  private async getPodsForJob(job: Job): Promise<Pod[]> {
    let selector: ReturnType<typeof labelSelectorAsSelector>;
    try {
      selector = labelSelectorAsSelector(job.spec?.selector);
    } catch (e) {
      throw new Error(`couldn't convert Job selector: ${errorMessage(e)}`);
    }
    // All pods of the namespace: owned pods that stopped matching must be released.
    const pods = this.podLister.byNamespace(job.metadata?.namespace ?? "");
    const claimed = await claimObjects(pods, {
      client: this.client,
      owner: job,
      ownerKind: JOB_KIND,
      resource: Resources.pods,
      matches: (l) => selector.matches(l),
      canAdopt: recheckDeletionTimestamp(this.client, Resources.jobs, job),
      finalizers: [JOB_TRACKING_FINALIZER],
    });
    const uid = job.metadata?.uid;
    // Adopted pods got the finalizer through the API; reflect it here for the rest of the sync.
    return claimed.map((p) => {
      const adopted = !p.metadata?.ownerReferences?.some((r) => r.uid === uid);
      if (!adopted || hasJobTrackingFinalizer(p)) return p;
      return {
        ...p,
        metadata: { ...p.metadata, finalizers: [...(p.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER] },
      };
    });
  }

  /** Deletes active pods keeping their finalizers; trackJobStatusAndRemoveFinalizers counts them and removes those. */
  private async deleteActivePods(
    job: Job,
    pods: readonly Pod[],
  ): Promise<{ deletedReady: number; deleted: number; error?: unknown }> {
    let deleted = pods.length;
    let deletedReady = 0;
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.podControl.deletePod(job.metadata?.namespace ?? "", pod.metadata?.name ?? "", job);
        } catch (e) {
          if (!isNotFound(e)) {
            deleted--;
            error ??= e;
          }
        }
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deletedReady, deleted, error };
  }

  /** Removes the finalizer and deletes: these pods are not counted as failed (suspend, too many pods). */
  private async deleteJobPods(
    job: Job,
    key: string,
    pods: readonly Pod[],
  ): Promise<{ deletedReady: number; deleted: number; error?: unknown }> {
    let deleted = pods.length;
    let deletedReady = 0;
    let error: unknown;
    const failDelete = (e: unknown, wrapped: unknown = e) => {
      // The informer will not see this deletion.
      this.expectations.deletionObserved(key);
      if (!isNotFound(e)) {
        deleted--;
        error ??= wrapped;
      }
    };
    await Promise.all(
      pods.map(async (pod) => {
        const ns = pod.metadata?.namespace ?? "";
        const name = pod.metadata?.name ?? "";
        const patch = removeTrackingFinalizerPatch(pod);
        if (patch) {
          try {
            await this.podControl.patchPod(ns, name, patch);
          } catch (e) {
            failDelete(e, new Error(`removing completion finalizer: ${errorMessage(e)}`, { cause: e }));
            return;
          }
        }
        try {
          await this.podControl.deletePod(job.metadata?.namespace ?? "", name, job);
        } catch (e) {
          failDelete(e);
        }
        if (isPodReady(pod)) deletedReady++;
      }),
    );
    return { deletedReady, deleted, error };
  }

  /** Active pods to delete: for Indexed Jobs duplicates and bad indexes first, then the least valuable. */
  private activePodsForRemoval(job: Job, pods: readonly Pod[], rmAtLeast: number): Pod[] {
    let rm: Pod[] = [];
    let left: Pod[];
    if (isIndexedJob(job)) {
      ({ rm, left } = duplicatedIndexPodsForRemoval(pods, job.spec?.completions ?? 0));
    } else {
      left = [...pods];
    }
    if (rm.length < rmAtLeast) {
      left.sort(compareActivePods);
      rm = [...rm, ...left.slice(0, rmAtLeast - rm.length)];
    }
    return rm;
  }

  /** Creates or deletes pods towards parallelism, respecting the failure backoff. Returns the new active count. */
  private async manageJob(job: Job, ctx: SyncJobCtx): Promise<{ active: number; error?: unknown }> {
    let active = ctx.activePods.length;
    const parallelism = job.spec?.parallelism ?? 1;
    const key = jobKey(job);

    if (jobSuspended(job)) {
      const podsToDelete = this.activePodsForRemoval(job, ctx.activePods, active);
      this.expectations.expectDeletions(key, podsToDelete.length);
      const r = await this.deleteJobPods(job, key, podsToDelete);
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      return { active, error: r.error };
    }

    const completions = job.spec?.completions;
    let wantActive: number;
    if (completions == null) {
      // A work queue: after the first success, let the running pods finish but start no more.
      wantActive = ctx.succeeded > 0 ? active : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));
    }

    const rmAtLeast = Math.max(0, active - wantActive);
    const podsToDelete = this.activePodsForRemoval(job, ctx.activePods, rmAtLeast).slice(
      0,
      MAX_POD_CREATE_DELETE_PER_SYNC,
    );
    if (podsToDelete.length > 0) {
      this.expectations.expectDeletions(key, podsToDelete.length);
      const r = await this.deleteJobPods(job, key, podsToDelete);
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      // Deletion and creation never happen in the same sync; deletion goes first.
      return { active, error: r.error };
    }

    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };

    const now = this.clock.now();
    let remaining = 0;
    if (!hasBackoffLimitPerIndex(job)) {
      remaining = getRemainingTime(
        ctx.newBackoffRecord,
        now,
        this.podFailureBackoffMs,
        this.maxPodFailureBackoffMs,
      );
    }
    if (remaining > 0) {
      this.controller.enqueueAfter(key, Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS));
      // upstream returned 0 here until kubernetes#139457 (fixed in the 1.32+ branches): the pods are still active.
      return { active };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);

    let indexesToAdd: number[] = [];
    if (isIndexedJob(job)) {
      indexesToAdd = firstPendingIndexes(
        {
          job,
          pods: ctx.pods,
          activePods: ctx.activePods,
          succeededIndexes: ctx.succeededIndexes,
          failedIndexes: ctx.failedIndexes,
          onlyReplaceFailedPods: onlyReplaceFailedPods(job),
        },
        diff,
        completions ?? 0,
      );
      if (hasBackoffLimitPerIndex(job)) {
        const r = this.getPodCreationInfoForIndependentIndexes(
          indexesToAdd,
          ctx.podsWithDelayedDeletionPerIndex,
        );
        indexesToAdd = r.indexes;
        if (r.remaining > 0) {
          this.controller.enqueueAfter(key, Math.max(r.remaining, SYNC_JOB_BATCH_PERIOD_MS));
          return { active };
        }
      }
      diff = indexesToAdd.length;
    }

    this.expectations.expectCreations(key, diff);
    active += diff;
    const podTemplate = structuredClone(job.spec?.template ?? {});
    if (isIndexedJob(job)) addCompletionIndexEnvVariables(podTemplate);
    podTemplate.metadata ??= {};
    podTemplate.metadata.finalizers = appendJobTrackingFinalizer(podTemplate.metadata.finalizers);
    const controllerRef = newControllerRef(job, JOB_KIND);
    const errors: unknown[] = [];

    const createOne = async (completionIndex: number) => {
      let template = podTemplate;
      let generateName = "";
      if (completionIndex !== UNKNOWN_COMPLETION_INDEX) {
        template = structuredClone(podTemplate);
        addCompletionIndexAnnotation(template, completionIndex);
        addCompletionIndexLabel(template, completionIndex);
        template.spec ??= { containers: [] };
        template.spec.hostname = `${job.metadata?.name}-${completionIndex}`;
        generateName = podGenerateNameWithIndex(job.metadata?.name ?? "", completionIndex);
        if (hasBackoffLimitPerIndex(job)) {
          addIndexFailureCountAnnotation(
            template,
            job,
            ctx.podsWithDelayedDeletionPerIndex?.get(completionIndex),
          );
        }
      }
      const pod = getPodFromTemplate(template, job, controllerRef);
      if (generateName && pod.metadata) pod.metadata.generateName = generateName;
      try {
        await this.podControl.createPod(pod, job);
      } catch (e) {
        // All later creations fail too while the namespace goes away: nothing to report.
        if (isNamespaceTerminating(e)) return;
        // The informer will never see this pod.
        this.expectations.creationObserved(key);
        active--;
        errors.push(e);
      }
    };

    // Slow start: batches of 1, 2, 4… so that a systematic failure (e.g. quota) costs one call, not hundreds.
    for (
      let batchSize = Math.min(diff, SLOW_START_INITIAL_BATCH_SIZE);
      diff > 0;
      batchSize = Math.min(2 * batchSize, diff)
    ) {
      const errorCount = errors.length;
      const batch: Promise<void>[] = [];
      for (let i = 0; i < batchSize; i++) {
        const ix = indexesToAdd.length > 0 ? (indexesToAdd.shift() as number) : UNKNOWN_COMPLETION_INDEX;
        batch.push(createOne(ix));
      }
      await Promise.all(batch);
      const skipped = diff - batchSize;
      if (errors.length > errorCount && skipped > 0) {
        // Not attempted: retried by a later sync.
        active -= skipped;
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
        break;
      }
      diff -= batchSize;
    }
    return { active, error: errors[0] };
  }

  /** With backoffLimitPerIndex: the indexes whose backoff passed, or else the shortest wait. */
  private getPodCreationInfoForIndependentIndexes(
    indexesToAdd: readonly number[],
    delayed: Map<number, Pod> | undefined,
  ): { indexes: number[]; remaining: number } {
    const now = this.clock.now();
    const ready: number[] = [];
    let minRemaining: number | undefined;
    for (const ix of indexesToAdd) {
      const remaining = getRemainingTimePerIndex(
        now,
        this.podFailureBackoffMs,
        this.maxPodFailureBackoffMs,
        delayed?.get(ix),
      );
      if (remaining === 0) ready.push(ix);
      else if (minRemaining === undefined || remaining < minRemaining) minRemaining = remaining;
    }
    if (ready.length > 0) return { indexes: ready, remaining: 0 };
    return { indexes: ready, remaining: minRemaining ?? 0 };
  }
}

function nonIgnoredFailedPodsCount(job: Job, failedPods: readonly Pod[]): number {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return failedPods.length;
  return failedPods.filter((p) => matchPodFailurePolicy(policy, p).countFailed).length;
}

/** The message of the first failed pod that matches a FailJob rule. */
function getFailJobMessage(job: Job, pods: readonly Pod[]): string | undefined {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const msg = matchPodFailurePolicy(policy, p).failJobMessage;
    if (msg !== undefined) return msg;
  }
  return undefined;
}

/** With restartPolicy OnFailure, failures are container restarts: their sum against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase !== "Running" && phase !== "Pending") continue;
    for (const s of p.status?.initContainerStatuses ?? []) restarts += s.restartCount ?? 0;
    for (const s of p.status?.containerStatuses ?? []) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
