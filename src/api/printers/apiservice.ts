// APIService printer: port of kube-aggregator's printAPIService (SERVICE is
// "Local" or namespace/name; AVAILABLE the Available condition, with its
// reason when it is not True).
import type { Obj } from "../registry.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printAPIService(obj: Obj, ctx: PrintContext): PrintedRow {
  const svc = obj.spec?.service;
  const service = svc ? `${svc.namespace ?? ""}/${svc.name ?? ""}` : "Local";
  let available = "Unknown";
  const cond = ((obj.status?.conditions ?? []) as Obj[]).find((c) => c.type === "Available");
  if (cond) {
    if (cond.status === "True" || !cond.reason) available = cond.status;
    else available = `${cond.status} (${cond.reason})`;
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      service,
      available,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const apiServicePrinter: TablePrinter<Obj> = {
  columns: [
    nameColumn(),
    column("Service", "string", "The reference to the service that hosts this API endpoint."),
    column("Available", "string", "Whether this service is available."),
    ageColumn(),
  ],
  print: printAPIService,
};
