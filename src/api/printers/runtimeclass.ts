// RuntimeClass printer: port of printRuntimeClass.
import type { RuntimeClass } from "kubernetes-types/node/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printRuntimeClass(obj: RuntimeClass, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.handler ?? "",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const runtimeClassPrinter: TablePrinter<RuntimeClass> = {
  columns: [
    nameColumn(),
    column(
      "Handler",
      "string",
      "Handler specifies the underlying runtime the RuntimeClass is configured to use.",
    ),
    ageColumn(),
  ],
  print: printRuntimeClass,
};
