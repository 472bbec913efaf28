// spec.persistentVolumeClaimRetentionPolicy as upstream enforces it: through
// owner references on the claims, so that the garbage collector deletes a
// claim when its owner goes (stateful_set_utils.go).
//
//   whenScaled  whenDeleted  owner references on a claim
//   Retain      Retain       none
//   Retain      Delete       the set
//   Delete      Retain       the pod, once its ordinal is scaled away
//   Delete      Delete       the set; the pod instead once scaled away
//
// Claims that another controller owns, or whose references name an earlier
// set or pod of the same name (a stale uid), are left alone.
import type {
  StatefulSet,
  StatefulSetPersistentVolumeClaimRetentionPolicy,
} from "kubernetes-types/apps/v1.d.ts";
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { KubeObject } from "../../client/rest-client.ts";
import { type GroupVersionKind, newControllerRef } from "../util/owner.ts";
import { POD_KIND, podInOrdinalRange, STATEFUL_SET_KIND } from "./identity.ts";

const RETAIN = "Retain";
const DELETE = "Delete";

/** The set's policy; Retain for both when unset. */
export function getPersistentVolumeClaimRetentionPolicy(
  set: StatefulSet,
): Required<StatefulSetPersistentVolumeClaimRetentionPolicy> {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  if (!p) return { whenDeleted: RETAIN, whenScaled: RETAIN };
  // A nil policy means Retain; a policy with empty fields is compared as is, as upstream does.
  return { whenDeleted: p.whenDeleted ?? "", whenScaled: p.whenScaled ?? "" };
}

/** The reference names obj (by kind and name, not uid). */
export function matchesRef(ref: OwnerReference, obj: KubeObject, gvk: GroupVersionKind): boolean {
  return ref.apiVersion === gvk.apiVersion && ref.kind === gvk.kind && ref.name === obj.metadata?.name;
}

/**
 * With a Delete policy: some controller other than this set and pod owns the
 * claim, or a reference names this set or pod by name under another uid.
 */
export function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  if (policy.whenScaled === RETAIN && policy.whenDeleted === RETAIN) return false;
  for (const ref of claim.metadata?.ownerReferences ?? []) {
    if (matchesRef(ref, set, STATEFUL_SET_KIND)) {
      // A uid mismatch means pods were orphaned: leave the claim to the garbage collector.
      if (ref.uid !== set.metadata?.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod, POD_KIND)) {
      if (ref.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

/** The set or pod owns the claim without being its controller. */
export function hasNonControllerOwner(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata?.ownerReferences ?? []).some(
    (ref) => (ref.uid === set.metadata?.uid || ref.uid === pod.metadata?.uid) && !ref.controller,
  );
}

/** target has a reference to owner's uid (controller or not). */
export function hasOwnerRef(target: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return (target.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid);
}

/** A reference names obj by kind and name but not by its uid: an earlier object of the same name. */
export function hasStaleOwnerRef(
  target: PersistentVolumeClaim,
  obj: KubeObject,
  gvk: GroupVersionKind,
): boolean {
  for (const ref of target.metadata?.ownerReferences ?? []) {
    if (matchesRef(ref, obj, gvk)) return ref.uid !== obj.metadata?.uid;
  }
  return false;
}

/** refs with owner added as controller, unless a reference to its uid is already there. */
export function addControllerRef(
  refs: OwnerReference[],
  owner: KubeObject,
  gvk: GroupVersionKind,
): OwnerReference[] {
  if (refs.some((ref) => ref.uid === owner.metadata?.uid)) return refs;
  return [...refs, newControllerRef(owner, gvk)];
}

/** False when the claim's owner references disagree with the set's retention policy. */
export function isClaimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  // Managed by an earlier, presumably deleted, set or pod of the same name: not ours to touch.
  if (hasStaleOwnerRef(claim, set, STATEFUL_SET_KIND) || hasStaleOwnerRef(claim, pod, POD_KIND)) return true;
  if (hasUnexpectedController(claim, set, pod)) {
    // Our references must go; without them there is nothing to add on top of the other controller.
    return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  }
  if (hasNonControllerOwner(claim, set, pod)) return false;

  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (policy.whenScaled === RETAIN && policy.whenDeleted === DELETE) {
    return hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
  }
  if (policy.whenScaled === DELETE && policy.whenDeleted === RETAIN) {
    return !hasOwnerRef(claim, set) && scaledDown === hasOwnerRef(claim, pod);
  }
  if (policy.whenScaled === DELETE && policy.whenDeleted === DELETE) {
    // Scaled away: the pod's reference and not the set's; otherwise the other way round.
    return scaledDown !== hasOwnerRef(claim, set) && scaledDown === hasOwnerRef(claim, pod);
  }
  // Retain/Retain, and an unknown policy treated as Retain.
  return !hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
}

/** Rewrites the claim's references to the set and pod to follow the policy (call isClaimOwnerUpToDate first). */
export function updateClaimOwnerRefForSetAndPod(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): void {
  const unexpectedController = hasUnexpectedController(claim, set, pod);
  // Scrub our references; then add back what the policy wants.
  let refs = (claim.metadata?.ownerReferences ?? []).filter(
    (ref) => !(matchesRef(ref, set, STATEFUL_SET_KIND) || matchesRef(ref, pod, POD_KIND)),
  );
  if (!unexpectedController) {
    const policy = getPersistentVolumeClaimRetentionPolicy(set);
    const scaledDown = !podInOrdinalRange(pod, set);
    if (policy.whenScaled === RETAIN && policy.whenDeleted === DELETE) {
      refs = addControllerRef(refs, set, STATEFUL_SET_KIND);
    } else if (policy.whenScaled === DELETE && policy.whenDeleted === RETAIN) {
      if (scaledDown) refs = addControllerRef(refs, pod, POD_KIND);
    } else if (policy.whenScaled === DELETE && policy.whenDeleted === DELETE) {
      refs = scaledDown
        ? addControllerRef(refs, pod, POD_KIND)
        : addControllerRef(refs, set, STATEFUL_SET_KIND);
    }
  }
  claim.metadata = { ...claim.metadata, ownerReferences: refs };
}
