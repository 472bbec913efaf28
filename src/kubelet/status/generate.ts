// The API status of a pod from what the runtime reports (pkg/kubelet/kubelet_pods.go
// generateAPIPodStatus and convertStatusToAPIStatus, the prober manager's
// UpdatePodStatus for ready/started, and the status manager's transition times
// and start time so that the result is what the status manager would write).
import { isIPv4, isIPv6 } from "node:net";
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { getPodQOS } from "../../api/defaults/qos.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { ProbeResults, RuntimePodStatus } from "../types.ts";
import {
  generateContainersReadyCondition,
  generatePodInitializedCondition,
  generatePodReadyCondition,
  generatePodReadyToStartContainersCondition,
  podConditionByKubelet,
} from "./conditions.ts";
import {
  type ContainerWaitingReasons,
  convertToAPIContainerStatuses,
  type KubeContainerStatus,
  toKubeContainerStatuses,
} from "./container-statuses.ts";
import { getPhase } from "./phase.ts";
import {
  getPodCondition,
  isHostNetworkPod,
  isPodPhaseTerminal,
  isRestartableInitContainer,
  metaTime,
} from "./pod-util.ts";

export type { ContainerWaitingReason, ContainerWaitingReasons } from "./container-statuses.ts";

export interface GenerateOptions {
  probes: ProbeResults;
  /** The status manager's last status for the pod; the API's (pod.status) when absent. */
  oldStatus?: PodStatus;
  /** The node's InternalIPs, primary first: hostIP(s), and podIP(s) of hostNetwork pods. */
  nodeIPs: string[];
  /** Milliseconds since the epoch: startTime and condition transitions. */
  now: number;
  /** The pod worker has finished the pod; its containers will not run again. */
  podIsTerminal?: boolean;
  /** Why containers the kubelet has not (re)started are waiting (CrashLoopBackOff, ErrImagePull…). */
  reasons?: ContainerWaitingReasons;
  /** The runtime's name in container IDs ("containerd://…", "fake://…"); default "containerd". */
  runtimeName?: string;
}

/** The condition types whose lastTransitionTime the status manager maintains. */
export const transitionTimedConditions = [
  "ContainersReady",
  "Ready",
  "Initialized",
  "PodReadyToStartContainers",
  "PodScheduled",
  "DisruptionTarget",
] as const;

export function generateAPIPodStatus(pod: Pod, runtime: RuntimePodStatus, opts: GenerateOptions): PodStatus {
  const apiStatus: PodStatus = pod.status ?? {};
  const oldPodStatus: PodStatus = opts.oldStatus ?? apiStatus;
  const kubeStatuses = toKubeContainerStatuses(runtime, opts.runtimeName ?? "containerd");
  const spec = pod.spec;
  const hasInit = (spec?.initContainers?.length ?? 0) > 0;

  const containerStatuses = convertToAPIContainerStatuses({
    pod,
    statuses: kubeStatuses,
    previous: oldPodStatus.containerStatuses,
    containers: spec?.containers ?? [],
    hasInitContainers: hasInit,
    isInitContainer: false,
    reasons: opts.reasons,
  });
  const initContainerStatuses = convertToAPIContainerStatuses({
    pod,
    statuses: kubeStatuses,
    previous: oldPodStatus.initContainerStatuses,
    containers: spec?.initContainers ?? [],
    hasInitContainers: hasInit,
    isInitContainer: true,
    reasons: opts.reasons,
  });

  // Ephemeral containers are reported apart, and count for neither the phase nor readiness.
  const ephemeral = (spec?.ephemeralContainers ?? []) as Container[];
  const ephemeralContainerStatuses =
    ephemeral.length === 0
      ? []
      : convertToAPIContainerStatuses({
          pod,
          statuses: kubeStatuses,
          previous: oldPodStatus.ephemeralContainerStatuses,
          containers: ephemeral,
          hasInitContainers: hasInit,
          isInitContainer: false,
          reasons: opts.reasons,
        });

  let phase: string = getPhase(
    pod,
    [...containerStatuses, ...initContainerStatuses],
    opts.podIsTerminal === true,
    hasAnyActiveRegularContainerStarted(pod, kubeStatuses),
  );
  // A terminal phase in the status manager or the API stays: three-way merge.
  if (!isPodPhaseTerminal(phase)) {
    if (isPodPhaseTerminal(oldPodStatus.phase)) phase = oldPodStatus.phase!;
    else if (isPodPhaseTerminal(apiStatus.phase)) phase = apiStatus.phase!;
  }
  let reason: string | undefined;
  let message: string | undefined;
  if (phase === oldPodStatus.phase) {
    // Keep the reason and message that go with the phase (e.g. an eviction's).
    reason = oldPodStatus.reason || apiStatus.reason || undefined;
    message = oldPodStatus.message || apiStatus.message || undefined;
  }
  // Pods never leave a terminal phase the API shows.
  if (isPodPhaseTerminal(apiStatus.phase) && phase !== apiStatus.phase) phase = apiStatus.phase!;

  updateReadyAndStarted(pod, containerStatuses, initContainerStatuses, opts.probes);

  // Conditions not owned by the kubelet are kept as they are.
  const conditions: PodCondition[] = (apiStatus.conditions ?? []).filter(
    (c) => !podConditionByKubelet(c.type),
  );
  const disruption = getPodCondition(oldPodStatus, "DisruptionTarget");
  if (disruption) replaceOrAppendCondition(conditions, deepCopyJson(disruption));
  const all = [...initContainerStatuses, ...containerStatuses];
  conditions.push(generatePodReadyToStartContainersCondition(pod, runtime));
  conditions.push(generatePodInitializedCondition(pod, all, phase));
  conditions.push(generatePodReadyCondition(pod, conditions, all, phase));
  conditions.push(generateContainersReadyCondition(pod, all, phase));
  conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null as unknown as string });

  const s: PodStatus = { phase, conditions };
  if (message) s.message = message;
  if (reason) s.reason = reason;

  const nodeIPs = opts.nodeIPs;
  if (nodeIPs.length > 0) {
    s.hostIP = nodeIPs[0];
    s.hostIPs = [{ ip: nodeIPs[0] }];
    if (nodeIPs.length === 2) s.hostIPs.push({ ip: nodeIPs[1] });
  }
  // PLEG's getPodIPs: with no sandbox ready (an exited pod) the pod keeps the IPs it had, which
  // the runtime no longer reports once the sandbox is stopped (kubernetes#125370).
  const sandboxReady = runtime.sandboxes.some((sb) => sb.state === "SANDBOX_READY");
  const ips =
    runtime.ips.length > 0 || sandboxReady
      ? runtime.ips
      : (oldPodStatus.podIPs ?? []).flatMap((p) => (p.ip ? [p.ip] : []));
  const podIPs = sortPodIPs(ips, nodeIPs);
  if (podIPs.length > 0) {
    s.podIP = podIPs[0];
    s.podIPs = podIPs.map((ip) => ({ ip }));
  }
  // hostNetwork pods take the node's IPs, and keep them once set.
  if (isHostNetworkPod(pod) && nodeIPs.length > 0) {
    if (!s.podIP) {
      s.podIP = nodeIPs[0];
      s.podIPs = [{ ip: nodeIPs[0] }];
    }
    if (
      nodeIPs.length === 2 &&
      s.podIPs?.length === 1 &&
      ipFamily(s.podIPs[0].ip ?? "") !== ipFamily(nodeIPs[1])
    ) {
      s.podIPs.push({ ip: nodeIPs[1] });
    }
  }

  // The start time never changes once set.
  s.startTime = oldPodStatus.startTime || apiStatus.startTime || metaTime(opts.now);
  if (initContainerStatuses.length > 0) s.initContainerStatuses = initContainerStatuses;
  s.containerStatuses = containerStatuses;
  if (ephemeralContainerStatuses.length > 0) s.ephemeralContainerStatuses = ephemeralContainerStatuses;
  s.qosClass = getPodQOS(pod);

  for (const type of transitionTimedConditions) updateLastTransitionTime(s, oldPodStatus, type, opts.now);
  return s;
}

/** status_manager.go updateLastTransitionTime: a condition keeps its time while its status stays. */
export function updateLastTransitionTime(status: PodStatus, old: PodStatus, type: string, now: number): void {
  const c = getPodCondition(status, type);
  if (!c) return;
  const o = getPodCondition(old, type);
  c.lastTransitionTime =
    o && o.status === c.status && o.lastTransitionTime ? o.lastTransitionTime : metaTime(now);
}

function replaceOrAppendCondition(conditions: PodCondition[], c: PodCondition): void {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
}

/** A regular container of the pod exists in the runtime and has run (kubecontainer.HasAnyActiveRegularContainerStarted). */
function hasAnyActiveRegularContainerStarted(pod: Pod, statuses: KubeContainerStatus[]): boolean {
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state === "running" || s.state === "exited"));
}

/**
 * started and ready from the probe results (prober manager UpdatePodStatus): a running
 * container without a startup probe has started; a started, running container without
 * a readiness probe is ready; a regular init container is ready once it exited 0.
 */
function updateReadyAndStarted(
  pod: Pod,
  containers: ContainerStatus[],
  inits: ContainerStatus[],
  probes: ProbeResults,
): void {
  const uid = pod.metadata?.uid ?? "";
  const isStarted = (s: ContainerStatus) => !!s.state?.running && (probes.started(uid, s.name) ?? true);
  const isReady = (s: ContainerStatus) => !!s.state?.running && (probes.ready(uid, s.name) ?? true);
  for (const s of containers) {
    s.started = isStarted(s);
    s.ready = s.started ? isReady(s) : false;
  }
  for (const s of inits) {
    s.started = isStarted(s);
    const spec = pod.spec?.initContainers?.find((c) => c.name === s.name);
    if (spec && !isRestartableInitContainer(spec)) {
      s.ready = s.state?.terminated?.exitCode === 0;
      continue;
    }
    s.ready = s.started ? isReady(s) : false;
  }
}

function ipFamily(ip: string): 4 | 6 | 0 {
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0;
}

/** The first IP of the node's family, then the first of the other (kubelet sortPodIPs). */
export function sortPodIPs(podIPs: string[], nodeIPs: string[]): string[] {
  const primary = nodeIPs.length === 0 || isIPv4(nodeIPs[0]) ? 4 : 6;
  const out: string[] = [];
  const first = podIPs.find((ip) => ipFamily(ip) === primary);
  if (first) out.push(first);
  const second = podIPs.find((ip) => ipFamily(ip) === (primary === 4 ? 6 : 4));
  if (second) out.push(second);
  return out;
}
