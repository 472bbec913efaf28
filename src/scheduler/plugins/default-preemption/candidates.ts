// Preemption candidates and how one is picked (upstream's
// framework/preemption Candidate, pickOneNodeForPreemption and the
// util.MoreImportantPod / GetEarliestPodStartTime helpers it leans on).
import type { Pod } from "kubernetes-types/core/v1.d.ts";

/** The pods to evict on one node, highest priority first, and how many PDBs that breaks. */
export interface Victims {
  pods: Pod[];
  numPDBViolations: number;
}

/** A node the preemptor could be nominated to, with what must go to make room. */
export interface Candidate {
  name: string;
  victims: Victims;
}

/** corev1helpers.PodPriority: no priority counts as 0. */
export const podPriority = (pod: Pod): number => pod.spec?.priority ?? 0;

/** util.GetPodStartTime: pods that have not started count as starting now. */
export function podStartTime(pod: Pod, now: number): number {
  const s = pod.status?.startTime;
  if (s) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return t;
  }
  return now;
}

/** util.MoreImportantPod: higher priority, then the one running longer. */
export function moreImportantPod(a: Pod, b: Pod, now: number): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a, now) < podStartTime(b, now);
}

/** util.GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
export function earliestPodStartTime(victims: Victims, now: number): number | undefined {
  if (victims.pods.length === 0) return undefined;
  let earliest = podStartTime(victims.pods[0], now);
  let maxPriority = podPriority(victims.pods[0]);
  for (const pod of victims.pods) {
    const p = podPriority(pod);
    if (p === maxPriority) {
      const t = podStartTime(pod, now);
      if (t < earliest) earliest = t;
    } else if (p > maxPriority) {
      maxPriority = p;
      earliest = podStartTime(pod, now);
    }
  }
  return earliest;
}

/** A higher score wins; the next function only breaks ties among the winners. */
export type CandidateScoreFunc = (node: string) => number;

// Go adds MaxInt32+1 so that negative priorities still sum to a non-negative number.
const PRIORITY_OFFSET = 2 ** 31;

/**
 * pickOneNodeForPreemption: each score function keeps only its top nodes;
 * by default, in order: fewest PDB violations, lowest highest-priority victim,
 * smallest sum of victim priorities, fewest victims, latest start of the
 * highest-priority victims, then the first node left. Victims are ordered
 * highest priority first.
 */
export function pickOneNodeForPreemption(
  nodesToVictims: ReadonlyMap<string, Victims>,
  now: number,
  scoreFuncs?: CandidateScoreFunc[],
): string {
  if (nodesToVictims.size === 0) return "";
  let all = [...nodesToVictims.keys()];
  const victimsOf = (node: string) => nodesToVictims.get(node)!;
  const funcs: CandidateScoreFunc[] = scoreFuncs?.length
    ? scoreFuncs
    : [
        (node) => -victimsOf(node).numPDBViolations,
        (node) => -podPriority(victimsOf(node).pods[0]),
        (node) => {
          let sum = 0;
          for (const pod of victimsOf(node).pods) sum += podPriority(pod) + PRIORITY_OFFSET;
          return -sum;
        },
        (node) => -victimsOf(node).pods.length,
        (node) => earliestPodStartTime(victimsOf(node), now) ?? Number.MIN_SAFE_INTEGER,
      ];
  for (const f of funcs) {
    let selected: string[] = [];
    let max = Number.NEGATIVE_INFINITY;
    for (const node of all) {
      const score = f(node);
      if (score > max) {
        max = score;
        selected = [];
      }
      if (score === max) selected.push(node);
    }
    if (selected.length === 1) return selected[0];
    all = selected;
  }
  return all[0];
}
