// Job conditions as v1.32 writes them. A Job ends in two steps: first the
// interim FailureTarget or SuccessCriteriaMet condition, and only once no pod
// is left terminating (or uncounted) the terminal Failed or Complete one, so
// that clients never see a finished Job with pods still running.
import type { Job, JobCondition } from "kubernetes-types/batch/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";

export const JobConditionType = {
  Suspended: "Suspended",
  Complete: "Complete",
  Failed: "Failed",
  FailureTarget: "FailureTarget",
  SuccessCriteriaMet: "SuccessCriteriaMet",
} as const;

export const JobReason = {
  PodFailurePolicy: "PodFailurePolicy",
  BackoffLimitExceeded: "BackoffLimitExceeded",
  DeadlineExceeded: "DeadlineExceeded",
  MaxFailedIndexesExceeded: "MaxFailedIndexesExceeded",
  FailedIndexes: "FailedIndexes",
  SuccessPolicy: "SuccessPolicy",
} as const;

export const JobMessage = {
  BackoffLimitExceeded: "Job has reached the specified backoff limit",
  DeadlineExceeded: "Job was active longer than specified deadline",
  MaxFailedIndexesExceeded: "Job has exceeded the specified maximal number of failed indexes",
  FailedIndexes: "Job has failed indexes",
} as const;

/** A condition with both times at now; empty reason and message are left out, as Go's omitempty does. */
export function newCondition(
  type: string,
  status: "True" | "False",
  reason: string,
  message: string,
  nowMs: number,
): JobCondition {
  const t = metaTime(nowMs);
  return {
    type,
    status,
    lastProbeTime: t,
    lastTransitionTime: t,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function findConditionByType(
  list: readonly JobCondition[] | undefined,
  type: string,
): JobCondition | undefined {
  return list?.find((c) => c.type === type);
}

/**
 * Sets the condition of that type to status, reason and message, appending it
 * when missing (but never appending a False one). Returns whether it changed.
 */
export function ensureJobConditionStatus(
  job: Job,
  type: string,
  status: "True" | "False",
  reason: string,
  message: string,
  nowMs: number,
): boolean {
  job.status ??= {};
  const list = job.status.conditions ?? [];
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status !== status || (c.reason ?? "") !== reason || (c.message ?? "") !== message) {
      list[i] = newCondition(type, status, reason, message, nowMs);
      return true;
    }
    return false;
  }
  if (status !== "False") {
    job.status.conditions = [...list, newCondition(type, status, reason, message, nowMs)];
    return true;
  }
  return false;
}

/** The Complete or Failed condition that is True, if any (upstream's FinishedCondition). */
export function finishedConditionType(job: Job): "Complete" | "Failed" | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  }
  return undefined;
}

export function isJobFinished(job: Job): boolean {
  return finishedConditionType(job) !== undefined;
}

/** The True SuccessCriteriaMet condition, if any. */
export function hasSuccessCriteriaMetCondition(job: Job): JobCondition | undefined {
  const c = findConditionByType(job.status?.conditions, JobConditionType.SuccessCriteriaMet);
  return c?.status === "True" ? c : undefined;
}

export function isSuccessCriteriaMetCondition(c: JobCondition | undefined): boolean {
  return c?.type === JobConditionType.SuccessCriteriaMet && c.status === "True";
}

/** The terminal Failed condition that follows an interim FailureTarget, with its reason and message. */
export function newFailedConditionForFailureTarget(c: JobCondition, nowMs: number): JobCondition {
  return newCondition(JobConditionType.Failed, "True", c.reason ?? "", c.message ?? "", nowMs);
}
