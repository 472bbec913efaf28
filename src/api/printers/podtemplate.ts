// PodTemplate printer: port of printPodTemplate (no AGE column upstream).
import type { PodTemplate } from "kubernetes-types/core/v1.d.ts";
import { layoutContainerCells, nameColumn } from "./common.ts";
import { formatLabels } from "./labels.ts";
import { column, type PrintedRow, type TablePrinter } from "./table.ts";

function printPodTemplate(obj: PodTemplate): PrintedRow {
  const [names, images] = layoutContainerCells(obj.template?.spec?.containers);
  return { cells: [obj.metadata?.name ?? "", names, images, formatLabels(obj.template?.metadata?.labels)] };
}

export const podTemplatePrinter: TablePrinter<PodTemplate> = {
  columns: [
    nameColumn(),
    column("Containers", "string", "Names of each container in the template."),
    column("Images", "string", "Images referenced by each container in the template."),
    column("Pod Labels", "string", "The labels for the pod template."),
  ],
  print: printPodTemplate,
};
