// runAsNonRoot (restricted, 1.0+): the pod, or else every container, must
// set runAsNonRoot=true, and none may set it false. Port of
// check_runAsNonRoot.go.
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

export function runAsNonRoot_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  if (relaxPolicyForUserNamespacePod(podSpec)) return ALLOWED;

  const badSetters: string[] = [];
  let podRunAsNonRoot = false;
  const podValue = podSpec.securityContext?.runAsNonRoot;
  if (podValue != null) {
    if (!podValue) badSetters.push("pod");
    else podRunAsNonRoot = true;
  }

  const explicitlyBadContainers: string[] = [];
  const implicitlyBadContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    const value = c.securityContext?.runAsNonRoot;
    if (value != null) {
      if (!value) explicitlyBadContainers.push(c.name);
    } else if (!podRunAsNonRoot) {
      implicitlyBadContainers.push(c.name);
    }
  });

  if (explicitlyBadContainers.length > 0) {
    badSetters.push(
      `${pluralize("container", "containers", explicitlyBadContainers.length)} ${joinQuote(explicitlyBadContainers)}`,
    );
  }
  if (badSetters.length > 0) {
    return forbiddenResult(
      "runAsNonRoot != true",
      `${badSetters.join(" and ")} must not set securityContext.runAsNonRoot=false`,
    );
  }
  if (implicitlyBadContainers.length > 0) {
    return forbiddenResult(
      "runAsNonRoot != true",
      `pod or ${pluralize("container", "containers", implicitlyBadContainers.length)} ${joinQuote(implicitlyBadContainers)} must set securityContext.runAsNonRoot=true`,
    );
  }
  return ALLOWED;
}

export function checkRunAsNonRoot(): Check {
  return {
    id: "runAsNonRoot",
    level: "restricted",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: runAsNonRoot_1_0 }],
  };
}
