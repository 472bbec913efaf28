// ComponentStatus printer: port of printComponentStatus (the first Healthy condition decides).
import type { ComponentStatus } from "kubernetes-types/core/v1.d.ts";
import { nameColumn } from "./common.ts";
import { column, type PrintedRow, type TablePrinter } from "./table.ts";

function printComponentStatus(obj: ComponentStatus): PrintedRow {
  let status = "Unknown";
  let message = "";
  let error = "";
  const healthy = (obj.conditions ?? []).find((c) => c.type === "Healthy");
  if (healthy) {
    status = healthy.status === "True" ? "Healthy" : "Unhealthy";
    message = healthy.message ?? "";
    error = healthy.error ?? "";
  }
  return { cells: [obj.metadata?.name ?? "", status, message, error] };
}

export const componentStatusPrinter: TablePrinter<ComponentStatus> = {
  columns: [
    nameColumn(),
    column("Status", "string", "Status of the component conditions"),
    column("Message", "string", "Message of the component conditions"),
    column("Error", "string", "Error of the component conditions"),
  ],
  print: printComponentStatus,
};
