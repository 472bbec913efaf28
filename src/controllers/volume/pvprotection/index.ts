// PV protection: a bound volume is not deleted until its claim lets it go.
import type { PersistentVolume } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../../client/resources.ts";
import type { ControllerDescriptor } from "../../context.ts";
import { PVProtectionController } from "./pv-protection-controller.ts";

export {
  isVolumeBeingUsed,
  PVProtectionController,
  type PVProtectionControllerOptions,
} from "./pv-protection-controller.ts";

export const pvProtectionDescriptor: ControllerDescriptor = {
  name: "persistentvolume-protection-controller",
  aliases: ["pv-protection"],
  serviceAccount: "pv-protection-controller",
  eventSource: "pv-protection-controller",
  init(ctx) {
    const c = new PVProtectionController({
      client: ctx.client,
      pvInformer: ctx.informers.forResource<PersistentVolume>(Resources.persistentvolumes),
      clock: ctx.clock,
      log: ctx.log,
    });
    return { controllers: [c.controller] };
  },
};
