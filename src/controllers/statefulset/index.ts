// The StatefulSet controller: pods with stable names, storage and order.
import type { ControllerDescriptor } from "../context.ts";
import { StatefulSetController } from "./stateful-set-controller.ts";

export {
  getOrdinal,
  getParentNameAndOrdinal,
  getPodRevision,
  POD_INDEX_LABEL,
  STATEFUL_SET_POD_NAME_LABEL,
  STATEFUL_SET_REVISION_LABEL,
} from "./identity.ts";
export { applyRevision, getPatch } from "./revision.ts";
export { StatefulSetController } from "./stateful-set-controller.ts";

export const statefulSetControllerDescriptor: ControllerDescriptor = {
  name: "statefulset-controller",
  aliases: ["statefulset"],
  serviceAccount: "statefulset-controller",
  eventSource: "statefulset-controller",
  concurrency: { flag: "concurrent-statefulset-syncs", default: 5 },
  init(ctx) {
    return { controllers: [new StatefulSetController(ctx).controller] };
  },
};
