// Namespace printer: port of printNamespace.
import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printNamespace(obj: Namespace, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.status?.phase ?? "",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const namespacePrinter: TablePrinter<Namespace> = {
  columns: [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
  print: printNamespace,
};
