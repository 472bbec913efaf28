// Cases from TestPrintNamespace (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { namespacePrinter } from "./namespace.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("namespace STATUS and AGE", () => {
  const almostNow = new Date(now.getTime() + 1900).toISOString();
  assert.deepEqual(
    namespacePrinter.print(
      { metadata: { name: "namespace1", creationTimestamp: almostNow }, status: { phase: "FooStatus" } },
      { now },
    ).cells,
    ["namespace1", "FooStatus", "0s"],
  );
  assert.deepEqual(namespacePrinter.print({ metadata: { name: "namespace2" } }, { now }).cells, [
    "namespace2",
    "",
    "<unknown>",
  ]);
  assert.deepEqual(
    namespacePrinter.print(
      {
        metadata: { name: "kube-system", creationTimestamp: "2024-05-01T12:00:00Z" },
        status: { phase: "Active" },
      },
      { now },
    ).cells,
    ["kube-system", "Active", "31d"],
  );
});
