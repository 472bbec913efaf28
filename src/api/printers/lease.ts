// Lease printer: port of printLease.
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printLease(obj: Lease, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.holderIdentity ?? "",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const leasePrinter: TablePrinter<Lease> = {
  columns: [
    nameColumn(),
    column("Holder", "string", swaggerDoc["coordinationv1.LeaseSpec"].holderIdentity),
    ageColumn(),
  ],
  print: printLease,
};
