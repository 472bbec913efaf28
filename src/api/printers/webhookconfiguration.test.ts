import assert from "node:assert/strict";
import { test } from "node:test";
import {
  mutatingWebhookConfigurationPrinter,
  validatingWebhookConfigurationPrinter,
} from "./webhookconfiguration.ts";

const now = new Date("2024-06-01T12:00:00Z");
const webhook = {
  name: "policy.example.com",
  admissionReviewVersions: ["v1"],
  sideEffects: "None",
  clientConfig: { service: { namespace: "policy", name: "webhook" } },
};

test("WEBHOOKS counts the webhooks of the configuration", () => {
  assert.deepEqual(
    validatingWebhookConfigurationPrinter.print(
      {
        metadata: { name: "policy", creationTimestamp: "2024-06-01T11:00:00Z" },
        webhooks: [webhook, { ...webhook, name: "b.example.com" }],
      },
      { now },
    ).cells,
    ["policy", 2, "60m"],
  );
  assert.deepEqual(
    mutatingWebhookConfigurationPrinter.print({ metadata: { name: "empty" } }, { now }).cells,
    ["empty", 0, "<unknown>"],
  );
  assert.deepEqual(
    mutatingWebhookConfigurationPrinter.columns.map((c) => [c.name, c.type]),
    [
      ["Name", "string"],
      ["Webhooks", "integer"],
      ["Age", "string"],
    ],
  );
});
