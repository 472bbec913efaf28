// upstream's pkg/controller/deployment/rollback.go: the server-side rollback
// of extensions/v1beta1 and apps/v1beta1, which apps/v1 round-trips as the
// annotation deprecated.deployment.rollback.to. (kubectl rollout undo on
// apps/v1 instead patches the old template in itself; the controller then
// finds the old ReplicaSet as the new one and raises its revision.)
import { Resources } from "../../client/resources.ts";
import { getAllReplicaSetsAndSyncRevision, getRollbackTo, type SyncContext } from "./sync.ts";
import {
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
  type DeploymentObj,
  equalIgnoreHash,
  lastRevision,
  type ReplicaSetObj,
  ROLLBACK_DONE,
  ROLLBACK_REVISION_NOT_FOUND,
  ROLLBACK_TEMPLATE_UNCHANGED,
  revision,
  setDeploymentAnnotationsTo,
  setFromReplicaSetTemplate,
} from "./util.ts";

/** Rolls the deployment back to the requested revision (0: the previous one); always clears the request. */
export async function rollback(dc: SyncContext, d: DeploymentObj, rsList: ReplicaSetObj[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
  const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  let target = getRollbackTo(d)!.revision;
  if (target === 0) {
    target = lastRevision(allRSs);
    if (target === 0) {
      dc.recorder.event(d, "Warning", ROLLBACK_REVISION_NOT_FOUND, "Unable to find last revision.");
      await updateDeploymentAndClearRollbackTo(dc, d);
      return;
    }
  }
  for (const rs of allRSs) {
    const v = revision(rs);
    if (Number.isNaN(v) || v !== target) continue;
    // The revision moves on in the next getAllReplicaSetsAndSyncRevision; nothing happens if the template is the same.
    if (await rollbackToTemplate(dc, d, rs)) {
      dc.recorder.event(
        d,
        "Normal",
        ROLLBACK_DONE,
        `Rolled back deployment "${d.metadata?.name}" to revision ${target}`,
      );
    }
    return;
  }
  dc.recorder.event(d, "Warning", ROLLBACK_REVISION_NOT_FOUND, "Unable to find the revision to rollback to.");
  await updateDeploymentAndClearRollbackTo(dc, d);
}

/**
 * Puts rs's template (and annotations, so that change-cause follows the
 * revision) into the deployment when they differ; true when it did.
 */
export async function rollbackToTemplate(
  dc: SyncContext,
  d: DeploymentObj,
  rs: ReplicaSetObj,
): Promise<boolean> {
  let performedRollback = false;
  if (!equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
    setFromReplicaSetTemplate(d, rs.spec?.template);
    setDeploymentAnnotationsTo(d, rs);
    performedRollback = true;
  } else {
    dc.recorder.event(
      d,
      "Warning",
      ROLLBACK_TEMPLATE_UNCHANGED,
      `The rollback revision contains the same template as current deployment "${d.metadata?.name}"`,
    );
  }
  await updateDeploymentAndClearRollbackTo(dc, d);
  return performedRollback;
}

/** Drops the rollback request and writes the deployment (with whatever template the caller set). */
export async function updateDeploymentAndClearRollbackTo(dc: SyncContext, d: DeploymentObj): Promise<void> {
  if (d.metadata?.annotations) delete d.metadata.annotations[DEPRECATED_ROLLBACK_TO_ANNOTATION];
  await dc.client.update(Resources.deployments, d);
}
