// Owner references (upstream's metav1.GetControllerOf and NewControllerRef).
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { KubeObject } from "../../client/rest-client.ts";

/** apiVersion and kind of an owner, as ownerReferences name it. */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** The reference with controller: true, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to owner that blocks the owner's foreground deletion. */
export function newControllerRef(owner: KubeObject, gvk: GroupVersionKind): OwnerReference {
  return {
    apiVersion: gvk.apiVersion,
    kind: gvk.kind,
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True when obj names owner (by uid) as its controller. */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return !!ref && ref.uid === owner.metadata?.uid;
}
