// Defaults of a PodSpec and everything nested in it: upstream's SetDefaults_PodSpec
// plus the chain zz_generated.defaults.go runs over volumes, containers, probes and
// lifecycle handlers (pkg/apis/core/v1/defaults.go). Every kind that embeds a pod
// template gets exactly this; Pod-only defaults live in pod.ts.

import type { PodSpec, PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import { defaultPullPolicy } from "./image.ts";
import {
  defaultNumber,
  defaultPointer,
  defaultString,
  isUnset,
  type JsonObject,
  objectAt,
  objectsAt,
  structAt,
} from "./json.ts";
import { defaultPersistentVolumeClaimSpec } from "./persistent-volume.ts";
import {
  defaultAzureDiskVolumeSource,
  defaultHostPathVolumeSource,
  defaultISCSIVolumeSource,
  defaultRBDVolumeSource,
  defaultScaleIOVolumeSource,
} from "./volume-source.ts";

// v1.DefaultTerminationGracePeriodSeconds, v1.DefaultSchedulerName.
const defaultTerminationGracePeriodSeconds = 30;
const defaultSchedulerName = "default-scheduler";
// Secret, ConfigMap, DownwardAPI and Projected volumes: 0644.
const defaultVolumeMode = 0o644;
// ServiceAccountTokenProjection: one hour.
const defaultTokenExpirationSeconds = 3600;

/** Every member of v1.VolumeSource; a volume naming none of them becomes an emptyDir. */
const volumeSourceFields = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

/** SetObjectDefaults over a PodTemplateSpec: its spec always exists in Go, so it is created. */
export function defaultPodTemplateSpec(template: PodTemplateSpec | JsonObject): void {
  const t = template as JsonObject;
  const metadata = structAt(t, "metadata");
  if (metadata) defaultZeroTimestamp(metadata);
  const spec = structAt(t, "spec");
  if (spec) defaultPodSpec(spec);
}

/**
 * An embedded ObjectMeta serialises its zero creationTimestamp as null, so every
 * template a real apiserver returns carries `creationTimestamp: null`.
 */
export function defaultZeroTimestamp(metadata: JsonObject): void {
  if (!("creationTimestamp" in metadata)) metadata.creationTimestamp = null;
}

/** SetDefaults_PodSpec followed by the nested defaulters, as for a pod template. */
export function defaultPodSpec(spec: PodSpec | JsonObject): void {
  const s = spec as JsonObject;
  defaultString(s, "dnsPolicy", "ClusterFirst");
  defaultString(s, "restartPolicy", "Always");
  defaultPointer(s, "securityContext", {});
  defaultPointer(s, "terminationGracePeriodSeconds", defaultTerminationGracePeriodSeconds);
  defaultString(s, "schedulerName", defaultSchedulerName);

  for (const volume of objectsAt(s, "volumes")) defaultVolume(volume);
  for (const c of objectsAt(s, "initContainers")) defaultContainer(c);
  for (const c of objectsAt(s, "containers")) defaultContainer(c);
  for (const c of objectsAt(s, "ephemeralContainers")) defaultContainer(c);
}

/** SetDefaults_Container plus its ports, env, probes and lifecycle handlers. */
export function defaultContainer(c: JsonObject): void {
  if (isUnset(c.imagePullPolicy) || c.imagePullPolicy === "") c.imagePullPolicy = defaultPullPolicy(c.image);
  defaultString(c, "terminationMessagePath", "/dev/termination-log");
  defaultString(c, "terminationMessagePolicy", "File");
  // Not a defaulter but Go's shape: resources is a struct, so JSON always has it.
  defaultPointer(c, "resources", {});
  for (const port of objectsAt(c, "ports")) defaultString(port, "protocol", "TCP");
  for (const env of objectsAt(c, "env")) {
    const fieldRef = objectAt(objectAt(env, "valueFrom") ?? {}, "fieldRef");
    if (fieldRef) defaultObjectFieldSelector(fieldRef);
  }
  for (const key of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const probe = objectAt(c, key);
    if (probe) defaultProbe(probe);
  }
  const lifecycle = objectAt(c, "lifecycle");
  if (lifecycle) {
    for (const key of ["postStart", "preStop"]) {
      const httpGet = objectAt(objectAt(lifecycle, key) ?? {}, "httpGet");
      if (httpGet) defaultHTTPGetAction(httpGet);
    }
  }
}

/** SetDefaults_Probe plus its handler's defaults. */
export function defaultProbe(probe: JsonObject): void {
  defaultNumber(probe, "timeoutSeconds", 1);
  defaultNumber(probe, "periodSeconds", 10);
  defaultNumber(probe, "successThreshold", 1);
  defaultNumber(probe, "failureThreshold", 3);
  const httpGet = objectAt(probe, "httpGet");
  if (httpGet) defaultHTTPGetAction(httpGet);
  // GRPCAction.service is declared +default="".
  const grpc = objectAt(probe, "grpc");
  if (grpc) defaultPointer(grpc, "service", "");
}

function defaultHTTPGetAction(action: JsonObject): void {
  defaultString(action, "path", "/");
  defaultString(action, "scheme", "HTTP");
}

function defaultObjectFieldSelector(selector: JsonObject): void {
  defaultString(selector, "apiVersion", "v1");
}

/** SetDefaults_Volume plus the defaults of whichever source it names. */
export function defaultVolume(volume: JsonObject): void {
  if (volumeSourceFields.every((f) => isUnset(volume[f]))) volume.emptyDir = {};

  const hostPath = objectAt(volume, "hostPath");
  if (hostPath) defaultHostPathVolumeSource(hostPath);
  const secret = objectAt(volume, "secret");
  if (secret) defaultPointer(secret, "defaultMode", defaultVolumeMode);
  const iscsi = objectAt(volume, "iscsi");
  if (iscsi) defaultISCSIVolumeSource(iscsi);
  const rbd = objectAt(volume, "rbd");
  if (rbd) defaultRBDVolumeSource(rbd);
  const downwardAPI = objectAt(volume, "downwardAPI");
  if (downwardAPI) {
    defaultPointer(downwardAPI, "defaultMode", defaultVolumeMode);
    defaultDownwardAPIItems(downwardAPI);
  }
  const configMap = objectAt(volume, "configMap");
  if (configMap) defaultPointer(configMap, "defaultMode", defaultVolumeMode);
  const azureDisk = objectAt(volume, "azureDisk");
  if (azureDisk) defaultAzureDiskVolumeSource(azureDisk);
  const projected = objectAt(volume, "projected");
  if (projected) {
    defaultPointer(projected, "defaultMode", defaultVolumeMode);
    for (const source of objectsAt(projected, "sources")) {
      const items = objectAt(source, "downwardAPI");
      if (items) defaultDownwardAPIItems(items);
      const token = objectAt(source, "serviceAccountToken");
      if (token) defaultPointer(token, "expirationSeconds", defaultTokenExpirationSeconds);
    }
  }
  const scaleIO = objectAt(volume, "scaleIO");
  if (scaleIO) defaultScaleIOVolumeSource(scaleIO);
  const claimTemplate = objectAt(objectAt(volume, "ephemeral") ?? {}, "volumeClaimTemplate");
  if (claimTemplate) {
    const spec = structAt(claimTemplate, "spec");
    if (spec) defaultPersistentVolumeClaimSpec(spec);
  }
}

function defaultDownwardAPIItems(source: JsonObject): void {
  for (const item of objectsAt(source, "items")) {
    const fieldRef = objectAt(item, "fieldRef");
    if (fieldRef) defaultObjectFieldSelector(fieldRef);
  }
}
