// PriorityLevelConfiguration printer: port of printPriorityLevelConfiguration. The shares and the
// queuing numbers are integers when the level has them, "<none>" otherwise (an Exempt level, or a
// Limited one that rejects rather than queues).
import type { PriorityLevelConfiguration } from "kubernetes-types/flowcontrol/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { type Cell, column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printPriorityLevelConfiguration(obj: PriorityLevelConfiguration, ctx: PrintContext): PrintedRow {
  let shares: Cell = "<none>";
  let queues: Cell = "<none>";
  let handSize: Cell = "<none>";
  let queueLengthLimit: Cell = "<none>";
  const limited = obj.spec?.limited;
  if (limited != null) {
    shares = limited.nominalConcurrencyShares ?? 0;
    const queuing = limited.limitResponse?.queuing;
    if (queuing != null) {
      queues = queuing.queues ?? 0;
      handSize = queuing.handSize ?? 0;
      queueLengthLimit = queuing.queueLengthLimit ?? 0;
    }
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.type ?? "",
      shares,
      queues,
      handSize,
      queueLengthLimit,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

const queuing = swaggerDoc["flowcontrolv1.QueuingConfiguration"];

export const priorityLevelConfigurationPrinter: TablePrinter<PriorityLevelConfiguration> = {
  columns: [
    nameColumn(),
    column("Type", "string", swaggerDoc["flowcontrolv1.PriorityLevelConfigurationSpec"].type),
    column(
      "NominalConcurrencyShares",
      "string",
      swaggerDoc["flowcontrolv1.LimitedPriorityLevelConfiguration"].nominalConcurrencyShares,
    ),
    column("Queues", "string", queuing.queues),
    column("HandSize", "string", queuing.handSize),
    column("QueueLengthLimit", "string", queuing.queueLengthLimit),
    ageColumn(),
  ],
  print: printPriorityLevelConfiguration,
};
