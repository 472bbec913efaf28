// storage.k8s.io/v1 defaults (pkg/apis/storage/v1/defaults.go and zz_generated.defaults.go):
// SetDefaults_StorageClass, SetDefaults_CSIDriver, and the volume source defaults of a
// VolumeAttachment's inline PersistentVolumeSpec. CSINode and CSIStorageCapacity have none.

import type { CSIDriver, StorageClass, VolumeAttachment } from "kubernetes-types/storage/v1.d.ts";
import { defaultPointer, isUnset, type JsonObject, objectAt, structAt } from "./json.ts";
import { defaultPersistentVolumeSources } from "./persistent-volume.ts";

export function defaultStorageClass(storageClass: StorageClass | JsonObject): void {
  const obj = storageClass as JsonObject;
  defaultPointer(obj, "reclaimPolicy", "Delete");
  defaultPointer(obj, "volumeBindingMode", "Immediate");
}

/** SetDefaults_CSIDriver, with the v1.32 default feature gates (SELinuxMountReadWriteOncePod on). */
export function defaultCSIDriver(csiDriver: CSIDriver | JsonObject): void {
  const spec = structAt(csiDriver as JsonObject, "spec");
  if (!spec) return;
  defaultPointer(spec, "attachRequired", true);
  defaultPointer(spec, "podInfoOnMount", false);
  defaultPointer(spec, "storageCapacity", false);
  defaultPointer(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
  const modes = spec.volumeLifecycleModes;
  if (isUnset(modes) || (Array.isArray(modes) && modes.length === 0))
    spec.volumeLifecycleModes = ["Persistent"];
  defaultPointer(spec, "requiresRepublish", false);
  defaultPointer(spec, "seLinuxMount", false);
}

/** SetObjectDefaults_VolumeAttachment: the inline spec's volume sources. */
export function defaultVolumeAttachment(volumeAttachment: VolumeAttachment | JsonObject): void {
  const spec = objectAt(volumeAttachment as JsonObject, "spec");
  const source = spec && objectAt(spec, "source");
  const inline = source && objectAt(source, "inlineVolumeSpec");
  if (inline) defaultPersistentVolumeSources(inline);
}
