// Cases from TestPrintComponentStatus (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { componentStatusPrinter } from "./componentstatus.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("STATUS from the Healthy condition, with its message and error", () => {
  assert.deepEqual(
    componentStatusPrinter.print({ metadata: { name: "cs1" }, conditions: [] }, { now }).cells,
    ["cs1", "Unknown", "", ""],
  );
  assert.deepEqual(
    componentStatusPrinter.print(
      {
        metadata: { name: "cs2" },
        conditions: [{ type: "Healthy", status: "True", message: "test message", error: "test error" }],
      },
      { now },
    ).cells,
    ["cs2", "Healthy", "test message", "test error"],
  );
  assert.deepEqual(
    componentStatusPrinter.print(
      {
        metadata: { name: "cs3" },
        conditions: [{ type: "Healthy", status: "False", message: "test message", error: "test error" }],
      },
      { now },
    ).cells,
    ["cs3", "Unhealthy", "test message", "test error"],
  );
  assert.deepEqual(
    componentStatusPrinter.columns.map((c) => c.name),
    ["Name", "Status", "Message", "Error"],
  );
});
