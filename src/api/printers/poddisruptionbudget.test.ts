// Cases from TestPrintPodDisruptionBudget (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { podDisruptionBudgetPrinter } from "./poddisruptionbudget.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();
const status = { disruptionsAllowed: 5, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };

test("MIN AVAILABLE / MAX UNAVAILABLE print N/A when unset", () => {
  assert.deepEqual(
    podDisruptionBudgetPrinter.print(
      {
        metadata: { name: "pdb1", namespace: "ns1", creationTimestamp: created },
        spec: { minAvailable: 22 },
        status,
      },
      { now },
    ).cells,
    ["pdb1", "22", "N/A", 5, "0s"],
  );
  assert.deepEqual(
    podDisruptionBudgetPrinter.print(
      {
        metadata: { name: "pdb2", namespace: "ns2", creationTimestamp: created },
        spec: { maxUnavailable: "25%" },
        status,
      },
      { now },
    ).cells,
    ["pdb2", "N/A", "25%", 5, "0s"],
  );
});
