// hostNamespaces (baseline, 1.0+): no hostNetwork, hostPID or hostIPC.
// Port of check_hostNamespaces.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import { ALLOWED, type Check, type CheckResult, forbiddenResult } from "./check.ts";

export function hostNamespaces_1_0(_meta: ObjectMeta, podSpec: PodSpec): CheckResult {
  const hostNamespaces: string[] = [];
  if (podSpec.hostNetwork) hostNamespaces.push("hostNetwork=true");
  if (podSpec.hostPID) hostNamespaces.push("hostPID=true");
  if (podSpec.hostIPC) hostNamespaces.push("hostIPC=true");
  if (hostNamespaces.length === 0) return ALLOWED;
  return forbiddenResult("host namespaces", hostNamespaces.join(", "));
}

export function checkHostNamespaces(): Check {
  return {
    id: "hostNamespaces",
    level: "baseline",
    versions: [{ minimumVersion: majorMinor(1, 0), checkPod: hostNamespaces_1_0 }],
  };
}
