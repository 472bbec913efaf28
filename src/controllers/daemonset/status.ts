// upstream's updateDaemonSetStatus and storeDaemonSetStatus: the counts
// `kubectl get ds` prints and `kubectl rollout status ds` waits on
// (observedGeneration, updatedNumberScheduled, numberAvailable against
// desiredNumberScheduled). Per node that should run the pod, the oldest of its
// daemon pods decides ready, available and updated; a pod on a node that
// should not run it is misscheduled.
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isPodAvailable, isPodReady } from "../util/pods.ts";
import {
  comparePodsByCreationTimestampAndPhase,
  getTemplateGeneration,
  isPodUpdated,
} from "./daemonset-util.ts";
import { nodeShouldRunDaemonPod } from "./should-run.ts";

/** StatusUpdateRetries: one more try, with a fresh object, after a failed status update. */
export const STATUS_UPDATE_RETRIES = 1;

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** The counts of ds over nodeList, given its pods by node (upstream's loop in updateDaemonSetStatus). */
export function calculateDaemonSetCounts(
  ds: DaemonSet,
  nodeList: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, Pod[]>,
  hash: string,
  nowMs: number,
): DaemonSetCounts {
  const c: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const generation = getTemplateGeneration(ds);
  for (const node of nodeList) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata?.name ?? "") ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(comparePodsByCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/** True when the stored status already says counts and has observed the current generation. */
export function statusUpToDate(ds: DaemonSet, c: DaemonSetCounts): boolean {
  const s = ds.status;
  return (
    (s?.desiredNumberScheduled ?? 0) === c.desiredNumberScheduled &&
    (s?.currentNumberScheduled ?? 0) === c.currentNumberScheduled &&
    (s?.numberMisscheduled ?? 0) === c.numberMisscheduled &&
    (s?.numberReady ?? 0) === c.numberReady &&
    (s?.updatedNumberScheduled ?? 0) === c.updatedNumberScheduled &&
    (s?.numberAvailable ?? 0) === c.numberAvailable &&
    (s?.numberUnavailable ?? 0) === c.numberUnavailable &&
    (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0)
  );
}

/**
 * storeDaemonSetStatus: writes the counts through the status subresource
 * when they changed; observedGeneration is raised only when the controller
 * acted on this generation (updateObservedGen).
 */
export async function storeDaemonSetStatus(
  client: RestClient,
  ds: DaemonSet,
  c: DaemonSetCounts,
  updateObservedGen: boolean,
): Promise<void> {
  if (statusUpToDate(ds, c)) return;
  const namespace = ds.metadata?.namespace;
  let toUpdate: DaemonSet = structuredClone(ds);
  let updateErr: unknown;
  for (let i = 0; ; i++) {
    toUpdate = {
      ...toUpdate,
      status: {
        ...toUpdate.status,
        ...(updateObservedGen ? { observedGeneration: ds.metadata?.generation } : {}),
        ...c,
      },
    } as DaemonSet;
    try {
      await client.update(Resources.daemonsets, toUpdate as DaemonSet & { metadata: object }, {
        namespace,
        subresource: "status",
      });
      return;
    } catch (e) {
      updateErr = e;
    }
    // Stop retrying after StatusUpdateRetries: the DaemonSet is requeued with a rate limit.
    if (i >= STATUS_UPDATE_RETRIES) break;
    // The GET's error is more interesting than the update's.
    toUpdate = await client.get<DaemonSet>(Resources.daemonsets, ds.metadata?.name ?? "", { namespace });
  }
  throw updateErr;
}
