// Small decisions about containers shared by the runtime manager and the pod
// workers, ported from pkg/kubelet/container/helpers.go and pkg/kubelet/types
// (v1.32). Container states are CRI's; a RuntimePodStatus lists a pod's
// containers newest first, so the first one with a name is its latest attempt.
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import type { ContainerStatus } from "../runtime/interface.ts";
import type { RuntimePodStatus } from "../types.ts";

/** Set by the config sources: where a pod came from ("api", "file"); a static pod is any but "api". */
export { ConfigSourceAnnotationKey as CONFIG_SOURCE_ANNOTATION, isStaticPod } from "../config/annotations.ts";

export function isHostNetworkPod(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}

/** A sidecar: an init container with restartPolicy Always. */
export function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === "Always";
}

export function hasRestartableInitContainer(pod: Pod): boolean {
  return (pod.spec?.initContainers ?? []).some(isRestartableInitContainer);
}

/** kubecontainer.GetContainerSpec: the regular, init or ephemeral container of that name. */
export function getContainerSpec(pod: Pod, name: string): Container | undefined {
  const spec = pod.spec;
  return (
    spec?.containers?.find((c) => c.name === name) ??
    spec?.initContainers?.find((c) => c.name === name) ??
    (spec?.ephemeralContainers?.find((c) => c.name === name) as Container | undefined)
  );
}

/** PodStatus.FindContainerStatusByName: the latest attempt of that container. */
export function findContainerStatusByName(
  status: RuntimePodStatus,
  name: string,
): ContainerStatus | undefined {
  return status.containers.find((c) => c.metadata.name === name);
}

/**
 * kubecontainer.HashContainer (v1.31+): a hash of the fields whose change
 * means the container must be recreated, which are only its name and image.
 * FNV-1a 32 over the JSON of both, written as lowercase hex like upstream's
 * io.kubernetes.container.hash annotation.
 */
export function hashContainer(c: Container): string {
  const json = JSON.stringify({ image: c.image ?? "", name: c.name });
  const bytes = Buffer.from(json, "utf8");
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/** GetStableKey: the container's crash-loop backoff key; a changed spec starts a fresh backoff. */
export function getStableKey(pod: Pod, c: Container): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ""}_${m.namespace ?? ""}_${m.uid ?? ""}_${c.name}_${hashContainer(c)}`;
}

export function shouldRestartOnFailure(pod: Pod): boolean {
  return pod.spec?.restartPolicy !== "Never";
}

/** ShouldContainerBeRestarted: should a regular container that is not running be started (again)? */
export function shouldContainerBeRestarted(c: Container, pod: Pod, status: RuntimePodStatus): boolean {
  // Once a pod has been marked deleted, it should not be restarted.
  if (pod.metadata?.deletionTimestamp) return false;
  const s = findContainerStatusByName(status, c.name);
  // Never started (or every attempt was garbage collected): start it.
  if (!s) return true;
  if (s.state === "CONTAINER_RUNNING") return false;
  if (s.state === "CONTAINER_UNKNOWN" || s.state === "CONTAINER_CREATED") return true;
  const policy = pod.spec?.restartPolicy;
  if (policy === "Never") return false;
  if (policy === "OnFailure" && s.exitCode === 0) return false;
  return true;
}

/** isInitContainerFailed: exited non-zero, OOM-killed or in an unknown state. */
export function isInitContainerFailed(s: ContainerStatus): boolean {
  if (s.reason.includes("OOMKilled")) return true;
  if (s.state === "CONTAINER_EXITED" && s.exitCode !== 0) return true;
  return s.state === "CONTAINER_UNKNOWN";
}

export function containerSucceeded(c: Container, status: RuntimePodStatus): boolean {
  const s = findContainerStatusByName(status, c.name);
  return s !== undefined && s.state === "CONTAINER_EXITED" && s.exitCode === 0;
}

/** crierror.IsNotFound for runtimes that signal it by gRPC code 5 or by message. */
export function isNotFoundError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 5 || code === "NOT_FOUND" || /not found/i.test(err.message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
