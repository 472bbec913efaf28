// Cases from TestPrintLease (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { leasePrinter } from "./lease.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("HOLDER is the holder identity", () => {
  assert.deepEqual(
    leasePrinter.print(
      {
        metadata: { name: "lease1", creationTimestamp: new Date(now.getTime() + 1900).toISOString() },
        spec: { holderIdentity: "holder1" },
      },
      { now },
    ).cells,
    ["lease1", "holder1", "0s"],
  );
  assert.deepEqual(
    leasePrinter.print(
      {
        metadata: { name: "lease2", creationTimestamp: new Date(now.getTime() - 300_000).toISOString() },
        spec: { holderIdentity: "holder2" },
      },
      { now },
    ).cells,
    ["lease2", "holder2", "5m"],
  );
  assert.deepEqual(leasePrinter.print({ metadata: { name: "kube-scheduler" }, spec: {} }, { now }).cells, [
    "kube-scheduler",
    "",
    "<unknown>",
  ]);
});
