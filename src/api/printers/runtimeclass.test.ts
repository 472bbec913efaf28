// Cases from TestPrintRuntimeClass (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runtimeClassPrinter } from "./runtimeclass.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("NAME, HANDLER, AGE", () => {
  const created = new Date(now.getTime() - 3 * 86_400_000).toISOString();
  assert.deepEqual(
    runtimeClassPrinter.print(
      { metadata: { name: "rc1", creationTimestamp: created }, handler: "h1" },
      { now },
    ).cells,
    ["rc1", "h1", "3d"],
  );
  assert.deepEqual(
    runtimeClassPrinter.columns.map((c) => [c.name, c.type]),
    [
      ["Name", "string"],
      ["Handler", "string"],
      ["Age", "string"],
    ],
  );
});
