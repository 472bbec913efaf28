// Defaults of volume sources that both pod volumes and PersistentVolumes embed
// (pkg/apis/core/v1/defaults.go and the +default markers in k8s.io/api/core/v1).

import { defaultPointer, defaultString, type JsonObject } from "./json.ts";

export function defaultHostPathVolumeSource(source: JsonObject): void {
  // v1.HostPathUnset: no check is performed before mounting.
  defaultPointer(source, "type", "");
}

export function defaultISCSIVolumeSource(source: JsonObject): void {
  defaultString(source, "iscsiInterface", "default");
}

export function defaultRBDVolumeSource(source: JsonObject): void {
  defaultString(source, "pool", "rbd");
  defaultString(source, "user", "admin");
  defaultString(source, "keyring", "/etc/ceph/keyring");
}

export function defaultAzureDiskVolumeSource(source: JsonObject): void {
  defaultPointer(source, "cachingMode", "ReadWrite");
  defaultPointer(source, "kind", "Shared");
  defaultPointer(source, "fsType", "ext4");
  defaultPointer(source, "readOnly", false);
}

export function defaultScaleIOVolumeSource(source: JsonObject): void {
  defaultString(source, "storageMode", "ThinProvisioned");
  defaultString(source, "fsType", "xfs");
}
