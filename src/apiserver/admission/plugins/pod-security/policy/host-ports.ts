// hostPorts (baseline, 1.0+): containers may not use host ports. Port of
// check_hostPorts.go.
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
  sortedList,
  visitContainers,
} from "./check.ts";

export function hostPorts_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const badContainers: string[] = [];
  // Upstream keeps the ports as strings, so they sort as strings.
  const forbiddenHostPorts = new Set<string>();
  visitContainers(podSpec, (c) => {
    let valid = true;
    for (const p of c.ports ?? []) {
      if (p.hostPort) {
        valid = false;
        forbiddenHostPorts.add(String(p.hostPort));
      }
    }
    if (!valid) badContainers.push(c.name);
  });
  if (badContainers.length === 0) return ALLOWED;
  return forbiddenResult(
    "hostPort",
    `${pluralize("container", "containers", badContainers.length)} ${joinQuote(badContainers)} ${pluralize("uses", "use", badContainers.length)} ${pluralize("hostPort", "hostPorts", forbiddenHostPorts.size)} ${sortedList(forbiddenHostPorts).join(", ")}`,
  );
}

export function checkHostPorts(): Check {
  return {
    id: "hostPorts",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: hostPorts_1_0 }],
  };
}
