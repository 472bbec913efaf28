// Cases after TestPrintPriorityLevelConfiguration (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { priorityLevelConfigurationPrinter } from "./prioritylevelconfiguration.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() - 10 * 3600_000).toISOString();

test("NAME, TYPE, NOMINALCONCURRENCYSHARES, QUEUES, HANDSIZE, QUEUELENGTHLIMIT, AGE", () => {
  const print = (spec: object, name = "pl") =>
    priorityLevelConfigurationPrinter.print(
      { metadata: { name, creationTimestamp: created }, spec } as never,
      {
        now,
      },
    ).cells;
  assert.deepEqual(print({ type: "Exempt" }, "unlimited"), [
    "unlimited",
    "Exempt",
    "<none>",
    "<none>",
    "<none>",
    "<none>",
    "10h",
  ]);
  assert.deepEqual(
    print(
      { type: "Limited", limited: { nominalConcurrencyShares: 47, limitResponse: { type: "Reject" } } },
      "unqueued",
    ),
    ["unqueued", "Limited", 47, "<none>", "<none>", "<none>", "10h"],
  );
  assert.deepEqual(
    print(
      {
        type: "Limited",
        limited: {
          nominalConcurrencyShares: 42,
          limitResponse: { type: "Queue", queuing: { queues: 8, handSize: 3, queueLengthLimit: 4 } },
        },
      },
      "queued",
    ),
    ["queued", "Limited", 42, 8, 3, 4, "10h"],
  );
  assert.deepEqual(
    print(
      { type: "Limited", limited: { nominalConcurrencyShares: 0, limitResponse: { type: "Reject" } } },
      "jail",
    ),
    ["jail", "Limited", 0, "<none>", "<none>", "<none>", "10h"],
  );
  assert.deepEqual(priorityLevelConfigurationPrinter.print({ metadata: { name: "bare" } }, { now }).cells, [
    "bare",
    "",
    "<none>",
    "<none>",
    "<none>",
    "<none>",
    "<unknown>",
  ]);
  assert.deepEqual(
    priorityLevelConfigurationPrinter.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ["Name", "string", 0],
      ["Type", "string", 0],
      ["NominalConcurrencyShares", "string", 0],
      ["Queues", "string", 0],
      ["HandSize", "string", 0],
      ["QueueLengthLimit", "string", 0],
      ["Age", "string", 0],
    ],
  );
});
