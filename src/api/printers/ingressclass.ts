// IngressClass printer: port of printIngressClass (PARAMETERS is "kind[.apiGroup]/name").
import type { IngressClass } from "kubernetes-types/networking/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printIngressClass(obj: IngressClass, ctx: PrintContext): PrintedRow {
  let parameters = "<none>";
  const p = obj.spec?.parameters;
  if (p) {
    parameters = p.kind;
    if (p.apiGroup !== undefined && p.apiGroup !== null) parameters += `.${p.apiGroup}`;
    parameters += `/${p.name}`;
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.controller ?? "",
      parameters,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const ingressClassPrinter: TablePrinter<IngressClass> = {
  columns: [
    nameColumn(),
    column("Controller", "string", "Controller that is responsible for handling this class"),
    column("Parameters", "string", "A reference to a resource with additional parameters"),
    ageColumn(),
  ],
  print: printIngressClass,
};
