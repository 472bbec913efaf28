// What of a pod is still running in the runtime (upstream's kubecontainer.Pod):
// what KillPod stops, and all the kubelet knows of an orphan found after a
// restart whose pod is gone from every config source.
import type { ContainerState, PodSandboxState } from "../runtime/interface.ts";
import type { RuntimePodStatus } from "../types.ts";

export interface RunningContainer {
  id: string;
  name: string;
  state: ContainerState;
}

export interface RunningSandbox {
  id: string;
  state: PodSandboxState;
}

export interface RunningPod {
  uid: string;
  name: string;
  namespace: string;
  containers: RunningContainer[];
  sandboxes: RunningSandbox[];
}

/** ConvertPodStatusToRunningPod: the running containers and every sandbox. */
export function runningPodFromStatus(status: RuntimePodStatus): RunningPod {
  return {
    uid: status.uid,
    name: status.name,
    namespace: status.namespace,
    containers: status.containers
      .filter((c) => c.state === "CONTAINER_RUNNING")
      .map((c) => ({ id: c.id, name: c.metadata.name, state: c.state })),
    sandboxes: status.sandboxes.map((s) => ({ id: s.id, state: s.state })),
  };
}

export function isRunningPodEmpty(p: RunningPod): boolean {
  return p.containers.length === 0 && p.sandboxes.every((s) => s.state !== "SANDBOX_READY");
}
