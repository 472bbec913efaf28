// Cases from TestPrintPriorityClass (printers_test.go); the apiserver always includes PREEMPTIONPOLICY.
import assert from "node:assert/strict";
import { test } from "node:test";
import { priorityClassPrinter } from "./priorityclass.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("VALUE, GLOBAL-DEFAULT, AGE, PREEMPTIONPOLICY", () => {
  assert.deepEqual(
    priorityClassPrinter.print(
      {
        metadata: { name: "pc1", creationTimestamp: new Date(now.getTime() + 1900).toISOString() },
        value: 1,
        preemptionPolicy: "Never",
      },
      { now },
    ).cells,
    ["pc1", 1, false, "0s", "Never"],
  );
  assert.deepEqual(
    priorityClassPrinter.print(
      {
        metadata: { name: "pc2", creationTimestamp: new Date(now.getTime() - 300_000).toISOString() },
        value: 1000000000,
        globalDefault: true,
        preemptionPolicy: "PreemptLowerPriority",
      },
      { now },
    ).cells,
    ["pc2", 1000000000, true, "5m", "PreemptLowerPriority"],
  );
  assert.deepEqual(priorityClassPrinter.print({ metadata: { name: "pc3" }, value: 5 }, { now }).cells, [
    "pc3",
    5,
    false,
    "<unknown>",
    "",
  ]);
  assert.deepEqual(
    priorityClassPrinter.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ["Name", "string", 0],
      ["Value", "integer", 0],
      ["Global-Default", "boolean", 0],
      ["Age", "string", 0],
      ["PreemptionPolicy", "string", 0],
    ],
  );
});
