// VolumeRestrictions (upstream's volumerestrictions plugin, v1.32): a GCE PD,
// AWS EBS, RBD or iSCSI volume may not be mounted by a second pod on the same
// node (read-only sharing aside), and a ReadWriteOncePod PVC may be used by
// only one pod in the whole cluster.
import type { PersistentVolumeClaim, Pod, Volume } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  PluginFactory,
  PreFilterExtensions,
  PreFilterPlugin,
  PreFilterResult,
} from "../framework/interface.ts";
import type { NodeInfo, PodInfo } from "../framework/node-info.ts";
import { asStatus, type Result, skip, unresolvable, unschedulable } from "../framework/status.ts";

export const NAME = "VolumeRestrictions";
const PRE_FILTER_STATE_KEY = `PreFilter${NAME}`;

export const ERR_REASON_DISK_CONFLICT = "node(s) had no available disk";
export const ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT =
  "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/** The pod's ReadWriteOncePod claims and how many scheduled pods use them. */
class PreFilterState {
  constructor(
    /** Claim names (the pod's namespace) with the ReadWriteOncePod access mode. */
    readonly readWriteOncePodPVCs: ReadonlySet<string>,
    public conflictingPVCRefCount: number,
  ) {}

  /** Like upstream, matches claim names only (preemption candidates share the namespace in practice). */
  private conflictingPVCRefCountForPod(pi: PodInfo): number {
    let n = 0;
    for (const v of pi.pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim && this.readWriteOncePodPVCs.has(v.persistentVolumeClaim.claimName)) n++;
    }
    return n;
  }

  updateWithPod(pi: PodInfo, multiplier: 1 | -1): void {
    this.conflictingPVCRefCount += multiplier * this.conflictingPVCRefCountForPod(pi);
  }

  clone(): PreFilterState {
    return new PreFilterState(this.readWriteOncePodPVCs, this.conflictingPVCRefCount);
  }
}

/** True if the volume kind has same-volume rules. */
function needsRestrictionsCheck(v: Volume): boolean {
  return !!(v.gcePersistentDisk || v.awsElasticBlockStore || v.rbd || v.iscsi);
}

/** Do the two lists share at least one element? */
function haveOverlap(a1: readonly string[], a2: readonly string[]): boolean {
  if (a1.length > a2.length) [a1, a2] = [a2, a1];
  const m = new Set(a1);
  return a2.some((v) => m.has(v));
}

/** Would mounting volume conflict with one of pod's volumes? */
export function isVolumeConflict(volume: Volume, pod: Pod): boolean {
  for (const ev of pod.spec?.volumes ?? []) {
    // The same GCE disk conflicts unless every mount is read-only.
    const disk = volume.gcePersistentDisk;
    const existingDisk = ev.gcePersistentDisk;
    if (disk && existingDisk) {
      if (disk.pdName === existingDisk.pdName && !(disk.readOnly && existingDisk.readOnly)) return true;
    }
    // AWS EBS allows a single mount, read-only or not.
    if (volume.awsElasticBlockStore && ev.awsElasticBlockStore) {
      if (volume.awsElasticBlockStore.volumeID === ev.awsElasticBlockStore.volumeID) return true;
    }
    // iSCSI volumes are the same when they share the IQN; only one read-write mount.
    if (volume.iscsi && ev.iscsi) {
      if (volume.iscsi.iqn === ev.iscsi.iqn && !(volume.iscsi.readOnly && ev.iscsi.readOnly)) return true;
    }
    // RBD images are the same with a common monitor, the same pool and image; only one read-write mount.
    const rbd = volume.rbd;
    const erbd = ev.rbd;
    if (rbd && erbd) {
      if (
        haveOverlap(rbd.monitors, erbd.monitors) &&
        (rbd.pool ?? "") === (erbd.pool ?? "") &&
        rbd.image === erbd.image &&
        !(rbd.readOnly && erbd.readOnly)
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Can the pod's restricted volumes be mounted next to the pods already on the node? */
function satisfyVolumeConflicts(pod: Pod, nodeInfo: NodeInfo): boolean {
  for (const v of pod.spec?.volumes ?? []) {
    if (!needsRestrictionsCheck(v)) continue;
    for (const ev of nodeInfo.pods) if (isVolumeConflict(v, ev.pod)) return false;
  }
  return true;
}

export class VolumeRestrictions
  implements PreFilterPlugin, FilterPlugin, PreFilterExtensions, EnqueueExtensions
{
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  eventsToRegister(): ClusterEvent[] {
    return [
      // A deleted pod releases its volumes (spec.volumes is immutable, so updates don't matter).
      { resource: "Pod", actions: ["Delete"] },
      // A new node may have no conflicting pods.
      { resource: "Node", actions: ["Add", "UpdateNodeTaint", "UpdateNodeLabel"] },
      // The claim must exist to know its access modes.
      { resource: "PersistentVolumeClaim", actions: ["Add"] },
    ];
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult; status: Result } {
    const volumes = pod.spec?.volumes;
    if (!volumes || volumes.length === 0) return { status: skip() };
    const needsCheck = volumes.some(needsRestrictionsCheck);

    // readWriteOncePodPVCsForPod: every claim must exist, even if it is not ReadWriteOncePod.
    const ns = pod.metadata?.namespace ?? "";
    const pvcs = this.handle.lister<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    const rwop = new Set<string>();
    for (const v of volumes) {
      if (!v.persistentVolumeClaim) continue;
      const name = v.persistentVolumeClaim.claimName;
      const pvc = pvcs.get(`${ns}/${name}`);
      if (!pvc) return { status: unresolvable(`persistentvolumeclaim ${goQuote(name)} not found`) };
      if (pvc.spec?.accessModes?.includes("ReadWriteOncePod")) rwop.add(pvc.metadata?.name ?? name);
    }

    // At most one scheduled pod can be using a ReadWriteOncePod claim.
    let conflicts = 0;
    if (rwop.size > 0) {
      const snapshot = this.handle.snapshot();
      for (const name of rwop) if (snapshot.isPVCUsedByPods(`${ns}/${name}`)) conflicts++;
    }
    if (!needsCheck && conflicts === 0) return { status: skip() };
    state.write(PRE_FILTER_STATE_KEY, new PreFilterState(rwop, conflicts));
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions {
    return this;
  }

  addPod(state: CycleState, _pod: Pod, podInfoToAdd: PodInfo, _nodeInfo: NodeInfo): Result {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return asStatus(new Error(`cannot read ${goQuote(PRE_FILTER_STATE_KEY)} from cycleState`));
    s.updateWithPod(podInfoToAdd, 1);
    return null;
  }

  removePod(state: CycleState, _pod: Pod, podInfoToRemove: PodInfo, _nodeInfo: NodeInfo): Result {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return asStatus(new Error(`cannot read ${goQuote(PRE_FILTER_STATE_KEY)} from cycleState`));
    s.updateWithPod(podInfoToRemove, -1);
    return null;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    if (!satisfyVolumeConflicts(pod, nodeInfo)) return unschedulable(ERR_REASON_DISK_CONFLICT);
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return asStatus(new Error(`cannot read ${goQuote(PRE_FILTER_STATE_KEY)} from cycleState`));
    // Preemption can help: the pod using the claim may be evicted.
    if (s.conflictingPVCRefCount > 0) return unschedulable(ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT);
    return null;
  }
}

export const newVolumeRestrictions: PluginFactory = (_args, handle) => new VolumeRestrictions(handle);
