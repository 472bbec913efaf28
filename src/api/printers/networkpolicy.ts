// NetworkPolicy printer: port of printNetworkPolicy.
import type { NetworkPolicy } from "kubernetes-types/networking/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabelSelector } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printNetworkPolicy(obj: NetworkPolicy, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      // podSelector is a value, not a pointer: an absent one is the empty selector.
      formatLabelSelector(obj.spec?.podSelector ?? {}),
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const networkPolicyPrinter: TablePrinter<NetworkPolicy> = {
  columns: [
    nameColumn(),
    column("Pod-Selector", "string", swaggerDoc["extensionsv1beta1.NetworkPolicySpec"].podSelector),
    ageColumn(),
  ],
  print: printNetworkPolicy,
};
