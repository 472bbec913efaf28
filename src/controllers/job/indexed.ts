// upstream's indexed_job_utils.go: completionMode Indexed. Each pod carries
// its completion index (annotation, label, JOB_COMPLETION_INDEX env, hostname
// <job>-<index>); finished indexes are kept in status.completedIndexes and
// status.failedIndexes as ordered intervals written "1,3-5" (two adjacent
// indexes as "1,2").
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import type { Container, Pod, PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";
import { compareActivePods, isPodFailed, isPodTerminating } from "./pods.ts";
import { hasJobTrackingFinalizer } from "./tracking.ts";

export const JOB_COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
export const JOB_INDEX_FAILURE_COUNT_ANNOTATION = "batch.kubernetes.io/job-index-failure-count";
export const JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION =
  "batch.kubernetes.io/job-index-ignored-failure-count";
export const COMPLETION_INDEX_ENV_NAME = "JOB_COMPLETION_INDEX";
export const UNKNOWN_COMPLETION_INDEX = -1;
// names.MaxGeneratedNameLength: 63 minus the 5 random characters.
const MAX_GENERATED_NAME_LENGTH = 58;
const MAX_INT32 = 2147483647;

export function isIndexedJob(job: Job): boolean {
  return job.spec?.completionMode === "Indexed";
}

export function hasBackoffLimitPerIndex(job: Job): boolean {
  return job.spec?.backoffLimitPerIndex != null;
}

export interface Interval {
  first: number;
  last: number;
}

/** Disjoint, non-adjacent intervals in increasing order. */
export type OrderedIntervals = readonly Interval[];

/** Merges two ordered interval lists; touching intervals join. */
export function mergeIntervals(a: OrderedIntervals, b: OrderedIntervals): Interval[] {
  const result: Interval[] = [];
  const push = (iv: Interval) => {
    const last = result[result.length - 1];
    if (!last || iv.first > last.last + 1) result.push({ ...iv });
    else if (last.last < iv.last) last.last = iv.last;
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i].first < b[j].first) push(a[i++]);
    else push(b[j++]);
  }
  while (i < a.length) push(a[i++]);
  while (j < b.length) push(b[j++]);
  return result;
}

/** The intervals plus the given indexes, which must be in increasing order. */
export function withOrderedIndexes(oi: OrderedIntervals, indexes: readonly number[]): Interval[] {
  return mergeIntervals(
    oi,
    indexes.map((ix) => ({ first: ix, last: ix })),
  );
}

export function totalIndexes(oi: OrderedIntervals | undefined): number {
  let n = 0;
  for (const iv of oi ?? []) n += iv.last - iv.first + 1;
  return n;
}

/** upstream's orderedIntervals.String: "0-2", "1,3", "1,2" (a pair is not a range). */
export function formatIntervals(oi: OrderedIntervals): string {
  const parts: string[] = [];
  for (const iv of oi) {
    if (iv.last === iv.first) parts.push(`${iv.first}`);
    else if (iv.last === iv.first + 1) parts.push(`${iv.first},${iv.last}`);
    else parts.push(`${iv.first}-${iv.last}`);
  }
  return parts.join(",");
}

export function hasIndex(oi: OrderedIntervals | undefined, ix: number): boolean {
  if (!oi) return false;
  let lo = 0;
  let hi = oi.length;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    if (oi[mid].last >= ix) hi = mid;
    else lo = mid + 1;
  }
  return hi < oi.length && oi[hi].first <= ix;
}

/** Go's strconv.Atoi: an optional sign and decimal digits only. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  return Number.parseInt(s, 10);
}

/** upstream's parseIndexesFromString: corrupt intervals are skipped; indexes ≥ completions dropped. */
export function parseIndexesFromString(s: string, completions: number): Interval[] {
  const result: Interval[] = [];
  if (s === "") return result;
  for (const part of s.split(",")) {
    const limits = part.split("-");
    const first = atoi(limits[0]);
    if (first === undefined) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const l = atoi(limits[1]);
      if (l === undefined) continue;
      last = Math.min(l, completions - 1);
    }
    const prev = result[result.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else result.push({ first, last });
  }
  return result;
}

/** The pod's completion index from its annotation, or UNKNOWN_COMPLETION_INDEX. */
export function getCompletionIndex(annotations: Record<string, string> | undefined): number {
  const v = annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined) return UNKNOWN_COMPLETION_INDEX;
  const i = atoi(v);
  if (i === undefined || i < 0) return UNKNOWN_COMPLETION_INDEX;
  return i;
}

function podIndex(p: Pod): number {
  return getCompletionIndex(p.metadata?.annotations);
}

export function compareByCompletionIndex(a: Pod, b: Pod): number {
  return podIndex(a) - podIndex(b);
}

function completionsOf(job: Job): number {
  return job.spec?.completions ?? 0;
}

/**
 * The succeeded indexes before this sync (status.completedIndexes) and with
 * the pods that succeeded since (those still holding the tracking finalizer).
 */
export function calculateSucceededIndexes(
  job: Job,
  pods: readonly Pod[],
): { prev: Interval[]; current: Interval[] } {
  const completions = completionsOf(job);
  const prev = parseIndexesFromString(job.status?.completedIndexes ?? "", completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = podIndex(p);
    if (
      p.status?.phase === "Succeeded" &&
      ix !== UNKNOWN_COMPLETION_INDEX &&
      ix < completions &&
      hasJobTrackingFinalizer(p)
    )
      fresh.add(ix);
  }
  return {
    prev,
    current: withOrderedIndexes(
      prev,
      [...fresh].sort((a, b) => a - b),
    ),
  };
}

/** status.failedIndexes plus the indexes whose pods failed beyond backoffLimitPerIndex since. */
export function calculateFailedIndexes(job: Job, pods: readonly Pod[]): Interval[] {
  const completions = completionsOf(job);
  const prev =
    job.status?.failedIndexes != null ? parseIndexesFromString(job.status.failedIndexes, completions) : [];
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = podIndex(p);
    if (
      ix !== UNKNOWN_COMPLETION_INDEX &&
      ix < completions &&
      hasJobTrackingFinalizer(p) &&
      isIndexFailed(job, p)
    )
      fresh.add(ix);
  }
  return withOrderedIndexes(
    prev,
    [...fresh].sort((a, b) => a - b),
  );
}

function isIndexFailed(job: Job, pod: Pod): boolean {
  let counted = false;
  if (isPodFailed(pod, job)) {
    if (job.spec?.podFailurePolicy) {
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
      if (m.action === "FailIndex") return true;
      counted = m.countFailed;
    } else {
      counted = true;
    }
  }
  return counted && getIndexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

/** The indexes of pods, in increasing order. */
export function getIndexes(pods: readonly Pod[]): number[] {
  const set = new Set<number>();
  for (const p of pods) {
    const ix = podIndex(p);
    if (ix !== UNKNOWN_COMPLETION_INDEX) set.add(ix);
  }
  return [...set].sort((a, b) => a - b);
}

export interface PendingIndexesInput {
  job: Job;
  pods: readonly Pod[];
  activePods: readonly Pod[];
  succeededIndexes: OrderedIntervals;
  failedIndexes?: OrderedIntervals;
  /** Whether terminating pods still hold their index (podReplacementPolicy Failed). */
  onlyReplaceFailedPods: boolean;
}

/** The first `count` indexes below completions that no active (or terminating) pod, success or failure covers. */
export function firstPendingIndexes(
  input: PendingIndexesInput,
  count: number,
  completions: number,
): number[] {
  if (count === 0) return [];
  const result: number[] = [];
  let nonPending = withOrderedIndexes(input.succeededIndexes, getIndexes(input.activePods));
  if (input.onlyReplaceFailedPods) {
    nonPending = withOrderedIndexes(nonPending, getIndexes(input.pods.filter(isPodTerminating)));
  }
  if (input.failedIndexes) nonPending = mergeIntervals(nonPending, input.failedIndexes);
  let candidate = 0;
  for (const iv of nonPending) {
    for (; candidate < completions && result.length < count && candidate < iv.first; candidate++)
      result.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}

/**
 * Splits active pods into those to remove (no index, an index out of range,
 * or every pod but the best of a repeated index) and those to keep.
 */
export function duplicatedIndexPodsForRemoval(
  pods: readonly Pod[],
  completions: number,
): { rm: Pod[]; left: Pod[] } {
  const rm: Pod[] = [];
  const left: Pod[] = [];
  const sorted = [...pods].sort(compareByCompletionIndex);
  const flush = (group: Pod[], ix: number) => {
    if (group.length === 0) return;
    if (ix === UNKNOWN_COMPLETION_INDEX) {
      rm.push(...group);
      return;
    }
    if (group.length === 1) {
      left.push(group[0]);
      return;
    }
    group.sort(compareActivePods);
    rm.push(...group.slice(0, -1));
    left.push(group[group.length - 1]);
  };
  let lastIndex = UNKNOWN_COMPLETION_INDEX;
  let group: Pod[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const ix = podIndex(sorted[i]);
    if (ix >= completions) {
      rm.push(...sorted.slice(i));
      break;
    }
    if (ix !== lastIndex) {
      flush(group, lastIndex);
      group = [];
      lastIndex = ix;
    }
    group.push(sorted[i]);
  }
  flush(group, lastIndex);
  return { rm, left };
}

/** upstream's parseInt32 of an annotation: 0 when missing, malformed or out of range. */
function annotationInt32(pod: Pod, key: string): number {
  const v = pod.metadata?.annotations?.[key];
  if (v === undefined) return 0;
  const n = atoi(v);
  if (n === undefined || n < 0 || n > MAX_INT32) return 0;
  return n;
}

export function getIndexFailureCount(pod: Pod): number {
  return annotationInt32(pod, JOB_INDEX_FAILURE_COUNT_ANNOTATION);
}

/** Failures counted and ignored (by a pod failure policy Ignore rule) so far in the pod's index. */
export function getIndexAbsoluteFailureCount(pod: Pod): number {
  return (
    annotationInt32(pod, JOB_INDEX_FAILURE_COUNT_ANNOTATION) +
    annotationInt32(pod, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION)
  );
}

/** The failure counts the replacement of podBeingReplaced starts with. */
export function getNewIndexFailureCounts(job: Job, podBeingReplaced: Pod | undefined): [number, number] {
  if (!podBeingReplaced) return [0, 0];
  let failures = annotationInt32(podBeingReplaced, JOB_INDEX_FAILURE_COUNT_ANNOTATION);
  let ignored = annotationInt32(podBeingReplaced, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);
  if (job.spec?.podFailurePolicy) {
    if (matchPodFailurePolicy(job.spec.podFailurePolicy, podBeingReplaced).countFailed) failures++;
    else ignored++;
  } else {
    failures++;
  }
  return [failures, ignored];
}

export function addIndexFailureCountAnnotation(
  template: PodTemplateSpec,
  job: Job,
  podBeingReplaced: Pod | undefined,
): void {
  const [failures, ignored] = getNewIndexFailureCounts(job, podBeingReplaced);
  template.metadata ??= {};
  template.metadata.annotations ??= {};
  template.metadata.annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = `${failures}`;
  if (ignored > 0) template.metadata.annotations[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = `${ignored}`;
}

/**
 * With backoffLimitPerIndex, the last failed pod of each index that still
 * waits for its replacement: its finalizer stays (so it stays around) until
 * the replacement is created with the failure count carried over.
 * `validPods` are the pods with a finalizer not yet being removed and a valid index.
 */
export function getPodsWithDelayedDeletionPerIndex(
  job: Job,
  validPods: readonly Pod[],
  activePods: readonly Pod[],
  succeededIndexes: OrderedIntervals,
  failedIndexes: OrderedIntervals | undefined,
  finishedTime: (p: Pod) => number,
): Map<number, Pod> {
  // Failed pods of active indexes can go: the active pod carries the count.
  const activeIndexes = new Set(getIndexes(activePods));
  const result = new Map<number, Pod>();
  const completions = completionsOf(job);
  for (const p of validPods) {
    if (!isPodFailed(p, job)) continue;
    const ix = podIndex(p);
    if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions) continue;
    if (hasIndex(succeededIndexes, ix) || hasIndex(failedIndexes, ix) || activeIndexes.has(ix)) continue;
    const last = result.get(ix);
    if (
      !last ||
      (getIndexAbsoluteFailureCount(last) <= getIndexAbsoluteFailureCount(p) &&
        !(finishedTime(p) < finishedTime(last)))
    )
      result.set(ix, p);
  }
  return result;
}

/** JOB_COMPLETION_INDEX from the pod's index label in every container (upstream with PodIndexLabel on). */
export function addCompletionIndexEnvVariables(template: PodTemplateSpec): void {
  const spec = template.spec;
  if (!spec) return;
  for (const c of spec.initContainers ?? []) addCompletionIndexEnvVariable(c);
  for (const c of spec.containers ?? []) addCompletionIndexEnvVariable(c);
}

function addCompletionIndexEnvVariable(c: Container): void {
  if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV_NAME)) return;
  c.env = [
    ...(c.env ?? []),
    {
      name: COMPLETION_INDEX_ENV_NAME,
      valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX_ANNOTATION}']` } },
    },
  ];
}

export function addCompletionIndexAnnotation(template: PodTemplateSpec, index: number): void {
  template.metadata ??= {};
  template.metadata.annotations ??= {};
  template.metadata.annotations[JOB_COMPLETION_INDEX_ANNOTATION] = `${index}`;
}

/** The label has the annotation's name, for consistency (upstream's PodIndexLabel). */
export function addCompletionIndexLabel(template: PodTemplateSpec, index: number): void {
  template.metadata ??= {};
  template.metadata.labels ??= {};
  template.metadata.labels[JOB_COMPLETION_INDEX_ANNOTATION] = `${index}`;
}

/** "<job>-<index>-", with the job name cut so the generated name stays valid. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  if (prefix.length > MAX_GENERATED_NAME_LENGTH)
    return prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix;
  return prefix;
}
