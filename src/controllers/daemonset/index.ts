// The DaemonSet controller: its descriptor for the controller-manager
// (upstream's newDaemonSetControllerDescriptor) and the pieces others reuse.
import type { ControllerDescriptor } from "../context.ts";
import { DaemonSetsController } from "./daemonset.ts";

export { DaemonSetsController } from "./daemonset.ts";
export {
  addOrUpdateDaemonPodTolerations,
  DAEMONSET_UNIQUE_LABEL_KEY,
  getTargetNodeName,
  replaceDaemonSetPodNodeNameNodeAffinity,
} from "./daemonset-util.ts";
export { getPatch as daemonSetRevisionPatch, match as daemonSetMatchesRevision } from "./history.ts";
export { type NodeShouldRun, newDaemonPod, nodeShouldRunDaemonPod } from "./should-run.ts";

export const daemonSetControllerDescriptor: ControllerDescriptor = {
  name: "daemonset-controller",
  aliases: ["daemonset"],
  serviceAccount: "daemon-set-controller",
  eventSource: "daemonset-controller",
  concurrency: { flag: "concurrent-daemonset-syncs", default: 2 },
  init(ctx) {
    const dsc = new DaemonSetsController(ctx);
    return { controllers: [dsc.controller] };
  },
};
