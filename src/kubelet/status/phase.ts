// A pod's phase from its container statuses (pkg/kubelet/kubelet_pods.go
// getPhase), with v1.32's feature gates: sidecars on, ContainerRestartRules off.
import type { ContainerStatus, Pod } from "kubernetes-types/core/v1.d.ts";
import { getContainerStatus, isRestartableInitContainer, isStaticPod } from "./pod-util.ts";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

/**
 * @param info the statuses of init and regular containers together.
 * @param podIsTerminal the pod worker has finished the pod: its containers will not restart.
 * @param podHasInitialized a regular container has run, so a restarting sidecar does not make the pod Pending again.
 */
export function getPhase(
  pod: Pod,
  info: ContainerStatus[],
  podIsTerminal: boolean,
  podHasInitialized: boolean,
): PodPhase {
  const spec = pod.spec;
  const restartPolicy = spec?.restartPolicy ?? "Always";
  let pendingRestartableInit = 0;
  let pendingRegularInit = 0;
  let failedInitialization = 0;

  for (const c of spec?.initContainers ?? []) {
    if (isRestartableInitContainer(c)) continue;
    const s = getContainerStatus(info, c.name);
    if (!s) {
      pendingRegularInit++;
      continue;
    }
    if (s.state?.running) pendingRegularInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingRegularInit++;
    } else pendingRegularInit++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;

  for (const c of spec?.initContainers ?? []) {
    if (!isRestartableInitContainer(c)) continue;
    const s = getContainerStatus(info, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) {
      if (s.started !== true) pendingRestartableInit++;
      running++;
    } else if (s.state?.terminated) {
      // A stopped sidecar does not count towards the phase.
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingRestartableInit++;
        waiting++;
      }
    } else {
      pendingRestartableInit++;
      unknown++;
    }
  }

  for (const c of spec?.containers ?? []) {
    const s = getContainerStatus(info, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  if (failedInitialization > 0 && restartPolicy === "Never") return "Failed";

  if (pendingRegularInit > 0 || (pendingRestartableInit > 0 && !podHasInitialized) || waiting > 0) {
    // One or more containers have not been started.
    return "Pending";
  }
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    // A terminal pod's containers will not restart, whatever the policy.
    // (Static pods are left out upstream too: TODO(#116484).)
    if (podIsTerminal && !isStaticPod(pod)) return stopped === succeeded ? "Succeeded" : "Failed";
    if (restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (restartPolicy === "Never") return "Failed";
    // OnFailure with at least one failure: restarting.
    return "Running";
  }
  return "Pending";
}
