// allowPrivilegeEscalation (restricted, 1.8+): every container must set
// securityContext.allowPrivilegeEscalation=false. Port of
// check_allowPrivilegeEscalation.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import {
  ALLOWED,
  type Check,
  type CheckResult,
  forbiddenResult,
  isWindowsPod,
  joinQuote,
  pluralize,
  visitContainers,
} from "./check.ts";

export function allowPrivilegeEscalation_1_8(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    if (c.securityContext?.allowPrivilegeEscalation !== false) badContainers.push(c.name);
  });
  if (badContainers.length === 0) return ALLOWED;
  return forbiddenResult(
    "allowPrivilegeEscalation != false",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} must set securityContext.allowPrivilegeEscalation=false`,
  );
}

/** 1.25+: pod validation forbids the field on Windows pods, so they pass. */
export function allowPrivilegeEscalation_1_25(meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  if (isWindowsPod(podSpec)) return ALLOWED;
  return allowPrivilegeEscalation_1_8(meta, podSpec);
}

export function checkAllowPrivilegeEscalation(): Check {
  return {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    versions: [
      { minimumVersion: majorMinor(1, 8), checkPod: allowPrivilegeEscalation_1_8 },
      { minimumVersion: majorMinor(1, 25), checkPod: allowPrivilegeEscalation_1_25 },
    ],
  };
}
