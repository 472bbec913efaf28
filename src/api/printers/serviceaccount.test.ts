// Cases from TestPrintServiceAccount (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { serviceAccountPrinter } from "./serviceaccount.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();

test("SECRETS counts the secret references", () => {
  assert.deepEqual(
    serviceAccountPrinter.print(
      { metadata: { name: "sa1", creationTimestamp: created }, secrets: [] },
      { now },
    ).cells,
    ["sa1", 0, "0s"],
  );
  assert.deepEqual(
    serviceAccountPrinter.print(
      {
        metadata: { name: "sa1", creationTimestamp: created },
        secrets: [{ name: "Secret1" }, { name: "Secret2" }],
      },
      { now },
    ).cells,
    ["sa1", 2, "0s"],
  );
  assert.deepEqual(serviceAccountPrinter.print({ metadata: { name: "default" } }, { now }).cells, [
    "default",
    0,
    "<unknown>",
  ]);
});
