// StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection):
// every new PersistentVolume and PersistentVolumeClaim is created with its
// protection finalizer, so that deleting one in use only marks it; the PV and
// PVC protection controllers remove the finalizer once nothing uses it.
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";

export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";
export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";

export class StorageObjectInUseProtection implements MutatingPlugin {
  readonly name = "StorageObjectInUseProtection";

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  admit(a: AdmissionAttributes): void {
    if (a.resource.group !== "" || a.subresource !== "") return;
    let finalizer: string;
    if (a.resource.resource === "persistentvolumes" && a.kind.kind === "PersistentVolume") {
      finalizer = PV_PROTECTION_FINALIZER;
    } else if (a.resource.resource === "persistentvolumeclaims" && a.kind.kind === "PersistentVolumeClaim") {
      finalizer = PVC_PROTECTION_FINALIZER;
    } else {
      return;
    }
    const obj = a.object;
    // Not the object we expect: leave it to validation.
    if (!obj) return;
    obj.metadata ??= {};
    const finalizers: unknown[] = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
    if (finalizers.includes(finalizer)) return;
    obj.metadata.finalizers = [...finalizers, finalizer];
  }
}
