// ResourceQuota printer: port of printResourceQuota. REQUEST and LIMIT list "name: used/hard" sorted by
// resource name; "limits.*" resources go to LIMIT.
import type { ResourceQuota } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { formatQuantity } from "./quantity.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printResourceQuota(obj: ResourceQuota, ctx: PrintContext): PrintedRow {
  const hard = obj.status?.hard ?? {};
  const used = obj.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const pieces = resource.split(".");
    const target = pieces.length > 1 && pieces[0] === "limits" ? limits : requests;
    target.push(`${resource}: ${formatQuantity(used[resource])}/${formatQuantity(hard[resource])}`);
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      requests.join(", "),
      limits.join(", "),
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const resourceQuotaPrinter: TablePrinter<ResourceQuota> = {
  columns: [
    nameColumn(),
    column(
      "Request",
      "string",
      "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    column(
      "Limit",
      "string",
      "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
    ageColumn(),
  ],
  print: printResourceQuota,
};
