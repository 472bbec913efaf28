// seLinuxOptions (baseline, 1.0+): the SELinux type must be one of the
// container types (container_engine_t too from 1.31); user and role may not
// be set. Port of check_seLinuxOptions.go.
import type { PodSpec, SELinuxOptions } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
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

const selinuxAllowedTypes_1_0 = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const selinuxAllowedTypes_1_31 = new Set([...selinuxAllowedTypes_1_0, "container_engine_t"]);

function seLinuxOptions(podSpec: PodSpec, allowedTypes: ReadonlySet<string>): CheckResult {
  const badSetters: string[] = [];
  const badTypes = new Set<string>();
  let setUser = false;
  let setRole = false;

  const valid = (opts: SELinuxOptions): boolean => {
    let ok = true;
    const type = opts.type ?? "";
    if (!allowedTypes.has(type)) {
      ok = false;
      badTypes.add(type);
    }
    if (opts.user) {
      ok = false;
      setUser = true;
    }
    if (opts.role) {
      ok = false;
      setRole = true;
    }
    return ok;
  };

  const podOptions = podSpec.securityContext?.seLinuxOptions;
  if (podOptions && !valid(podOptions)) badSetters.push("pod");

  const badContainers: string[] = [];
  visitContainers(podSpec, (c) => {
    const opts = c.securityContext?.seLinuxOptions;
    if (opts && !valid(opts)) badContainers.push(c.name);
  });
  if (badContainers.length > 0) {
    badSetters.push(
      `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)}`,
    );
  }
  if (badSetters.length === 0) return ALLOWED;

  const badData: string[] = [];
  if (badTypes.size > 0) {
    badData.push(`${pluralize("type", "types", badTypes.size)} ${joinQuote(sortedList(badTypes))}`);
  }
  if (setUser) badData.push("user may not be set");
  if (setRole) badData.push("role may not be set");
  return forbiddenResult(
    "seLinuxOptions",
    `${badSetters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${badData.join("; ")}`,
  );
}

export function seLinuxOptions_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  return seLinuxOptions(podSpec, selinuxAllowedTypes_1_0);
}

export function seLinuxOptions_1_31(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  return seLinuxOptions(podSpec, selinuxAllowedTypes_1_31);
}

export function checkSELinuxOptions(): Check {
  return {
    id: "seLinuxOptions",
    level: "baseline",
    versions: [
      { minimumVersion: majorMinor(1, 0), checkPod: seLinuxOptions_1_0 },
      { minimumVersion: majorMinor(1, 31), checkPod: seLinuxOptions_1_31 },
    ],
  };
}
