// Node capacity and allocatable as upstream computes them:
// cadvisor.CapacityFromMachineInfo (cpu, memory, hugepages-*), the MachineInfo
// setter (pods, ephemeral-storage, allocatable = capacity - reservation, huge
// pages taken out of allocatable memory) and the container manager's
// GetNodeAllocatableReservation (system-reserved + kube-reserved + the hard
// eviction thresholds on memory.available and nodefs.available).
import { Format, Quantity } from "../../machinery/quantity.ts";
import type { MachineInfo } from "./machine-info.ts";

/** v1.ResourceList in its JSON form. */
export type ResourceList = Record<string, string>;

/** The kubelet's default --max-pods. */
export const DEFAULT_MAX_PODS = 110;

/** Upstream's DefaultEvictionHard on Linux (pkg/kubelet/eviction/defaults_linux.go). */
export const DEFAULT_EVICTION_HARD: Readonly<Record<string, string>> = {
  "memory.available": "100Mi",
  "nodefs.available": "10%",
  "nodefs.inodesFree": "5%",
  "imagefs.available": "15%",
  "imagefs.inodesFree": "5%",
};

export interface NodeAllocatableConfig {
  /** --kube-reserved, e.g. { cpu: "100m", memory: "256Mi" }; default none. */
  kubeReserved?: ResourceList;
  /** --system-reserved; default none. */
  systemReserved?: ResourceList;
  /** --eviction-hard as signal → threshold; default DEFAULT_EVICTION_HARD. */
  evictionHard?: Readonly<Record<string, string>>;
}

/** v1helper.HugePageResourceName: "hugepages-2Mi" for 2 MiB pages. */
export function hugePageResourceName(pageSizeBytes: number | bigint): string {
  return `hugepages-${Quantity.fromInt(pageSizeBytes, Format.BinarySI).toString()}`;
}

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith("hugepages-");
}

/** cadvisor.CapacityFromMachineInfo. */
export function capacityFromMachineInfo(info: MachineInfo): Record<string, Quantity> {
  const c: Record<string, Quantity> = {
    cpu: Quantity.fromMilli(info.numCores * 1000, Format.DecimalSI),
    memory: Quantity.fromInt(info.memoryCapacity, Format.BinarySI),
  };
  for (const hp of info.hugePages) {
    const pageSizeBytes = BigInt(hp.pageSize) * 1024n;
    c[hugePageResourceName(pageSizeBytes)] = Quantity.fromInt(
      pageSizeBytes * BigInt(hp.numPages),
      Format.BinarySI,
    );
  }
  return c;
}

export interface CapacityOptions {
  /** --max-pods; default 110. */
  maxPods?: number;
  /** --pods-per-core; 0 (default) means no per-core limit. */
  podsPerCore?: number;
}

/** The capacity the MachineInfo setter reports: the machine's, plus pods and ephemeral-storage. */
export function nodeCapacity(info: MachineInfo, opts: CapacityOptions = {}): Record<string, Quantity> {
  const maxPods = opts.maxPods ?? DEFAULT_MAX_PODS;
  const podsPerCore = opts.podsPerCore ?? 0;
  const c = capacityFromMachineInfo(info);
  const pods = podsPerCore > 0 ? Math.min(info.numCores * podsPerCore, maxPods) : maxPods;
  c.pods = Quantity.fromInt(pods, Format.DecimalSI);
  c["ephemeral-storage"] = Quantity.fromInt(info.rootFsCapacity, Format.BinarySI);
  return c;
}

/** evictionapi.ParsePercentage: the percentage as a float32 fraction, as upstream stores it. */
function parsePercentage(v: string): number {
  return Math.fround(Math.fround(Number(v.slice(0, -1))) / 100);
}

/** hardEvictionReservation: what the hard thresholds on memory and nodefs hold back. */
function hardEvictionReservation(
  thresholds: Readonly<Record<string, string>>,
  capacity: Record<string, Quantity>,
): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  const signals: Array<[string, string]> = [
    ["memory.available", "memory"],
    ["nodefs.available", "ephemeral-storage"],
  ];
  for (const [signal, resource] of signals) {
    const value = thresholds[signal];
    if (value === undefined) continue;
    if (value.endsWith("%")) {
      const cap = capacity[resource] ?? Quantity.fromInt(0, Format.DecimalSI);
      // GetThresholdQuantity: int64(float64(capacity.Value()) * float64(percentage)).
      out[resource] = Quantity.fromInt(
        Math.trunc(Number(cap.value()) * parsePercentage(value)),
        Format.BinarySI,
      );
    } else {
      out[resource] = Quantity.mustParse(value);
    }
  }
  return out;
}

/** containerManagerImpl.GetNodeAllocatableReservation. */
export function nodeAllocatableReservation(
  capacity: Record<string, Quantity>,
  cfg: NodeAllocatableConfig = {},
): Record<string, Quantity> {
  const eviction = hardEvictionReservation(cfg.evictionHard ?? DEFAULT_EVICTION_HARD, capacity);
  const result: Record<string, Quantity> = {};
  for (const k of Object.keys(capacity)) {
    let value = Quantity.fromInt(0, Format.DecimalSI);
    for (const add of [cfg.systemReserved?.[k], cfg.kubeReserved?.[k]]) {
      if (add !== undefined) value = value.add(Quantity.mustParse(add));
    }
    if (eviction[k]) value = value.add(eviction[k]);
    if (!value.isZero()) result[k] = value;
  }
  return result;
}

/** The allocatable half of the MachineInfo setter: capacity less the reservation, never negative. */
export function nodeAllocatable(
  capacity: Record<string, Quantity>,
  reservation: Record<string, Quantity>,
): Record<string, Quantity> {
  const alloc: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(capacity)) {
    let value = v;
    if (reservation[k]) value = value.sub(reservation[k]);
    if (value.sign() < 0) value = Quantity.fromInt(0, value.format);
    alloc[k] = value;
  }
  // Pre-allocated huge pages are memory the pods cannot have.
  for (const [k, v] of Object.entries(capacity)) {
    if (!isHugePageResourceName(k) || !alloc.memory) continue;
    let mem = alloc.memory.sub(v);
    if (mem.sign() < 0) mem = Quantity.fromInt(0, mem.format);
    alloc.memory = mem;
  }
  return alloc;
}

export function toResourceList(q: Record<string, Quantity>): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(q)) out[k] = v.toString();
  return out;
}

/** Capacity and allocatable of a machine, in the Node's JSON form. */
export function nodeResources(
  info: MachineInfo,
  opts: CapacityOptions & NodeAllocatableConfig = {},
): { capacity: ResourceList; allocatable: ResourceList } {
  const capacity = nodeCapacity(info, opts);
  const allocatable = nodeAllocatable(capacity, nodeAllocatableReservation(capacity, opts));
  return { capacity: toResourceList(capacity), allocatable: toResourceList(allocatable) };
}
