// upstream's pkg/controller/deployment/sync.go: what every path of a
// Deployment sync shares. Find the new and old ReplicaSets and keep their
// revisions in order (creating the new one when a rollout needs it), scale
// proportionally on scaling events and while paused, clean up old ReplicaSets
// past revisionHistoryLimit, and write the status the ReplicaSets add up to.
import type { DeploymentStatus } from "kubernetes-types/apps/v1.d.ts";
import { isAlreadyExists, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { computeHash } from "../util/hash.ts";
import { getControllerOf, newControllerRef } from "../util/owner.ts";
import {
  DEPLOYMENT_AVAILABLE,
  DEPLOYMENT_PROGRESSING,
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  getDeploymentCondition,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_REPLICA_SET_REASON,
  newDeploymentCondition,
  PAUSED_DEPLOY_REASON,
  RESUMED_DEPLOY_REASON,
  setDeploymentCondition,
  TIMED_OUT_REASON,
} from "./conditions.ts";
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
  type DeploymentObj,
  deploymentReplicas,
  equalIgnoreHash,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getActualReplicaCountForReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getDesiredReplicasAnnotation,
  getProportion,
  getReadyReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  type ReplicaSetObj,
  replicasAnnotationsNeedUpdate,
  rsReplicas,
  semanticEqual,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./util.ts";

export const DEPLOYMENT_KIND = { apiVersion: "apps/v1", kind: "Deployment" };

/** Limit of the revision-history annotation (about 100 revisions). */
const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

/** What the sync functions need of the controller. */
export interface SyncContext {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  /** The ReplicaSet cache. */
  rsLister: IndexerView<ReplicaSetObj>;
  enqueueAfter(d: DeploymentObj, ms: number): void;
  enqueueRateLimited(d: DeploymentObj): void;
  log(msg: string): void;
}

/** The annotation that carries the deprecated spec.rollbackTo, when it holds a revision. */
export function getRollbackTo(d: DeploymentObj): { revision: number } | undefined {
  const v = d.metadata?.annotations?.[DEPRECATED_ROLLBACK_TO_ANNOTATION];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return { revision: Number(v) };
}

/** The status as Go serialises it: zero counts are omitted (omitempty). */
export function normalizeStatus(s: DeploymentStatus | undefined): DeploymentStatus {
  const out: DeploymentStatus = {};
  if (!s) return out;
  const counts = [
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
  ] as const;
  for (const k of counts) if (s[k]) out[k] = s[k];
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  return out;
}

export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return semanticEqual(normalizeStatus(a), normalizeStatus(b));
}

/**
 * UpdateStatus. upstream's deployment status strategy keeps every metadata
 * change but labels, which is how the revision annotation reaches the
 * Deployment; when the apiserver dropped our annotation changes, they follow
 * in a merge patch.
 */
export async function updateDeploymentStatus(dc: SyncContext, d: DeploymentObj): Promise<void> {
  const body = { ...d, status: normalizeStatus(d.status) };
  const updated = await dc.client.update<DeploymentObj>(Resources.deployments, body, {
    subresource: "status",
  });
  // The next write of this sync must not conflict with our own.
  Object.assign(d.metadata!, { resourceVersion: updated.metadata?.resourceVersion });
  const want = d.metadata?.annotations ?? {};
  const have = updated.metadata?.annotations ?? {};
  const diff: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) diff[k] = v;
  for (const k of Object.keys(have)) if (!(k in want)) diff[k] = null;
  if (Object.keys(diff).length === 0) return;
  const patched = await dc.client.patch<DeploymentObj>(
    Resources.deployments,
    d.metadata?.name ?? "",
    { metadata: { annotations: diff } },
    { namespace: d.metadata?.namespace, type: "merge" },
  );
  Object.assign(d.metadata!, { resourceVersion: patched.metadata?.resourceVersion });
}

/** Only updates the status; used while the deployment is being deleted. */
export async function syncStatusOnly(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/** Reconciles a scaling event or a paused deployment: scale, clean up when paused, update the status. */
export async function sync(dc: SyncContext, d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await scale(dc, d, newRS, oldRSs);
  // Clean up when paused and no rollback is in flight.
  if (d.spec?.paused && !getRollbackTo(d)) await cleanupDeployment(dc, oldRSs, d);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/**
 * Marks a pause or resume in the Progressing condition, so that a deployment
 * paused longer than its deadline is not reported as stalled when resumed.
 */
export async function checkPausedConditions(dc: SyncContext, d: DeploymentObj): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, DEPLOYMENT_PROGRESSING);
  // A reported lack of progress is not overwritten by a pause.
  if (cond?.reason === TIMED_OUT_REASON) return;
  const pausedCondExists = cond?.reason === PAUSED_DEPLOY_REASON;
  d.status ??= {};
  const now = dc.clock.now();
  if (d.spec?.paused && !pausedCondExists) {
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        DEPLOYMENT_PROGRESSING,
        "Unknown",
        PAUSED_DEPLOY_REASON,
        "Deployment is paused",
        now,
      ),
    );
  } else if (!d.spec?.paused && pausedCondExists) {
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        DEPLOYMENT_PROGRESSING,
        "Unknown",
        RESUMED_DEPLOY_REASON,
        "Deployment is resumed",
        now,
      ),
    );
  } else return;
  await updateDeploymentStatus(dc, d);
}

/**
 * The new RS (created when createIfNotExisted and there is none) and all old
 * ones. The new RS's revision becomes the highest of the old ones + 1, and the
 * deployment's revision follows the new RS's.
 */
export async function getAllReplicaSetsAndSyncRevision(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
  createIfNotExisted: boolean,
): Promise<{ newRS: ReplicaSetObj | undefined; oldRSs: ReplicaSetObj[] }> {
  const { allRSs: allOldRSs } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(dc, d, rsList, allOldRSs, createIfNotExisted);
  return { newRS, oldRSs: allOldRSs };
}

function replaceInList(rsList: ReplicaSetObj[], rs: ReplicaSetObj): void {
  const i = rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
  if (i >= 0) rsList[i] = rs;
}

async function updateReplicaSet(dc: SyncContext, rs: ReplicaSetObj): Promise<ReplicaSetObj> {
  return dc.client.update<ReplicaSetObj>(Resources.replicasets, rs);
}

/**
 * The replica set whose template is the deployment's, with its annotations
 * (revision, the deployment's annotations) brought up to date; created when
 * missing and createIfNotExisted. Undefined when there is none yet.
 */
export async function getNewReplicaSet(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
  oldRSs: ReplicaSetObj[],
  createIfNotExisted: boolean,
): Promise<ReplicaSetObj | undefined> {
  const existingNewRS = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  const now = dc.clock.now();

  if (existingNewRS) {
    const rsCopy = deepCopyJson(existingNewRS);
    const annotationsUpdated = setNewReplicaSetAnnotations(
      d,
      rsCopy,
      newRevision,
      true,
      MAX_REV_HISTORY_LENGTH_IN_CHARS,
    );
    const minReadySecondsNeedsUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsNeedsUpdate) {
      rsCopy.spec!.minReadySeconds = d.spec?.minReadySeconds;
      const updated = await updateReplicaSet(dc, rsCopy);
      // Later steps of this sync read rsList again: let them see what we wrote.
      replaceInList(rsList, updated);
      return updated;
    }
    // The revision the RS has (set before), not newRevision.
    let needsUpdate = setDeploymentRevision(d, rsCopy.metadata?.annotations?.[REVISION_ANNOTATION] ?? "");
    // Users who start caring about progress late: count from the moment we noticed their new RS.
    const cond = getDeploymentCondition(d.status, DEPLOYMENT_PROGRESSING);
    if (hasProgressDeadline(d) && !cond) {
      d.status ??= {};
      setDeploymentCondition(
        d.status,
        newDeploymentCondition(
          DEPLOYMENT_PROGRESSING,
          "True",
          FOUND_NEW_RS_REASON,
          `Found new replica set "${rsCopy.metadata?.name}"`,
          now,
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(dc, d);
    return rsCopy;
  }

  if (!createIfNotExisted) return undefined;

  // No new RS yet: create one named after the hash of the template (deterministic, so creation is idempotent).
  const template = deepCopyJson(d.spec!.template);
  const podTemplateSpecHash = computeHash(template, d.status?.collisionCount);
  template.metadata ??= {};
  template.metadata.labels = {
    ...(d.spec?.template.metadata?.labels ?? {}),
    [POD_TEMPLATE_HASH_LABEL]: podTemplateSpecHash,
  };
  const selector = deepCopyJson(d.spec!.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: podTemplateSpecHash };
  const newRS: ReplicaSetObj = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata?.name}-${podTemplateSpecHash}`,
      namespace: d.metadata?.namespace,
      ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)],
      labels: template.metadata.labels,
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec?.minReadySeconds,
      selector,
      template,
    },
  };
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec!.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, MAX_REV_HISTORY_LENGTH_IN_CHARS);

  let alreadyExists = false;
  let createdRS: ReplicaSetObj;
  try {
    createdRS = await dc.client.create<ReplicaSetObj>(Resources.replicasets, newRS);
  } catch (e) {
    if (isAlreadyExists(e)) {
      // A slow cache or a quick resync; or a hash collision.
      alreadyExists = true;
      const rs = dc.rsLister.get(`${newRS.metadata?.namespace}/${newRS.metadata?.name}`);
      if (!rs) throw e;
      const ref = getControllerOf(rs);
      if (ref && ref.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
        createdRS = deepCopyJson(rs);
      } else {
        // Another template hashed to the same name: bump collisionCount so the next sync hashes differently.
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        try {
          await updateDeploymentStatus(dc, d);
          dc.log(
            `found a hash collision for deployment ${d.metadata?.namespace}/${d.metadata?.name}: bumping collisionCount to ${d.status.collisionCount}`,
          );
        } catch {
          // The create error below requeues us anyway.
        }
        throw e;
      }
    } else if (isNamespaceTerminating(e)) {
      throw e;
    } else {
      const msg = `Failed to create new replica set "${newRS.metadata?.name}": ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setDeploymentCondition(
          d.status,
          newDeploymentCondition(DEPLOYMENT_PROGRESSING, "False", FAILED_RS_CREATE_REASON, msg, now),
        );
        // The bigger issue is the create error; a failed status write changes nothing.
        await updateDeploymentStatus(dc, d).catch(() => {});
      }
      dc.recorder.event(d, "Warning", FAILED_RS_CREATE_REASON, msg);
      throw e;
    }
  }
  if (!alreadyExists && newReplicasCount > 0) {
    dc.recorder.event(
      d,
      "Normal",
      "ScalingReplicaSet",
      `Scaled up replica set ${createdRS.metadata?.name} from 0 to ${newReplicasCount}`,
    );
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(
        DEPLOYMENT_PROGRESSING,
        "True",
        NEW_REPLICA_SET_REASON,
        `Created new replica set "${createdRS.metadata?.name}"`,
        now,
      ),
    );
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(dc, d);
  return createdRS;
}

function isNamespaceTerminating(e: unknown): boolean {
  const causes = (e as { details?: { causes?: Array<{ reason?: string }> } })?.details?.causes;
  return !!causes?.some((c) => c.reason === "NamespaceTerminating");
}

/**
 * Scales proportionally: on a scaling event during a rollout (or while
 * paused) every active RS grows or shrinks by its share, so the rollout
 * neither speeds up nor slows down.
 */
export async function scale(
  dc: SyncContext,
  d: DeploymentObj,
  newRS: ReplicaSetObj | undefined,
  oldRSs: ReplicaSetObj[],
): Promise<void> {
  // One active RS (or none, then the newest) takes the whole size.
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) === deploymentReplicas(d)) return;
    await scaleReplicaSetAndRecordEvent(dc, activeOrLatest, deploymentReplicas(d), d);
    return;
  }
  // A saturated new RS: old ones go to zero (adoption of RSes while the new one is full).
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(dc, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;

  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allRSsReplicas = getReplicaCountForReplicaSets(allRSs);
  const allowedSize = deploymentReplicas(d) > 0 ? deploymentReplicas(d) + maxSurge(d) : 0;
  // What is to be spread over the active RSes, larger ones first.
  const deploymentReplicasToAdd = allowedSize - allRSsReplicas;
  let scalingOperation = "";
  if (deploymentReplicasToAdd > 0) {
    // Among equals, newer RSes grow first...
    allRSs.sort(bySizeNewer);
    scalingOperation = "up";
  } else if (deploymentReplicasToAdd < 0) {
    // ...and older ones shrink first.
    allRSs.sort(bySizeOlder);
    scalingOperation = "down";
  }
  let deploymentReplicasAdded = 0;
  const nameToSize = new Map<string, number>();
  for (const rs of allRSs) {
    const name = rs.metadata?.name ?? "";
    if (deploymentReplicasToAdd !== 0) {
      const proportion = getProportion(rs, d, deploymentReplicasToAdd, deploymentReplicasAdded);
      nameToSize.set(name, rsReplicas(rs) + proportion);
      deploymentReplicasAdded += proportion;
    } else {
      nameToSize.set(name, rsReplicas(rs));
    }
  }
  for (let i = 0; i < allRSs.length; i++) {
    const rs = allRSs[i];
    const name = rs.metadata?.name ?? "";
    // Leftovers of rounding go to the largest RS.
    if (i === 0 && deploymentReplicasToAdd !== 0) {
      const leftover = deploymentReplicasToAdd - deploymentReplicasAdded;
      nameToSize.set(name, Math.max(0, nameToSize.get(name)! + leftover));
    }
    await scaleReplicaSet(dc, rs, nameToSize.get(name)!, d, scalingOperation);
  }
}

/** Scales rs to newScale (recording a ScalingReplicaSet event); scaled is false when nothing changed. */
export async function scaleReplicaSetAndRecordEvent(
  dc: SyncContext,
  rs: ReplicaSetObj,
  newScale: number,
  d: DeploymentObj,
): Promise<{ scaled: boolean; rs: ReplicaSetObj }> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  const scalingOperation = rsReplicas(rs) < newScale ? "up" : "down";
  return scaleReplicaSet(dc, rs, newScale, d, scalingOperation);
}

/** Writes rs's size and replicas annotations when either is out of date. */
export async function scaleReplicaSet(
  dc: SyncContext,
  rs: ReplicaSetObj,
  newScale: number,
  d: DeploymentObj,
  scalingOperation: string,
): Promise<{ scaled: boolean; rs: ReplicaSetObj }> {
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  const desired = deploymentReplicas(d);
  const max = desired + maxSurge(d);
  const annotationsNeedUpdate = replicasAnnotationsNeedUpdate(rs, desired, max);
  if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
  const oldScale = rsReplicas(rs);
  const rsCopy = deepCopyJson(rs);
  rsCopy.spec!.replicas = newScale;
  setReplicasAnnotations(rsCopy, desired, max);
  const updated = await updateReplicaSet(dc, rsCopy);
  if (sizeNeedsUpdate) {
    dc.recorder.event(
      d,
      "Normal",
      "ScalingReplicaSet",
      `Scaled ${scalingOperation} replica set ${updated.metadata?.name} from ${oldScale} to ${newScale}`,
    );
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

/**
 * Deletes the oldest old replica sets beyond revisionHistoryLimit, only those
 * fully scaled down and observed so by the ReplicaSet controller.
 */
export async function cleanupDeployment(
  dc: SyncContext,
  oldRSs: ReplicaSetObj[],
  d: DeploymentObj,
): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  // Never delete one twice.
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - d.spec!.revisionHistoryLimit!;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      rsReplicas(rs) !== 0 ||
      (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
      rs.metadata?.deletionTimestamp
    ) {
      continue;
    }
    try {
      await dc.client.delete(Resources.replicasets, rs.metadata?.name ?? "", {
        namespace: rs.metadata?.namespace,
      });
    } catch (e) {
      // Stop at the first error rather than pile DELETEs on a struggling apiserver.
      if (!isNotFound(e)) throw e;
    }
  }
}

/** Writes the status when it differs from what the ReplicaSets add up to. */
export async function syncDeploymentStatus(
  dc: SyncContext,
  allRSs: Array<ReplicaSetObj | undefined>,
  newRS: ReplicaSetObj | undefined,
  d: DeploymentObj,
): Promise<void> {
  const newStatus = calculateStatus(allRSs, newRS, d, dc.clock.now());
  if (statusEqual(d.status, newStatus)) return;
  d.status = newStatus;
  await updateDeploymentStatus(dc, d);
}

/** The status the replica sets add up to, with the Available condition recomputed. */
export function calculateStatus(
  allRSs: Array<ReplicaSetObj | undefined>,
  newRS: ReplicaSetObj | undefined,
  d: DeploymentObj,
  nowMs: number,
): DeploymentStatus {
  const availableReplicas = getAvailableReplicaCountForReplicaSets(allRSs);
  const totalReplicas = getReplicaCountForReplicaSets(allRSs);
  // More available than desired (while scaling down) is not negative unavailability.
  const unavailableReplicas = Math.max(0, totalReplicas - availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: getActualReplicaCountForReplicaSets(allRSs),
    updatedReplicas: getActualReplicaCountForReplicaSets([newRS]),
    readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
    availableReplicas,
    unavailableReplicas,
    collisionCount: d.status?.collisionCount,
  };
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (availableReplicas >= deploymentReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        DEPLOYMENT_AVAILABLE,
        "True",
        MINIMUM_REPLICAS_AVAILABLE,
        "Deployment has minimum availability.",
        nowMs,
      ),
    );
  } else {
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        DEPLOYMENT_AVAILABLE,
        "False",
        MINIMUM_REPLICAS_UNAVAILABLE,
        "Deployment does not have minimum availability.",
        nowMs,
      ),
    );
  }
  return normalizeStatus(status);
}

/** A scaling event: an active RS records a desired-replicas other than spec.replicas. */
export async function isScalingEvent(
  dc: SyncContext,
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
    const desired = getDesiredReplicasAnnotation(rs);
    if (desired === undefined) continue;
    if (desired !== deploymentReplicas(d)) return true;
  }
  return false;
}
