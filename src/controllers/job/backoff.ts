// upstream's backoff_utils.go: after pod failures the Job controller waits
// before creating replacements, 10 s after the first failure, doubling with
// each consecutive failure up to a cap, measured from when the last failed
// pod finished. A success resets the count. The record lives in memory, per
// Job; with backoffLimitPerIndex each index keeps its count in the
// batch.kubernetes.io/job-index-failure-count annotation instead.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { getIndexAbsoluteFailureCount } from "./indexed.ts";

/** upstream's DefaultJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** upstream's MaxJobPodFailureBackOff (10 minutes in the code since v1.27; the docs still say 6). */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  /** ms since the epoch. */
  lastFailureTime?: number;
}

function parseTime(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When the pod finished: the latest container finish if all containers
 * finished, else when Ready turned False, else its deletion time minus the
 * grace period, else its creation.
 */
export function getFinishedTime(p: Pod): number {
  return (
    finishTimeFromContainers(p) ??
    finishTimeFromReadyFalse(p) ??
    finishTimeFromDeletion(p) ??
    parseTime(p.metadata?.creationTimestamp) ??
    0
  );
}

function finishTimeFromContainers(p: Pod): number | undefined {
  let finish: number | undefined;
  for (const cs of p.status?.containerStatuses ?? []) {
    const t = parseTime(cs.state?.terminated?.finishedAt);
    if (t === undefined) return undefined;
    if (finish === undefined || finish < t) finish = t;
  }
  return finish;
}

function finishTimeFromReadyFalse(p: Pod): number | undefined {
  const c = p.status?.conditions?.find((x) => x.type === "Ready");
  if (c?.status !== "False") return undefined;
  return parseTime(c.lastTransitionTime);
}

function finishTimeFromDeletion(p: Pod): number | undefined {
  const t = parseTime(p.metadata?.deletionTimestamp);
  if (t === undefined) return undefined;
  return t - (p.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
}

function byFinishedTime(pods: readonly Pod[]): Pod[] {
  return [...pods].sort((a, b) => getFinishedTime(a) - getFinishedTime(b));
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord | undefined {
    const r = this.records.get(key);
    return r && { ...r };
  }

  update(record: BackoffRecord): void {
    this.records.set(record.key, { ...record });
  }

  remove(key: string): void {
    this.records.delete(key);
  }

  /** The record after this sync's newly finished pods (not stored until the status write succeeds). */
  newBackoffRecord(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const backoff: BackoffRecord = this.get(key) ?? { key, failuresAfterLastSuccess: 0 };
    const succeeded = byFinishedTime(newSucceeded);
    const failed = byFinishedTime(newFailed);
    if (succeeded.length === 0) {
      if (failed.length === 0) return backoff;
      backoff.failuresAfterLastSuccess += failed.length;
      backoff.lastFailureTime = getFinishedTime(failed[failed.length - 1]);
      return backoff;
    }
    backoff.failuresAfterLastSuccess = 0;
    backoff.lastFailureTime = undefined;
    if (failed.length === 0) return backoff;
    // Only failures after the last success count.
    const lastSuccess = getFinishedTime(succeeded[succeeded.length - 1]);
    for (let i = failed.length - 1; i >= 0; i--) {
      const t = getFinishedTime(failed[i]);
      if (!(t > lastSuccess)) break;
      backoff.lastFailureTime ??= t;
      backoff.failuresAfterLastSuccess++;
    }
    return backoff;
  }
}

/** How long until a replacement may be created: base·2^(failures-1), capped, minus the time since the last failure. */
export function getRemainingTimeForFailuresCount(
  nowMs: number,
  baseMs: number,
  maxMs: number,
  failures: number,
  lastFailureTime: number | undefined,
): number {
  if (failures === 0) return 0;
  let backoff = baseMs;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = nowMs - (lastFailureTime ?? 0);
  return backoff < elapsed ? 0 : backoff - elapsed;
}

export function getRemainingTime(
  record: BackoffRecord,
  nowMs: number,
  baseMs: number,
  maxMs: number,
): number {
  return getRemainingTimeForFailuresCount(
    nowMs,
    baseMs,
    maxMs,
    record.failuresAfterLastSuccess,
    record.lastFailureTime,
  );
}

/** The wait before an index may get a new pod, from the failure count its last failed pod carries. */
export function getRemainingTimePerIndex(
  nowMs: number,
  baseMs: number,
  maxMs: number,
  lastFailedPod: Pod | undefined,
): number {
  if (!lastFailedPod) return 0;
  const failures = getIndexAbsoluteFailureCount(lastFailedPod) + 1;
  return getRemainingTimeForFailuresCount(nowMs, baseMs, maxMs, failures, getFinishedTime(lastFailedPod));
}
