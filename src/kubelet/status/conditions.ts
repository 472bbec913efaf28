// The pod conditions the kubelet owns (pkg/kubelet/status/generate.go):
// PodReadyToStartContainers, Initialized, ContainersReady and Ready, with
// upstream's reasons and messages.
import type { ContainerStatus, Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import type { RuntimePodStatus } from "../types.ts";
import { getContainerStatus, goList, isHostNetworkPod, isRestartableInitContainer } from "./pod-util.ts";

export const UnknownContainerStatuses = "UnknownContainerStatuses";
export const PodCompleted = "PodCompleted";
export const PodFailed = "PodFailed";
export const ContainersNotReady = "ContainersNotReady";
export const ContainersNotInitialized = "ContainersNotInitialized";
export const ReadinessGatesNotReady = "ReadinessGatesNotReady";

/** The condition types the kubelet owns (kubetypes.PodConditionByKubelet, PodReadyToStartContainers on). */
const byKubelet = new Set([
  "PodScheduled",
  "Ready",
  "Initialized",
  "ContainersReady",
  "PodReadyToStartContainers",
]);

export function podConditionByKubelet(type: string): boolean {
  return byKubelet.has(type);
}

/** DisruptionTarget: set by the kubelet on eviction, but also by others. */
export function podConditionSharedByKubelet(type: string): boolean {
  return type === "DisruptionTarget";
}

// The field order of a Go-marshalled PodCondition; lastProbeTime is never set, so null.
function condition(type: string, status: string, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status, lastProbeTime: null as unknown as string };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function generateContainersReadyCondition(
  pod: Pod,
  containerStatuses: ContainerStatus[] | undefined,
  podPhase: string,
): PodCondition {
  if (containerStatuses === undefined) return condition("ContainersReady", "False", UnknownContainerStatuses);
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string) => {
    const s = getContainerStatus(containerStatuses, name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  };
  for (const c of pod.spec?.initContainers ?? []) if (isRestartableInitContainer(c)) check(c.name);
  for (const c of pod.spec?.containers ?? []) check(c.name);

  if (podPhase === "Succeeded" && unknown.length === 0) return terminalCondition("ContainersReady", podPhase);
  // Failed: containers may still be terminating, so not ready regardless.
  if (podPhase === "Failed") return terminalCondition("ContainersReady", podPhase);

  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length > 0)
    return condition("ContainersReady", "False", ContainersNotReady, messages.join(", "));
  return condition("ContainersReady", "True");
}

export function generatePodReadyCondition(
  pod: Pod,
  conditions: PodCondition[],
  containerStatuses: ContainerStatus[] | undefined,
  podPhase: string,
): PodCondition {
  const containersReady = generateContainersReadyCondition(pod, containerStatuses, podPhase);
  if (containersReady.status !== "True") {
    return condition("Ready", containersReady.status, containersReady.reason, containersReady.message);
  }
  const messages: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) {
      messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    } else if (c.status !== "True") {
      messages.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`,
      );
    }
  }
  if (messages.length > 0) return condition("Ready", "False", ReadinessGatesNotReady, messages.join(", "));
  return condition("Ready", "True");
}

function isInitContainerInitialized(restartable: boolean, s: ContainerStatus): boolean {
  return restartable ? s.started === true : s.ready;
}

/** Whether a regular container has run, which means the init containers finished once. */
export function hasAnyRegularContainerStarted(pod: Pod, statuses: ContainerStatus[] | undefined): boolean {
  if (!statuses || statuses.length === 0) return false;
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state?.running || s.state?.terminated));
}

export function generatePodInitializedCondition(
  pod: Pod,
  containerStatuses: ContainerStatus[] | undefined,
  podPhase: string,
): PodCondition {
  const inits = pod.spec?.initContainers ?? [];
  if (containerStatuses === undefined && inits.length > 0) {
    return condition("Initialized", "False", UnknownContainerStatuses);
  }
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = getContainerStatus(containerStatuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!isInitContainerInitialized(isRestartableInitContainer(c), s)) incomplete.push(c.name);
  }
  if (podPhase === "Succeeded" && unknown.length === 0) {
    return condition("Initialized", "True", PodCompleted);
  }
  // Regular containers have run: initialized before, even if a sidecar restarts now.
  if (hasAnyRegularContainerStarted(pod, containerStatuses)) return condition("Initialized", "True");
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length > 0) {
    return condition("Initialized", "False", ContainersNotInitialized, messages.join(", "));
  }
  return condition("Initialized", "True");
}

/**
 * Whether the kubelet must create a new sandbox (kuberuntime util.PodSandboxChanged),
 * leaving out the network-namespace-mode check the CRI status here does not carry.
 */
export function podSandboxChanged(pod: Pod, runtime: RuntimePodStatus): boolean {
  const sandboxes = runtime.sandboxes;
  if (sandboxes.length === 0) return true;
  const ready = sandboxes.filter((s) => s.state === "SANDBOX_READY").length;
  const latest = sandboxes[0];
  if (ready > 1 || latest.state !== "SANDBOX_READY") return true;
  if (!isHostNetworkPod(pod) && latest.network !== undefined && latest.network.ip === "") return true;
  return false;
}

export function generatePodReadyToStartContainersCondition(
  pod: Pod,
  runtime: RuntimePodStatus,
): PodCondition {
  return condition("PodReadyToStartContainers", podSandboxChanged(pod, runtime) ? "False" : "True");
}

export function terminalCondition(type: "Ready" | "ContainersReady", podPhase: string): PodCondition {
  return condition(
    type,
    "False",
    podPhase === "Failed" ? PodFailed : podPhase === "Succeeded" ? PodCompleted : "",
  );
}

export { condition as newPodCondition };
