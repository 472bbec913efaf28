// How the StatefulSet controller reads a pod's state (stateful_set_utils.go):
// "created" means the apiserver has given it a phase; "healthy" means Running,
// Ready and not being deleted; "available" adds minReadySeconds.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodAvailable, isPodReady } from "../util/pods.ts";

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}

/** Known to the apiserver (which sets the phase on create); false for a pod only built locally. */
export function isCreated(pod: Pod): boolean {
  return !!pod.status?.phase;
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === "Pending";
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === "Failed";
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded";
}

export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}
