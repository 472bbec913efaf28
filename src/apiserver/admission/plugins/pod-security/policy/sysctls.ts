// sysctls (baseline, 1.0+): only the namespaced, isolated "safe" sysctls,
// a list that grew in 1.27, 1.29 and 1.32. Port of check_sysctls.go.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { majorMinor } from "../api.ts";
import { ALLOWED, type Check, type CheckPodFn, type CheckResult, forbiddenResult } from "./check.ts";

export const sysctlsAllowed_1_0: ReadonlySet<string> = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
]);
export const sysctlsAllowed_1_27: ReadonlySet<string> = new Set([
  ...sysctlsAllowed_1_0,
  "net.ipv4.ip_local_reserved_ports",
]);
export const sysctlsAllowed_1_29: ReadonlySet<string> = new Set([
  ...sysctlsAllowed_1_27,
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
export const sysctlsAllowed_1_32: ReadonlySet<string> = new Set([
  ...sysctlsAllowed_1_29,
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);

function sysctls(podSpec: PodSpec, allowed: ReadonlySet<string>): CheckResult {
  const forbidden: string[] = [];
  for (const s of podSpec.securityContext?.sysctls ?? []) if (!allowed.has(s.name)) forbidden.push(s.name);
  if (forbidden.length === 0) return ALLOWED;
  return forbiddenResult("forbidden sysctls", forbidden.join(", "));
}

const withAllowed =
  (allowed: ReadonlySet<string>): CheckPodFn =>
  (_meta: ObjectMeta, podSpec: PodSpec) =>
    sysctls(podSpec, allowed);

export const sysctls_1_0 = withAllowed(sysctlsAllowed_1_0);
export const sysctls_1_27 = withAllowed(sysctlsAllowed_1_27);
export const sysctls_1_29 = withAllowed(sysctlsAllowed_1_29);
export const sysctls_1_32 = withAllowed(sysctlsAllowed_1_32);

export function checkSysctls(): Check {
  return {
    id: "sysctls",
    level: "baseline",
    versions: [
      { minimumVersion: majorMinor(1, 0), checkPod: sysctls_1_0 },
      { minimumVersion: majorMinor(1, 27), checkPod: sysctls_1_27 },
      { minimumVersion: majorMinor(1, 29), checkPod: sysctls_1_29 },
      { minimumVersion: majorMinor(1, 32), checkPod: sysctls_1_32 },
    ],
  };
}
