// The pod's own cgroup with its limits (upstream's podContainerManagerImpl,
// pkg/kubelet/cm/pod_container_manager_linux.go, v1.32): made before the
// sandbox, so that the pod as a whole is held to the sum of its containers'
// limits (ResourceConfigForPod) while runc puts the containers inside it.
// Removal is cleanupOrphanedPodCgroups (pod-cgroup.ts), from housekeeping.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CgroupManager } from "./cgroup-manager.ts";
import { type PodResourceConfigOptions, resourceConfigForPod } from "./helpers.ts";
import { podCgroupName } from "./pod-cgroup.ts";

export interface PodContainerManagerOptions extends PodResourceConfigOptions {
  cgroups: CgroupManager;
  /** --cgroup-root. */
  cgroupRoot: string;
}

export class PodContainerManager {
  constructor(private readonly opts: PodContainerManagerOptions) {}

  /** GetPodContainerName (cgroupfs). */
  getPodContainerName(pod: Pod): string {
    return podCgroupName(pod, this.opts.cgroupRoot);
  }

  /** Exists: the pod's cgroup is there. */
  exists(pod: Pod): boolean {
    return this.opts.cgroups.exists(this.getPodContainerName(pod));
  }

  /** EnsureExists: creates the pod's cgroup with its limits unless it is there already (no update of a running pod). */
  ensureExists(pod: Pod): void {
    if (this.exists(pod)) return;
    const name = this.getPodContainerName(pod);
    try {
      this.opts.cgroups.create(name, resourceConfigForPod(pod, this.opts));
    } catch (err) {
      // Upstream prints the CgroupName, a []string: "[kubepods burstable pod<uid>]".
      const printed = `[${name
        .split("/")
        .filter((s) => s !== "")
        .join(" ")}]`;
      throw new Error(`failed to create container for ${printed} : ${(err as Error).message}`);
    }
  }
}
