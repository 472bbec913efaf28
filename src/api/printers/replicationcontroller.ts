// ReplicationController printer: port of printReplicationController.
import type { ReplicationController } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabels } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printReplicationController(obj: ReplicationController, ctx: PrintContext): PrintedRow {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.replicas ?? 0,
      obj.status?.replicas ?? 0,
      obj.status?.readyReplicas ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabels(obj.spec?.selector),
    ],
  };
}

const rcSpec = swaggerDoc["apiv1.ReplicationControllerSpec"];
const rcStatus = swaggerDoc["apiv1.ReplicationControllerStatus"];

export const replicationControllerPrinter: TablePrinter<ReplicationController> = {
  columns: [
    nameColumn(),
    column("Desired", "integer", rcSpec.replicas),
    column("Current", "integer", rcStatus.replicas),
    column("Ready", "integer", rcStatus.readyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", rcSpec.selector, { priority: 1 }),
  ],
  print: printReplicationController,
};
