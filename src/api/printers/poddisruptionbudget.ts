// PodDisruptionBudget printer: port of printPodDisruptionBudget.
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { formatIntOrString } from "./quantity.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printPodDisruptionBudget(obj: PodDisruptionBudget, ctx: PrintContext): PrintedRow {
  const minAvailable = obj.spec?.minAvailable;
  const maxUnavailable = obj.spec?.maxUnavailable;
  return {
    cells: [
      obj.metadata?.name ?? "",
      minAvailable === undefined || minAvailable === null ? "N/A" : formatIntOrString(minAvailable),
      maxUnavailable === undefined || maxUnavailable === null ? "N/A" : formatIntOrString(maxUnavailable),
      obj.status?.disruptionsAllowed ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const podDisruptionBudgetPrinter: TablePrinter<PodDisruptionBudget> = {
  columns: [
    nameColumn(),
    column("Min Available", "string", "The minimum number of pods that must be available."),
    column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    ageColumn(),
  ],
  print: printPodDisruptionBudget,
};
