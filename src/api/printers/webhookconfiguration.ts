// Mutating- and ValidatingWebhookConfiguration printers: ports of printMutatingWebhook / printValidatingWebhook.
import type {
  MutatingWebhookConfiguration,
  ValidatingWebhookConfiguration,
} from "kubernetes-types/admissionregistration/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

type WebhookConfiguration = MutatingWebhookConfiguration | ValidatingWebhookConfiguration;

function printWebhookConfiguration(obj: WebhookConfiguration, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.webhooks?.length ?? 0,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

function webhookColumns() {
  return [
    nameColumn(),
    column(
      "Webhooks",
      "integer",
      "Webhooks indicates the number of webhooks registered in this configuration",
    ),
    ageColumn(),
  ];
}

export const mutatingWebhookConfigurationPrinter: TablePrinter<MutatingWebhookConfiguration> = {
  columns: webhookColumns(),
  print: printWebhookConfiguration,
};

export const validatingWebhookConfigurationPrinter: TablePrinter<ValidatingWebhookConfiguration> = {
  columns: webhookColumns(),
  print: printWebhookConfiguration,
};
