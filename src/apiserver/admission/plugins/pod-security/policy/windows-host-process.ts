// windowsHostProcess (baseline, 1.0+): no Windows HostProcess pods or
// containers. Port of check_windowsHostProcess.go.
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

export function windowsHostProcess_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    if (c.securityContext?.windowsOptions?.hostProcess === true) badContainers.push(c.name);
  });
  const forbiddenSetters: string[] = [];
  if (podSpec.securityContext?.windowsOptions?.hostProcess === true) forbiddenSetters.push("pod");
  if (badContainers.length > 0) {
    forbiddenSetters.push(
      `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`,
    );
  }
  if (forbiddenSetters.length === 0) return ALLOWED;
  return forbiddenResult(
    "hostProcess",
    `${forbiddenSetters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true`,
  );
}

export function checkWindowsHostProcess(): Check {
  return {
    id: "windowsHostProcess",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: windowsHostProcess_1_0 }],
  };
}
