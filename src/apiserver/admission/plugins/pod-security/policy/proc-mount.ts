// procMount (baseline, 1.0+): the default /proc masks must stay. Port of
// check_procMount.go (v1.32, before the 1.35 baseline/restricted split).
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
  sortedList,
  visitContainers,
} from "./check.ts";

export function procMount_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  // Pod validation checks the value is well formed; with user namespaces any is fine.
  if (relaxPolicyForUserNamespacePod(podSpec)) return ALLOWED;
  const badContainers: string[] = [];
  const forbiddenProcMountTypes = new Set<string>();
  visitContainers(podSpec, (c) => {
    const procMount = c.securityContext?.procMount;
    if (procMount == null) return;
    if (procMount !== "Default") {
      badContainers.push(c.name);
      forbiddenProcMountTypes.add(procMount);
    }
  });
  if (badContainers.length === 0) return ALLOWED;
  return forbiddenResult(
    "procMount",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} must not set securityContext.procMount to ${joinQuote(sortedList(forbiddenProcMountTypes))}`,
  );
}

export function checkProcMount(): Check {
  return {
    id: "procMount",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: procMount_1_0 }],
  };
}
