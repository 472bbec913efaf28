// CSINode printer: port of printCSINode (the number of drivers registered on the node).
import type { CSINode } from "kubernetes-types/storage/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printCSINode(obj: CSINode, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      (obj.spec?.drivers ?? []).length,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const csiNodePrinter: TablePrinter<CSINode> = {
  columns: [
    nameColumn(),
    column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
    ageColumn(),
  ],
  print: printCSINode,
};
