// ConfigMap printer: port of printConfigMap. DATA counts data and binaryData keys.
import type { ConfigMap } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printConfigMap(obj: ConfigMap, ctx: PrintContext): PrintedRow {
  const count = Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length;
  return {
    cells: [
      obj.metadata?.name ?? "",
      count,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const configMapPrinter: TablePrinter<ConfigMap> = {
  columns: [nameColumn(), column("Data", "string", swaggerDoc["apiv1.ConfigMap"].data), ageColumn()],
  print: printConfigMap,
};
