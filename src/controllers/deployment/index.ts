// The Deployment controller as the controller-manager runs it.
import type { ControllerDescriptor } from "../context.ts";
import { DeploymentController } from "./deployment.ts";

export { DeploymentController } from "./deployment.ts";
export {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from "./util.ts";

export const deploymentControllerDescriptor: ControllerDescriptor = {
  name: "deployment-controller",
  aliases: ["deployment"],
  serviceAccount: "deployment-controller",
  eventSource: "deployment-controller",
  concurrency: { flag: "concurrent-deployment-syncs", default: 5 },
  init(ctx) {
    const dc = new DeploymentController(ctx);
    return { controllers: [dc.controller] };
  },
};
