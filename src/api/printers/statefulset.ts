// StatefulSet printer: port of printStatefulSet (READY is "ready/desired"; no selector column).
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printStatefulSet(obj: StatefulSet, ctx: PrintContext): PrintedRow {
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return {
    cells: [
      obj.metadata?.name ?? "",
      `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
    ],
  };
}

export const statefulSetPrinter: TablePrinter<StatefulSet> = {
  columns: [
    nameColumn(),
    column("Ready", "string", "Number of the pod with ready state"),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
  ],
  print: printStatefulSet,
};
