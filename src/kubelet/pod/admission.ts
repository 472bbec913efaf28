// Should this node run the pod? (upstream's predicateAdmitHandler,
// pkg/kubelet/lifecycle/predicate.go, with scheduler.AdmissionCheck, v1.32):
// the OS, then resources against allocatable minus the other active pods'
// requests, node affinity and selector, node name, host ports, and untolerated
// NoExecute taints. The first failure is the pod's reason: "OutOfcpu",
// "OutOfpods", "NodeAffinity", "NodePorts", "TaintToleration"…
// Critical-pod preemption (the admission failure handler) is not done.
import type { ContainerPort, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { getRequiredNodeAffinity } from "../../api/scheduling/node-affinity.ts";
import { findMatchingUntoleratedTaint } from "../../api/scheduling/taints.ts";
import type { PodAdmitResult } from "../types.ts";
import { isStaticPod } from "./helpers.ts";
import {
  addResource,
  emptyResource,
  isExtendedResourceName,
  podRequests,
  type Resource,
  toResource,
} from "./resources.ts";

/** The node's OS: hollow and real k8ts nodes are Linux. */
const NODE_OS = "linux";

export const AdmitReasons = {
  PodOSSelectorNodeLabelDoesNotMatch: "PodOSSelectorNodeLabelDoesNotMatch",
  PodOSNotSupported: "PodOSNotSupported",
  InvalidNodeInfo: "InvalidNodeInfo",
  UnexpectedAdmissionError: "UnexpectedAdmissionError",
  OutOfCPU: "OutOfcpu",
  OutOfMemory: "OutOfmemory",
  OutOfEphemeralStorage: "OutOfephemeral-storage",
  OutOfPods: "OutOfpods",
} as const;

/** The scheduler plugins the kubelet's admission reuses, with their failure texts. */
const NodeAffinity = { name: "NodeAffinity", reason: "node(s) didn't match Pod's node affinity/selector" };
const NodeName = { name: "NodeName", reason: "node(s) didn't match the requested node name" };
const NodePorts = { name: "NodePorts", reason: "node(s) didn't have free ports for the requested pod ports" };
const TaintToleration = {
  name: "TaintToleration",
  reason: "node(s) had taints that the pod didn't tolerate",
};

export interface InsufficientResource {
  resourceName: string;
  requested: number;
  used: number;
  capacity: number;
}

type FailureReason =
  | { kind: "resource"; r: InsufficientResource }
  | { kind: "predicate"; name: string; reason: string };

/** InsufficientResourceError.Error() */
export function insufficientResourceMessage(r: InsufficientResource): string {
  return `Node didn't have enough resource: ${r.resourceName}, requested: ${r.requested}, used: ${r.used}, capacity: ${r.capacity}`;
}

/**
 * Admit: `activePods` are the pods the node already runs (admitted and not
 * terminated); the pod itself is skipped if listed.
 */
export function admitPod(pod: Pod, node: Node | undefined, activePods: readonly Pod[]): PodAdmitResult {
  if (!node) {
    return { admit: false, reason: AdmitReasons.InvalidNodeInfo, message: "Kubelet cannot get node info." };
  }
  // Checks that evicting other pods would not help come first.
  const osLabel = pod.metadata?.labels?.["kubernetes.io/os"];
  if (osLabel !== undefined && osLabel !== NODE_OS) {
    return {
      admit: false,
      reason: AdmitReasons.PodOSSelectorNodeLabelDoesNotMatch,
      message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
    };
  }
  const os = pod.spec?.os?.name;
  if (os !== undefined && os !== NODE_OS) {
    return {
      admit: false,
      reason: AdmitReasons.PodOSNotSupported,
      message: "Failed to admit pod as the OS field doesn't match node OS",
    };
  }

  const uid = pod.metadata?.uid;
  const others = activePods.filter((p) => p.metadata?.uid !== uid);
  const reasons = generalFilter(pod, node, others);
  if (reasons.length === 0) return { admit: true };
  const first = reasons[0];
  if (first.kind === "predicate") {
    return { admit: false, reason: first.name, message: `Predicate ${first.name} failed: ${first.reason}` };
  }
  return {
    admit: false,
    reason: outOfReason(first.r.resourceName),
    message: insufficientResourceMessage(first.r),
  };
}

function outOfReason(resourceName: string): string {
  switch (resourceName) {
    case "cpu":
      return AdmitReasons.OutOfCPU;
    case "memory":
      return AdmitReasons.OutOfMemory;
    case "ephemeral-storage":
      return AdmitReasons.OutOfEphemeralStorage;
    case "pods":
      return AdmitReasons.OutOfPods;
    default:
      return `OutOf${resourceName}`;
  }
}

/** generalFilter: AdmissionCheck with every failure, then NoExecute taints (not for static pods). */
function generalFilter(pod: Pod, node: Node, others: readonly Pod[]): FailureReason[] {
  const reasons: FailureReason[] = [];
  for (const r of fitsResources(pod, node, others)) reasons.push({ kind: "resource", r });
  if (!getRequiredNodeAffinity(pod).match(node)) reasons.push({ kind: "predicate", ...NodeAffinity });
  const nodeName = pod.spec?.nodeName;
  if (nodeName && nodeName !== node.metadata?.name) reasons.push({ kind: "predicate", ...NodeName });
  if (!fitsPorts(pod, others)) reasons.push({ kind: "predicate", ...NodePorts });
  if (!isStaticPod(pod)) {
    // The kubelet only cares about NoExecute: NoSchedule is the scheduler's business.
    const untolerated = findMatchingUntoleratedTaint(
      node.spec?.taints,
      pod.spec?.tolerations,
      (t) => t.effect === "NoExecute",
    );
    if (untolerated) reasons.push({ kind: "predicate", ...TaintToleration });
  }
  return reasons;
}

/** noderesources.Fits (fitsRequest): the pod count, cpu, memory, ephemeral storage, then scalar resources. */
export function fitsResources(pod: Pod, node: Node, others: readonly Pod[]): InsufficientResource[] {
  const allocatable = toResource(node.status?.allocatable);
  const requested: Resource = emptyResource();
  for (const p of others) addResource(requested, toResource(podRequests(p)));

  // Extended resources the node does not know are cluster-level: not checked here.
  const reqs = podRequests(pod);
  for (const name of [...reqs.keys()]) {
    if (isExtendedResourceName(name) && !allocatable.scalar.has(name)) reqs.delete(name);
  }
  const podRequest = toResource(reqs);

  const out: InsufficientResource[] = [];
  if (others.length + 1 > allocatable.allowedPodNumber) {
    out.push({
      resourceName: "pods",
      requested: 1,
      used: others.length,
      capacity: allocatable.allowedPodNumber,
    });
  }
  if (
    podRequest.milliCPU === 0 &&
    podRequest.memory === 0 &&
    podRequest.ephemeralStorage === 0 &&
    podRequest.scalar.size === 0
  ) {
    return out;
  }
  const check = (name: string, want: number, used: number, capacity: number) => {
    if (want > 0 && want > capacity - used) out.push({ resourceName: name, requested: want, used, capacity });
  };
  check("cpu", podRequest.milliCPU, requested.milliCPU, allocatable.milliCPU);
  check("memory", podRequest.memory, requested.memory, allocatable.memory);
  check(
    "ephemeral-storage",
    podRequest.ephemeralStorage,
    requested.ephemeralStorage,
    allocatable.ephemeralStorage,
  );
  // Go iterates a map here; sorted names keep the first reason stable.
  for (const name of [...podRequest.scalar.keys()].sort()) {
    const want = podRequest.scalar.get(name)!;
    if (want === 0) continue;
    check(name, want, requested.scalar.get(name) ?? 0, allocatable.scalar.get(name) ?? 0);
  }
  return out;
}

/** HostPortInfo: host ports in use by protocol and IP, 0.0.0.0 meaning every address. */
class HostPortInfo {
  private readonly byIP = new Map<string, Set<string>>();

  add(p: ContainerPort): void {
    const hostPort = p.hostPort ?? 0;
    if (hostPort <= 0) return;
    const { ip, key } = sanitize(p);
    let set = this.byIP.get(ip);
    if (!set) {
      set = new Set();
      this.byIP.set(ip, set);
    }
    set.add(key);
  }

  conflicts(p: ContainerPort): boolean {
    const hostPort = p.hostPort ?? 0;
    if (hostPort <= 0) return false;
    const { ip, key } = sanitize(p);
    // Binding every address conflicts with the port on any address.
    if (ip === "0.0.0.0") {
      for (const set of this.byIP.values()) if (set.has(key)) return true;
      return false;
    }
    return (this.byIP.get("0.0.0.0")?.has(key) ?? false) || (this.byIP.get(ip)?.has(key) ?? false);
  }
}

function sanitize(p: ContainerPort): { ip: string; key: string } {
  return { ip: p.hostIP || "0.0.0.0", key: `${p.protocol || "TCP"}/${p.hostPort}` };
}

/** nodeports.Fits: none of the pod's host ports is taken by another active pod. */
export function fitsPorts(pod: Pod, others: readonly Pod[]): boolean {
  const used = new HostPortInfo();
  for (const p of others)
    for (const c of p.spec?.containers ?? []) for (const port of c.ports ?? []) used.add(port);
  for (const c of pod.spec?.containers ?? []) {
    for (const port of c.ports ?? []) if (used.conflicts(port)) return false;
  }
  return true;
}
