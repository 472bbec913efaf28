// upstream's PV protection controller (pv_protection_controller.go, v1.32): a
// volume being deleted keeps its kubernetes.io/pv-protection finalizer while
// it is Bound (the PV controller sets that phase), so a bound claim never
// loses its volume; volumes created before the admission plugin get the
// finalizer here.
import type { PersistentVolume } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../../client/clock.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { RestClient } from "../../../client/rest-client.ts";
import type { SharedInformer } from "../../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler } from "../../controller.ts";
import { isDeletionCandidate, needToAddFinalizer, PV_PROTECTION_FINALIZER } from "../util/protection.ts";

export interface PVProtectionControllerOptions {
  client: RestClient;
  pvInformer: SharedInformer<PersistentVolume>;
  clock?: Clock;
  log?(msg: string): void;
}

/** isBeingUsed: the PV controller marks a volume bound to a claim Bound. */
export function isVolumeBeingUsed(pv: PersistentVolume): boolean {
  return pv.status?.phase === "Bound";
}

export class PVProtectionController implements Reconciler {
  readonly controller: Controller;
  private readonly pvs: IndexerView<PersistentVolume>;
  private readonly client: RestClient;
  private readonly log: (msg: string) => void;

  constructor(o: PVProtectionControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? (() => {});
    this.pvs = o.pvInformer.getIndexer();
    this.controller = new Controller({
      name: "pvprotection",
      reconciler: this,
      clock: o.clock,
      log: this.log,
    });
    const added = (pv: PersistentVolume) => {
      if (
        needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) ||
        isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)
      ) {
        this.controller.enqueue(pv.metadata?.name ?? "");
      }
    };
    o.pvInformer.addEventHandler({ onAdd: added, onUpdate: (_old, pv) => added(pv) });
  }

  /** processPV. */
  async reconcile(name: string): Promise<ReconcileResult | undefined> {
    const pv = this.pvs.get(name);
    if (!pv) return undefined;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      if (!isVolumeBeingUsed(pv)) {
        await this.setFinalizers(
          pv,
          (pv.metadata?.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER),
        );
        this.log(`removed protection finalizer from PV ${name}`);
        return undefined;
      }
      this.log(`keeping PV ${name} because it is being used`);
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) {
      await this.setFinalizers(pv, [...(pv.metadata?.finalizers ?? []), PV_PROTECTION_FINALIZER]);
    }
    return undefined;
  }

  private async setFinalizers(pv: PersistentVolume, finalizers: string[]): Promise<void> {
    const next: PersistentVolume = {
      ...structuredClone(pv),
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { ...pv.metadata, finalizers },
    };
    await this.client.update(Resources.persistentvolumes, next);
  }
}
