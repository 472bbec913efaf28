// FlowSchema printer: port of printFlowSchema and printFlowSchemaList. DISTINGUISHERMETHOD is
// "<none>" without a distinguisher; MISSINGPL is the status of the Dangling condition, "?" before
// the APF controller has set one. A list prints in matching order (FlowSchemaSequence:
// matchingPrecedence, then name), not in storage order.
import type { FlowSchema } from "kubernetes-types/flowcontrol/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** flowcontrol.FlowSchemaConditionDangling. */
const conditionDangling = "Dangling";

function printFlowSchema(obj: FlowSchema, ctx: PrintContext): PrintedRow {
  const spec = obj.spec;
  const distinguisherMethod =
    spec?.distinguisherMethod != null ? (spec.distinguisherMethod.type ?? "") : "<none>";
  const dangling = (obj.status?.conditions ?? []).find((c) => c.type === conditionDangling);
  return {
    cells: [
      obj.metadata?.name ?? "",
      spec?.priorityLevelConfiguration?.name ?? "",
      spec?.matchingPrecedence ?? 0,
      distinguisherMethod,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      dangling ? (dangling.status ?? "") : "?",
    ],
  };
}

/** FlowSchemaSequence's Less: the lower matchingPrecedence first, then by name. */
export function compareFlowSchemas(a: FlowSchema, b: FlowSchema): number {
  const pa = a.spec?.matchingPrecedence ?? 0;
  const pb = b.spec?.matchingPrecedence ?? 0;
  if (pa !== pb) return pa - pb;
  const na = a.metadata?.name ?? "";
  const nb = b.metadata?.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

const fsSpec = swaggerDoc["flowcontrolv1.FlowSchemaSpec"];

export const flowSchemaPrinter: TablePrinter<FlowSchema> = {
  columns: [
    nameColumn(),
    column("PriorityLevel", "string", swaggerDoc["flowcontrolv1.PriorityLevelConfigurationReference"].name),
    column("MatchingPrecedence", "string", fsSpec.matchingPrecedence),
    column("DistinguisherMethod", "string", fsSpec.distinguisherMethod),
    ageColumn(),
    column("MissingPL", "string", "references a broken or non-existent PriorityLevelConfiguration"),
  ],
  print: printFlowSchema,
  compare: compareFlowSchemas,
};
