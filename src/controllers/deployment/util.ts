// upstream's pkg/controller/deployment/util/deployment_util.go (and the
// ReplicaSet sorts of controller_utils.go): the rollout arithmetic
// (maxSurge/maxUnavailable, proportions), the annotations a Deployment keeps
// on its ReplicaSets (revision, revision-history, desired/max replicas), and
// how the new and old ReplicaSets of a Deployment are told apart.
import type {
  Deployment,
  DeploymentStatus,
  ReplicaSet,
  ReplicaSetStatus,
} from "kubernetes-types/apps/v1.d.ts";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { getScaledValueFromIntOrPercent, type IntOrString } from "../../machinery/intstr.ts";

/** Deployment and ReplicaSet with a writable status (the generated types mark it readonly). */
export type DeploymentObj = Omit<Deployment, "status"> & { status?: DeploymentStatus };
export type ReplicaSetObj = Omit<ReplicaSet, "status"> & { status?: ReplicaSetStatus };

/** The revision annotation of a deployment's replica sets, recording the rollout sequence. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** The old revisions a replica set has served (it was rolled back to). */
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
/** spec.replicas of the deployment, recorded on its replica sets: tells scaling events from rollouts. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
/** spec.replicas + maxSurge of the deployment, for proportional scaling. */
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
/** apps.DeprecatedRollbackTo: the revision of the deprecated spec.rollbackTo, round-tripped as an annotation. */
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to";
/** apps.DefaultDeploymentUniqueLabelKey. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
const LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Event reasons of rollbacks. */
export const ROLLBACK_REVISION_NOT_FOUND = "DeploymentRollbackRevisionNotFound";
export const ROLLBACK_TEMPLATE_UNCHANGED = "DeploymentRollbackTemplateUnchanged";
export const ROLLBACK_DONE = "DeploymentRollback";

const MAX_INT32 = 2147483647;

export function deploymentReplicas(d: DeploymentObj): number {
  return d.spec?.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSetObj): number {
  return rs.spec?.replicas ?? 1;
}

// Revisions.

/** The revision annotation as a number; 0 when absent; NaN when it is not an integer (upstream's parse error). */
export function revision(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : Number.NaN;
}

/** The highest revision among the replica sets (unparsable ones are skipped). */
export function maxRevision(rss: ReplicaSetObj[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revision(rs);
    if (!Number.isNaN(v) && v > max) max = v;
  }
  return max;
}

/** The second highest revision: the one before the current (upstream's LastRevision). */
export function lastRevision(rss: ReplicaSetObj[]): number {
  let max = 0;
  let secMax = 0;
  for (const rs of rss) {
    const v = revision(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      secMax = max;
      max = v;
    } else if (v > secMax) secMax = v;
  }
  return secMax;
}

/** Sets the deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: DeploymentObj, rev: string): boolean {
  d.metadata ??= {};
  d.metadata.annotations ??= {};
  if (d.metadata.annotations[REVISION_ANNOTATION] === rev) return false;
  d.metadata.annotations[REVISION_ANNOTATION] = rev;
  return true;
}

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

/** Annotations a deployment does not copy to its replica sets (nor back on rollback). */
export function skipCopyAnnotation(key: string): boolean {
  return ANNOTATIONS_TO_SKIP.has(key);
}

/** Copies the deployment's annotations (kubernetes.io/change-cause among them) to rs; true when rs changed. */
function copyDeploymentAnnotationsToReplicaSet(d: DeploymentObj, rs: ReplicaSetObj): boolean {
  let changed = false;
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    // The revision is set on the RS first and copied to the deployment afterwards, never the other way.
    if (skipCopyAnnotation(k) || rs.metadata.annotations[k] === v) continue;
    rs.metadata.annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** Replaces the deployment's annotations with the replica set's (a rollback to it), keeping the skipped ones. */
export function setDeploymentAnnotationsTo(d: DeploymentObj, rollbackToRS: ReplicaSetObj): void {
  d.metadata ??= {};
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rollbackToRS.metadata?.annotations ?? {})) {
    if (!skipCopyAnnotation(k)) kept[k] = v;
  }
  d.metadata.annotations = kept;
}

/**
 * Sets the new replica set's annotations: the deployment's (but the skipped
 * ones), a revision raised to newRevision (remembering the old one in
 * revision-history when the RS comes back by a rollback) and, for an RS about to
 * be created, the replicas annotations. True when an annotation changed.
 */
export function setNewReplicaSetAnnotations(
  d: DeploymentObj,
  newRS: ReplicaSetObj,
  newRevision: string,
  exists: boolean,
  revHistoryLimitInChars: number,
): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, newRS);
  const annotations = newRS.metadata!.annotations!;
  const oldRevision = annotations[REVISION_ANNOTATION];
  const had = oldRevision !== undefined;
  let oldRevisionInt = 0;
  if (had && oldRevision !== "") {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldRevisionInt = Number(oldRevision);
  }
  if (!/^[+-]?\d+$/.test(newRevision)) return false;
  const newRevisionInt = Number(newRevision);
  // Only ever raise: old RSes may have been deleted since newRS got its revision.
  if (oldRevisionInt < newRevisionInt) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  // An RS that had a revision and gets a higher one is being rolled back to: keep its old revisions.
  if (had && oldRevisionInt < newRevisionInt) {
    const history = annotations[REVISION_HISTORY_ANNOTATION] ?? "";
    let oldRevisions = history.split(",");
    if (oldRevisions[0].length === 0) {
      annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > revHistoryLimitInChars && start < oldRevisions.length) {
        totalLen = totalLen - oldRevisions[start].length - 1;
        start++;
      }
      if (totalLen <= revHistoryLimitInChars) {
        oldRevisions = [...oldRevisions.slice(start), oldRevision];
        annotations[REVISION_HISTORY_ANNOTATION] = oldRevisions.join(",");
      }
    }
  }
  if (!exists && setReplicasAnnotations(newRS, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d))) {
    changed = true;
  }
  return changed;
}

function getIntFromAnnotation(rs: ReplicaSetObj, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function getDesiredReplicasAnnotation(rs: ReplicaSetObj): number | undefined {
  return getIntFromAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

function getMaxReplicasAnnotation(rs: ReplicaSetObj): number | undefined {
  return getIntFromAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/** Sets desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSetObj, desired: number, max: number): boolean {
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  let updated = false;
  if (rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (rs.metadata.annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    rs.metadata.annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSetObj, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations;
  if (!a) return true;
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

// Surge and unavailability.

export function isRollingUpdate(d: DeploymentObj): boolean {
  return d.spec?.strategy?.type === "RollingUpdate";
}

/**
 * maxSurge rounds up and maxUnavailable down; when both come to 0,
 * maxUnavailable becomes 1 (surge might not work because of quota).
 */
export function resolveFenceposts(
  maxSurgeValue: IntOrString | undefined,
  maxUnavailableValue: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurgeValue ?? 0, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailableValue ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function fenceposts(d: DeploymentObj): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d));
  } catch {
    // Validation rejects bad values; upstream ignores the error too.
    return { surge: 0, unavailable: 0 };
  }
}

/** The most pods a rolling deployment may have unavailable. */
export function maxUnavailable(d: DeploymentObj): number {
  if (!isRollingUpdate(d) || deploymentReplicas(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, deploymentReplicas(d));
}

export function minAvailable(d: DeploymentObj): number {
  if (!isRollingUpdate(d)) return 0;
  return deploymentReplicas(d) - maxUnavailable(d);
}

/** The most pods a rolling deployment may have above spec.replicas. */
export function maxSurge(d: DeploymentObj): number {
  if (!isRollingUpdate(d)) return 0;
  return fenceposts(d).surge;
}

// Proportional scaling.

/** Go's integer.RoundToInt32: half away from zero for positives, as math.Floor(x + 0.5). */
function roundToInt32(x: number): number {
  return Math.floor(x + 0.5);
}

/**
 * The replicas to add to (or, negative, remove from) rs when the deployment
 * is scaled by deploymentReplicasToAdd in all, deploymentReplicasAdded of which
 * are already handed out.
 */
export function getProportion(
  rs: ReplicaSetObj | undefined,
  d: DeploymentObj,
  deploymentReplicasToAdd: number,
  deploymentReplicasAdded: number,
): number {
  if (
    !rs ||
    rsReplicas(rs) === 0 ||
    deploymentReplicasToAdd === 0 ||
    deploymentReplicasToAdd === deploymentReplicasAdded
  ) {
    return 0;
  }
  const rsFraction = getReplicaSetFraction(rs, d);
  const allowed = deploymentReplicasToAdd - deploymentReplicasAdded;
  // Never hand out more than is left, whichever the direction.
  return deploymentReplicasToAdd > 0 ? Math.min(rsFraction, allowed) : Math.max(rsFraction, allowed);
}

/** rs's share of the deployment's new size, from its share of the size recorded in max-replicas. */
function getReplicaSetFraction(rs: ReplicaSetObj, d: DeploymentObj): number {
  if (deploymentReplicas(d) === 0) return -rsReplicas(rs);
  const deploymentSize = deploymentReplicas(d) + maxSurge(d);
  // Without the annotation fall back to the current size: inaccurate, but getProportion's bounds still hold.
  const annotated = getMaxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  const newRSsize = (rsReplicas(rs) * deploymentSize) / annotated;
  return roundToInt32(newRSsize) - rsReplicas(rs);
}

// New and old replica sets.

/** Go's apiequality.Semantic.DeepEqual on JSON: nil and empty maps/slices are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
  if (empty(a) && empty(b)) return true;
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => semanticEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

function withoutHashLabel(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = deepCopyJson(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** Templates equal but for the pod-template-hash label (the deployment's template never has it). */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHashLabel(t1), withoutHashLabel(t2));
}

function creationMs(rs: ReplicaSetObj): number {
  const t = Date.parse(rs.metadata?.creationTimestamp ?? "");
  return Number.isNaN(t) ? 0 : t;
}

/** controller.ReplicaSetsByCreationTimestamp: oldest first, names break ties. */
export function byCreationTimestamp(a: ReplicaSetObj, b: ReplicaSetObj): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  const an = a.metadata?.name ?? "";
  const bn = b.metadata?.name ?? "";
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** controller.ReplicaSetsBySizeOlder: largest first, then oldest first. */
export function bySizeOlder(a: ReplicaSetObj, b: ReplicaSetObj): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreationTimestamp(a, b);
  return rsReplicas(b) - rsReplicas(a);
}

/** controller.ReplicaSetsBySizeNewer: largest first, then newest first. */
export function bySizeNewer(a: ReplicaSetObj, b: ReplicaSetObj): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreationTimestamp(b, a);
  return rsReplicas(b) - rsReplicas(a);
}

/** ReplicaSetsByRevision: lowest revision first; creation time when equal or unparsable. */
export function byRevision(a: ReplicaSetObj, b: ReplicaSetObj): number {
  const r1 = revision(a);
  const r2 = revision(b);
  if (Number.isNaN(r1) || Number.isNaN(r2) || r1 === r2) return byCreationTimestamp(a, b);
  return r1 - r2;
}

/** controller.FilterActiveReplicaSets: the ones that exist and want pods. */
export function filterActiveReplicaSets(rss: Array<ReplicaSetObj | undefined>): ReplicaSetObj[] {
  return rss.filter((rs): rs is ReplicaSetObj => !!rs && rsReplicas(rs) > 0);
}

/** The RS whose template is the deployment's; the oldest if several are (kubernetes#40415). Sorts rsList. */
export function findNewReplicaSet(d: DeploymentObj, rsList: ReplicaSetObj[]): ReplicaSetObj | undefined {
  rsList.sort(byCreationTimestamp);
  return rsList.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Old replica sets: those with pods, and all of them. */
export function findOldReplicaSets(
  d: DeploymentObj,
  rsList: ReplicaSetObj[],
): { requiredRSs: ReplicaSetObj[]; allRSs: ReplicaSetObj[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const requiredRSs: ReplicaSetObj[] = [];
  const allRSs: ReplicaSetObj[] = [];
  for (const rs of rsList) {
    if (newRS && rs.metadata?.uid === newRS.metadata?.uid) continue;
    allRSs.push(rs);
    if (rsReplicas(rs) !== 0) requiredRSs.push(rs);
  }
  return { requiredRSs, allRSs };
}

/** The only active replica set, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(
  newRS: ReplicaSetObj | undefined,
  oldRSs: ReplicaSetObj[],
): ReplicaSetObj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  oldRSs.sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...oldRSs, newRS]);
  switch (active.length) {
    case 0:
      return newRS ?? oldRSs[0];
    case 1:
      return active[0];
    default:
      return undefined;
  }
}

/** Restores a replica set's template into the deployment, without the pod-template-hash label. */
export function setFromReplicaSetTemplate(d: DeploymentObj, template: PodTemplateSpec | undefined): void {
  d.spec ??= { selector: {}, template: {} };
  d.spec.template = withoutHashLabel(template);
}

// Counting.

export function getReplicaCountForReplicaSets(rss: Array<ReplicaSetObj | undefined>): number {
  return rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

export function getActualReplicaCountForReplicaSets(rss: Array<ReplicaSetObj | undefined>): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function getReadyReplicaCountForReplicaSets(rss: Array<ReplicaSetObj | undefined>): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function getAvailableReplicaCountForReplicaSets(rss: Array<ReplicaSetObj | undefined>): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/**
 * The size the new RS should have: for RollingUpdate as much as maxSurge
 * allows without passing spec.replicas; for Recreate spec.replicas at once.
 */
export function newRSNewReplicas(d: DeploymentObj, allRSs: ReplicaSetObj[], newRS: ReplicaSetObj): number {
  const type = d.spec?.strategy?.type;
  switch (type) {
    case "RollingUpdate": {
      const surge = getScaledValueFromIntOrPercent(
        d.spec?.strategy?.rollingUpdate?.maxSurge,
        deploymentReplicas(d),
        true,
      );
      const currentPodCount = getReplicaCountForReplicaSets(allRSs);
      const maxTotalPods = deploymentReplicas(d) + surge;
      if (currentPodCount >= maxTotalPods) return rsReplicas(newRS);
      const scaleUpCount = Math.min(
        maxTotalPods - currentPodCount,
        deploymentReplicas(d) - rsReplicas(newRS),
      );
      return rsReplicas(newRS) + scaleUpCount;
    }
    case "Recreate":
      return deploymentReplicas(d);
    default:
      throw new Error(`deployment type ${type} isn't supported`);
  }
}

/** The new RS owns all desired replicas, agrees it should, and they are all available. */
export function isSaturated(d: DeploymentObj, rs: ReplicaSetObj | undefined): boolean {
  if (!rs) return false;
  const desired = getDesiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return (
    rsReplicas(rs) === deploymentReplicas(d) &&
    desired === deploymentReplicas(d) &&
    (rs.status?.availableReplicas ?? 0) === deploymentReplicas(d)
  );
}

/** progressDeadlineSeconds is set and not MaxInt32 (which means "never"). */
export function hasProgressDeadline(d: DeploymentObj): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

/** revisionHistoryLimit is set and not MaxInt32 (which keeps every revision). */
export function hasRevisionHistoryLimit(d: DeploymentObj): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}
