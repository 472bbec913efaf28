// Which PersistentVolume satisfies a claim, as the PV controller and the
// scheduler's volume binder both decide it (component-helpers/storage/volume
// pv_helpers.go and helpers.go, v1.32): classes and their binding mode,
// pre-binding, volume and access modes, PV node affinity, and
// FindMatchingVolume itself, plus GetBindVolumeToClaim, which both use to
// bind the volume they found.
import type {
  Node,
  ObjectReference,
  PersistentVolume,
  PersistentVolumeClaim,
} from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import { type Labels, labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import { Quantity } from "../../machinery/quantity.ts";
import { LazyErrorNodeSelector } from "../scheduling/node-affinity.ts";
import { ANN_BOUND_BY_CONTROLLER, BETA_STORAGE_CLASS_ANNOTATION } from "./annotations.ts";

/** metav1.HasAnnotation: the key is present, whatever its value. */
export function hasAnnotation(
  obj: { metadata?: { annotations?: Record<string, string> } },
  key: string,
): boolean {
  const ann = obj.metadata?.annotations;
  return !!ann && Object.hasOwn(ann, key);
}

/** GetPersistentVolumeClaimClass: the beta annotation first, else spec.storageClassName, else "". */
export function getPersistentVolumeClaimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata?.annotations;
  if (ann && Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return claim.spec?.storageClassName ?? "";
}

/** GetPersistentVolumeClass: the beta annotation first, else spec.storageClassName. */
export function getPersistentVolumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata?.annotations;
  if (ann && Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return pv.spec?.storageClassName ?? "";
}

/**
 * IsDelayBindingMode: the claim's class binds WaitForFirstConsumer. No class,
 * or a class that does not exist (yet), counts as immediate; a class without
 * a mode is an error.
 */
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

/** "namespace/name" of a claim (upstream's claimToClaimKey). */
export function claimToClaimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;
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

/** CheckVolumeModeMismatches: an unset volumeMode means Filesystem on either side (HA upgrades may leave it unset). */
export function checkVolumeModeMismatches(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? "Filesystem") !== (pv.spec?.volumeMode ?? "Filesystem");
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => have.has(m));
}

const quantityCache = new Map<string, Quantity>();

/** A storage quantity, with an absent or unparsable one as zero (Go's zero Quantity). */
export function storageQuantity(v: string | number | undefined): Quantity {
  if (v === undefined) return Quantity.fromInt(0, "DecimalSI");
  const s = String(v);
  let q = quantityCache.get(s);
  if (!q) {
    try {
      q = Quantity.parse(s);
    } catch {
      q = Quantity.fromInt(0, "DecimalSI");
    }
    // The scheduler asks once per volume and node: parse each distinct size once.
    if (quantityCache.size < 10_000) quantityCache.set(s, q);
  }
  return q;
}

// ---- PV node affinity

const pvAffinity = new WeakMap<PersistentVolume, LazyErrorNodeSelector | null>();
/**
 * CheckNodeAffinity matches against a Node that has only labels (so
 * matchFields on metadata.name never restrict); one scratch Node serves every
 * call, which is safe because matching is synchronous.
 */
const labelOnlyNode: { metadata: { labels: Labels } } = { metadata: { labels: undefined } };

function pvNodeSelector(pv: PersistentVolume): LazyErrorNodeSelector | null {
  let sel = pvAffinity.get(pv);
  if (sel === undefined) {
    const required = pv.spec?.nodeAffinity?.required;
    sel = required ? new LazyErrorNodeSelector(required) : null;
    pvAffinity.set(pv, sel);
  }
  return sel;
}

/** CheckNodeAffinity: does the PV's required node affinity admit a node with these labels? */
export function checkNodeAffinity(pv: PersistentVolume, nodeLabels: Labels): boolean {
  const sel = pvNodeSelector(pv);
  if (!sel) return true;
  labelOnlyNode.metadata.labels = nodeLabels;
  return sel.match(labelOnlyNode as Node);
}

/** CheckNodeAffinity's error text when it fails: the terms' parse errors, or no matching term. */
export function nodeAffinityError(pv: PersistentVolume, nodeLabels: Labels): string {
  const sel = pvNodeSelector(pv);
  if (!sel) return "";
  labelOnlyNode.metadata.labels = nodeLabels;
  const r = sel.matchWithError(labelOnlyNode as Node);
  return r.error ? r.error.message : "no matching NodeSelectorTerms";
}

// ---- FindMatchingVolume

const claimSelectors = new WeakMap<PersistentVolumeClaim, Selector>();

function claimSelector(claim: PersistentVolumeClaim): Selector | undefined {
  const sel = claim.spec?.selector;
  if (!sel) return undefined;
  let s = claimSelectors.get(claim);
  if (!s) {
    try {
      s = labelSelectorAsSelector(sel);
    } catch (e) {
      throw new Error(
        `error creating internal label selector for claim: ${claimToClaimKey(claim)}: ${(e as Error).message}`,
      );
    }
    claimSelectors.set(claim, s);
  }
  return s;
}

export interface FindMatchingVolumeOptions {
  /** The scheduler path only: PV node affinity must admit this node, and access modes are checked here. */
  node?: Node;
  /** The scheduler path only: volumes already chosen for the pod's other claims, by name. */
  excludedVolumes?: ReadonlySet<string>;
  /** The PV controller path only: the claim binds WaitForFirstConsumer, so only pre-bound volumes count. */
  delayBinding?: boolean;
}

/**
 * FindMatchingVolume: a volume pre-bound to the claim wins at once (or, on
 * the scheduler path, means no match when its node affinity rejects the
 * node); otherwise the smallest Available volume of the claim's class whose
 * capacity, volume mode, labels, node affinity and (scheduler path) access
 * modes fit. The PV controller filters access modes itself, through its index.
 * Throws when the claim's selector does not parse.
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  opts: FindMatchingVolumeOptions = {},
): PersistentVolume | undefined {
  const { node, excludedVolumes, delayBinding = false } = opts;
  const requested = storageQuantity(claim.spec?.resources?.requests?.storage);
  const requestedClass = getPersistentVolumeClaimClass(claim);
  const selector = claimSelector(claim);
  const nodeLabels = node?.metadata?.labels;
  let smallest: PersistentVolume | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of volumes) {
    if (excludedVolumes?.has(pv.metadata?.name ?? "")) continue;
    const boundToClaim = isVolumeBoundToClaim(pv, claim);
    if (pv.spec?.claimRef && !boundToClaim) continue;
    const qty = storageQuantity(pv.spec?.capacity?.storage);
    if (qty.cmp(requested) < 0) continue;
    if (checkVolumeModeMismatches(claim, pv)) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    // Upstream evaluates node affinity for every volume here; evaluating it
    // only where it decides something gives the same answer for less.
    if (boundToClaim) {
      // A pre-bound volume whose node affinity rejects the node: the claim cannot go there at all.
      return !node || checkNodeAffinity(pv, nodeLabels) ? pv : undefined;
    }
    // The scheduler binds unbound volumes of WaitForFirstConsumer claims.
    if (!node && delayBinding) continue;
    // Volumes not yet Available will be soon; binding them now would mostly end in conflicts.
    if (pv.status?.phase !== "Available") continue;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (getPersistentVolumeClass(pv) !== requestedClass) continue;
    if (node && !checkNodeAffinity(pv, nodeLabels)) continue;
    if (node && !checkAccessModes(claim, pv)) continue;
    if (!smallest || (smallestQty && smallestQty.cmp(qty) > 0)) {
      smallest = pv;
      smallestQty = qty;
    }
  }
  return smallest;
}
