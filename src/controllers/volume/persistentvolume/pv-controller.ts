// upstream's PersistentVolumeController (pv_controller.go and
// pv_controller_base.go, v1.32), the "binder": it keeps the two-way pointer
// between a PersistentVolume (spec.claimRef) and a PersistentVolumeClaim
// (spec.volumeName) consistent, and moves both through their phases.
//
//   claim queue → syncClaim:  unbound → find the smallest fitting volume and
//                             bind (PV first, then PVC), or ask the class's
//                             provisioner (annotation + ExternalProvisioning),
//                             or wait for the scheduler (WaitForFirstConsumer);
//                             bound → repair a half-done binding, or Lost.
//   volume queue → syncVolume: unused → Available; claim gone → Released and
//                             the reclaim policy (Retain: keep; Delete: the
//                             provisioner deletes; Recycle: no recycler here).
//
// Each queue has one worker: syncClaim is not reentrant (two at once could
// bind one volume to two claims). Both read the controller's own cache of
// the latest versions (object-cache.ts), which also holds its own writes.
// As upstream, failed writes are retried on the next event or resync (15 s);
// here a failing reconcile is also requeued with backoff.
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimStatus,
  Pod,
} from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { isNotFound } from "../../../client/api-error.ts";
import type { Clock } from "../../../client/clock.ts";
import type { EventRecorder, EventType } from "../../../client/event-recorder.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { RestClient } from "../../../client/rest-client.ts";
import type { SharedInformer } from "../../../client/shared-informer.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import { Controller } from "../../controller.ts";
import * as events from "../util/events.ts";
import { addPodPVCIndex, isPodTerminated, POD_PVC_INDEX } from "../util/pod-pvc-index.ts";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_MIGRATED_TO,
  ANN_STORAGE_PROVISIONER,
  checkAccessModes,
  checkVolumeModeMismatches,
  claimReference,
  claimrefToClaimKey,
  claimToClaimKey,
  getBindVolumeToClaim,
  getDefaultClass,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  hasAnnotation,
  isDelayBindingMode,
  isDelayBindingProvisioning,
  isVolumeBoundToClaim,
  persistentVolumeClaimHasClass,
  storageQuantity,
  volumeReference,
} from "../util/pv-helpers.ts";
import { ObjectCache, objectKey } from "./object-cache.ts";
import { findBestMatchForClaim } from "./volume-index.ts";

/** --pvclaimbinder-sync-period: how often every claim and volume is synced again. */
export const DEFAULT_SYNC_PERIOD_MS = 15_000;

/** util.AnnPreResizeCapacity: the capacity a claim reports while its file system is being resized. */
const ANN_PRE_RESIZE_CAPACITY = "volume.alpha.kubernetes.io/pre-resize-capacity";

type Phase = string;

export interface PersistentVolumeControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  volumeInformer: SharedInformer<PersistentVolume>;
  claimInformer: SharedInformer<PersistentVolumeClaim>;
  classInformer: SharedInformer<StorageClass>;
  podInformer: SharedInformer<Pod>;
  syncPeriodMs?: number;
  log?(msg: string): void;
}

const clone = <T>(o: T): T => structuredClone(o);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function withAnnotation<T extends { metadata?: { annotations?: Record<string, string> } }>(
  obj: T,
  key: string,
  value: string,
): void {
  obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [key]: value } };
}

export class PersistentVolumeController {
  readonly claimController: Controller;
  readonly volumeController: Controller;
  private readonly volumes = new ObjectCache<PersistentVolume>("volume");
  private readonly claims = new ObjectCache<PersistentVolumeClaim>("claim");
  private readonly volumeLister: IndexerView<PersistentVolume>;
  private readonly claimLister: IndexerView<PersistentVolumeClaim>;
  private readonly classLister: IndexerView<StorageClass>;
  private readonly podIndexer: IndexerView<Pod>;
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly syncPeriodMs: number;
  private readonly log: (msg: string) => void;

  constructor(o: PersistentVolumeControllerOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.clock = o.clock;
    this.syncPeriodMs = o.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
    this.log = o.log ?? (() => {});
    this.volumeLister = o.volumeInformer.getIndexer();
    this.claimLister = o.claimInformer.getIndexer();
    this.classLister = o.classInformer.getIndexer();
    addPodPVCIndex(o.podInformer);
    this.podIndexer = o.podInformer.getIndexer();
    this.claimController = new Controller({
      name: "claims",
      reconciler: { reconcile: async (key) => void (await this.claimWorker(key)) },
      clock: o.clock,
      log: this.log,
    });
    this.volumeController = new Controller({
      name: "volumes",
      reconciler: { reconcile: async (key) => void (await this.volumeWorker(key)) },
      clock: o.clock,
      log: this.log,
    });
    o.volumeInformer.addEventHandler({
      onAdd: (pv) => this.volumeController.enqueue(objectKey(pv)),
      onUpdate: (_old, pv) => this.volumeController.enqueue(objectKey(pv)),
      onDelete: (pv) => this.volumeController.enqueue(objectKey(pv)),
    });
    o.claimInformer.addEventHandler({
      onAdd: (c) => this.claimController.enqueue(objectKey(c)),
      onUpdate: (_old, c) => this.claimController.enqueue(objectKey(c)),
      onDelete: (c) => this.claimController.enqueue(objectKey(c)),
    });
  }

  /** Fills the caches from the synced informers, then runs both workers and the periodic resync. */
  async run(signal: AbortSignal): Promise<void> {
    // Started after a stop (the manager was still starting controllers): an abort listener would never fire.
    if (signal.aborted) return;
    for (const pv of this.volumeLister.list()) this.volumes.update(clone(pv));
    for (const c of this.claimLister.list()) this.claims.update(clone(c));
    const resync = () => {
      if (signal.aborted) return;
      for (const c of this.claimLister.list()) this.claimController.enqueue(objectKey(c));
      for (const pv of this.volumeLister.list()) this.volumeController.enqueue(objectKey(pv));
      cancel = this.clock.after(this.syncPeriodMs, resync);
    };
    let cancel = this.clock.after(this.syncPeriodMs, resync);
    signal.addEventListener("abort", () => cancel(), { once: true });
    // One worker each: syncClaim must never run twice at once.
    await Promise.all([this.claimController.run(1, signal), this.volumeController.run(1, signal)]);
  }

  // ---- workers: the informer decides between update and delete

  private async volumeWorker(key: string): Promise<void> {
    const volume = this.volumeLister.get(key);
    if (volume) {
      // An older version than one we wrote ourselves: its own event will come.
      if (!this.volumes.update(volume)) return;
      await this.syncVolume(volume);
      return;
    }
    const cached = this.volumes.get(key);
    if (cached) this.deleteVolume(cached);
  }

  private async claimWorker(key: string): Promise<void> {
    const claim = this.claimLister.get(key);
    if (claim) {
      if (!this.claims.update(claim)) return;
      await this.syncClaim(claim);
      return;
    }
    const cached = this.claims.get(key);
    if (cached) this.deleteClaim(cached);
  }

  /** A deleted volume's claim turns Lost now rather than at the next resync. */
  private deleteVolume(volume: PersistentVolume): void {
    this.volumes.delete(objectKey(volume));
    const ref = volume.spec?.claimRef;
    if (ref) this.claimController.enqueue(claimrefToClaimKey(ref));
  }

  /** A deleted claim's volume is released now rather than at the next resync. */
  private deleteClaim(claim: PersistentVolumeClaim): void {
    this.claims.delete(objectKey(claim));
    const volumeName = claim.spec?.volumeName;
    if (volumeName) this.volumeController.enqueue(volumeName);
  }

  private storageClass(name: string): StorageClass | undefined {
    return this.classLister.get(name);
  }

  private event(
    obj: PersistentVolume | PersistentVolumeClaim,
    type: EventType,
    reason: string,
    message: string,
    kind: "PersistentVolume" | "PersistentVolumeClaim",
  ): void {
    const ref =
      kind === "PersistentVolume"
        ? volumeReference(obj as PersistentVolume)
        : claimReference(obj as PersistentVolumeClaim);
    this.recorder.event(ref, type, reason, message);
  }

  private claimEvent(claim: PersistentVolumeClaim, type: EventType, reason: string, message: string): void {
    this.event(claim, type, reason, message, "PersistentVolumeClaim");
  }

  private volumeEvent(volume: PersistentVolume, type: EventType, reason: string, message: string): void {
    this.event(volume, type, reason, message, "PersistentVolume");
  }

  // ---- claims

  /** syncClaim: claims that never completed binding, and those that did. */
  async syncClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? "";
    if (volumeName === "") {
      // The user did not care which volume they get.
      const delayBinding = isDelayBindingMode(claim, (n) => this.storageClass(n));
      let volume: PersistentVolume | undefined;
      try {
        volume = findBestMatchForClaim(claim, this.volumes.list(), delayBinding);
      } catch (e) {
        throw new Error(
          `error finding PV for claim ${goQuote(claimToClaimKey(claim))}: ${(e as Error).message}`,
        );
      }
      if (!volume) {
        // No volume: a default class may have appeared since the claim was created (retroactive default).
        let updated: boolean;
        try {
          updated = await this.assignDefaultStorageClass(claim);
        } catch (e) {
          throw new Error(
            `can't update PersistentVolumeClaim[${goQuote(claimToClaimKey(claim))}]: ${(e as Error).message}`,
          );
        }
        // The update's own event restarts the sync.
        if (updated) return;
        if (delayBinding && !isDelayBindingProvisioning(claim)) {
          // No pod using this claim has been scheduled yet.
          this.emitEventForUnboundDelayBindingClaim(claim);
        } else if (getPersistentVolumeClaimClass(claim) !== "") {
          // The provisioner writes the volume; binding follows in a later sync.
          await this.provisionClaim(claim);
          return;
        } else {
          this.claimEvent(
            claim,
            "Normal",
            events.FailedBinding,
            "no persistent volumes available for this claim and no storage class is set",
          );
        }
        // Pending until a volume appears (next sync).
        await this.updateClaimStatus(claim, "Pending", undefined);
        return;
      }
      await this.bind(volume, claim);
      return;
    }

    // The user asked for a specific volume.
    const volume = this.volumes.get(volumeName);
    if (!volume) {
      // Not there (yet): retry later.
      await this.updateClaimStatus(claim, "Pending", undefined);
      return;
    }
    if (!volume.spec?.claimRef) {
      const mismatch = checkVolumeSatisfyClaim(volume, claim);
      if (mismatch) {
        this.claimEvent(
          claim,
          "Warning",
          events.VolumeMismatch,
          `Cannot bind to requested volume ${goQuote(volume.metadata?.name ?? "")}: ${mismatch}`,
        );
        await this.updateClaimStatus(claim, "Pending", undefined);
        return;
      }
      await this.bind(volume, claim);
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) {
      // Pre-bound to this claim: finish by adding the claim's uid.
      await this.bind(volume, claim);
      return;
    }
    // Claimed by someone else.
    const msg = `volume ${goQuote(volume.metadata?.name ?? "")} already bound to a different claim.`;
    this.claimEvent(claim, "Warning", events.FailedBinding, msg);
    if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
      // The user asked for this volume: wait for it.
      await this.updateClaimStatus(claim, "Pending", undefined);
      return;
    }
    // Someone removed the bind-completed annotation: should never happen.
    throw new Error(
      `invalid binding of claim ${goQuote(claimToClaimKey(claim))} to volume ${goQuote(volumeName)}: volume already claimed by ${goQuote(claimrefToClaimKey(volume.spec.claimRef))}`,
    );
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volumeName = claim.spec?.volumeName ?? "";
    if (volumeName === "") {
      // Bound before, not any more.
      await this.updateClaimStatusWithEvent(
        claim,
        "Lost",
        undefined,
        "Warning",
        events.ClaimLost,
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
      );
      return;
    }
    const volume = this.volumes.get(volumeName);
    if (!volume) {
      await this.updateClaimStatusWithEvent(
        claim,
        "Lost",
        undefined,
        "Warning",
        events.ClaimLost,
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
      );
      return;
    }
    const ref = volume.spec?.claimRef;
    if (!ref || ref.uid === claim.metadata?.uid) {
      // Unbound volume (or one we have not seen bound yet), or all is well: bind() sets what is missing.
      await this.bind(volume, claim);
      return;
    }
    // The volume belongs to another claim: Lost is terminal.
    await this.updateClaimStatusWithEvent(
      claim,
      "Lost",
      undefined,
      "Warning",
      events.ClaimMisbound,
      "Two claims are bound to the same volume, this one is bound incorrectly",
    );
  }

  // ---- volumes

  async syncVolume(volume: PersistentVolume): Promise<void> {
    const ref = volume.spec?.claimRef;
    if (!ref) {
      // Unused.
      await this.updateVolumePhase(volume, "Available", "");
      return;
    }
    if (!ref.uid) {
      // Reserved for a claim that has not bound yet; the claim's sync binds it.
      await this.updateVolumePhase(volume, "Available", "");
      return;
    }
    const claimKey = claimrefToClaimKey(ref);
    let claim = this.claims.get(claimKey);
    const phase = volume.status?.phase;
    if (!claim && phase !== "Released" && phase !== "Failed") {
      // A provisioner or the scheduler may have bound the volume before our
      // caches saw the claim: check the informer, then the apiserver, before
      // releasing the volume wrongly.
      claim = this.claimLister.get(claimKey) ?? (await this.getClaim(ref.namespace ?? "", ref.name ?? ""));
    }
    if (claim && claim.metadata?.uid !== ref.uid) {
      // Maybe a newer claim under the same name, or our cache is behind: ask the apiserver.
      const live = await this.getClaim(ref.namespace ?? "", ref.name ?? "");
      claim = live && live.metadata?.uid === ref.uid ? live : undefined;
    }

    if (!claim) {
      // The claim is gone. Keep a Failed phase visible while the reclaim is retried.
      let current = volume;
      if (phase !== "Released" && phase !== "Failed") {
        current = await this.updateVolumePhase(volume, "Released", "");
      }
      await this.reclaimVolume(current);
      return;
    }
    if (!claim.spec?.volumeName) {
      if (checkVolumeModeMismatches(claim, volume)) {
        // findBestMatchForClaim will never offer this volume to the claim.
        this.volumeEvent(
          volume,
          "Warning",
          events.VolumeMismatch,
          `Cannot bind PersistentVolume to requested PersistentVolumeClaim ${goQuote(claim.metadata?.name ?? "")} due to incompatible volumeMode.`,
        );
        this.claimEvent(
          claim,
          "Warning",
          events.VolumeMismatch,
          `Cannot bind PersistentVolume ${goQuote(volume.metadata?.name ?? "")} to requested PersistentVolumeClaim due to incompatible volumeMode.`,
        );
        return;
      }
      // Half-bound (by us, a provisioner or the user): the claim's sync finishes it, soon.
      this.claimController.enqueue(claimToClaimKey(claim));
      return;
    }
    if (claim.spec.volumeName === volume.metadata?.name) {
      await this.updateVolumePhase(volume, "Bound", "");
      return;
    }
    // The claim is bound to another volume.
    if (
      hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED) &&
      volume.spec?.persistentVolumeReclaimPolicy === "Delete"
    ) {
      // Provisioned for this claim, which got another volume: not needed any more.
      let current = volume;
      if (phase !== "Released" && phase !== "Failed") {
        current = await this.updateVolumePhase(volume, "Released", "");
      }
      await this.reclaimVolume(current);
      return;
    }
    // Bound by us (undo it) or pre-bound by the user (keep the name, drop the uid).
    await this.unbindVolume(volume);
  }

  private async getClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    try {
      return await this.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, name, {
        namespace,
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  // ---- writes

  /** updateClaimStatus: phase, and access modes and capacity from the volume (or none). */
  private async updateClaimStatus(
    claim: PersistentVolumeClaim,
    phase: Phase,
    volume: PersistentVolume | undefined,
  ): Promise<PersistentVolumeClaim> {
    let dirty = false;
    const status: Mutable<PersistentVolumeClaimStatus> = clone(claim.status ?? {});
    if (claim.status?.phase !== phase) {
      status.phase = phase;
      dirty = true;
    }
    if (!volume) {
      if (claim.status?.accessModes != null) {
        delete status.accessModes;
        dirty = true;
      }
      if (claim.status?.capacity != null) {
        delete status.capacity;
        dirty = true;
      }
    } else {
      if (!sameJson(claim.status?.accessModes, volume.spec?.accessModes)) {
        status.accessModes = volume.spec?.accessModes;
        dirty = true;
      }
      // Capacity only when the claim becomes Bound: a later difference may be a resize in progress.
      if (claim.status?.phase !== phase) {
        const volumeCap = volume.spec?.capacity?.storage;
        if (volumeCap === undefined) {
          throw new Error(
            `PersistentVolume ${goQuote(volume.metadata?.name ?? "")} is without a storage capacity`,
          );
        }
        const claimCap = claim.status?.capacity?.storage;
        const preResize = volume.metadata?.annotations?.[ANN_PRE_RESIZE_CAPACITY];
        if (preResize !== undefined) {
          status.capacity = { ...status.capacity, storage: preResize };
          dirty = true;
        } else if (
          claimCap === undefined ||
          storageQuantity(volumeCap).cmp(storageQuantity(claimCap)) !== 0
        ) {
          status.capacity = volume.spec?.capacity;
          dirty = true;
        }
      }
    }
    if (!dirty) return claim;
    const next: PersistentVolumeClaim = { ...clone(claim), status };
    const saved = await this.client.update(
      Resources.persistentvolumeclaims,
      withKind(next, "PersistentVolumeClaim"),
      {
        namespace: claim.metadata?.namespace,
        subresource: "status",
      },
    );
    this.claims.update(saved);
    this.log(`claim ${claimToClaimKey(claim)} entered phase ${phase}`);
    return saved;
  }

  /** The status write and, only when the phase changes, an event. */
  private async updateClaimStatusWithEvent(
    claim: PersistentVolumeClaim,
    phase: Phase,
    volume: PersistentVolume | undefined,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<PersistentVolumeClaim> {
    if (claim.status?.phase === phase) return claim;
    const saved = await this.updateClaimStatus(claim, phase, volume);
    this.claimEvent(saved, type, reason, message);
    return saved;
  }

  private async updateVolumePhase(
    volume: PersistentVolume,
    phase: Phase,
    message: string,
  ): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const next: PersistentVolume = {
      ...clone(volume),
      status: { ...volume.status, phase, message: message || undefined },
    };
    const saved = await this.client.update(Resources.persistentvolumes, withKind(next, "PersistentVolume"), {
      subresource: "status",
    });
    this.volumes.update(saved);
    this.log(`volume ${volume.metadata?.name} entered phase ${phase}`);
    return saved;
  }

  private async updateVolumePhaseWithEvent(
    volume: PersistentVolume,
    phase: Phase,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const saved = await this.updateVolumePhase(volume, phase, message);
    this.volumeEvent(saved, type, reason, message);
    return saved;
  }

  /** assignDefaultStorageClass: a claim without any class gets today's default (RetroactiveDefaultStorageClass). */
  private async assignDefaultStorageClass(claim: PersistentVolumeClaim): Promise<boolean> {
    if (persistentVolumeClaimHasClass(claim)) return false;
    const sc = getDefaultClass(this.classLister.list());
    if (!sc) return false;
    const next = clone(claim);
    next.spec = { ...next.spec, storageClassName: sc.metadata?.name };
    await this.client.update(Resources.persistentvolumeclaims, withKind(next, "PersistentVolumeClaim"), {
      namespace: claim.metadata?.namespace,
    });
    return true;
  }

  /** bind: the volume first (spec, then phase), then the claim (spec, then status); each step only if needed. */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    let pv = await this.bindVolumeToClaim(volume, claim);
    pv = await this.updateVolumePhase(pv, "Bound", "");
    const c = await this.bindClaimToVolume(claim, pv);
    await this.updateClaimStatus(c, "Bound", pv);
  }

  private async bindVolumeToClaim(
    volume: PersistentVolume,
    claim: PersistentVolumeClaim,
  ): Promise<PersistentVolume> {
    const { pv, dirty } = getBindVolumeToClaim(volume, claim);
    if (!dirty) return volume;
    const saved = await this.client.update(Resources.persistentvolumes, withKind(pv, "PersistentVolume"));
    this.volumes.update(saved);
    this.log(`claim ${claimToClaimKey(claim)} bound to volume ${volume.metadata?.name}`);
    return saved;
  }

  private async bindClaimToVolume(
    claim: PersistentVolumeClaim,
    volume: PersistentVolume,
  ): Promise<PersistentVolumeClaim> {
    let dirty = false;
    const next = clone(claim);
    const volumeName = volume.metadata?.name ?? "";
    if (volumeName !== (claim.spec?.volumeName ?? "")) {
      dirty = true;
      next.spec = { ...next.spec, volumeName };
      if (!hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) withAnnotation(next, ANN_BOUND_BY_CONTROLLER, "yes");
    }
    if (!hasAnnotation(next, ANN_BIND_COMPLETED)) {
      withAnnotation(next, ANN_BIND_COMPLETED, "yes");
      dirty = true;
    }
    if (!dirty) return claim;
    const saved = await this.client.update(
      Resources.persistentvolumeclaims,
      withKind(next, "PersistentVolumeClaim"),
      {
        namespace: claim.metadata?.namespace,
      },
    );
    this.claims.update(saved);
    return saved;
  }

  /** unbindVolume: undo our binding entirely, or just the uid of a user's pre-binding; then Available. */
  private async unbindVolume(volume: PersistentVolume): Promise<void> {
    const next = clone(volume);
    if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      if (next.spec) delete next.spec.claimRef;
      const ann = { ...next.metadata?.annotations };
      delete ann[ANN_BOUND_BY_CONTROLLER];
      next.metadata = { ...next.metadata, annotations: Object.keys(ann).length > 0 ? ann : undefined };
    } else if (next.spec?.claimRef) {
      delete next.spec.claimRef.uid;
    }
    const saved = await this.client.update(Resources.persistentvolumes, withKind(next, "PersistentVolume"));
    this.volumes.update(saved);
    await this.updateVolumePhase(saved, "Available", "");
  }

  // ---- reclaiming

  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    // A migrated volume is the CSI driver's to reclaim.
    if (volume.metadata?.annotations?.[ANN_MIGRATED_TO]) return;
    switch (volume.spec?.persistentVolumeReclaimPolicy) {
      case "Retain":
        return;
      case "Recycle":
        await this.recycleVolumeOperation(volume);
        return;
      case "Delete":
        await this.deleteVolumeOperation(volume);
        return;
      default:
        await this.updateVolumePhaseWithEvent(
          volume,
          "Failed",
          "Warning",
          events.VolumeUnknownReclaimPolicy,
          "Volume has unrecognized PersistentVolumeReclaimPolicy",
        );
    }
  }

  /** Re-reads the volume: an earlier operation may have changed it. */
  private async freshVolume(volume: PersistentVolume): Promise<PersistentVolume | undefined> {
    try {
      return await this.client.get<PersistentVolume>(
        Resources.persistentvolumes,
        volume.metadata?.name ?? "",
      );
    } catch (e) {
      this.log(`error reading persistent volume ${volume.metadata?.name}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * recycleVolumeOperation. upstream scrubs the volume with a recycler pod
   * from the hostPath or NFS plugin; k8ts has no recycler, so after the
   * in-use check the volume fails as upstream's does without a plugin.
   */
  private async recycleVolumeOperation(volume: PersistentVolume): Promise<void> {
    const fresh = await this.freshVolume(volume);
    if (!fresh || !this.isVolumeReleased(fresh)) return;
    const used = this.isVolumeUsed(fresh);
    // A cached claim of that name is a new claim using another volume: recycling is safe.
    const claimCached = !!this.claims.get(claimrefToClaimKey(volume.spec?.claimRef ?? {}));
    if (used.length > 0 && !claimCached) {
      this.volumeEvent(
        volume,
        "Normal",
        events.VolumeFailedRecycle,
        `Volume is used by pods: ${used.join(",")}`,
      );
      return;
    }
    await this.updateVolumePhaseWithEvent(
      fresh,
      "Failed",
      "Warning",
      events.VolumeFailedRecycle,
      "No recycler plugin found for the volume!",
    );
  }

  /**
   * deleteVolumeOperation: volumes of an external provisioner (every
   * provisioner outside kubernetes.io/) are its to delete; k8ts has no
   * in-tree deleter, so any other volume fails with upstream's message.
   */
  private async deleteVolumeOperation(volume: PersistentVolume): Promise<void> {
    const fresh = await this.freshVolume(volume);
    if (!fresh || !this.isVolumeReleased(fresh)) return;
    const { deleted, error } = this.doDeleteVolume(volume);
    if (error) {
      // Failed stays visible; the deletion is retried on every sync.
      await this.updateVolumePhaseWithEvent(volume, "Failed", "Warning", events.VolumeFailedDelete, error);
      return;
    }
    if (!deleted) return;
    await this.client.delete(Resources.persistentvolumes, volume.metadata?.name ?? "");
  }

  /** doDeleteVolume with findDeletablePlugin: only external deleters exist in k8ts. */
  private doDeleteVolume(volume: PersistentVolume): { deleted: boolean; error?: string } {
    const provisioner = volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] ?? "";
    if (provisioner !== "") {
      if (!provisioner.startsWith("kubernetes.io/")) return { deleted: false };
      return { deleted: false, error: `no volume plugin matched name: ${provisioner}` };
    }
    // HonorPVReclaimPolicy: a CSI volume is its driver's to delete.
    if (volume.spec?.csi) return { deleted: false };
    return {
      deleted: false,
      error: `error getting deleter volume plugin for volume ${goQuote(volume.metadata?.name ?? "")}: no volume plugin matched`,
    };
  }

  /** isVolumeReleased: bound to a claim that is gone, or that now uses another volume. */
  private isVolumeReleased(volume: PersistentVolume): boolean {
    const ref = volume.spec?.claimRef;
    if (!ref?.uid) return false;
    const claim = this.claims.get(claimrefToClaimKey(ref));
    if (claim && claim.metadata?.uid === ref.uid) {
      const bound = claim.spec?.volumeName ?? "";
      return bound !== "" && bound !== volume.metadata?.name;
    }
    return true;
  }

  private podsUsingClaim(key: string): Pod[] {
    return this.podIndexer.byIndex(POD_PVC_INDEX, key);
  }

  /** isVolumeUsed: "namespace/name" of the pods not yet terminated that use the volume's claim, sorted. */
  private isVolumeUsed(volume: PersistentVolume): string[] {
    const ref = volume.spec?.claimRef;
    if (!ref) return [];
    const names = new Set<string>();
    for (const pod of this.podsUsingClaim(claimrefToClaimKey(ref))) {
      if (isPodTerminated(pod)) continue;
      names.add(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
    }
    return [...names].sort();
  }

  /** emitEventForUnboundDelayBindingClaim: who the claim is waiting for. */
  private emitEventForUnboundDelayBindingClaim(claim: PersistentVolumeClaim): void {
    let reason = events.WaitForFirstConsumer;
    let message = "waiting for first consumer to be created before binding";
    const podNames = this.podsUsingClaim(claimToClaimKey(claim))
      .filter((p) => !isPodTerminated(p) && !p.spec?.nodeName)
      .map((p) => p.metadata?.name ?? "");
    if (podNames.length > 0) {
      reason = events.WaitForPodScheduled;
      // Only one pod counts for scheduling, but we cannot know which: name them all.
      message =
        podNames.length > 1
          ? `waiting for pods ${podNames.join(",")} to be scheduled`
          : `waiting for pod ${podNames[0]} to be scheduled`;
    }
    this.claimEvent(claim, "Normal", reason, message);
  }

  // ---- provisioning

  /**
   * provisionClaim. k8ts has no in-tree volume plugins: a class whose
   * provisioner is outside kubernetes.io/ gets the external provisioning
   * protocol (annotate the claim, report ExternalProvisioning); a
   * kubernetes.io/ one fails as upstream's would without its plugin.
   */
  private async provisionClaim(claim: PersistentVolumeClaim): Promise<void> {
    const className = getPersistentVolumeClaimClass(claim);
    const sc = this.storageClass(className);
    if (!sc) {
      this.claimEvent(
        claim,
        "Warning",
        events.ProvisioningFailed,
        `storageclass.storage.k8s.io ${goQuote(className)} not found`,
      );
      return;
    }
    const provisioner = sc.provisioner ?? "";
    if (provisioner.startsWith("kubernetes.io/")) {
      this.claimEvent(
        claim,
        "Warning",
        events.ProvisioningFailed,
        `no volume plugin matched name: ${provisioner}`,
      );
      return;
    }
    await this.provisionClaimOperationExternal(claim, provisioner);
  }

  private async provisionClaimOperationExternal(
    claim: PersistentVolumeClaim,
    provisioner: string,
  ): Promise<void> {
    let current: PersistentVolumeClaim;
    try {
      current = await this.setClaimProvisioner(claim, provisioner);
    } catch (e) {
      this.claimEvent(
        claim,
        "Warning",
        events.ProvisioningFailed,
        `Error saving claim: ${(e as Error).message}`,
      );
      throw e;
    }
    this.claimEvent(
      current,
      "Normal",
      events.ExternalProvisioning,
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  /** setClaimProvisioner: the annotations external provisioners start on (GA and, still, beta). */
  private async setClaimProvisioner(
    claim: PersistentVolumeClaim,
    provisioner: string,
  ): Promise<PersistentVolumeClaim> {
    if (claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] === provisioner) return claim;
    const next = clone(claim);
    withAnnotation(next, ANN_BETA_STORAGE_PROVISIONER, provisioner);
    withAnnotation(next, ANN_STORAGE_PROVISIONER, provisioner);
    const saved = await this.client.update(
      Resources.persistentvolumeclaims,
      withKind(next, "PersistentVolumeClaim"),
      {
        namespace: claim.metadata?.namespace,
      },
    );
    this.claims.update(saved);
    return saved;
  }
}

/** checkVolumeSatisfyClaim: why a volume the claim names cannot be bound to it, if it cannot. */
export function checkVolumeSatisfyClaim(
  volume: PersistentVolume,
  claim: PersistentVolumeClaim,
): string | undefined {
  const requested = storageQuantity(claim.spec?.resources?.requests?.storage);
  if (volume.metadata?.deletionTimestamp)
    return `the volume is marked for deletion ${goQuote(volume.metadata?.name ?? "")}`;
  if (storageQuantity(volume.spec?.capacity?.storage).cmp(requested) < 0) return "requested PV is too small";
  if (getPersistentVolumeClass(volume) !== getPersistentVolumeClaimClass(claim))
    return "storageClassName does not match";
  if (checkVolumeModeMismatches(claim, volume)) return "incompatible volumeMode";
  if (!checkAccessModes(claim, volume)) return "incompatible accessMode";
  return undefined;
}

function withKind<T extends object>(obj: T, kind: string): T {
  return { ...obj, apiVersion: "v1", kind };
}
