// Deployment printer: port of printDeployment (READY is "ready/desired").
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { labelSelectorString } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printDeployment(obj: Deployment, ctx: PrintContext): PrintedRow {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  // Unlike the other workloads, the selector is printed raw: "" when absent or empty.
  const selector = labelSelectorString(obj.spec?.selector) ?? "<invalid>";
  return {
    cells: [
      obj.metadata?.name ?? "",
      `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
      obj.status?.updatedReplicas ?? 0,
      obj.status?.availableReplicas ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      selector,
    ],
  };
}

const deploymentStatus = swaggerDoc["extensionsv1beta1.DeploymentStatus"];

export const deploymentPrinter: TablePrinter<Deployment> = {
  columns: [
    nameColumn(),
    column("Ready", "string", "Number of the pod with ready state"),
    column("Up-to-date", "string", deploymentStatus.updatedReplicas),
    column("Available", "string", deploymentStatus.availableReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", swaggerDoc["extensionsv1beta1.DeploymentSpec"].selector, { priority: 1 }),
  ],
  print: printDeployment,
};
