// storage.k8s.io/v1 defaults (pkg/apis/storage/v1/defaults.go and zz_generated.defaults.go):
// SetDefaults_StorageClass, SetDefaults_CSIDriver, and the volume source defaults of a
// VolumeAttachment's inline PersistentVolumeSpec. CSINode and CSIStorageCapacity have none.

import type { CSIDriver, StorageClass, VolumeAttachment } from "kubernetes-types/storage/v1.d.ts";
import { defaultPointer, isUnset, type JsonObject, objectAt, structAt } from "./json.ts";
import {
  defaultAzureDiskVolumeSource,
  defaultHostPathVolumeSource,
  defaultISCSIVolumeSource,
  defaultRBDVolumeSource,
  defaultScaleIOVolumeSource,
} from "./volume-source.ts";

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
  if (!inline) return;
  const hostPath = objectAt(inline, "hostPath");
  if (hostPath) defaultHostPathVolumeSource(hostPath);
  const rbd = objectAt(inline, "rbd");
  if (rbd) defaultRBDVolumeSource(rbd);
  const iscsi = objectAt(inline, "iscsi");
  if (iscsi) defaultISCSIVolumeSource(iscsi);
  const azureDisk = objectAt(inline, "azureDisk");
  if (azureDisk) defaultAzureDiskVolumeSource(azureDisk);
  const scaleIO = objectAt(inline, "scaleIO");
  if (scaleIO) defaultScaleIOVolumeSource(scaleIO);
}
