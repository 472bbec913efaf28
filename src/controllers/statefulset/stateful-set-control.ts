// upstream's defaultStatefulSetControl (stateful_set_control.go): one pass of
// a StatefulSet over its pods.
//
//  1. revisions: the update revision is the set's template now (a new
//     ControllerRevision, or an equal older one renumbered: a rollback);
//     the current revision is status.currentRevision (or the update one).
//  2. replicas: the ordinals [start, start+replicas) get a pod each, made at
//     the current revision below the partition, else at the update revision.
//     OrderedReady ("monotonic") walks them in order and stops at the first
//     pod it creates, or that is terminating, not Running and Ready, or not
//     available; Parallel works on all of them at once.
//  3. condemned (ordinals out of range): their claims get the owners the
//     retention policy wants, then they are deleted, highest ordinal first;
//     OrderedReady deletes one at a time and only when all others are healthy.
//  4. RollingUpdate deletes the highest-ordinal pod (at or above the
//     partition) not at the update revision, once every higher one is healthy;
//     the next pass recreates it at the update revision. OnDelete stops at 3.
//  5. status, then history beyond revisionHistoryLimit is deleted.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { getScaledValueFromIntOrPercent, type IntOrString } from "../../machinery/intstr.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import {
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  nextRevision,
  sortControllerRevisions,
  updateControllerRevision,
} from "../util/history.ts";
import { getControllerOf } from "../util/owner.ts";
import {
  descendingOrdinal,
  getEndOrdinal,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  identityMatches,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from "./identity.ts";
import {
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
} from "./pod-state.ts";
import { applyRevision, newRevision } from "./revision.ts";
import { aggregate, type StatefulPodControl } from "./stateful-pod-control.ts";
import {
  completeRollingUpdate,
  inconsistentStatus,
  updateStatefulSetStatus,
  updateStatus,
} from "./status.ts";

/** Realistic maximum of requests in flight in Parallel mode. */
export const MAX_BATCH_SIZE = 500;

export interface StatefulSetControlOptions {
  client: RestClient;
  podControl: StatefulPodControl;
  /** The ControllerRevisions cache. */
  revisions: IndexerView<ControllerRevision>;
  clock: Clock;
}

/** What one pass found: the revisions (when they could be made), the status, and the errors. */
interface PassResult {
  currentRevision?: ControllerRevision;
  updateRevision?: ControllerRevision;
  status?: StatefulSetStatus;
  err?: unknown;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Calls fn(0…remaining-1) in batches of 1, 2, 4… (at most MAX_BATCH_SIZE) at
 * once, stopping after the first batch with an error; returns how many calls
 * succeeded and throws the batch's errors.
 */
export async function slowStartBatch(
  initialBatchSize: number,
  remaining: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let successes = 0;
  let j = 0;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining, MAX_BATCH_SIZE)
  ) {
    const calls: Promise<unknown>[] = [];
    for (let k = 0; k < batchSize; k++) calls.push(fn(j++));
    const results = await Promise.allSettled(calls);
    const errs = results.flatMap((r) => (r.status === "rejected" ? [toError(r.reason)] : []));
    successes += batchSize - errs.length;
    if (errs.length > 0) throw aggregate(errs);
    remaining -= batchSize;
  }
  return successes;
}

/**
 * OrderedReady: fn in order until one asks to stop (true). Parallel: all of
 * them in slow-start batches, stopping only on errors.
 */
async function runForAll(
  count: number,
  fn: (i: number) => Promise<boolean>,
  monotonic: boolean,
): Promise<{ exit: boolean; err?: unknown }> {
  try {
    if (monotonic) {
      for (let i = 0; i < count; i++) if (await fn(i)) return { exit: true };
    } else {
      await slowStartBatch(1, count, fn);
    }
    return { exit: false };
  } catch (e) {
    return { exit: true, err: e };
  }
}

/** rollingUpdate.maxUnavailable of replicaCount, rounded down, at least 1 (default 1). */
export function getStatefulSetMaxUnavailable(
  maxUnavailable: IntOrString | undefined,
  replicaCount: number,
): number {
  const n = getScaledValueFromIntOrPercent(maxUnavailable ?? 1, replicaCount, false);
  return Math.max(n, 1);
}

export class StatefulSetControl {
  private readonly client: RestClient;
  private readonly podControl: StatefulPodControl;
  private readonly revisions: IndexerView<ControllerRevision>;
  private readonly clock: Clock;

  constructor(o: StatefulSetControlOptions) {
    this.client = o.client;
    this.podControl = o.podControl;
    this.revisions = o.revisions;
    this.clock = o.clock;
  }

  /** Revisions the selector matches that are the set's or nobody's (upstream's ListControllerRevisions). */
  listRevisions(set: StatefulSet): ControllerRevision[] {
    const selector = labelSelectorAsSelector(set.spec?.selector);
    return this.revisions.byNamespace(set.metadata?.namespace ?? "").filter((r) => {
      if (!selector.matches(r.metadata?.labels ?? {})) return false;
      const ref = getControllerOf(r);
      return !ref || ref.uid === set.metadata?.uid;
    });
  }

  /** One pass over set and its pods; returns the status written (or that was already there). */
  async updateStatefulSet(set: StatefulSet, pods: Pod[]): Promise<StatefulSetStatus | undefined> {
    set = structuredClone(set);
    const revisions = sortControllerRevisions(this.listRevisions(set));
    const r = await this.performUpdate(set, pods, revisions);
    let truncateErr: unknown;
    try {
      await this.truncateHistory(set, pods, revisions, r.currentRevision, r.updateRevision);
    } catch (e) {
      truncateErr = e;
    }
    if (r.err !== undefined) {
      const errs = r.err instanceof AggregateError ? (r.err.errors as Error[]) : [toError(r.err)];
      if (truncateErr !== undefined) errs.push(toError(truncateErr));
      throw aggregate(errs);
    }
    if (truncateErr !== undefined) throw truncateErr;
    return r.status;
  }

  private async performUpdate(
    set: StatefulSet,
    pods: Pod[],
    revisions: ControllerRevision[],
  ): Promise<PassResult> {
    let currentRevision: ControllerRevision;
    let updateRevision: ControllerRevision;
    let collisionCount: number;
    try {
      ({ currentRevision, updateRevision, collisionCount } = await this.getStatefulSetRevisions(
        set,
        revisions,
      ));
    } catch (e) {
      return { err: e };
    }
    const { status, err } = await this.updateReplicas(
      set,
      currentRevision,
      updateRevision,
      collisionCount,
      pods,
    );
    if (err !== undefined && !status) return { currentRevision, updateRevision, err };
    // The status is written even when the pass failed part way.
    let statusErr: unknown;
    try {
      await this.updateStatefulSetStatus(set, status!);
    } catch (e) {
      statusErr = e;
    }
    return { currentRevision, updateRevision, status, err: err ?? statusErr };
  }

  /**
   * Revisions oldest first; the ones no pod and neither status revision uses
   * are deleted, oldest first, until revisionHistoryLimit remain.
   */
  private async truncateHistory(
    set: StatefulSet,
    pods: Pod[],
    revisions: ControllerRevision[],
    current: ControllerRevision | undefined,
    update: ControllerRevision | undefined,
  ): Promise<void> {
    const live = new Set<string>();
    if (current) live.add(current.metadata?.name ?? "");
    if (update) live.add(update.metadata?.name ?? "");
    for (const pod of pods) live.add(getPodRevision(pod));
    const history = revisions.filter((r) => !live.has(r.metadata?.name ?? ""));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) {
      try {
        await this.client.delete(Resources.controllerrevisions, r.metadata?.name ?? "", {
          namespace: r.metadata?.namespace,
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /**
   * The current and update revisions and the collision count. Makes the
   * update revision when the template is new, or renumbers an equal older
   * revision (a rollback) so that it is the latest.
   */
  private async getStatefulSetRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{
    currentRevision: ControllerRevision;
    updateRevision: ControllerRevision;
    collisionCount: number;
  }> {
    const revisionCount = revisions.length;
    sortControllerRevisions(revisions);
    const collisionCount = { value: set.status?.collisionCount ?? 0 };
    let updateRevision = newRevision(set, nextRevision(revisions), collisionCount.value);
    const equalRevisions = findEqualRevisions(revisions, updateRevision);
    const equalCount = equalRevisions.length;
    if (equalCount > 0 && equalRevision(revisions[revisionCount - 1], equalRevisions[equalCount - 1])) {
      // The latest revision is the template: nothing changed.
      updateRevision = revisions[revisionCount - 1];
    } else if (equalCount > 0) {
      // An older revision is the template: roll back by making it the latest.
      updateRevision = await updateControllerRevision(
        this.client,
        equalRevisions[equalCount - 1],
        updateRevision.revision,
      );
    } else {
      updateRevision = await createControllerRevision(this.client, set, updateRevision, collisionCount);
    }
    const currentRevision =
      revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? updateRevision;
    return { currentRevision, updateRevision, collisionCount: collisionCount.value };
  }

  /** upstream's updateStatefulSet: creates, fixes and deletes pods; returns the status to record. */
  private async updateReplicas(
    set: StatefulSet,
    currentRevision: ControllerRevision,
    updateRevision: ControllerRevision,
    collisionCount: number,
    pods: Pod[],
  ): Promise<{ status?: StatefulSetStatus; err?: unknown }> {
    let currentSet: StatefulSet;
    let updateSet: StatefulSet;
    try {
      currentSet = applyRevision(set, currentRevision);
      updateSet = applyRevision(set, updateRevision);
    } catch (e) {
      return { err: e };
    }
    const now = this.clock.now();
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      replicas: 0,
      currentRevision: currentRevision.metadata?.name,
      updateRevision: updateRevision.metadata?.name,
      collisionCount,
    };
    const recount = (...lists: Pod[][]) =>
      updateStatus(status, minReadySeconds, currentRevision, updateRevision, now, ...lists);
    recount(pods);

    const start = getStartOrdinal(set);
    const end = getEndOrdinal(set);
    const replicas: Pod[] = new Array(Math.max(0, end - start + 1));
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
      // A pod whose ordinal cannot be parsed is ignored.
    }
    for (let ord = start; ord <= end; ord++) {
      if (!replicas[ord - start]) {
        replicas[ord - start] = newVersionedStatefulSetPod(
          currentSet,
          updateSet,
          currentRevision.metadata?.name ?? "",
          updateRevision.metadata?.name ?? "",
          ord,
        );
      }
    }
    condemned.sort(descendingOrdinal);

    let firstUnhealthyPod: Pod | undefined;
    for (const pod of replicas) {
      if (!isHealthy(pod)) {
        firstUnhealthyPod = pod;
        break;
      }
    }
    // Condemned pods are sorted descending: the first unhealthy one is searched from the end.
    if (!firstUnhealthyPod) {
      for (let i = condemned.length - 1; i >= 0; i--) {
        if (!isHealthy(condemned[i])) {
          firstUnhealthyPod = condemned[i];
          break;
        }
      }
    }

    // A set being deleted only gets its status.
    if (set.metadata?.deletionTimestamp) return { status };

    const monotonic = set.spec?.podManagementPolicy !== "Parallel";

    const processReplica = async (i: number): Promise<boolean> => {
      const replica = replicas[i];
      // Succeeded counts too: an evicted or node-rebooted pod's phase comes from its exit code.
      if (isFailed(replica) || isSucceeded(replica)) {
        if (!replica.metadata?.deletionTimestamp) await this.podControl.deleteStatefulPod(set, replica);
        // The next sync recreates it once it is gone.
        return true;
      }
      if (!isCreated(replica)) {
        // A claim still owned by an earlier pod of this ordinal blocks until it is gone.
        if (this.podControl.podClaimIsStale(set, replica)) return true;
        await this.podControl.createStatefulPod(set, replica);
        if (monotonic) return true;
      }
      if (isPending(replica)) await this.podControl.createMissingPersistentVolumeClaims(set, replica);
      if (isTerminating(replica) && monotonic) return true;
      if (!isRunningAndReady(replica) && monotonic) return true;
      if (!isRunningAndAvailable(replica, minReadySeconds, this.clock.now()) && monotonic) return true;
      const retentionMatch = this.podControl.claimsMatchRetentionPolicy(updateSet, replica);
      if (identityMatches(set, replica) && storageMatches(set, replica) && retentionMatch) return false;
      await this.podControl.updateStatefulPod(updateSet, structuredClone(replica));
      return false;
    };
    let r = await runForAll(replicas.length, processReplica, monotonic);
    if (r.exit) {
      recount(replicas, condemned);
      return { status, err: r.err };
    }

    const fixPodClaim = async (i: number): Promise<boolean> => {
      if (!this.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i])) {
        await this.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
      }
      return false;
    };
    r = await runForAll(condemned.length, fixPodClaim, monotonic);
    if (r.exit) {
      recount(replicas, condemned);
      return { status, err: r.err };
    }

    // In OrderedReady mode every replica is now Running, Ready and available: scale down one at a time, highest first.
    const processCondemned = async (i: number): Promise<boolean> => {
      const pod = condemned[i];
      if (isTerminating(pod)) return monotonic;
      if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthyPod) return true;
      if (
        !isRunningAndAvailable(pod, minReadySeconds, this.clock.now()) &&
        monotonic &&
        pod !== firstUnhealthyPod
      )
        return true;
      await this.podControl.deleteStatefulPod(set, pod);
      return true;
    };
    r = await runForAll(condemned.length, processCondemned, monotonic);
    if (r.exit) {
      recount(replicas, condemned);
      return { status, err: r.err };
    }

    recount(replicas, condemned);

    // OnDelete: pods are updated when someone deletes them.
    if (set.spec?.updateStrategy?.type === "OnDelete") return { status };

    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    const updateMin = rollingUpdate?.partition ?? 0;
    const updateName = updateRevision.metadata?.name ?? "";

    if (rollingUpdate?.maxUnavailable !== undefined && rollingUpdate.maxUnavailable !== null) {
      return this.updateWithMaxUnavailable(set, replicas, updateName, updateMin, status);
    }

    // Delete the highest-ordinal pod not at the update revision, once every pod above it is healthy.
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replicas[target];
      if (getPodRevision(pod) !== updateName && !isTerminating(pod)) {
        try {
          await this.podControl.deleteStatefulPod(set, pod);
        } catch (e) {
          if (!isNotFound(e)) return { status, err: e };
        }
        status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        return { status };
      }
      if (!isHealthy(pod)) return { status };
    }
    return { status };
  }

  /**
   * RollingUpdate with maxUnavailable (upstream's
   * updateStatefulSetAfterInvariantEstablished, behind the MaxUnavailableStatefulSet
   * gate): up to maxUnavailable minus the pods already unhealthy are deleted at once,
   * highest ordinal first.
   */
  private async updateWithMaxUnavailable(
    set: StatefulSet,
    replicas: Pod[],
    updateName: string,
    updateMin: number,
    status: StatefulSetStatus,
  ): Promise<{ status: StatefulSetStatus; err?: unknown }> {
    let maxUnavailable: number;
    try {
      maxUnavailable = getStatefulSetMaxUnavailable(
        set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable,
        set.spec?.replicas ?? 1,
      );
    } catch (e) {
      return { status, err: e };
    }
    const unavailablePods = replicas.filter((p) => !isHealthy(p)).length;
    if (unavailablePods >= maxUnavailable) return { status };
    const podsToDelete = maxUnavailable - unavailablePods;
    let deleted = 0;
    for (let target = replicas.length - 1; target >= updateMin && deleted < podsToDelete; target--) {
      const pod = replicas[target];
      if (getPodRevision(pod) !== updateName && !isTerminating(pod)) {
        try {
          await this.podControl.deleteStatefulPod(set, pod);
        } catch (e) {
          if (!isNotFound(e)) return { status, err: e };
        }
        deleted++;
        status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      }
    }
    return { status };
  }

  /** Completes a finished rolling update and writes the status if it changed. */
  private async updateStatefulSetStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    await updateStatefulSetStatus(this.client, set, status);
  }
}
