// ControllerRevision printer: port of printControllerRevision. CONTROLLER is "kind.group/name" of the
// controlling owner reference, lower-cased.
import type { ControllerRevision } from "kubernetes-types/apps/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** formatResourceName(kind, name, withKind=true): "kind.group/name" lower-cased, or the bare name. */
export function formatResourceName(group: string, kind: string, name: string): string {
  if (group === "" && kind === "") return name;
  const groupKind = group === "" ? kind : `${kind}.${group}`;
  return `${groupKind.toLowerCase()}/${name}`;
}

function printControllerRevision(obj: ControllerRevision, ctx: PrintContext): PrintedRow {
  let controllerName = "<none>";
  const ref = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (ref) {
    // schema.ParseGroupVersion: "v1" has no group, "apps/v1" has group "apps".
    const apiVersion = ref.apiVersion ?? "";
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    controllerName = formatResourceName(group, ref.kind ?? "", ref.name ?? "");
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      controllerName,
      obj.revision ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const controllerRevisionPrinter: TablePrinter<ControllerRevision> = {
  columns: [
    nameColumn(),
    column("Controller", "string", "Controller of the object"),
    column("Revision", "string", swaggerDoc["appsv1beta1.ControllerRevision"].revision),
    ageColumn(),
  ],
  print: printControllerRevision,
};
