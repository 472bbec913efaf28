// ServiceAccount printer: port of printServiceAccount. SECRETS counts the secrets references.
import type { ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printServiceAccount(obj: ServiceAccount, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.secrets?.length ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const serviceAccountPrinter: TablePrinter<ServiceAccount> = {
  columns: [
    nameColumn(),
    column("Secrets", "string", swaggerDoc["apiv1.ServiceAccount"].secrets),
    ageColumn(),
  ],
  print: printServiceAccount,
};
