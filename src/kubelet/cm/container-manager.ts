// What the kubelet asks of its cgroups (the cgroup part of upstream's
// ContainerManager, pkg/kubelet/cm/container_manager_linux.go, cgroupfs
// driver with --cgroups-per-qos): the QoS tiers at start and once a minute,
// the pod's cgroup before its sandbox (kubelet.SyncPod), orphaned pod
// cgroups removed by housekeeping. Only for a real runtime: hollow nodes
// have no ContainerManager.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { CgroupManager } from "./cgroup-manager.ts";
import { cleanupOrphanedPodCgroups } from "./pod-cgroup.ts";
import { PodContainerManager } from "./pod-container-manager.ts";
import {
  type NodeAllocatable,
  PERIODIC_QOS_CGROUP_UPDATE_INTERVAL_MS,
  QOSContainerManager,
} from "./qos-container-manager.ts";

export interface ContainerManagerOptions {
  /** --cgroup-root. */
  cgroupRoot: string;
  /** Default /sys/fs/cgroup. */
  mount?: string;
  /** GetActivePods. */
  activePods: () => readonly Pod[];
  nodeAllocatable?: NodeAllocatable;
  /** Milliseconds, for the periodic QoS update. */
  now?: () => number;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

export class ContainerManager {
  readonly cgroups: CgroupManager;
  readonly qos: QOSContainerManager;
  readonly pods: PodContainerManager;
  private lastQOSUpdate = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: ContainerManagerOptions) {
    this.cgroups = new CgroupManager({ mount: opts.mount });
    this.qos = new QOSContainerManager({
      cgroups: this.cgroups,
      cgroupRoot: opts.cgroupRoot,
      activePods: opts.activePods,
      nodeAllocatable: opts.nodeAllocatable,
    });
    this.pods = new PodContainerManager({ cgroups: this.cgroups, cgroupRoot: opts.cgroupRoot });
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** setupNode's QoS part: a failure is logged, and the next pod sync or housekeeping tries again. */
  start(): void {
    try {
      this.qos.start();
      this.lastQOSUpdate = this.now();
    } catch (err) {
      this.opts.log?.("Failed to start the QoS cgroups", { err: (err as Error).message });
    }
  }

  /**
   * kubelet.SyncPod's cgroup step: when the pod's cgroup is missing, the QoS
   * tiers are updated (the new pod's requests count) and the pod's cgroup is
   * created with its limits. Throws when it cannot be created.
   */
  ensurePodCgroup(pod: Pod): void {
    if (this.pods.exists(pod)) return;
    try {
      this.qos.start();
      this.lastQOSUpdate = this.now();
    } catch (err) {
      this.opts.log?.("Failed to update QoS cgroups while syncing pod", {
        pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
        err: (err as Error).message,
      });
    }
    this.pods.ensureExists(pod);
  }

  /** Housekeeping: orphaned pod cgroups go; the QoS tiers catch up with the pods once a minute. */
  housekeeping(keep: ReadonlySet<string>): void {
    cleanupOrphanedPodCgroups(keep, this.opts.cgroupRoot, this.cgroups.mount);
    if (this.now() - this.lastQOSUpdate < PERIODIC_QOS_CGROUP_UPDATE_INTERVAL_MS) return;
    this.lastQOSUpdate = this.now();
    try {
      this.qos.updateCgroups();
    } catch (err) {
      this.opts.log?.("Failed to reserve QoS requests", { err: (err as Error).message });
    }
  }
}
