// PVC protection: a claim in use by a pod is not deleted until the pod is gone.
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../../client/resources.ts";
import type { ControllerDescriptor } from "../../context.ts";
import { PVCProtectionController } from "./pvc-protection-controller.ts";

export {
  PVCProtectionController,
  type PVCProtectionControllerOptions,
  podUsesPVC,
} from "./pvc-protection-controller.ts";

export const pvcProtectionDescriptor: ControllerDescriptor = {
  name: "persistentvolumeclaim-protection-controller",
  aliases: ["pvc-protection"],
  serviceAccount: "pvc-protection-controller",
  eventSource: "pvc-protection-controller",
  init(ctx) {
    const c = new PVCProtectionController({
      client: ctx.client,
      pvcInformer: ctx.informers.forResource<PersistentVolumeClaim>(Resources.persistentvolumeclaims),
      podInformer: ctx.informers.forResource<Pod>(Resources.pods),
      clock: ctx.clock,
      log: ctx.log,
    });
    return { controllers: [c.controller] };
  },
};
