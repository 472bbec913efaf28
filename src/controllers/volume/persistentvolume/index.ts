// The PersistentVolume binder: binds claims to volumes, asks provisioners for
// new ones, and releases volumes whose claims are gone.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { Resources } from "../../../client/resources.ts";
import type { ControllerDescriptor } from "../../context.ts";
import { STORAGE_CLASSES } from "../util/resources.ts";
import { PersistentVolumeController } from "./pv-controller.ts";

export { ObjectCache } from "./object-cache.ts";
export {
  checkVolumeSatisfyClaim,
  DEFAULT_SYNC_PERIOD_MS,
  PersistentVolumeController,
  type PersistentVolumeControllerOptions,
} from "./pv-controller.ts";
export { allPossibleMatchingAccessModes, findBestMatchForClaim } from "./volume-index.ts";

export const persistentVolumeBinderDescriptor: ControllerDescriptor = {
  name: "persistentvolume-binder-controller",
  aliases: ["persistentvolume-binder"],
  serviceAccount: "persistent-volume-binder",
  eventSource: "persistentvolume-controller",
  init(ctx) {
    const c = new PersistentVolumeController({
      client: ctx.client,
      recorder: ctx.recorder,
      clock: ctx.clock,
      volumeInformer: ctx.informers.forResource<PersistentVolume>(Resources.persistentvolumes),
      claimInformer: ctx.informers.forResource<PersistentVolumeClaim>(Resources.persistentvolumeclaims),
      classInformer: ctx.informers.forResource<StorageClass>(STORAGE_CLASSES),
      podInformer: ctx.informers.forResource<Pod>(Resources.pods),
      log: ctx.log,
    });
    return { controllers: [c.claimController, c.volumeController], run: () => c.run(ctx.signal) };
  },
};
