// privileged (baseline, 1.0+): no privileged containers. Port of
// check_privileged.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import {
  ALLOWED,
  type Check,
  type CheckResult,
  forbiddenResult,
  joinQuote,
  pluralize,
  visitContainers,
} from "./check.ts";

export function privileged_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    if (c.securityContext?.privileged === true) badContainers.push(c.name);
  });
  if (badContainers.length === 0) return ALLOWED;
  return forbiddenResult(
    "privileged",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} must not set securityContext.privileged=true`,
  );
}

export function checkPrivileged(): Check {
  return {
    id: "privileged",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: privileged_1_0 }],
  };
}
