// restrictedVolumes (restricted, 1.0+): inline volumes may only be
// configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim,
// projected or secret (image volumes only became allowed in 1.33). It
// supersedes baseline's hostPath check. Port of check_restrictedVolumes.go.
import type { PodSpec, Volume } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import {
  ALLOWED,
  type Check,
  type CheckResult,
  forbiddenResult,
  joinQuote,
  pluralize,
  sortedList,
} from "./check.ts";
import { CHECK_HOST_PATH_VOLUMES_ID } from "./host-path-volumes.ts";

const ALLOWED_SOURCES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;

// The order upstream's switch tests the known sources in.
const RESTRICTED_SOURCES = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "nfs",
  "iscsi",
  "glusterfs",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "fc",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "storageos",
] as const;

function source(volume: Volume, key: string): unknown {
  return (volume as unknown as Record<string, unknown>)[key];
}

export function restrictedVolumes_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badVolumes: string[] = [];
  const badVolumeTypes = new Set<string>();
  for (const volume of podSpec.volumes ?? []) {
    if (ALLOWED_SOURCES.some((k) => source(volume, k) != null)) continue;
    badVolumes.push(volume.name);
    badVolumeTypes.add(RESTRICTED_SOURCES.find((k) => source(volume, k) != null) ?? "unknown");
  }
  if (badVolumes.length === 0) return ALLOWED;
  return forbiddenResult(
    "restricted volume types",
    `${pluralize("volume", "volumes", badVolumes.length)} ${joinQuote(badVolumes)} ${pluralize("uses", "use", badVolumes.length)} ${pluralize("restricted volume type", "restricted volume types", badVolumeTypes.size)} ${joinQuote(sortedList(badVolumeTypes))}`,
  );
}

export function checkRestrictedVolumes(): Check {
  return {
    id: "restrictedVolumes",
    level: "restricted",
    versions: [
      {
        minimumVersion: majorMinor(1, 0),
        checkPod: restrictedVolumes_1_0,
        overrideCheckIDs: [CHECK_HOST_PATH_VOLUMES_ID],
      },
    ],
  };
}
