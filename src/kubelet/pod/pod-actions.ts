// What SyncPod must do to bring a pod's runtime state to its spec: upstream's
// computePodActions, computeInitContainerActions and PodSandboxChanged
// (pkg/kubelet/kuberuntime, v1.32 with SidecarContainers on). A pure function
// of the pod, what the runtime has for it and the probe results, so the table
// tests can drive it directly.
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import type { ContainerStatus } from "../runtime/interface.ts";
import type { RuntimePodStatus } from "../types.ts";
import {
  containerSucceeded,
  findContainerStatusByName,
  hashContainer,
  isHostNetworkPod,
  isInitContainerFailed,
  isRestartableInitContainer,
  shouldContainerBeRestarted,
  shouldRestartOnFailure,
} from "./helpers.ts";
import { hashOf } from "./labels.ts";

export type ProbeResult = "Success" | "Failure" | "Unknown";

/** The liveness and startup results by container id (upstream's proberesults.Manager Get). */
export interface ContainerProbeResults {
  liveness(containerId: string): ProbeResult | undefined;
  startup(containerId: string): ProbeResult | undefined;
}

export const noProbeResults: ContainerProbeResults = {
  liveness: () => undefined,
  startup: () => undefined,
};

/** Why a container is killed; a probe's own terminationGracePeriodSeconds applies for probe kills. */
export type ContainerKillReason = "StartupProbe" | "LivenessProbe" | "FailedPostStartHook" | "Unknown" | "";

export interface ContainerToKill {
  name: string;
  container: Container;
  message: string;
  reason: ContainerKillReason;
}

export interface PodActions {
  /** Stop every container and the sandbox. */
  killPod: boolean;
  /** Create a new sandbox (after killing the pod; init containers are purged). */
  createSandbox: boolean;
  /** The current sandbox, where containers are started. */
  sandboxId: string;
  /** The attempt number of the sandbox to create. */
  attempt: number;
  /** Indexes into spec.initContainers, in spec order. */
  initContainersToStart: number[];
  /** Indexes into spec.containers. */
  containersToStart: number[];
  /** By container id. */
  containersToKill: Map<string, ContainerToKill>;
  /** Indexes into spec.ephemeralContainers. */
  ephemeralContainersToStart: number[];
}

export interface SandboxChange {
  changed: boolean;
  attempt: number;
  sandboxId: string;
}

/** PodSandboxChanged: must a new sandbox be created, with which attempt, replacing which one? */
export function podSandboxChanged(pod: Pod, status: RuntimePodStatus): SandboxChange {
  if (status.sandboxes.length === 0) return { changed: true, attempt: 0, sandboxId: "" };
  let ready = 0;
  let maxAttempt = 0;
  for (const s of status.sandboxes) {
    if (s.state === "SANDBOX_READY") ready++;
    if (s.metadata.attempt > maxAttempt) maxAttempt = s.metadata.attempt;
  }
  const latest = status.sandboxes[0];
  // Several ready sandboxes, or the newest not ready: reconcile into a new one.
  if (ready > 1) return { changed: true, attempt: maxAttempt + 1, sandboxId: latest.id };
  if (latest.state !== "SANDBOX_READY")
    return { changed: true, attempt: maxAttempt + 1, sandboxId: latest.id };
  // A pod network sandbox without an IP is broken.
  if (!isHostNetworkPod(pod) && latest.network !== undefined && latest.network.ip === "") {
    return { changed: true, attempt: maxAttempt + 1, sandboxId: latest.id };
  }
  return { changed: false, attempt: maxAttempt, sandboxId: latest.id };
}

function containerChanged(c: Container, s: ContainerStatus): boolean {
  return hashOf(s) !== hashContainer(c);
}

/** hasAnyRegularContainerCreated: a regular container exists, so initialization was done before. */
function hasAnyRegularContainerCreated(pod: Pod, status: RuntimePodStatus): boolean {
  for (const c of pod.spec?.containers ?? []) {
    const s = findContainerStatusByName(status, c.name);
    if (s && s.state !== "CONTAINER_UNKNOWN") return true;
  }
  return false;
}

export function computePodActions(
  pod: Pod,
  status: RuntimePodStatus,
  probes: ContainerProbeResults = noProbeResults,
): PodActions {
  const spec = pod.spec!;
  const sandbox = podSandboxChanged(pod, status);
  const changes: PodActions = {
    killPod: sandbox.changed,
    createSandbox: sandbox.changed,
    sandboxId: sandbox.sandboxId,
    attempt: sandbox.attempt,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: new Map(),
    ephemeralContainersToStart: [],
  };

  // A new sandbox means everything is killed and recreated, init containers first.
  if (sandbox.changed) {
    if (!shouldRestartOnFailure(pod) && sandbox.attempt !== 0 && status.containers.length !== 0) {
      // restartPolicy Never and containers ran before: do not recreate, only kill what is left.
      changes.createSandbox = false;
      return changes;
    }
    const containersToStart: number[] = [];
    spec.containers.forEach((c, i) => {
      if (spec.restartPolicy === "OnFailure" && containerSucceeded(c, status)) return;
      containersToStart.push(i);
    });
    // Nothing left to run and initialization was done: kill only.
    if (containersToStart.length === 0 && hasAnyRegularContainerCreated(pod, status)) {
      changes.createSandbox = false;
      return changes;
    }
    if ((spec.initContainers?.length ?? 0) !== 0) {
      changes.initContainersToStart = [0];
      return changes;
    }
    changes.containersToStart = containersToStart;
    return changes;
  }

  // Ephemeral containers may start even before initialization completes; they never restart.
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    if (!findContainerStatusByName(status, c.name)) changes.ephemeralContainersToStart.push(i);
  });

  const hasInitialized = computeInitContainerActions(pod, status, changes, probes);
  // Initialization failed or is still in progress: regular containers wait.
  if (changes.killPod || !hasInitialized) return changes;

  let keepCount = 0;
  spec.containers.forEach((c, idx) => {
    const s = findContainerStatusByName(status, c.name);
    if (s?.state !== "CONTAINER_RUNNING") {
      if (shouldContainerBeRestarted(c, pod, status)) {
        changes.containersToStart.push(idx);
        if (s && s.state === "CONTAINER_UNKNOWN") {
          // Maybe still running: kill it first so two instances never run at once.
          changes.containersToKill.set(s.id, {
            name: c.name,
            container: c,
            message: `Container is in "${s.state}" state, try killing it before restart`,
            reason: "Unknown",
          });
        }
      }
      return;
    }
    // Running, but killed when its spec changed or a probe failed.
    let message: string;
    let reason: ContainerKillReason = "";
    let restart = shouldRestartOnFailure(pod);
    if (containerChanged(c, s)) {
      message = `Container ${c.name} definition changed`;
      // Restart regardless of the restart policy: the spec changed.
      restart = true;
    } else if (probes.liveness(s.id) === "Failure") {
      message = `Container ${c.name} failed liveness probe`;
      reason = "LivenessProbe";
    } else if (probes.startup(s.id) === "Failure") {
      message = `Container ${c.name} failed startup probe`;
      reason = "StartupProbe";
    } else {
      keepCount++;
      return;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      changes.containersToStart.push(idx);
    }
    changes.containersToKill.set(s.id, { name: c.name, container: c, message, reason });
  });

  if (keepCount === 0 && changes.containersToStart.length === 0) {
    changes.killPod = true;
    // Sidecars must not keep a finished pod alive.
    changes.initContainersToStart = [];
  }
  return changes;
}

/**
 * computeInitContainerActions: starts the next init container, keeps the
 * sidecars (restartable init containers) running, and kills those failing
 * their probes. Returns whether the pod has been initialized.
 */
export function computeInitContainerActions(
  pod: Pod,
  status: RuntimePodStatus,
  changes: PodActions,
  probes: ContainerProbeResults = noProbeResults,
): boolean {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return true;

  // A created or running regular container means initialization happened before,
  // even if the init containers were removed since. Exited ones do not count: after
  // a node reboot every container is exited and the new sandbox is not initialized.
  let podHasInitialized = false;
  for (const c of pod.spec?.containers ?? []) {
    const s = findContainerStatusByName(status, c.name);
    if (s && (s.state === "CONTAINER_CREATED" || s.state === "CONTAINER_RUNNING")) {
      podHasInitialized = true;
      break;
    }
  }

  let isPreviouslyInitialized = podHasInitialized;
  const restartOnFailure = shouldRestartOnFailure(pod);
  const toStart: number[] = [];

  // Backwards: the newest init container that ran tells how far initialization got,
  // because completed ones may have been removed from the runtime.
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const s = findContainerStatusByName(status, c.name);
    const restartable = isRestartableInitContainer(c);
    if (!s) {
      // Ran before (its status was removed): a sidecar must run again.
      if (isPreviouslyInitialized && restartable) toStart.push(i);
      continue;
    }
    // After initialization only the sidecars are kept running.
    if (isPreviouslyInitialized && !restartable) continue;

    switch (s.state) {
      case "CONTAINER_CREATED":
        // Created but never started (the runtime failed to start it): start it again.
        toStart.push(i);
        break;
      case "CONTAINER_RUNNING": {
        // A regular init container is running: wait for it to finish.
        if (!restartable) break;
        if (c.startupProbe) {
          const startup = probes.startup(s.id);
          // Not probed yet, or still starting: wait.
          if (startup === undefined) break;
          if (startup !== "Success") {
            if (startup === "Failure") {
              changes.containersToKill.set(s.id, {
                name: c.name,
                container: c,
                message: `Init container ${c.name} failed startup probe`,
                reason: "StartupProbe",
              });
              toStart.push(i);
            }
            break;
          }
        }
        if (i === inits.length - 1) podHasInitialized = true;
        else if (!isPreviouslyInitialized) toStart.push(i + 1);
        if (containerChanged(c, s)) {
          changes.containersToKill.set(s.id, {
            name: c.name,
            container: c,
            message: `Init container ${c.name} definition changed`,
            reason: "",
          });
          toStart.push(i);
          break;
        }
        // A sidecar's liveness does not hold back the next init container, but a failure restarts it.
        if (c.livenessProbe) {
          const liveness = probes.liveness(s.id);
          if (liveness === "Failure") {
            changes.containersToKill.set(s.id, {
              name: c.name,
              container: c,
              message: `Init container ${c.name} failed liveness probe`,
              reason: "LivenessProbe",
            });
            toStart.push(i);
          }
        }
        break;
      }
      case "CONTAINER_EXITED":
        if (restartable) {
          toStart.push(i);
          break;
        }
        if (isInitContainerFailed(s)) {
          // A failed init container with restartPolicy Never makes the pod terminal.
          if (!restartOnFailure) {
            changes.killPod = true;
            changes.initContainersToStart = [];
            return false;
          }
          toStart.push(i);
          break;
        }
        if (i === inits.length - 1) podHasInitialized = true;
        else toStart.push(i + 1);
        break;
      default: {
        // Unknown: it may still run, so kill it before starting it again.
        const kill = () =>
          changes.containersToKill.set(s.id, {
            name: c.name,
            container: c,
            message: `Init container is in "${s.state}" state, try killing it before restart`,
            reason: "Unknown",
          });
        if (restartable) {
          kill();
          toStart.push(i);
          break;
        }
        if (!restartOnFailure) {
          changes.killPod = true;
          changes.initContainersToStart = [];
          return false;
        }
        kill();
        toStart.push(i);
      }
    }
    isPreviouslyInitialized = true;
  }

  // No init container ran yet: start the first.
  if (!isPreviouslyInitialized) toStart.push(0);
  // Collected backwards; start in spec order.
  changes.initContainersToStart = toStart.reverse();
  return podHasInitialized;
}
