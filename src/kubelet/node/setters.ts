// The node status setters (upstream's pkg/kubelet/nodestatus/setters.go):
// each fills in part of a Node's status in place. The kubelet runs them in
// order on a copy of the Node it last saw, and compares the result with the
// original to decide whether the status needs writing.
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type {
  ContainerImage,
  Node,
  NodeAddress,
  NodeCondition,
  NodeStatus,
  NodeSystemInfo,
} from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";
import { isQualifiedName } from "../../machinery/validation.ts";
import type { Image } from "../runtime/interface.ts";
import {
  type CapacityOptions,
  type NodeAllocatableConfig,
  nodeAllocatable,
  nodeAllocatableReservation,
  nodeCapacity,
} from "./capacity.ts";
import type { MachineInfo } from "./machine-info.ts";
import { aggregateMessage } from "./runtime-state.ts";

/** Modifies the node in place (nodestatus.Setter). */
export type Setter = (node: Node) => void;

/** Records an event about this Node (Kubelet.recordEvent). */
export type RecordNodeEvent = (type: "Normal" | "Warning", reason: string, message: string) => void;

/** The version every k8ts kubelet reports (version.Get().String()). */
export const KUBELET_VERSION = "v1.32.0-k8ts";

/** MaxNamesPerImageInNodeStatus. */
export const MAX_NAMES_PER_IMAGE_IN_NODE_STATUS = 5;

/** The kubelet's default --node-status-max-images. */
export const DEFAULT_NODE_STATUS_MAX_IMAGES = 50;

/** metav1.Time's JSON form: RFC 3339 to the second. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** node.status, created when absent (kubernetes-types marks it read-only; the kubelet owns it). */
export function mutableStatus(node: Node): NodeStatus {
  const n = node as { status?: NodeStatus };
  n.status ??= {};
  return n.status;
}

const status = mutableStatus;

function nodeInfo(node: Node): NodeSystemInfo {
  const s = status(node);
  s.nodeInfo ??= {
    architecture: "",
    bootID: "",
    containerRuntimeVersion: "",
    kernelVersion: "",
    kubeProxyVersion: "",
    kubeletVersion: "",
    machineID: "",
    operatingSystem: "",
    osImage: "",
    systemUUID: "",
  };
  return s.nodeInfo;
}

/**
 * utilnet.ChooseHostInterface, roughly: the first global IPv4 address of the
 * interface the default route leaves by, else of any interface, else IPv6.
 */
export function chooseHostIP(): string | undefined {
  const ifaces = networkInterfaces();
  let defaultIface: string | undefined;
  try {
    for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === "00000000" && f[7] === "00000000") {
        defaultIface = f[0];
        break;
      }
    }
  } catch {
    // not Linux: fall back to any interface
  }
  const global = (family: "IPv4" | "IPv6", name?: string) => {
    const names = name ? [name] : Object.keys(ifaces);
    for (const n of names) {
      for (const a of ifaces[n] ?? []) {
        if (a.family === family && !a.internal && !a.address.startsWith("fe80:")) return a.address;
      }
    }
    return undefined;
  };
  return (defaultIface && global("IPv4", defaultIface)) || global("IPv4") || global("IPv6");
}

/** NodeAddress, without a cloud provider: InternalIP and Hostname. */
export function nodeAddress(opts: { nodeIP?: string; hostname: string }): Setter {
  return (node) => {
    const ip = opts.nodeIP ?? chooseHostIP();
    if (!ip)
      throw new Error(`can't get ip address of node ${node.metadata?.name}. error: no usable interface`);
    const addresses: NodeAddress[] = [
      { type: "InternalIP", address: ip },
      { type: "Hostname", address: opts.hostname },
    ];
    status(node).addresses = addresses;
  };
}

/** v1helper.IsExtendedResourceName. */
export function isExtendedResourceName(name: string): boolean {
  const native = !name.includes("/") || name.includes("kubernetes.io/");
  if (native || name.startsWith("requests.")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** MachineInfo: capacity, allocatable, and the machine's IDs; a new boot ID is a reboot. */
export function machineInfo(opts: {
  nodeName: string;
  machineInfo: () => MachineInfo;
  capacity?: CapacityOptions;
  allocatable?: NodeAllocatableConfig;
  recordEvent?: RecordNodeEvent;
}): Setter {
  return (node) => {
    const s = status(node);
    const info = opts.machineInfo();
    const ni = nodeInfo(node);
    ni.machineID = info.machineID;
    ni.systemUUID = info.systemUUID;
    if (ni.bootID !== "" && ni.bootID !== info.bootID) {
      opts.recordEvent?.(
        "Warning",
        "NodeRebooted",
        `Node ${opts.nodeName} has been rebooted, boot id: ${info.bootID}`,
      );
    }
    ni.bootID = info.bootID;

    // Capacity others advertise (extended resources) stays; ours is overwritten.
    const ours = nodeCapacity(info, opts.capacity);
    const capacity: Record<string, Quantity> = {};
    for (const [k, v] of Object.entries(s.capacity ?? {})) capacity[k] = Quantity.fromJSON(v);
    Object.assign(capacity, ours);

    const allocatable: Record<string, Quantity> = {};
    for (const [k, v] of Object.entries(s.allocatable ?? {})) {
      if (!(k in capacity) && isExtendedResourceName(k)) continue;
      allocatable[k] = Quantity.fromJSON(v);
    }
    Object.assign(allocatable, nodeAllocatable(capacity, nodeAllocatableReservation(ours, opts.allocatable)));

    s.capacity = Object.fromEntries(Object.entries(capacity).map(([k, v]) => [k, v.toString()]));
    s.allocatable = Object.fromEntries(Object.entries(allocatable).map(([k, v]) => [k, v.toString()]));
  };
}

/** VersionInfo: kernel, OS image, runtime "<type>://<version>", kubelet and kube-proxy versions. */
export function versionInfo(opts: {
  machineInfo: () => MachineInfo;
  /** containerRuntime.Type(), e.g. "containerd" or "fake". */
  runtimeType: () => string;
  /** undefined when the runtime did not say: reported as "Unknown". */
  runtimeVersion: () => string | undefined;
}): Setter {
  return (node) => {
    const info = opts.machineInfo();
    const ni = nodeInfo(node);
    ni.kernelVersion = info.kernelVersion;
    ni.osImage = info.osImage;
    ni.containerRuntimeVersion = `${opts.runtimeType()}://${opts.runtimeVersion() ?? "Unknown"}`;
    ni.kubeletVersion = KUBELET_VERSION;
    // DisableNodeKubeProxyVersion is off by default in v1.32.
    ni.kubeProxyVersion = KUBELET_VERSION;
  };
}

export function daemonEndpoints(kubeletPort: number): Setter {
  return (node) => {
    status(node).daemonEndpoints = { kubeletEndpoint: { Port: kubeletPort } };
  };
}

/** The image manager's order: largest first, then by ID descending (sliceImagesBySize). */
export function sortImagesBySize(images: readonly Image[]): Image[] {
  return [...images].sort((a, b) =>
    a.size === b.size ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : b.size - a.size,
  );
}

/** Images: the largest maxImages images (-1: all), each with up to 5 names, digests first. */
export function images(opts: { maxImages?: number; imageList: () => readonly Image[] | undefined }): Setter {
  const max = opts.maxImages ?? DEFAULT_NODE_STATUS_MAX_IMAGES;
  return (node) => {
    const list = opts.imageList();
    if (list === undefined) {
      status(node).images = undefined;
      throw new Error("error getting image list");
    }
    let sorted = sortImagesBySize(list);
    if (max > -1 && max < sorted.length) sorted = sorted.slice(0, max);
    const out: ContainerImage[] = sorted.map((img) => ({
      names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE_IN_NODE_STATUS),
      sizeBytes: img.size,
    }));
    status(node).images = out.length > 0 ? out : undefined;
  };
}

/** GoRuntime: the OS and architecture the kubelet runs on. */
export function goRuntime(info: () => MachineInfo): Setter {
  return (node) => {
    const ni = nodeInfo(node);
    ni.operatingSystem = info().operatingSystem;
    ni.architecture = info().architecture;
  };
}

interface PressureTexts {
  type: string;
  trueReason: string;
  trueMessage: string;
  trueEvent: string;
  falseReason: string;
  falseMessage: string;
  falseEvent: string;
}

function pressureCondition(
  t: PressureTexts,
  now: () => number,
  pressure: () => boolean,
  recordEvent: (type: "Normal", event: string) => void,
): Setter {
  return (node) => {
    const s = status(node);
    const currentTime = rfc3339(now());
    let condition = s.conditions?.find((c) => c.type === t.type);
    const isNew = condition === undefined;
    condition ??= { type: t.type, status: "Unknown" };
    condition.lastHeartbeatTime = currentTime;
    if (pressure()) {
      if (condition.status !== "True") {
        condition.status = "True";
        condition.reason = t.trueReason;
        condition.message = t.trueMessage;
        condition.lastTransitionTime = currentTime;
        recordEvent("Normal", t.trueEvent);
      }
    } else if (condition.status !== "False") {
      condition.status = "False";
      condition.reason = t.falseReason;
      condition.message = t.falseMessage;
      condition.lastTransitionTime = currentTime;
      recordEvent("Normal", t.falseEvent);
    }
    if (isNew) s.conditions = [...(s.conditions ?? []), condition];
  };
}

/** Records a node status event the way Kubelet.recordNodeStatusEvent words it. */
export type RecordNodeStatusEvent = (type: "Normal" | "Warning", event: string) => void;

export function memoryPressureCondition(
  now: () => number,
  pressure: () => boolean,
  recordEvent: RecordNodeStatusEvent,
): Setter {
  return pressureCondition(
    {
      type: "MemoryPressure",
      trueReason: "KubeletHasInsufficientMemory",
      trueMessage: "kubelet has insufficient memory available",
      trueEvent: "NodeHasInsufficientMemory",
      falseReason: "KubeletHasSufficientMemory",
      falseMessage: "kubelet has sufficient memory available",
      falseEvent: "NodeHasSufficientMemory",
    },
    now,
    pressure,
    recordEvent,
  );
}

export function diskPressureCondition(
  now: () => number,
  pressure: () => boolean,
  recordEvent: RecordNodeStatusEvent,
): Setter {
  return pressureCondition(
    {
      type: "DiskPressure",
      trueReason: "KubeletHasDiskPressure",
      trueMessage: "kubelet has disk pressure",
      trueEvent: "NodeHasDiskPressure",
      falseReason: "KubeletHasNoDiskPressure",
      falseMessage: "kubelet has no disk pressure",
      falseEvent: "NodeHasNoDiskPressure",
    },
    now,
    pressure,
    recordEvent,
  );
}

export function pidPressureCondition(
  now: () => number,
  pressure: () => boolean,
  recordEvent: RecordNodeStatusEvent,
): Setter {
  return pressureCondition(
    {
      type: "PIDPressure",
      trueReason: "KubeletHasInsufficientPID",
      trueMessage: "kubelet has insufficient PID available",
      trueEvent: "NodeHasInsufficientPID",
      falseReason: "KubeletHasSufficientPID",
      falseMessage: "kubelet has sufficient PID available",
      falseEvent: "NodeHasSufficientPID",
    },
    now,
    pressure,
    recordEvent,
  );
}

/** ReadyCondition: True unless the runtime, network or storage report errors or capacity is missing. */
export function readyCondition(opts: {
  now: () => number;
  runtimeErrors: () => string[];
  networkErrors: () => string[];
  storageErrors: () => string[];
  /** The node shutdown manager's errors; none by default. */
  shutdownErrors?: () => string[];
  recordEvent: RecordNodeStatusEvent;
  /** LocalStorageCapacityIsolation: ephemeral-storage is required capacity. Default true. */
  localStorageCapacityIsolation?: boolean;
}): Setter {
  return (node) => {
    const s = status(node);
    const currentTime = rfc3339(opts.now());
    let next: NodeCondition = {
      type: "Ready",
      status: "True",
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
      lastHeartbeatTime: currentTime,
    };
    const errs: string[][] = [
      opts.runtimeErrors(),
      opts.networkErrors(),
      opts.storageErrors(),
      opts.shutdownErrors?.() ?? [],
    ];
    const required = ["cpu", "memory", "pods"];
    if (opts.localStorageCapacityIsolation ?? true) required.push("ephemeral-storage");
    const missing = required.filter((r) => !(r in (s.capacity ?? {})));
    if (missing.length > 0) errs.push([`missing node capacity for resources: ${missing.join(", ")}`]);
    const aggregated = aggregateMessage(errs);
    if (aggregated !== undefined) {
      next = {
        type: "Ready",
        status: "False",
        reason: "KubeletNotReady",
        message: aggregated,
        lastHeartbeatTime: currentTime,
      };
    }
    const conditions = s.conditions ?? [];
    const i = conditions.findIndex((c) => c.type === "Ready");
    if (i >= 0) {
      const transitioned = conditions[i].status !== next.status;
      next.lastTransitionTime = transitioned ? currentTime : conditions[i].lastTransitionTime;
      conditions[i] = next;
      if (transitioned) opts.recordEvent("Normal", next.status === "True" ? "NodeReady" : "NodeNotReady");
    } else {
      // The initial Ready condition records no event, as upstream.
      next.lastTransitionTime = currentTime;
      conditions.push(next);
    }
    s.conditions = conditions;
  };
}

/** VolumesInUse: only once the volume manager has synced (volumesInUse returns undefined before). */
export function volumesInUse(fn: () => string[] | undefined): Setter {
  return (node) => {
    const v = fn();
    if (v !== undefined) status(node).volumesInUse = v.length > 0 ? [...v] : undefined;
  };
}

/** Kubelet.recordNodeSchedulableEvent: NodeSchedulable / NodeNotSchedulable when spec.unschedulable flips. */
export function schedulableEvent(recordEvent: RecordNodeStatusEvent): Setter {
  let lastUnschedulable = false;
  return (node) => {
    const unschedulable = node.spec?.unschedulable ?? false;
    if (unschedulable !== lastUnschedulable) {
      recordEvent("Normal", unschedulable ? "NodeNotSchedulable" : "NodeSchedulable");
      lastUnschedulable = unschedulable;
    }
  };
}
