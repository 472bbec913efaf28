// The pure parts of the status manager (pkg/kubelet/status/status_manager.go):
// when two statuses are the same, how the kubelet's status merges with the
// API's, which container transitions are illegal, and the final status of a
// terminated pod.
import type { ContainerStatus, Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { podConditionByKubelet, podConditionSharedByKubelet, terminalCondition } from "./conditions.ts";
import { jsonEqual } from "./patch.ts";
import {
  getPodCondition,
  isPodPhaseTerminal,
  isRestartableInitContainer,
  isStaticPod,
  metaTime,
} from "./pod-util.ts";

/** kubecontainer.MaxPodTerminationMessageLogLength */
const maxPodTerminationMessageLogLength = 1024 * 12;

/**
 * Equal when kubelet-owned (and shared) conditions match in status, reason and
 * message and everything else is deep-equal (isPodStatusByKubeletEqual).
 */
export function isPodStatusByKubeletEqual(oldStatus: PodStatus, status: PodStatus): boolean {
  for (const c of status.conditions ?? []) {
    if (!podConditionByKubelet(c.type) && !podConditionSharedByKubelet(c.type)) continue;
    const oc = getPodCondition(oldStatus, c.type);
    if (
      !oc ||
      oc.status !== c.status ||
      (oc.message ?? "") !== (c.message ?? "") ||
      (oc.reason ?? "") !== (c.reason ?? "")
    )
      return false;
  }
  return jsonEqual({ ...oldStatus, conditions: status.conditions }, status);
}

/** Truncates termination messages and orders container statuses, as before comparing with the API (normalizeStatus). */
export function normalizeStatus(pod: Pod, status: PodStatus): PodStatus {
  const containers =
    (pod.spec?.containers?.length ?? 0) +
    (pod.spec?.initContainers?.length ?? 0) +
    (pod.spec?.ephemeralContainers?.length ?? 0);
  const bytesPerStatus =
    containers > 0
      ? Math.floor(maxPodTerminationMessageLogLength / containers)
      : maxPodTerminationMessageLogLength;
  const truncate = (s: ContainerStatus) => {
    for (const state of [s.state, s.lastState]) {
      const t = state?.terminated;
      if (t?.message && t.message.length > bytesPerStatus) t.message = t.message.slice(0, bytesPerStatus);
    }
  };
  status.containerStatuses?.forEach(truncate);
  status.initContainerStatuses?.forEach(truncate);
  status.ephemeralContainerStatuses?.forEach(truncate);
  const byName = (a: ContainerStatus, b: ContainerStatus) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  status.containerStatuses?.sort(byName);
  status.ephemeralContainerStatuses?.sort(byName);
  const order = new Map((pod.spec?.initContainers ?? []).map((c, i) => [c.name, i]));
  status.initContainerStatuses?.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return status;
}

/** A terminated container may not become non-terminated unless the restart policy lets it (checkContainerStateTransition). */
export function checkContainerStateTransition(
  oldStatus: PodStatus,
  newStatus: PodStatus,
  pod: Pod,
): string | undefined {
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (policy === "Always") return undefined;
  const mayRestart = (s: ContainerStatus) =>
    !s.state?.terminated || (s.state.terminated.exitCode !== 0 && policy === "OnFailure");
  for (const o of oldStatus.containerStatuses ?? []) {
    if (mayRestart(o)) continue;
    const n = newStatus.containerStatuses?.find((x) => x.name === o.name);
    if (n && !n.state?.terminated)
      return `terminated container ${n.name} attempted illegal transition to non-terminated state`;
  }
  for (const o of oldStatus.initContainerStatuses ?? []) {
    const spec = pod.spec?.initContainers?.find((c) => c.name === o.name);
    if (!spec) return `found mismatch between pod spec and status, container: ${o.name}`;
    if (isRestartableInitContainer(spec) || mayRestart(o)) continue;
    const n = newStatus.initContainerStatuses?.find((x) => x.name === o.name);
    if (n && !n.state?.terminated)
      return `terminated init container ${n.name} attempted illegal transition to non-terminated state`;
  }
  return undefined;
}

/**
 * The kubelet's status over the API's (mergePodStatus): conditions the kubelet does
 * not own stay as the API has them; a terminal pod is never reported ready.
 */
export function mergePodStatus(oldPodStatus: PodStatus, newPodStatus: PodStatus, now: number): PodStatus {
  const merged: PodStatus = deepCopyJson(newPodStatus);
  const conditions = (oldPodStatus.conditions ?? []).filter((c) => !podConditionByKubelet(c.type));
  const transitioningToTerminal =
    !isPodPhaseTerminal(oldPodStatus.phase) && isPodPhaseTerminal(newPodStatus.phase);
  for (const c of merged.conditions ?? []) {
    if (podConditionByKubelet(c.type)) conditions.push(c);
    else if (podConditionSharedByKubelet(c.type) && transitioningToTerminal) {
      // DisruptionTarget is sent with the terminal phase only.
      const i = conditions.findIndex((x) => x.type === c.type);
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    }
  }
  merged.conditions = conditions;
  if (isPodPhaseTerminal(merged.phase)) {
    const ready = getPodCondition(merged, "Ready");
    const containersReady = getPodCondition(merged, "ContainersReady");
    if (ready?.status === "True" || containersReady?.status === "True") {
      for (const type of ["ContainersReady", "Ready"] as const) {
        const next = terminalCondition(type, merged.phase!);
        const cur = getPodCondition(merged, type);
        if (!cur) merged.conditions.push(next);
        else if (cur.status !== next.status || cur.reason !== next.reason || cur.message !== next.message) {
          // podutil.UpdatePodCondition: a changed status moves the transition time.
          const time = cur.status !== next.status ? metaTime(now) : cur.lastTransitionTime;
          Object.assign(cur, next, { lastTransitionTime: time });
          if (!next.message) delete cur.message;
        }
      }
    }
  }
  return merged;
}

/** A pod has initialized when it has no init containers, a regular container left waiting, or the last init container exited 0. */
export function hasPodInitialized(pod: Pod): boolean {
  if ((pod.spec?.initContainers?.length ?? 0) === 0) return true;
  for (const s of pod.status?.containerStatuses ?? []) {
    if (s.lastState?.terminated || !s.state?.waiting) return true;
  }
  const inits = pod.status?.initContainerStatuses ?? [];
  const last = inits[inits.length - 1];
  if (last) {
    if (last.lastState?.terminated?.exitCode === 0) return true;
    if (last.state?.terminated?.exitCode === 0) return true;
  }
  return false;
}

/** Init container statuses except the trailing ones still waiting for a first start (always at least the first). */
function initializedContainers(statuses: ContainerStatus[]): ContainerStatus[] {
  for (let i = statuses.length - 1; i >= 0; i--) {
    if (!statuses[i].state?.waiting || statuses[i].lastState?.terminated) return statuses.slice(0, i + 1);
  }
  return statuses.slice(0, 1);
}

const unknownTerminated = () => ({
  terminated: {
    exitCode: 137,
    reason: "ContainerStatusUnknown",
    message: "The container could not be located when the pod was terminated",
  },
});

/**
 * The status of a pod at the end of its life (TerminatePod): a container with no
 * terminated state is reported failed, so that a pod is never wrongly Succeeded,
 * and a non-static pod's phase is terminal.
 */
export function terminatedPodStatus(pod: Pod, oldStatus: PodStatus): PodStatus {
  const status: PodStatus = deepCopyJson(oldStatus);
  if (hasPodInitialized(pod)) {
    for (const s of status.containerStatuses ?? []) if (!s.state?.terminated) s.state = unknownTerminated();
  }
  for (const s of initializedContainers(status.initContainerStatuses ?? [])) {
    if (!s.state?.terminated) s.state = unknownTerminated();
  }
  // Static pods keep their phase upstream too (TODO(#116484)).
  if (!isStaticPod(pod) && !isPodPhaseTerminal(status.phase)) status.phase = "Failed";
  return status;
}
