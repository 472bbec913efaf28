// Secret printer: port of printSecret. DATA counts the keys of data.
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printSecret(obj: Secret, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.type ?? "",
      Object.keys(obj.data ?? {}).length,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

const secret = swaggerDoc["apiv1.Secret"];

export const secretPrinter: TablePrinter<Secret> = {
  columns: [
    nameColumn(),
    column("Type", "string", secret.type),
    column("Data", "string", secret.data),
    ageColumn(),
  ],
  print: printSecret,
};
