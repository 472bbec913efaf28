// PriorityClass printer: port of printPriorityClass. PREEMPTIONPOLICY is a wide-only cell upstream but its
// column has priority 0; the apiserver always prints wide, so kubectl shows it by default.
import type { PriorityClass } from "kubernetes-types/scheduling/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printPriorityClass(obj: PriorityClass, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.value ?? 0,
      obj.globalDefault ?? false,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      obj.preemptionPolicy ?? "",
    ],
  };
}

const pc = swaggerDoc["schedulingv1.PriorityClass"];

export const priorityClassPrinter: TablePrinter<PriorityClass> = {
  columns: [
    nameColumn(),
    column("Value", "integer", pc.value),
    column("Global-Default", "boolean", pc.globalDefault),
    ageColumn(),
    column("PreemptionPolicy", "string", pc.preemptionPolicy),
  ],
  print: printPriorityClass,
};
