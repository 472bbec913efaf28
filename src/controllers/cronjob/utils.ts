// upstream's pkg/controller/cronjob/utils.go: the active list, which
// scheduled time is due (with its rough count of missed times), when to look
// again, and the Job a CronJob makes for a scheduled time.
import type { CronJob, Job } from "kubernetes-types/batch/v1.d.ts";
import type { ObjectReference } from "kubernetes-types/core/v1.d.ts";
import type { Schedule } from "../../api/cron/schedule.ts";
import { formatRFC3339, loadLocation } from "../../api/cron/time-zone.ts";
import { metaTime } from "../../client/event-correlator.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { newControllerRef } from "../util/owner.ts";

export const CRONJOB_KIND = { apiVersion: "batch/v1", kind: "CronJob" };
/** batchv1.CronJobScheduledTimestampAnnotation. */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/** Padding on every requeue for the next schedule, against clock skew (upstream's nextScheduleDelta). */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type MissedSchedules = "none" | "few" | "many";

export function timeOf(t: string | undefined | null): number | undefined {
  return t ? Date.parse(t) : undefined;
}

export function inActiveList(cj: CronJob, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((j) => j.uid === uid);
}

export function inActiveListByName(cj: CronJob, namespace: string | undefined, name: string): boolean {
  return (cj.status?.active ?? []).some((j) => j.name === name && j.namespace === namespace);
}

export function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  cj.status ??= {};
  cj.status.active = (cj.status.active ?? []).filter((j) => j.uid !== uid);
}

export interface MostRecentScheduleTime {
  /** The last schedule time, else the CronJob's creation (later the deadline, when asked for). */
  earliestTime: number;
  /** The most recent time a Job should have been created, if one is due by now. */
  mostRecentTime?: number;
  missedSchedules: MissedSchedules;
  /** A schedule that parses but never fires twice (31 February). */
  error?: string;
}

/**
 * mostRecentScheduleTime: rather than walk every missed time since the
 * last one, it estimates how many intervals fit (from the first two times)
 * and walks only the last couple, which also counts how many were missed.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  schedule: Schedule,
  includeStartingDeadlineSeconds: boolean,
): MostRecentScheduleTime {
  let earliestTime = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata?.creationTimestamp) ?? 0;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadlineSeconds && deadline != null) {
    // Nothing is scheduled before this point.
    const schedulingDeadline = now - deadline * 1000;
    if (schedulingDeadline > earliestTime) earliestTime = schedulingDeadline;
  }
  const t1 = schedule.next(earliestTime);
  const t2 = schedule.next(t1);
  if (now < t1) return { earliestTime, missedSchedules: "none" };
  if (now < t2) return { earliestTime, mostRecentTime: t1, missedSchedules: "none" };

  // "59 23 31 2 *" parses but never fires: both times are Go's zero time.
  const timeBetweenTwoSchedules = Math.round((t2 - t1) / 1000);
  if (timeBetweenTwoSchedules < 1) {
    return {
      earliestTime,
      missedSchedules: "none",
      error: "time difference between two schedules is less than 1 second",
    };
  }
  const timeElapsed = Math.trunc((now - t1) / 1000);
  const numberOfMissedSchedules = Math.floor(timeElapsed / timeBetweenTwoSchedules) + 1;
  // Step back one interval more than the estimate and let the schedule find
  // the real times: intervals are not uniform ("30 6-16/4 * * 1-5").
  const potentialEarliest = t1 + (numberOfMissedSchedules - 2) * timeBetweenTwoSchedules * 1000;
  let mostRecentTime: number | undefined;
  for (let t = schedule.next(potentialEarliest); t <= now; ) {
    mostRecentTime = t;
    const n = schedule.next(t);
    if (n <= t) break; // Go's zero time: no further time within five years
    t = n;
  }
  // More than 100 is "lots": a wedged controller or clock skew.
  const missedSchedules: MissedSchedules =
    numberOfMissedSchedules > 100 ? "many" : numberOfMissedSchedules > 0 ? "few" : "none";
  return { earliestTime, mostRecentTime, missedSchedules };
}

/** nextScheduleTimeDuration: how long until the next schedule, plus 100 ms against clock skew. */
export function nextScheduleTimeDuration(cj: CronJob, now: number, schedule: Schedule): number {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let mostRecentTime: number;
  if (r.error !== undefined) mostRecentTime = now;
  else if (r.mostRecentTime === undefined)
    mostRecentTime = r.missedSchedules === "none" ? r.earliestTime : now;
  else mostRecentTime = r.mostRecentTime;
  return schedule.next(mostRecentTime) + NEXT_SCHEDULE_DELTA_MS - now;
}

/**
 * nextScheduleTime: the unmet scheduled time to act on (none if not yet
 * due), with a TooManyMissedTimes warning when more than 100 were missed.
 */
export function nextScheduleTime(
  cj: CronJob,
  now: number,
  schedule: Schedule,
  recorder: Pick<EventRecorder, "event">,
): { time?: number; error?: string } {
  const r = mostRecentScheduleTime(cj, now, schedule, true);
  if (r.mostRecentTime === undefined || r.mostRecentTime > now) return { error: r.error };
  if (r.missedSchedules === "many") {
    recorder.event(
      cj,
      "Warning",
      "TooManyMissedTimes",
      "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    );
  }
  return { time: r.mostRecentTime, error: r.error };
}

/** "<cronjob>-<scheduled time in minutes since the epoch>": a name per scheduled time, so a Job is never made twice. */
export function getJobName(cj: CronJob, scheduledTime: number): string {
  return `${cj.metadata?.name}-${Math.trunc(Math.trunc(scheduledTime / 1000) / 60)}`;
}

/**
 * getJobFromTemplate2: the template's labels, annotations and spec, the
 * scheduled time as an annotation in the CronJob's time zone, and the
 * CronJob as controller. Throws when spec.timeZone does not load.
 */
export function getJobFromTemplate2(cj: CronJob, scheduledTime: number): Job {
  const template = cj.spec?.jobTemplate;
  const labels = { ...(template?.metadata?.labels ?? {}) };
  const annotations = { ...(template?.metadata?.annotations ?? {}) };
  const loc = loadLocation(cj.spec?.timeZone ?? "");
  annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = formatRFC3339(scheduledTime, loc);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: getJobName(cj, scheduledTime),
      namespace: cj.metadata?.namespace,
      labels,
      annotations,
      // The apiserver sets its own; upstream sends the scheduled time all the same.
      creationTimestamp: metaTime(scheduledTime),
      ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
    },
    spec: structuredClone(template?.spec ?? { template: {} }),
  };
}

/** byJobStartTime: oldest start first, jobs not started last, names break ties. */
export function byJobStartTime(a: Job, b: Job): number {
  const sa = timeOf(a.status?.startTime);
  const sb = timeOf(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1;
  return (sa ?? 0) - (sb ?? 0);
}

/** jobutil.FinishedCondition: the type of a true Complete or Failed condition. */
export function finishedCondition(j: Job): "Complete" | "Failed" | undefined {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  }
  return undefined;
}

export const isJobFinished = (j: Job): boolean => finishedCondition(j) !== undefined;

export function isJobSucceeded(j: Job): boolean {
  return (j.status?.conditions ?? []).some((c) => c.type === "Complete" && c.status === "True");
}

/** reference.GetReference for a Job, as status.active holds it. */
export function jobReference(j: Job): ObjectReference {
  return {
    kind: "Job",
    namespace: j.metadata?.namespace,
    name: j.metadata?.name,
    uid: j.metadata?.uid,
    apiVersion: "batch/v1",
    resourceVersion: j.metadata?.resourceVersion,
  };
}
