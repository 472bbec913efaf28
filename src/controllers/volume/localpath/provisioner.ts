// A built-in external provisioner for the local-path class, after Rancher's
// local-path-provisioner on sig-storage-lib-external-provisioner (v11), the
// one k3s ships. It speaks the external provisioning protocol with the PV
// controller:
//
//   claim annotated volume.kubernetes.io/storage-provisioner=k8ts.io/local-path
//   (by the PV controller) and, for WaitForFirstConsumer, selected-node (by the
//   scheduler) → create a PV pre-bound to the claim; the PV controller binds.
//
//   volume Released with reclaim policy Delete → a helper pod on the volume's
//   node removes the directory; once it Succeeded, delete the PV.
//
// It also creates the default StorageClass local-path at start if missing.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { isAlreadyExists, isNotFound } from "../../../client/api-error.ts";
import { type Clock, sleep } from "../../../client/clock.ts";
import type { EventRecorder } from "../../../client/event-recorder.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { RestClient } from "../../../client/rest-client.ts";
import type { SharedInformer } from "../../../client/shared-informer.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { Controller, type ReconcileResult } from "../../controller.ts";
import * as events from "../util/events.ts";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimReference,
  claimToClaimKey,
  getPersistentVolumeClaimClass,
  volumeReference,
} from "../util/pv-helpers.ts";
import { STORAGE_CLASSES } from "../util/resources.ts";
import {
  ANN_HELPER_FOR_VOLUME,
  HELPER_POD_NAMESPACE,
  HELPER_POD_TIMEOUT_SECONDS,
  helperPodName,
  newDeleteHelperPod,
} from "./helper-pod.ts";
import {
  DEFAULT_LOCAL_PATH_DIR,
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_STORAGE_CLASS,
  localPathStorageClass,
} from "./storage-class.ts";
import { getPathAndNodeForPV, newLocalPathVolume, provisionedVolumeName } from "./volume.ts";

/** failedProvisionThreshold and failedDeleteThreshold: attempts before a claim or volume is left alone until its next event. */
export const FAILED_THRESHOLD = 15;

export interface LocalPathProvisionerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  claimInformer: SharedInformer<PersistentVolumeClaim>;
  volumeInformer: SharedInformer<PersistentVolume>;
  classInformer: SharedInformer<StorageClass>;
  nodeInformer: SharedInformer<Node>;
  podInformer: SharedInformer<Pod>;
  /** The directory on every node that holds the volumes. */
  baseDir?: string;
  log?(msg: string): void;
}

export class LocalPathProvisioner {
  readonly claimController: Controller;
  readonly volumeController: Controller;
  private readonly claims: IndexerView<PersistentVolumeClaim>;
  private readonly volumes: IndexerView<PersistentVolume>;
  private readonly classes: IndexerView<StorageClass>;
  private readonly nodes: IndexerView<Node>;
  private readonly pods: IndexerView<Pod>;
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly baseDir: string;
  private readonly log: (msg: string) => void;
  /** Volumes created but not yet seen by the informer, so a quick second sync does not provision twice. */
  private readonly created = new Set<string>();

  constructor(o: LocalPathProvisionerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.clock = o.clock;
    this.baseDir = o.baseDir ?? DEFAULT_LOCAL_PATH_DIR;
    this.log = o.log ?? (() => {});
    this.claims = o.claimInformer.getIndexer();
    this.volumes = o.volumeInformer.getIndexer();
    this.classes = o.classInformer.getIndexer();
    this.nodes = o.nodeInformer.getIndexer();
    this.pods = o.podInformer.getIndexer();
    // Not "claims"/"volumes" as in its own process upstream: those are the binder's queues here.
    this.claimController = new Controller({
      name: "local-path-claims",
      reconciler: { reconcile: (key) => this.syncClaim(key) },
      clock: o.clock,
      maxRetries: FAILED_THRESHOLD,
      log: this.log,
    });
    this.volumeController = new Controller({
      name: "local-path-volumes",
      reconciler: { reconcile: (key) => this.syncVolume(key) },
      clock: o.clock,
      maxRetries: FAILED_THRESHOLD,
      log: this.log,
    });
    o.claimInformer.addEventHandler({
      onAdd: (c) => this.claimController.enqueue(claimToClaimKey(c)),
      onUpdate: (_old, c) => this.claimController.enqueue(claimToClaimKey(c)),
    });
    const volumeChanged = (pv: PersistentVolume) => {
      this.created.delete(pv.metadata?.name ?? "");
      this.volumeController.enqueue(pv.metadata?.name ?? "");
    };
    o.volumeInformer.addEventHandler({
      onAdd: volumeChanged,
      onUpdate: (_old, pv) => volumeChanged(pv),
      onDelete: volumeChanged,
    });
    // A helper pod's progress wakes its volume.
    const podChanged = (pod: Pod) => {
      const pv = pod.metadata?.annotations?.[ANN_HELPER_FOR_VOLUME];
      if (pod.metadata?.namespace === HELPER_POD_NAMESPACE && pv) this.volumeController.enqueue(pv);
    };
    o.podInformer.addEventHandler({
      onAdd: podChanged,
      onUpdate: (_old, pod) => podChanged(pod),
      onDelete: podChanged,
    });
  }

  /** Ensures the StorageClass (retrying until it exists), and runs one worker per queue. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.ensureStorageClass(signal),
      this.claimController.run(1, signal),
      this.volumeController.run(1, signal),
    ]);
  }

  /** Creates the local-path class when missing; never overwrites one the administrator changed. */
  private async ensureStorageClass(signal: AbortSignal): Promise<void> {
    for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
      if (this.classes.get(LOCAL_PATH_STORAGE_CLASS)) return;
      try {
        await this.client.create(STORAGE_CLASSES, localPathStorageClass());
        this.log(`created StorageClass ${LOCAL_PATH_STORAGE_CLASS}`);
        return;
      } catch (e) {
        if (isAlreadyExists(e)) return;
        this.log(`creating StorageClass ${LOCAL_PATH_STORAGE_CLASS}: ${(e as Error).message}`);
      }
      await sleep(this.clock, delay, signal);
    }
  }

  // ---- provisioning

  /** shouldProvision: ours by the claim's annotation, unbound, and (WaitForFirstConsumer) with a node. */
  private shouldProvision(claim: PersistentVolumeClaim): boolean {
    if (claim.spec?.volumeName) return false;
    const ann = claim.metadata?.annotations ?? {};
    const provisioner = ann[ANN_STORAGE_PROVISIONER] ?? ann[ANN_BETA_STORAGE_PROVISIONER];
    if (provisioner !== LOCAL_PATH_PROVISIONER) return false;
    const sc = this.classes.get(getPersistentVolumeClaimClass(claim));
    // The PV controller sets the annotation only with a node, but a provisioner may have removed the node to reschedule.
    if (sc?.volumeBindingMode === "WaitForFirstConsumer") return !!ann[ANN_SELECTED_NODE];
    return true;
  }

  private async syncClaim(key: string): Promise<ReconcileResult | undefined> {
    const claim = this.claims.get(key);
    if (!claim || claim.metadata?.deletionTimestamp || !this.shouldProvision(claim)) return undefined;
    const pvName = provisionedVolumeName(claim);
    // Provisioned already (perhaps by an earlier attempt).
    if (this.volumes.get(pvName) || this.created.has(pvName)) return undefined;
    const className = getPersistentVolumeClaimClass(claim);
    const sc = this.classes.get(className);
    // The class may come back: retry.
    if (!sc) throw new Error(`storageClass ${goQuote(className)} not found`);
    // The class changed hands since the claim was annotated.
    if (sc.provisioner !== LOCAL_PATH_PROVISIONER) return undefined;
    const ref = claimReference(claim);
    let node: Node | undefined;
    const nodeName = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (nodeName !== undefined) {
      node = this.nodes.get(nodeName);
      if (!node) {
        // The node is gone: let the scheduler pick another.
        this.recorder.event(ref, "Warning", events.ProvisioningFailed, `node ${goQuote(nodeName)} not found`);
        await this.rescheduleProvisioning(claim);
        return undefined;
      }
    }
    this.recorder.event(
      ref,
      "Normal",
      events.Provisioning,
      `External provisioner is provisioning volume for claim ${goQuote(claimToClaimKey(claim))}`,
    );
    let volume: PersistentVolume;
    try {
      volume = newLocalPathVolume({ claim, storageClass: sc, pvName, node, baseDir: this.baseDir });
    } catch (e) {
      const err = `failed to provision volume with StorageClass ${goQuote(className)}: ${(e as Error).message}`;
      this.recorder.event(ref, "Warning", events.ProvisioningFailed, err);
      throw new Error(err);
    }
    try {
      await this.client.create(Resources.persistentvolumes, volume);
    } catch (e) {
      // An earlier attempt saved it: reuse it.
      if (!isAlreadyExists(e)) throw e;
    }
    this.created.add(pvName);
    this.log(`volume ${pvName} provisioned for claim ${key} on node ${nodeName ?? ""}`);
    this.recorder.event(
      ref,
      "Normal",
      events.ProvisioningSucceeded,
      `Successfully provisioned volume ${pvName}`,
    );
    return undefined;
  }

  /** rescheduleProvisioning: dropping selected-node sends the pod back to the scheduler. */
  private async rescheduleProvisioning(claim: PersistentVolumeClaim): Promise<void> {
    const annotations = { ...claim.metadata?.annotations };
    delete annotations[ANN_SELECTED_NODE];
    const next: PersistentVolumeClaim = {
      ...structuredClone(claim),
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { ...claim.metadata, annotations },
    };
    await this.client.update(Resources.persistentvolumeclaims, next, {
      namespace: claim.metadata?.namespace,
    });
  }

  // ---- deleting

  /** shouldDelete: ours, Released by the PV controller, Delete policy, not already being deleted. */
  private shouldDelete(pv: PersistentVolume): boolean {
    return (
      !pv.metadata?.deletionTimestamp &&
      pv.status?.phase === "Released" &&
      pv.spec?.persistentVolumeReclaimPolicy === "Delete"
    );
  }

  private async syncVolume(name: string): Promise<ReconcileResult | undefined> {
    const pv = this.volumes.get(name);
    const helperName = helperPodName("delete", name);
    const helper = this.pods.get(`${HELPER_POD_NAMESPACE}/${helperName}`);
    if (!pv || pv.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== LOCAL_PATH_PROVISIONER) {
      // Done (or never ours): a helper pod left over from the deletion goes too.
      if (helper?.metadata?.annotations?.[ANN_HELPER_FOR_VOLUME] === name)
        await this.deleteHelperPod(helperName);
      return undefined;
    }
    if (!this.shouldDelete(pv)) {
      if (helper) await this.deleteHelperPod(helperName);
      return undefined;
    }
    const ref = volumeReference(pv);
    const failed = (msg: string) => {
      // Delete and createHelperPod both wrap the error with the volume.
      const err = `failed to delete volume ${name}: ${msg}`;
      this.recorder.event(ref, "Warning", events.VolumeFailedDelete, err);
      return new Error(err);
    };
    let path: string;
    let node: string;
    try {
      ({ path, node } = getPathAndNodeForPV(pv));
    } catch (e) {
      throw failed((e as Error).message);
    }
    if (!helper) {
      let pod: Pod;
      try {
        pod = newDeleteHelperPod(name, path, node);
      } catch (e) {
        throw failed(`failed to delete volume ${name}: ${(e as Error).message}`);
      }
      try {
        await this.client.create(Resources.pods, pod, { namespace: HELPER_POD_NAMESPACE });
      } catch (e) {
        if (!isAlreadyExists(e)) throw failed(`failed to delete volume ${name}: ${(e as Error).message}`);
      }
      this.log(`deleting volume ${name} at ${node}:${path}`);
      // Its status changes wake us; the timeout needs a wake-up of its own.
      return { requeueAfterMs: HELPER_POD_TIMEOUT_SECONDS * 1000 };
    }
    if (helper.status?.phase === "Succeeded") {
      // The data is gone: so goes the volume, then its helper.
      try {
        await this.client.delete(Resources.persistentvolumes, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      await this.deleteHelperPod(helperName);
      this.log(`volume ${name} has been deleted on ${node}:${path}`);
      return undefined;
    }
    // Being removed after a timeout: its deletion wakes us to start afresh.
    if (helper.metadata?.deletionTimestamp) return undefined;
    // A Failed helper is waited out as upstream does: it never counts as done.
    const started = Date.parse(helper.metadata?.creationTimestamp ?? "") || this.clock.now();
    const leftMs = started + HELPER_POD_TIMEOUT_SECONDS * 1000 - this.clock.now();
    if (leftMs > 0) return { requeueAfterMs: leftMs };
    await this.deleteHelperPod(helperName);
    throw failed(
      `failed to delete volume ${name}: create process timeout after ${HELPER_POD_TIMEOUT_SECONDS} seconds`,
    );
  }

  private async deleteHelperPod(name: string): Promise<void> {
    try {
      await this.client.delete(Resources.pods, name, { namespace: HELPER_POD_NAMESPACE });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
