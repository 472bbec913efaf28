// DaemonSet printer: port of printDaemonSet.
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import { ageColumn, containersColumn, imagesColumn, layoutContainerCells, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabelSelector, formatLabels } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printDaemonSet(obj: DaemonSet, ctx: PrintContext): PrintedRow {
  const status = obj.status;
  const [names, images] = layoutContainerCells(obj.spec?.template?.spec?.containers);
  return {
    cells: [
      obj.metadata?.name ?? "",
      status?.desiredNumberScheduled ?? 0,
      status?.currentNumberScheduled ?? 0,
      status?.numberReady ?? 0,
      status?.updatedNumberScheduled ?? 0,
      status?.numberAvailable ?? 0,
      formatLabels(obj.spec?.template?.spec?.nodeSelector),
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ],
  };
}

const dsStatus = swaggerDoc["extensionsv1beta1.DaemonSetStatus"];

export const daemonSetPrinter: TablePrinter<DaemonSet> = {
  columns: [
    nameColumn(),
    column("Desired", "integer", dsStatus.desiredNumberScheduled),
    column("Current", "integer", dsStatus.currentNumberScheduled),
    column("Ready", "integer", dsStatus.numberReady),
    column("Up-to-date", "integer", dsStatus.updatedNumberScheduled),
    column("Available", "integer", dsStatus.numberAvailable),
    column("Node Selector", "string", swaggerDoc["apiv1.PodSpec"].nodeSelector),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    column("Selector", "string", swaggerDoc["extensionsv1beta1.DaemonSetSpec"].selector, { priority: 1 }),
  ],
  print: printDaemonSet,
};
