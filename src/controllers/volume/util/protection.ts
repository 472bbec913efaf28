// The storage-object-in-use finalizers (pkg/volume/util) and when a
// protection controller acts on them (pkg/controller/volume/protectionutil).
import type { KubeObject } from "../../../client/rest-client.ts";

/** Held on a PVC while a pod may still use it. */
export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
/** Held on a PV while it is bound to a claim. */
export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";

function finalizers(obj: KubeObject & { metadata?: { finalizers?: string[] } }): string[] {
  return obj.metadata?.finalizers ?? [];
}

/** IsDeletionCandidate: being deleted and still held by the finalizer. */
export function isDeletionCandidate(obj: KubeObject, finalizer: string): boolean {
  return !!obj.metadata?.deletionTimestamp && finalizers(obj).includes(finalizer);
}

/** NeedToAddFinalizer: alive and not yet protected (objects from before the admission plugin). */
export function needToAddFinalizer(obj: KubeObject, finalizer: string): boolean {
  return !obj.metadata?.deletionTimestamp && !finalizers(obj).includes(finalizer);
}
