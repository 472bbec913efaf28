// appArmorProfile (baseline, 1.0+): AppArmor may only be RuntimeDefault or
// Localhost, in the fields or the deprecated beta annotations. Port of
// check_appArmorProfile.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { goQuote } from "../../../../../machinery/field-errors.ts";
import { majorMinor } from "../api.ts";
import {
  ALLOWED,
  type Check,
  type CheckResult,
  forbiddenResult,
  joinQuote,
  pluralize,
  sortedList,
  visitContainers,
} from "./check.ts";

const ANNOTATION_KEY_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function allowedAnnotationValue(profile: string): boolean {
  return profile.length === 0 || profile === "runtime/default" || profile.startsWith("localhost/");
}

function allowedProfileType(type: string | undefined): boolean {
  return type === "RuntimeDefault" || type === "Localhost";
}

export function appArmorProfile_1_0(podMetadata: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badSetters: string[] = [];
  const badValues = new Set<string>();

  const podProfile = podSpec.securityContext?.appArmorProfile;
  if (podProfile && !allowedProfileType(podProfile.type)) {
    badSetters.push("pod");
    badValues.add(podProfile.type ?? "");
  }

  const badContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    const profile = c.securityContext?.appArmorProfile;
    if (profile && !allowedProfileType(profile.type)) {
      badContainers.push(c.name);
      badValues.add(profile.type ?? "");
    }
  });
  if (badContainers.length > 0) {
    badSetters.push(
      `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`,
    );
  }

  const forbiddenAnnotations: string[] = [];
  for (const [k, v] of Object.entries(podMetadata.annotations ?? {})) {
    if (k.startsWith(ANNOTATION_KEY_PREFIX) && !allowedAnnotationValue(v)) {
      forbiddenAnnotations.push(`${k}=${goQuote(v)}`);
    }
  }

  const badValueList = sortedList(badValues);
  if (forbiddenAnnotations.length > 0) {
    badValueList.push(...sortedList(forbiddenAnnotations));
    badSetters.push(pluralize("annotation", "annotations", forbiddenAnnotations.length));
  }

  if (badSetters.length === 0) return ALLOWED;
  return forbiddenResult(
    pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badValueList.length),
    `${badSetters.join(" and ")} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
  );
}

export function checkAppArmorProfile(): Check {
  return {
    id: "appArmorProfile",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: appArmorProfile_1_0 }],
  };
}
