// The QoS cgroups (upstream's qosContainerManager, pkg/kubelet/cm/
// qos_container_manager_linux.go, v1.32, and the node allocatable cgroup of
// node_container_manager_linux.go): kubepods holds every pod and is sized to
// the node; kubepods/besteffort keeps the minimum cpu shares; kubepods/
// burstable gets the shares of its pods' cpu requests, so that under
// contention Guaranteed and Burstable pods are weighted by what they asked
// for. No memory reservations: the QOSReserved gate is off, as upstream's default.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { getPodQOS } from "../../api/defaults/qos.ts";
import { podRequests } from "../pod/resources.ts";
import type { CgroupManager } from "./cgroup-manager.ts";
import { MIN_SHARES, milliCPUToShares, type ResourceConfig } from "./helpers.ts";
import { qosCgroupNames } from "./pod-cgroup.ts";

/** periodicQOSCgroupUpdateInterval. */
export const PERIODIC_QOS_CGROUP_UPDATE_INTERVAL_MS = 60_000;

export interface NodeAllocatable {
  /** Millicores. */
  milliCPU: number;
  /** Bytes. */
  memory: number;
}

export interface QOSContainerManagerOptions {
  cgroups: CgroupManager;
  /** --cgroup-root; kubepods goes below it. */
  cgroupRoot: string;
  /** The pods that may still run (GetActivePods). */
  activePods: () => readonly Pod[];
  /** What kubepods is sized to (capacity less the reservations); none: kubepods gets no values. */
  nodeAllocatable?: NodeAllocatable;
}

/** getCgroupConfig: the node allocatable cgroup's shares and memory limit. */
export function nodeAllocatableConfig(a: NodeAllocatable): ResourceConfig {
  return { cpuShares: milliCPUToShares(a.milliCPU), memory: a.memory };
}

/** The sum of the Burstable pods' cpu requests, as shares (setCPUCgroupConfig). */
export function burstableCPUShares(pods: readonly Pod[]): number {
  let milliCPU = 0;
  for (const pod of pods) {
    // Only the burstable tier is weighted by its pods; Guaranteed pods sit in kubepods itself.
    if (getPodQOS(pod) !== "Burstable") continue;
    milliCPU += Number(podRequests(pod).get("cpu")?.milliValue() ?? 0n);
  }
  return milliCPUToShares(milliCPU);
}

export class QOSContainerManager {
  readonly names: ReturnType<typeof qosCgroupNames>;

  constructor(private readonly opts: QOSContainerManagerOptions) {
    this.names = qosCgroupNames(opts.cgroupRoot);
  }

  /**
   * Start: kubepods (createNodeAllocatableCgroups and its enforcement), then
   * the burstable and besteffort tiers, created or brought to their settings.
   */
  start(): void {
    const cm = this.opts.cgroups;
    const root = this.opts.nodeAllocatable ? nodeAllocatableConfig(this.opts.nodeAllocatable) : {};
    if (cm.exists(this.names.Guaranteed)) cm.update(this.names.Guaranteed, root);
    else cm.create(this.names.Guaranteed, root);
    const tiers: [string, ResourceConfig][] = [
      [this.names.Burstable, {}],
      // The BestEffort tier has a static minimum share.
      [this.names.BestEffort, { cpuShares: MIN_SHARES }],
    ];
    for (const [name, config] of tiers) {
      if (cm.exists(name)) cm.update(name, config);
      else cm.create(name, config);
    }
    this.updateCgroups();
  }

  /** UpdateCgroups: besteffort stays at 2 shares, burstable follows its active pods' cpu requests. */
  updateCgroups(): void {
    const cm = this.opts.cgroups;
    cm.update(this.names.BestEffort, { cpuShares: MIN_SHARES });
    cm.update(this.names.Burstable, { cpuShares: burstableCPUShares(this.opts.activePods()) });
  }
}
