// hostPathVolumes (baseline, 1.0+): no hostPath volumes. Restricted's volume
// type check supersedes it. Port of check_hostPathVolumes.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import { ALLOWED, type Check, type CheckResult, forbiddenResult, joinQuote, pluralize } from "./check.ts";

export const CHECK_HOST_PATH_VOLUMES_ID = "hostPathVolumes";

export function hostPathVolumes_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const hostVolumes: string[] = [];
  for (const v of podSpec.volumes ?? []) if (v.hostPath != null) hostVolumes.push(v.name);
  if (hostVolumes.length === 0) return ALLOWED;
  return forbiddenResult(
    "hostPath volumes",
    `${pluralize("volume", "volumes", hostVolumes.length)} ${joinQuote(hostVolumes)}`,
  );
}

export function checkHostPathVolumes(): Check {
  return {
    id: CHECK_HOST_PATH_VOLUMES_ID,
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: hostPathVolumes_1_0 }],
  };
}
