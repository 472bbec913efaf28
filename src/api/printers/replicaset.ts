// ReplicaSet printer: port of printReplicaSet.
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabelSelector } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printReplicaSet(obj: ReplicaSet, ctx: PrintContext): PrintedRow {
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
      formatLabelSelector(obj.spec?.selector),
    ],
  };
}

const rsSpec = swaggerDoc["extensionsv1beta1.ReplicaSetSpec"];
const rsStatus = swaggerDoc["extensionsv1beta1.ReplicaSetStatus"];

export const replicaSetPrinter: TablePrinter<ReplicaSet> = {
  columns: [
    nameColumn(),
    column("Desired", "integer", rsSpec.replicas),
    column("Current", "integer", rsStatus.replicas),
    column("Ready", "integer", rsStatus.readyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", rsSpec.selector, { priority: 1 }),
  ],
  print: printReplicaSet,
};
