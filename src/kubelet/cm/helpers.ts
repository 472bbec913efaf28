// The cgroup values of a pod as upstream's kubelet computes them
// (pkg/kubelet/cm/helpers_linux.go, v1.32: MilliCPUToShares, MilliCPUToQuota,
// ResourceConfigForPod), over component-helpers' PodRequests and PodLimits
// (pod/resources.ts: init containers by the max rule, sidecars, pod overhead).

import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { getPodQOS } from "../../api/defaults/qos.ts";
import { podLimits, podRequests } from "../pod/resources.ts";

// Taken from lmctfy, as upstream: https://github.com/google/lmctfy/blob/master/lmctfy/controllers/cpu_controller.cc
export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;
export const SHARES_PER_CPU = 1024;
export const MILLI_CPU_TO_CPU = 1000;
/** 100000 µs is 100 ms, the default CFS period. */
export const QUOTA_PERIOD = 100000;
export const MIN_QUOTA_PERIOD = 1000;

/**
 * ResourceConfig: what the cgroup manager writes; an absent field is left as
 * it is. cpuQuota -1 means "no quota"; memory in bytes.
 */
export interface ResourceConfig {
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memory?: number;
}

/** MilliCPUToShares: 1024 shares a CPU, at least 2 (the kernel's minimum), at most 262144. */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU === 0) {
    // Docker turns zero into unset, which the kernel reads as 1024: 2 really is "nothing".
    return MIN_SHARES;
  }
  const shares = Math.trunc((milliCPU * SHARES_PER_CPU) / MILLI_CPU_TO_CPU);
  if (shares < MIN_SHARES) return MIN_SHARES;
  if (shares > MAX_SHARES) return MAX_SHARES;
  return shares;
}

/**
 * MilliCPUToQuota: the CFS quota for a CPU limit over the period, at least
 * 1 ms. The period is 100 ms unless the CPUCFSQuotaPeriod gate is on (off by
 * default, as upstream: the pod's cpu.cfs_period_us may then differ from the
 * period the quota was computed for).
 */
export function milliCPUToQuota(milliCPU: number, period: number, customCPUCFSQuotaPeriod = false): number {
  if (milliCPU === 0) return 0;
  const p = customCPUCFSQuotaPeriod ? period : QUOTA_PERIOD;
  const quota = Math.trunc((milliCPU * p) / MILLI_CPU_TO_CPU);
  // At least 1 ms.
  return Math.max(quota, MIN_QUOTA_PERIOD);
}

export interface PodResourceConfigOptions {
  /** --cpu-cfs-quota (default true): false leaves quotas at -1. */
  enforceCPULimits?: boolean;
  /** --cpu-cfs-quota-period in µs (default 100000). */
  cpuPeriod?: number;
  /** The CPUCFSQuotaPeriod feature gate (default off). */
  customCPUCFSQuotaPeriod?: boolean;
}

/**
 * ResourceConfigForPod: cpu shares from the pod's requests; CFS quota and
 * period only when every container has a CPU limit, a memory limit only when
 * every one has a memory limit (always for Guaranteed); BestEffort gets the
 * minimum shares and nothing else.
 */
export function resourceConfigForPod(pod: Pod, opts: PodResourceConfigOptions = {}): ResourceConfig {
  const enforceCPULimits = opts.enforceCPULimits ?? true;
  const cpuPeriod = opts.cpuPeriod ?? QUOTA_PERIOD;
  const reqs = podRequests(pod);
  let cpuLimitsDeclared = true;
  let memoryLimitsDeclared = true;
  const limits = podLimits(pod, (l) => {
    if (l.get("cpu")?.isZero() ?? true) cpuLimitsDeclared = false;
    if (l.get("memory")?.isZero() ?? true) memoryLimitsDeclared = false;
  });
  const cpuRequests = Number(reqs.get("cpu")?.milliValue() ?? 0n);
  const cpuLimits = Number(limits.get("cpu")?.milliValue() ?? 0n);
  const memoryLimits = Number(limits.get("memory")?.value() ?? 0n);

  const cpuShares = milliCPUToShares(cpuRequests);
  // Quota is not capped when CFS quota is disabled.
  const cpuQuota = enforceCPULimits
    ? milliCPUToQuota(cpuLimits, cpuPeriod, opts.customCPUCFSQuotaPeriod)
    : -1;

  switch (getPodQOS(pod)) {
    case "Guaranteed":
      return { cpuShares, cpuQuota, cpuPeriod, memory: memoryLimits };
    case "Burstable":
      return {
        cpuShares,
        ...(cpuLimitsDeclared ? { cpuQuota, cpuPeriod } : {}),
        ...(memoryLimitsDeclared ? { memory: memoryLimits } : {}),
      };
    case "BestEffort":
      return { cpuShares: MIN_SHARES };
  }
}
