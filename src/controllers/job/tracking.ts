// upstream's tracking_utils.go and the uncounted-pods bookkeeping of
// job_controller.go: Job pods are created with the finalizer
// batch.kubernetes.io/job-tracking, so a finished pod cannot vanish before it
// is counted. A finished pod's uid is first written to
// status.uncountedTerminatedPods, then its finalizer is removed, and only then
// is it moved into status.succeeded / status.failed. Whatever crashes in
// between, no pod is counted twice and none is lost.
import type { JobStatus } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

export function hasJobTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** A strategic merge patch that removes the tracking finalizer, or undefined when the pod has none. */
export function removeTrackingFinalizerPatch(pod: Pod): unknown {
  if (!hasJobTrackingFinalizer(pod)) return undefined;
  return { metadata: { "$deleteFromPrimitiveList/finalizers": [JOB_TRACKING_FINALIZER] } };
}

export function appendJobTrackingFinalizer(finalizers: string[] | undefined): string[] {
  const list = finalizers ?? [];
  return list.includes(JOB_TRACKING_FINALIZER) ? list : [...list, JOB_TRACKING_FINALIZER];
}

/** status.uncountedTerminatedPods as sets of uids. */
export class UncountedTerminatedPods {
  readonly succeeded: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;

  constructor(from: { succeeded?: string[]; failed?: string[] } | undefined) {
    this.succeeded = new Set(from?.succeeded ?? []);
    this.failed = new Set(from?.failed ?? []);
  }
}

/**
 * Moves the uids whose pods no longer hold the finalizer from
 * status.uncountedTerminatedPods into the succeeded / failed counters.
 * Returns whether the status changed.
 */
export function cleanUncountedPodsWithoutFinalizers(
  status: JobStatus,
  uidsWithFinalizer: ReadonlySet<string>,
): boolean {
  let updated = false;
  status.uncountedTerminatedPods ??= {};
  const uncounted = status.uncountedTerminatedPods;
  const succeeded = uncounted.succeeded ?? [];
  const keepSucceeded = succeeded.filter((uid) => uidsWithFinalizer.has(uid));
  if (keepSucceeded.length !== succeeded.length) {
    updated = true;
    status.succeeded = (status.succeeded ?? 0) + succeeded.length - keepSucceeded.length;
    uncounted.succeeded = keepSucceeded;
  }
  const failed = uncounted.failed ?? [];
  const keepFailed = failed.filter((uid) => uidsWithFinalizer.has(uid));
  if (keepFailed.length !== failed.length) {
    updated = true;
    status.failed = (status.failed ?? 0) + failed.length - keepFailed.length;
    uncounted.failed = keepFailed;
  }
  return updated;
}

/**
 * upstream's uidTrackingExpectations: per Job, the uids of pods whose
 * finalizer removal was sent but not yet seen in the informer, so that a
 * sync on a stale cache does not count them again.
 */
export class FinalizerExpectations {
  private readonly store = new Map<string, Set<string>>();

  getExpectedUIDs(jobKey: string): ReadonlySet<string> {
    return new Set(this.store.get(jobKey) ?? []);
  }

  expectFinalizersRemoved(jobKey: string, uids: readonly string[]): void {
    let set = this.store.get(jobKey);
    if (!set) {
      set = new Set();
      this.store.set(jobKey, set);
    }
    for (const uid of uids) set.add(uid);
  }

  finalizerRemovalObserved(jobKey: string, uid: string): void {
    this.store.get(jobKey)?.delete(uid);
  }

  deleteExpectations(jobKey: string): void {
    this.store.delete(jobKey);
  }
}
