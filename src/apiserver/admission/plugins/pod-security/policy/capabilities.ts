// Capabilities. Baseline (1.0+): containers may only add capabilities of the
// runtime's default set. Restricted (1.22+): containers must drop ALL and may
// only add NET_BIND_SERVICE; it supersedes the baseline check. Port of
// check_capabilities_baseline.go and check_capabilities_restricted.go.
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
  sortedList,
  visitContainers,
} from "./check.ts";

export const CHECK_CAPABILITIES_BASELINE_ID = "capabilities_baseline";

const capabilitiesAllowed_1_0 = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

export function capabilitiesBaseline_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badContainers: string[] = [];
  const nonDefaultCapabilities = new Set<string>();
  visitContainers(podSpec, (c) => {
    const caps = c.securityContext?.capabilities;
    if (!caps) return;
    let valid = true;
    for (const cap of caps.add ?? []) {
      if (!capabilitiesAllowed_1_0.has(cap)) {
        valid = false;
        nonDefaultCapabilities.add(cap);
      }
    }
    if (!valid) badContainers.push(c.name);
  });
  if (badContainers.length === 0) return ALLOWED;
  return forbiddenResult(
    "non-default capabilities",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} must not include ${joinQuote(sortedList(nonDefaultCapabilities))} in securityContext.capabilities.add`,
  );
}

export function checkCapabilitiesBaseline(): Check {
  return {
    id: CHECK_CAPABILITIES_BASELINE_ID,
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: capabilitiesBaseline_1_0 }],
  };
}

const CAPABILITY_ALL = "ALL";
const CAPABILITY_NET_BIND_SERVICE = "NET_BIND_SERVICE";

export function capabilitiesRestricted_1_22(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const containersMissingDropAll: string[] = [];
  const containersAddingForbidden: string[] = [];
  const forbiddenCapabilities = new Set<string>();
  visitContainers(podSpec, (c) => {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      containersMissingDropAll.push(c.name);
      return;
    }
    if (!(caps.drop ?? []).includes(CAPABILITY_ALL)) containersMissingDropAll.push(c.name);
    let addedForbidden = false;
    for (const cap of caps.add ?? []) {
      if (cap !== CAPABILITY_NET_BIND_SERVICE) {
        addedForbidden = true;
        forbiddenCapabilities.add(cap);
      }
    }
    if (addedForbidden) containersAddingForbidden.push(c.name);
  });

  const details: string[] = [];
  if (containersMissingDropAll.length > 0) {
    details.push(
      `${pluralize("container", "containers", containersMissingDropAll.length)} ${joinQuote(containersMissingDropAll)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  }
  if (containersAddingForbidden.length > 0) {
    details.push(
      `${pluralize("container", "containers", containersAddingForbidden.length)} ${joinQuote(containersAddingForbidden)} must not include ${joinQuote(sortedList(forbiddenCapabilities))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return forbiddenResult("unrestricted capabilities", details.join("; "));
}

/** 1.25+: pod validation forbids capabilities on Windows pods, so they pass. */
export function capabilitiesRestricted_1_25(meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  if (isWindowsPod(podSpec)) return ALLOWED;
  return capabilitiesRestricted_1_22(meta, podSpec);
}

export function checkCapabilitiesRestricted(): Check {
  return {
    id: "capabilities_restricted",
    level: "restricted",
    versions: [
      {
        minimumVersion: majorMinor(1, 22),
        checkPod: capabilitiesRestricted_1_22,
        overrideCheckIDs: [CHECK_CAPABILITIES_BASELINE_ID],
      },
      {
        minimumVersion: majorMinor(1, 25),
        checkPod: capabilitiesRestricted_1_25,
        overrideCheckIDs: [CHECK_CAPABILITIES_BASELINE_ID],
      },
    ],
  };
}
