// upstream's PVC protection controller (pvc_protection_controller.go, v1.32):
// a claim being deleted keeps its kubernetes.io/pvc-protection finalizer while
// a scheduled pod uses it, so the data is not pulled from under a running
// pod; claims created before the admission plugin get the finalizer here.
// A pod that finished but still exists counts as using the claim, as
// upstream: only its deletion (or a generic ephemeral volume's pod shutting
// down) frees the claim.
import type { PersistentVolumeClaim, Pod, Volume } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../../client/clock.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { RestClient } from "../../../client/rest-client.ts";
import type { SharedInformer } from "../../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../../controller.ts";
import { objectKey } from "../persistentvolume/object-cache.ts";
import {
  addPodPVCIndex,
  ephemeralVolumeClaimName,
  isPodTerminated,
  POD_PVC_INDEX,
} from "../util/pod-pvc-index.ts";
import { isDeletionCandidate, needToAddFinalizer, PVC_PROTECTION_FINALIZER } from "../util/protection.ts";

export interface PVCProtectionControllerOptions {
  client: RestClient;
  pvcInformer: SharedInformer<PersistentVolumeClaim>;
  podInformer: SharedInformer<Pod>;
  clock?: Clock;
  log?(msg: string): void;
}

/**
 * podIsShutDown: the kubelet is done with the pod (deleted with a zero grace
 * period) or it was force-deleted; it only waits for garbage collection.
 */
function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata?.deletionGracePeriodSeconds === 0;
}

/** ephemeral.VolumeIsForPod: the claim of a generic ephemeral volume must be controlled by the pod. */
function ephemeralVolumeIsForPod(pod: Pod, pvc: PersistentVolumeClaim): boolean {
  const owner = pvc.metadata?.ownerReferences?.find((r) => r.controller);
  return pvc.metadata?.namespace === pod.metadata?.namespace && !!owner && owner.uid === pod.metadata?.uid;
}

/** podUsesPVC: only scheduled pods count: the kubelet refuses to start a pod on a claim being deleted. */
export function podUsesPVC(pod: Pod, pvc: PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName) return false;
  const name = pvc.metadata?.name;
  return (pod.spec.volumes ?? []).some(
    (v: Volume) =>
      (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === name) ||
      (!podIsShutDown(pod) &&
        !!v.ephemeral &&
        ephemeralVolumeClaimName(pod, v) === name &&
        ephemeralVolumeIsForPod(pod, pvc)),
  );
}

export class PVCProtectionController implements Reconciler {
  readonly controller: Controller;
  private readonly pvcs: IndexerView<PersistentVolumeClaim>;
  private readonly pods: IndexerView<Pod>;
  private readonly client: RestClient;
  private readonly log: (msg: string) => void;

  constructor(o: PVCProtectionControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? (() => {});
    this.pvcs = o.pvcInformer.getIndexer();
    addPodPVCIndex(o.podInformer);
    this.pods = o.podInformer.getIndexer();
    this.controller = new Controller({
      name: "pvcprotection",
      reconciler: this,
      clock: o.clock,
      log: this.log,
    });
    o.pvcInformer.addEventHandler({
      onAdd: (pvc) => this.pvcAddedUpdated(pvc),
      onUpdate: (_old, pvc) => this.pvcAddedUpdated(pvc),
    });
    o.podInformer.addEventHandler({
      onAdd: (pod) => this.podAddedDeletedUpdated(undefined, pod, false),
      onUpdate: (old, pod) => this.podAddedDeletedUpdated(old, pod, false),
      onDelete: (pod) => this.podAddedDeletedUpdated(undefined, pod, true),
    });
  }

  private pvcAddedUpdated(pvc: PersistentVolumeClaim): void {
    if (
      needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) ||
      isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)
    ) {
      this.controller.enqueue(objectKey(pvc));
    }
  }

  private podAddedDeletedUpdated(old: Pod | undefined, pod: Pod, deleted: boolean): void {
    this.enqueuePVCs(pod, deleted);
    // An update may hide the deletion of one pod and the creation of another under the same name.
    if (old && old.metadata?.uid !== pod.metadata?.uid) this.enqueuePVCs(old, true);
  }

  /** Only pods that may have stopped using their claims can let a finalizer go. */
  private enqueuePVCs(pod: Pod, deleted: boolean): void {
    if (!deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
    const ns = pod.metadata?.namespace ?? "";
    for (const v of pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim) this.controller.enqueue(`${ns}/${v.persistentVolumeClaim.claimName}`);
      else if (v.ephemeral) this.controller.enqueue(`${ns}/${ephemeralVolumeClaimName(pod, v)}`);
    }
  }

  /** processPVC. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const pvc = this.pvcs.get(key);
    if (!pvc) return undefined;
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (!(await this.isBeingUsed(pvc))) {
        await this.removeFinalizer(pvc);
        return undefined;
      }
      this.log(`keeping PVC ${key} because it is being used`);
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) await this.addFinalizer(pvc);
    return undefined;
  }

  private async addFinalizer(pvc: PersistentVolumeClaim): Promise<void> {
    const next = {
      ...structuredClone(pvc),
      metadata: {
        ...pvc.metadata,
        finalizers: [...(pvc.metadata?.finalizers ?? []), PVC_PROTECTION_FINALIZER],
      },
    };
    await this.client.update(Resources.persistentvolumeclaims, withKind(next), {
      namespace: pvc.metadata?.namespace,
    });
  }

  private async removeFinalizer(pvc: PersistentVolumeClaim): Promise<void> {
    const finalizers = (pvc.metadata?.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER);
    const next = { ...structuredClone(pvc), metadata: { ...pvc.metadata, finalizers } };
    await this.client.update(Resources.persistentvolumeclaims, withKind(next), {
      namespace: pvc.metadata?.namespace,
    });
    this.log(`removed protection finalizer from PVC ${objectKey(pvc)}`);
  }

  /**
   * isBeingUsed: the informer's pods first; finding none there is not proof
   * (a new pod may not have arrived yet), so a live list must agree.
   */
  private async isBeingUsed(pvc: PersistentVolumeClaim): Promise<boolean> {
    for (const pod of this.pods.byIndex(POD_PVC_INDEX, objectKey(pvc))) {
      if (podUsesPVC(pod, pvc)) return true;
    }
    const { namespace } = splitKey(objectKey(pvc));
    let live: Pod[];
    try {
      live = (await this.client.list<Pod>(Resources.pods, { namespace })).items;
    } catch (e) {
      throw new Error(`live list of pods failed: ${(e as Error).message}`);
    }
    return live.some((pod) => podUsesPVC(pod, pvc));
  }
}

function withKind<T extends object>(obj: T): T {
  return { ...obj, apiVersion: "v1", kind: "PersistentVolumeClaim" };
}
