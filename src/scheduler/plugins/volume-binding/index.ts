// VolumeBinding (upstream's volumebinding plugin, v1.32): a pod's PVCs must
// exist and not be in deletion, immediate-mode claims must already be bound,
// bound PVs must be reachable from the node, and WaitForFirstConsumer claims
// must find a PV on the node or be provisionable there. Reserve assumes the
// choice; PreBind writes it and waits for the PV controller to bind.
// VolumeCapacityPriority scoring (alpha) is left out, so there is no Score.
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../../client/resources.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  PluginFactory,
  PreBindPlugin,
  PreFilterPlugin,
  PreFilterResult,
  ReservePlugin,
} from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import { asStatus, Code, type Result, Status, skip, unresolvable } from "../../framework/status.ts";
import {
  type BinderHandle,
  ephemeralVolumeClaimName,
  ephemeralVolumeIsForPod,
  type PodVolumeClaims,
  type PodVolumes,
  VolumeBinder,
} from "./binder.ts";

export {
  ANN_BIND_COMPLETED,
  ANN_SELECTED_NODE,
  ERR_REASON_BIND_CONFLICT,
  ERR_REASON_NODE_CONFLICT,
  ERR_REASON_NOT_ENOUGH_SPACE,
  ERR_REASON_PV_NOT_EXIST,
  STORAGE_CLASSES,
} from "./binder.ts";

export const NAME = "VolumeBinding";
const STATE_KEY = NAME;

export const ERR_REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";

/** VolumeBindingArgs (kubescheduler.config.k8s.io/v1); shape only matters for the alpha scorer. */
export interface VolumeBindingArgs {
  /** How long PreBind waits for the PV controller; default 600. */
  bindTimeoutSeconds?: number;
}

export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

/**
 * Per-pod state from PreFilter on. Shared, not copied, by CycleState.clone as
 * upstream's stateData: Filter results of preemption's what-if runs are kept.
 */
class StateData {
  allBound = false;
  /** The volume decision for each node that passed Filter. */
  readonly podVolumesByNode = new Map<string, PodVolumes>();
  hasStaticBindings = false;
  constructor(readonly podVolumeClaims?: PodVolumeClaims) {}
  clone(): StateData {
    return this;
  }
}

export class VolumeBinding
  implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions
{
  readonly name = NAME;
  readonly binder: VolumeBinder;

  constructor(
    private readonly handle: BinderHandle,
    args: VolumeBindingArgs = {},
  ) {
    const seconds = args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS;
    this.binder = new VolumeBinder(handle, seconds * 1000);
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // A missing or mis-configured StorageClass (allowedTopologies, volumeBindingMode).
      { resource: "StorageClass", actions: ["Add", "Update"] },
      // We bind PVCs with PVs, so any change may help.
      { resource: "PersistentVolumeClaim", actions: ["Add", "Update"] },
      { resource: "PersistentVolume", actions: ["Add", "Update"] },
      // Node labels decide PV node affinity and allowed topologies.
      { resource: "Node", actions: ["Add", "UpdateNodeLabel", "UpdateNodeTaint"] },
      { resource: "CSINode", actions: ["Add", "Update"] },
    ];
  }

  /**
   * podHasPVCs: whether the pod uses any claim, or an error (a reason for
   * UnschedulableAndUnresolvable) when one is missing, lost or being deleted.
   */
  private podHasPVCs(pod: Pod): { hasPVC: boolean; err?: string } {
    const ns = pod.metadata?.namespace ?? "";
    const volumes = pod.spec?.volumes;
    if (!volumes || volumes.length === 0) return { hasPVC: false };
    let hasPVC = false;
    const pvcs = this.handle.lister<PersistentVolumeClaim>(Resources.persistentvolumeclaims);
    for (const vol of volumes) {
      let name: string;
      let ephemeral = false;
      if (vol.persistentVolumeClaim) name = vol.persistentVolumeClaim.claimName;
      else if (vol.ephemeral) {
        name = ephemeralVolumeClaimName(pod, vol);
        ephemeral = true;
      } else continue;
      hasPVC = true;
      const pvc = pvcs.get(`${ns}/${name}`);
      if (!pvc) {
        // Normal right after creating a pod with a generic ephemeral volume.
        if (ephemeral) {
          return {
            hasPVC,
            err: `waiting for ephemeral volume controller to create the persistentvolumeclaim ${goQuote(name)}`,
          };
        }
        return { hasPVC, err: `persistentvolumeclaim ${goQuote(name)} not found` };
      }
      if (pvc.status?.phase === "Lost") {
        return {
          hasPVC,
          err: `persistentvolumeclaim ${goQuote(name)} bound to non-existent persistentvolume ${goQuote(pvc.spec?.volumeName ?? "")}`,
        };
      }
      if (pvc.metadata?.deletionTimestamp)
        return { hasPVC, err: `persistentvolumeclaim ${goQuote(name)} is being deleted` };
      if (ephemeral) {
        const e = ephemeralVolumeIsForPod(pod, pvc);
        if (e) return { hasPVC, err: e.message };
      }
    }
    return { hasPVC };
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult; status: Result } {
    const { hasPVC, err } = this.podHasPVCs(pod);
    if (err !== undefined) return { status: unresolvable(err) };
    if (!hasPVC) {
      state.write(STATE_KEY, new StateData());
      return { status: skip() };
    }
    let claims: PodVolumeClaims;
    try {
      claims = this.binder.getPodVolumeClaims(pod);
    } catch (e) {
      return { status: asStatus(e) };
    }
    // The PV controller binds these; the pod comes back on a PVC/PV event.
    if (claims.unboundClaimsImmediate.length > 0)
      return { status: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
    state.write(STATE_KEY, new StateData(claims));
    return { status: null };
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Result {
    const s = state.read<StateData>(STATE_KEY);
    if (!s) return asStatus(new Error("not found"));
    // Pods without claims skip Filter; the empty state only serves Reserve.
    if (!s.podVolumeClaims || !nodeInfo.node) return null;
    let found: ReturnType<VolumeBinder["findPodVolumes"]>;
    try {
      found = this.binder.findPodVolumes(s.podVolumeClaims, nodeInfo.node);
    } catch (e) {
      return asStatus(e);
    }
    if (found.reasons.length > 0) return new Status(Code.UnschedulableAndUnresolvable, found.reasons);
    s.podVolumesByNode.set(nodeInfo.name, found.podVolumes);
    if ((found.podVolumes.staticBindings?.length ?? 0) > 0) s.hasStaticBindings = true;
    return null;
  }

  reserve(state: CycleState, pod: Pod, nodeName: string): Result {
    const s = state.read<StateData>(STATE_KEY);
    if (!s) return asStatus(new Error("not found"));
    const podVolumes = s.podVolumesByNode.get(nodeName);
    if (!podVolumes) {
      // The pod references no PVC.
      s.allBound = true;
      return null;
    }
    try {
      s.allBound = this.binder.assumePodVolumes(pod, nodeName, podVolumes);
    } catch (e) {
      return asStatus(e);
    }
    return null;
  }

  unreserve(state: CycleState, _pod: Pod, nodeName: string): void {
    const podVolumes = state.read<StateData>(STATE_KEY)?.podVolumesByNode.get(nodeName);
    if (podVolumes) this.binder.revertAssumedPodVolumes(podVolumes);
  }

  async preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Result> {
    const s = state.read<StateData>(STATE_KEY);
    if (!s) return asStatus(new Error("not found"));
    if (s.allBound) return null;
    const podVolumes = s.podVolumesByNode.get(nodeName);
    if (!podVolumes) return asStatus(new Error(`no pod volumes found for node ${goQuote(nodeName)}`));
    try {
      await this.binder.bindPodVolumes(pod, nodeName, podVolumes);
    } catch (e) {
      return asStatus(e);
    }
    return null;
  }
}

export const newVolumeBinding: PluginFactory = (args, handle) =>
  new VolumeBinding(handle, (args ?? {}) as VolumeBindingArgs);
