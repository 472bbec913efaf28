// What the PV controller and external provisioners agree on
// (component-helpers/storage/volume pv_helpers.go and helpers.go, v1.32):
// whether a claim asks for a class, and default classes. The
// annotations and volume matching, which the scheduler shares, live in
// src/api/storage.
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import {
  ANN_SELECTED_NODE,
  BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
  BETA_STORAGE_CLASS_ANNOTATION,
  IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
} from "../../../api/storage/annotations.ts";
import {
  findMatchingVolume as findMatchingVolumeFor,
  hasAnnotation,
} from "../../../api/storage/volume-matching.ts";

export {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_MIGRATED_TO,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
  BETA_STORAGE_CLASS_ANNOTATION,
  IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
  NOT_SUPPORTED_PROVISIONER,
} from "../../../api/storage/annotations.ts";
export {
  checkAccessModes,
  checkVolumeModeMismatches,
  claimReference,
  claimToClaimKey,
  getBindVolumeToClaim,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  hasAnnotation,
  isDelayBindingMode,
  isVolumeBoundToClaim,
  storageQuantity,
} from "../../../api/storage/volume-matching.ts";

/** "namespace/name" a claimRef points at (upstream's claimrefToClaimKey). */
export function claimrefToClaimKey(ref: ObjectReference): string {
  return `${ref.namespace ?? ""}/${ref.name ?? ""}`;
}

/** The user asked for a class, even "" (no class at all). */
export function persistentVolumeClaimHasClass(claim: PersistentVolumeClaim): boolean {
  return hasAnnotation(claim, BETA_STORAGE_CLASS_ANNOTATION) || claim.spec?.storageClassName != null;
}

/** The scheduler picked a node and asks for provisioning there. */
export function isDelayBindingProvisioning(claim: PersistentVolumeClaim): boolean {
  return hasAnnotation(claim, ANN_SELECTED_NODE);
}

export function isDefaultStorageClass(sc: StorageClass): boolean {
  const ann = sc.metadata?.annotations ?? {};
  return (
    ann[IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" ||
    ann[BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true"
  );
}

/** GetDefaultClass: of the classes marked default, the newest, then by name. */
export function getDefaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  const created = (sc: StorageClass) => Date.parse(sc.metadata?.creationTimestamp ?? "") || 0;
  defaults.sort((a, b) => {
    const ta = created(a);
    const tb = created(b);
    if (ta !== tb) return tb - ta;
    const na = a.metadata?.name ?? "";
    const nb = b.metadata?.name ?? "";
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return defaults[0];
}

/** reference.GetReference for a volume, for events about it. */
export function volumeReference(pv: PersistentVolume): ObjectReference {
  const m = pv.metadata ?? {};
  return {
    kind: "PersistentVolume",
    name: m.name,
    uid: m.uid,
    apiVersion: "v1",
    resourceVersion: m.resourceVersion,
  };
}

/**
 * FindMatchingVolume on the PV controller's path: no node and no exclusions;
 * with delayBinding only pre-bound volumes count, as the scheduler binds the
 * rest. Access modes are the caller's filter (the access-mode index).
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
): PersistentVolume | undefined {
  return findMatchingVolumeFor(claim, volumes, { delayBinding });
}
