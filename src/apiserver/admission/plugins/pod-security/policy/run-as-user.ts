// runAsUser (restricted, 1.23+): neither the pod nor a container may set
// runAsUser=0. Port of check_runAsUser.go.
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
  relaxPolicyForUserNamespacePod,
  visitContainers,
} from "./check.ts";

export function runAsUser_1_23(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  if (relaxPolicyForUserNamespacePod(podSpec)) return ALLOWED;
  const badSetters: string[] = [];
  if (podSpec.securityContext?.runAsUser === 0) badSetters.push("pod");
  const explicitlyBadContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    if (c.securityContext?.runAsUser === 0) explicitlyBadContainers.push(c.name);
  });
  if (explicitlyBadContainers.length > 0) {
    badSetters.push(
      `${pluralize("container", "containers", explicitlyBadContainers.length)} ${joinQuote(explicitlyBadContainers)}`,
    );
  }
  if (badSetters.length === 0) return ALLOWED;
  return forbiddenResult("runAsUser=0", `${badSetters.join(" and ")} must not set runAsUser=0`);
}

export function checkRunAsUser(): Check {
  return {
    id: "runAsUser",
    level: "restricted",
    versions: [{ minimumVersion: majorMinor(1, 23), checkPod: runAsUser_1_23 }],
  };
}
