// Pod helpers every workload controller uses (upstream's podutil and
// controller_utils): activity, readiness and availability.
import type { Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";

/** Not finished and not being deleted (upstream's IsPodActive). */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !p.metadata?.deletionTimestamp;
}

export function isPodTerminal(p: Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}

export function podReadyCondition(p: Pod): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(p: Pod): boolean {
  return podReadyCondition(p)?.status === "True";
}

/** Ready for at least minReadySeconds at nowMs (upstream's podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(podReadyCondition(p)?.lastTransitionTime ?? "");
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < nowMs;
}

/** When the pod became available, or undefined (for requeueing at the right moment). */
export function podAvailableAtMs(p: Pod, minReadySeconds: number): number | undefined {
  if (!isPodReady(p)) return undefined;
  const since = Date.parse(podReadyCondition(p)?.lastTransitionTime ?? "");
  return Number.isNaN(since) ? undefined : since + minReadySeconds * 1000;
}

export function podKey(p: Pod): string {
  return `${p.metadata?.namespace}/${p.metadata?.name}`;
}
