// PersistentVolume and PersistentVolumeClaim defaults (pkg/apis/core/v1/defaults.go).

import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { defaultPointer, defaultString, type JsonObject, objectAt, structAt } from "./json.ts";
import {
  defaultAzureDiskVolumeSource,
  defaultHostPathVolumeSource,
  defaultISCSIVolumeSource,
  defaultRBDVolumeSource,
  defaultScaleIOVolumeSource,
} from "./volume-source.ts";

export function defaultPersistentVolume(pv: PersistentVolume | JsonObject): void {
  const obj = pv as JsonObject;
  const status = structAt(obj, "status");
  if (status) defaultString(status, "phase", "Pending");
  const spec = structAt(obj, "spec");
  if (!spec) return;
  defaultString(spec, "persistentVolumeReclaimPolicy", "Retain");
  defaultPointer(spec, "volumeMode", "Filesystem");
  defaultPersistentVolumeSources(spec);
}

/** The defaults of a PersistentVolumeSpec's volume sources (also a VolumeAttachment's inline spec). */
export function defaultPersistentVolumeSources(spec: JsonObject): void {
  const hostPath = objectAt(spec, "hostPath");
  if (hostPath) defaultHostPathVolumeSource(hostPath);
  const rbd = objectAt(spec, "rbd");
  if (rbd) defaultRBDVolumeSource(rbd);
  const iscsi = objectAt(spec, "iscsi");
  if (iscsi) defaultISCSIVolumeSource(iscsi);
  const azureDisk = objectAt(spec, "azureDisk");
  if (azureDisk) defaultAzureDiskVolumeSource(azureDisk);
  const scaleIO = objectAt(spec, "scaleIO");
  if (scaleIO) defaultScaleIOVolumeSource(scaleIO);
}

/** SetObjectDefaults_PersistentVolumeClaim; also run on a StatefulSet's volumeClaimTemplates. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim | JsonObject): void {
  const obj = pvc as JsonObject;
  const status = structAt(obj, "status");
  if (status) defaultString(status, "phase", "Pending");
  const spec = structAt(obj, "spec");
  if (spec) defaultPersistentVolumeClaimSpec(spec);
}

export function defaultPersistentVolumeClaimSpec(spec: JsonObject): void {
  defaultPointer(spec, "volumeMode", "Filesystem");
}
