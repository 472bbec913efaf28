// Pod-level cgroups (upstream's qos container manager and pod container
// manager, pkg/kubelet/cm, v1.32, with the cgroupfs driver): every pod gets a
// cgroup under its QoS class below k8ts's own parent, given to containerd as
// the sandbox's cgroupParent; runc creates it with the containers' cgroups
// inside. Guaranteed pods sit directly under kubepods.
import { readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { getPodQOS } from "../../api/defaults/qos.ts";

/** k8ts's --cgroup-root: its pods stay apart from anything else on the machine. */
export const DEFAULT_CGROUP_ROOT = "/k8ts";
/** defaultNodeAllocatableCgroupName: "kubepods". */
const KUBEPODS = "kubepods";
/** podCgroupNamePrefix. */
const POD_CGROUP_NAME_PREFIX = "pod";

/** The QoS cgroups (qosContainersInfo): Guaranteed is kubepods itself. */
export function qosCgroupNames(
  cgroupRoot = DEFAULT_CGROUP_ROOT,
): Record<"Guaranteed" | "Burstable" | "BestEffort", string> {
  const kubepods = joinCgroup(cgroupRoot, KUBEPODS);
  return {
    Guaranteed: kubepods,
    Burstable: joinCgroup(kubepods, "burstable"),
    BestEffort: joinCgroup(kubepods, "besteffort"),
  };
}

/** GetPodContainerName (cgroupfs): <root>/kubepods[/burstable|/besteffort]/pod<uid>. */
export function podCgroupName(pod: Pod, cgroupRoot = DEFAULT_CGROUP_ROOT): string {
  const parent = qosCgroupNames(cgroupRoot)[getPodQOS(pod)];
  return joinCgroup(parent, `${POD_CGROUP_NAME_PREFIX}${pod.metadata?.uid ?? ""}`);
}

function joinCgroup(parent: string, child: string): string {
  return `${parent.replace(/\/+$/, "")}/${child}`;
}

/** Where the cgroup hierarchies are mounted (cgroup v1 controllers, plus unified on hybrid hosts). */
export const CGROUP_MOUNT = "/sys/fs/cgroup";

/** The pod cgroups that exist below cgroupRoot, by pod uid, with their directories in every hierarchy. */
export function listPodCgroups(
  cgroupRoot = DEFAULT_CGROUP_ROOT,
  mount = CGROUP_MOUNT,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync(mount);
  } catch {
    return out;
  }
  for (const h of hierarchies) {
    for (const qos of Object.values(qosCgroupNames(cgroupRoot))) {
      const dir = join(mount, h, qos);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!name.startsWith(POD_CGROUP_NAME_PREFIX) || name.length <= POD_CGROUP_NAME_PREFIX.length)
          continue;
        const uid = name.slice(POD_CGROUP_NAME_PREFIX.length);
        // "burstable" and "besteffort" under kubepods are not pods.
        if (!/^[0-9a-f-]{8,}$/.test(uid)) continue;
        const dirs = out.get(uid) ?? [];
        dirs.push(join(dir, name));
        out.set(uid, dirs);
      }
    }
  }
  return out;
}

/**
 * cleanupOrphanedPodCgroups: removes the cgroups of pods the kubelet no longer
 * has (runc leaves the pod's own cgroup behind when its last container goes).
 * A cgroup that still holds processes refuses rmdir and stays for the next pass.
 */
export function cleanupOrphanedPodCgroups(
  keep: ReadonlySet<string>,
  cgroupRoot = DEFAULT_CGROUP_ROOT,
  mount = CGROUP_MOUNT,
): string[] {
  const removed: string[] = [];
  for (const [uid, dirs] of listPodCgroups(cgroupRoot, mount)) {
    if (keep.has(uid)) continue;
    for (const dir of dirs) {
      try {
        rmdirSync(dir);
        removed.push(dir);
      } catch {
        // busy (a container still runs) or gone: the next housekeeping looks again
      }
    }
  }
  return removed;
}
