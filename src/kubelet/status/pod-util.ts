// Small pod helpers the status code shares (upstream's podutil, kubetypes and
// kubecontainer helpers of the same names).
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.d.ts";

/** Where a pod came from: "api", "file" or "http" (kubetypes.ConfigSourceAnnotationKey). */
export const ConfigSourceAnnotationKey = "kubernetes.io/config.source";
/** Set on a mirror pod; its value is the static pod's config hash, which is also the static pod's UID. */
export const ConfigMirrorAnnotationKey = "kubernetes.io/config.mirror";
export const ConfigHashAnnotationKey = "kubernetes.io/config.hash";

/** A pod that does not come from the API (kubetypes.IsStaticPod). */
export function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata?.annotations?.[ConfigSourceAnnotationKey];
  return source !== undefined && source !== "api";
}

/** The API's copy of a static pod (kubetypes.IsMirrorPod). */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[ConfigMirrorAnnotationKey] !== undefined;
}

/** The UID a mirror pod stands for: its static pod's (podManager.TranslatePodUID). */
export function translatePodUID(pod: Pod): string {
  const mirror = pod.metadata?.annotations?.[ConfigMirrorAnnotationKey];
  return mirror !== undefined && mirror !== "" ? mirror : (pod.metadata?.uid ?? "");
}

export function isHostNetworkPod(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}

/** A sidecar: an init container with restartPolicy Always. */
export function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === "Always";
}

export function isPodPhaseTerminal(phase: string | undefined): boolean {
  return phase === "Failed" || phase === "Succeeded";
}

export function getContainerStatus(
  statuses: ContainerStatus[] | undefined,
  name: string,
): ContainerStatus | undefined {
  return statuses?.find((s) => s.name === name);
}

export function getPodCondition(status: PodStatus | undefined, type: string): PodCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** metav1.Time as it goes over the wire: RFC 3339 in whole seconds, UTC. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A CRI timestamp (nanoseconds) as metav1.Time. */
export function criTime(ns: number): string {
  return metaTime(Math.floor(ns / 1e6));
}

/** Go's fmt %v of a []string: [a b c]. */
export function goList(items: string[]): string {
  return `[${items.join(" ")}]`;
}
