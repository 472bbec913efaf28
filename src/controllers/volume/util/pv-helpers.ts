// What the PV controller, the scheduler and external provisioners agree on
// (component-helpers/storage/volume pv_helpers.go and helpers.go, v1.32): the
// binding annotations, which class a claim or volume belongs to, when a
// volume is bound to a claim, and the smallest volume that satisfies a claim.
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { labelSelectorAsSelector, type Selector } from "../../../machinery/labels.ts";
import { Quantity } from "../../../machinery/quantity.ts";

/** On a PVC: the PV controller finished binding it once; changes how later observations are read. */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
/** On a PV or PVC: the binding was made by a controller rather than pre-bound by the user. */
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
/** On a PVC: the node the scheduler chose for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
/** On a PV: the provisioner that created it. */
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";
/** On a PVC and PV: a CSI driver took over from an in-tree plugin (k8ts has none to migrate). */
export const ANN_MIGRATED_TO = "pv.kubernetes.io/migrated-to";
/** On a PVC: the provisioner asked to create its volume. */
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
/** A StorageClass provisioner meaning "no dynamic provisioning". */
export const NOT_SUPPORTED_PROVISIONER = "kubernetes.io/no-provisioner";
/** The pre-storageClassName way to name a class, still honoured first. */
export const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";
export const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

export function hasAnnotation(
  obj: { metadata?: { annotations?: Record<string, string> } },
  key: string,
): boolean {
  const ann = obj.metadata?.annotations;
  return !!ann && Object.hasOwn(ann, key);
}

/** "namespace/name" of a claim (upstream's claimToClaimKey). */
export function claimToClaimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;
}

/** "namespace/name" a claimRef points at (upstream's claimrefToClaimKey). */
export function claimrefToClaimKey(ref: ObjectReference): string {
  return `${ref.namespace ?? ""}/${ref.name ?? ""}`;
}

export function getPersistentVolumeClaimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata?.annotations;
  if (ann && Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return claim.spec?.storageClassName ?? "";
}

export function getPersistentVolumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata?.annotations;
  if (ann && Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return pv.spec?.storageClassName ?? "";
}

/** The user asked for a class, even "" (no class at all). */
export function persistentVolumeClaimHasClass(claim: PersistentVolumeClaim): boolean {
  return hasAnnotation(claim, BETA_STORAGE_CLASS_ANNOTATION) || claim.spec?.storageClassName != null;
}

/** The scheduler picked a node and asks for provisioning there. */
export function isDelayBindingProvisioning(claim: PersistentVolumeClaim): boolean {
  return hasAnnotation(claim, ANN_SELECTED_NODE);
}

/** IsDelayBindingMode: the claim's class binds WaitForFirstConsumer (a missing class counts as immediate). */
export function isDelayBindingMode(
  claim: PersistentVolumeClaim,
  classOf: (name: string) => StorageClass | undefined,
): boolean {
  const className = getPersistentVolumeClaimClass(claim);
  if (className === "") return false;
  const sc = classOf(className);
  if (!sc) return false;
  if (!sc.volumeBindingMode)
    throw new Error(`VolumeBindingMode not set for StorageClass ${goQuote(className)}`);
  return sc.volumeBindingMode === "WaitForFirstConsumer";
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

/** reference.GetReference for a claim: what a PV's claimRef holds. */
export function claimReference(claim: PersistentVolumeClaim): ObjectReference {
  const m = claim.metadata ?? {};
  return {
    kind: "PersistentVolumeClaim",
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    apiVersion: "v1",
    resourceVersion: m.resourceVersion,
  };
}

/** The same for a volume, for events about it. */
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
 * IsVolumeBoundToClaim: the volume's claimRef names the claim (pre-bound or
 * bound); a uid in the claimRef must match too.
 */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (
    (claim.metadata?.name ?? "") !== (ref.name ?? "") ||
    (claim.metadata?.namespace ?? "") !== (ref.namespace ?? "")
  )
    return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** GetBindVolumeToClaim: a copy of pv bound to claim, and whether anything changed. */
export function getBindVolumeToClaim(
  pv: PersistentVolume,
  claim: PersistentVolumeClaim,
): { pv: PersistentVolume; dirty: boolean } {
  let dirty = false;
  const shouldSetBoundByController = !isVolumeBoundToClaim(pv, claim);
  // The volume may be the informer's object: never modify it.
  const clone = structuredClone(pv);
  const ref = pv.spec?.claimRef;
  const m = claim.metadata ?? {};
  if (!ref || ref.name !== m.name || ref.namespace !== m.namespace || ref.uid !== m.uid) {
    clone.spec ??= {};
    clone.spec.claimRef = claimReference(claim);
    dirty = true;
  }
  if (shouldSetBoundByController && !hasAnnotation(clone, ANN_BOUND_BY_CONTROLLER)) {
    clone.metadata = {
      ...clone.metadata,
      annotations: { ...clone.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: "yes" },
    };
    dirty = true;
  }
  return { pv: clone, dirty };
}

/** CheckVolumeModeMismatches: an unset volumeMode means Filesystem on either side. */
export function checkVolumeModeMismatches(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? "Filesystem") !== (pv.spec?.volumeMode ?? "Filesystem");
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => have.has(m));
}

/** A quantity, with an absent or unparsable one as zero (Go's zero Quantity). */
export function storageQuantity(v: string | number | undefined): Quantity {
  if (v === undefined) return Quantity.fromInt(0, "DecimalSI");
  try {
    return Quantity.parse(String(v));
  } catch {
    return Quantity.fromInt(0, "DecimalSI");
  }
}

/**
 * FindMatchingVolume on the PV controller's path (no node, no exclusions): a
 * volume pre-bound to the claim wins at once; otherwise the smallest
 * Available volume of the claim's class whose capacity, volume mode and
 * labels fit. With delayBinding only pre-bound volumes count: the scheduler
 * binds the rest. Access modes are the caller's filter (the access-mode index).
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
): PersistentVolume | undefined {
  const requested = storageQuantity(claim.spec?.resources?.requests?.storage);
  const requestedClass = getPersistentVolumeClaimClass(claim);
  let selector: Selector | undefined;
  if (claim.spec?.selector) {
    try {
      selector = labelSelectorAsSelector(claim.spec.selector);
    } catch (e) {
      throw new Error(
        `error creating internal label selector for claim: ${claimToClaimKey(claim)}: ${(e as Error).message}`,
      );
    }
  }
  let smallest: PersistentVolume | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) continue;
    const qty = storageQuantity(pv.spec?.capacity?.storage);
    if (qty.cmp(requested) < 0) continue;
    if (checkVolumeModeMismatches(claim, pv)) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(pv, claim)) return pv;
    // The scheduler binds unbound volumes of WaitForFirstConsumer claims.
    if (delayBinding) continue;
    // Volumes not yet Available will be soon; binding them now would mostly end in conflicts.
    if (pv.status?.phase !== "Available") continue;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (getPersistentVolumeClass(pv) !== requestedClass) continue;
    if (!smallest || (smallestQty && smallestQty.cmp(qty) > 0)) {
      smallest = pv;
      smallestQty = qty;
    }
  }
  return smallest;
}
