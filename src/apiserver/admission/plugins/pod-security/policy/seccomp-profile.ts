// Seccomp. Baseline: a profile, if set, must be RuntimeDefault or Localhost
// (the alpha annotations before 1.19, the fields from 1.19). Restricted
// (1.19+): the pod or every container must set one; it supersedes the
// baseline check. Port of check_seccompProfile_baseline.go and
// check_seccompProfile_restricted.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { goQuote } from "../../../../../machinery/field-errors.ts";
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

export const CHECK_SECCOMP_BASELINE_ID = "seccompProfile_baseline";

const ANNOTATION_KEY_POD = "seccomp.security.alpha.kubernetes.io/pod";
const ANNOTATION_KEY_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

function validSeccomp(type: string | undefined): boolean {
  return type === "Localhost" || type === "RuntimeDefault";
}

function validSeccompAnnotationValue(v: string): boolean {
  return v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
}

/** Before 1.19: the alpha annotations. */
export function seccompProfileBaseline_1_0(podMetadata: ObjectMeta, podSpec: PodSpec): CheckResult {
  const annotations = podMetadata.annotations ?? {};
  const forbidden = new Set<string>();
  if (Object.hasOwn(annotations, ANNOTATION_KEY_POD)) {
    const val = annotations[ANNOTATION_KEY_POD];
    if (!validSeccompAnnotationValue(val)) forbidden.add(`${ANNOTATION_KEY_POD}=${goQuote(val)}`);
  }
  visitContainers(podSpec, (c) => {
    const key = ANNOTATION_KEY_CONTAINER_PREFIX + c.name;
    if (!Object.hasOwn(annotations, key)) return;
    const val = annotations[key];
    if (!validSeccompAnnotationValue(val)) forbidden.add(`${key}=${goQuote(val)}`);
  });
  if (forbidden.size === 0) return ALLOWED;
  return forbiddenResult(
    "seccompProfile",
    `forbidden ${pluralize("annotation", "annotations", forbidden.size)} ${sortedList(forbidden).join(", ")}`,
  );
}

/** 1.19+: securityContext.seccompProfile.type, where set, must be allowed. */
export function seccompProfileBaseline_1_19(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = podSpec.securityContext?.seccompProfile;
  if (podProfile && !validSeccomp(podProfile.type)) {
    badSetters.push("pod");
    badValues.add(podProfile.type ?? "");
  }
  const explicitlyBadContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    const profile = c.securityContext?.seccompProfile;
    if (profile && !validSeccomp(profile.type)) {
      explicitlyBadContainers.push(c.name);
      badValues.add(profile.type ?? "");
    }
  });
  if (explicitlyBadContainers.length > 0) {
    badSetters.push(
      `${pluralize("container", "containers", explicitlyBadContainers.length)} ${joinQuote(explicitlyBadContainers)}`,
    );
  }
  if (badSetters.length === 0) return ALLOWED;
  return forbiddenResult(
    "seccompProfile",
    `${badSetters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedList(badValues))}`,
  );
}

export function checkSeccompBaseline(): Check {
  return {
    id: CHECK_SECCOMP_BASELINE_ID,
    level: "baseline",
    versions: [
      { minimumVersion: majorMinor(1, 0), checkPod: seccompProfileBaseline_1_0 },
      { minimumVersion: majorMinor(1, 19), checkPod: seccompProfileBaseline_1_19 },
    ],
  };
}

export function seccompProfileRestricted_1_19(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  let podSeccompSet = false;
  const podProfile = podSpec.securityContext?.seccompProfile;
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) {
      badSetters.push("pod");
      badValues.add(podProfile.type ?? "");
    } else {
      podSeccompSet = true;
    }
  }

  const explicitlyBadContainers: string[] = [];
  const implicitlyBadContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    const profile = c.securityContext?.seccompProfile;
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicitlyBadContainers.push(c.name);
        badValues.add(profile.type ?? "");
      }
    } else if (!podSeccompSet) {
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
      "seccompProfile",
      `${badSetters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedList(badValues))}`,
    );
  }
  if (implicitlyBadContainers.length > 0) {
    return forbiddenResult(
      "seccompProfile",
      `pod or ${pluralize("container", "containers", implicitlyBadContainers.length)} ${joinQuote(implicitlyBadContainers)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    );
  }
  return ALLOWED;
}

/** 1.25+: pod validation forbids seccompProfile on Windows pods, so they pass. */
export function seccompProfileRestricted_1_25(meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  if (isWindowsPod(podSpec)) return ALLOWED;
  return seccompProfileRestricted_1_19(meta, podSpec);
}

export function checkSeccompProfileRestricted(): Check {
  return {
    id: "seccompProfile_restricted",
    level: "restricted",
    versions: [
      {
        minimumVersion: majorMinor(1, 19),
        checkPod: seccompProfileRestricted_1_19,
        overrideCheckIDs: [CHECK_SECCOMP_BASELINE_ID],
      },
      {
        minimumVersion: majorMinor(1, 25),
        checkPod: seccompProfileRestricted_1_25,
        overrideCheckIDs: [CHECK_SECCOMP_BASELINE_ID],
      },
    ],
  };
}
