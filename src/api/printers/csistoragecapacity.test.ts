// printCSIStorageCapacity. Upstream's printers_test.go has no case; its table has no AGE column.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CSIStorageCapacity } from "kubernetes-types/storage/v1.d.ts";
import { csiStorageCapacityPrinter } from "./csistoragecapacity.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (c: CSIStorageCapacity) => csiStorageCapacityPrinter.print(c, { now }).cells;

test("columns: NAME STORAGECLASSNAME CAPACITY", () => {
  assert.deepEqual(
    csiStorageCapacityPrinter.columns.map((c) => [c.name, c.type, c.format]),
    [
      ["Name", "string", "name"],
      ["StorageClassName", "string", ""],
      ["Capacity", "string", ""],
    ],
  );
  assert.match(csiStorageCapacityPrinter.columns[1].description, /^storageClassName represents the name/);
});

test("capacity prints as Quantity.String(), or <unset>", () => {
  assert.deepEqual(
    print({
      metadata: { name: "csisc-abc", namespace: "kube-system" },
      storageClassName: "fast",
      capacity: "1Gi",
    }),
    ["csisc-abc", "fast", "1Gi"],
  );
  assert.deepEqual(print({ metadata: { name: "c2" }, storageClassName: "slow", capacity: "1000000000" }), [
    "c2",
    "slow",
    "1G",
  ]);
  assert.deepEqual(print({ metadata: { name: "c3" }, storageClassName: "slow" }), ["c3", "slow", "<unset>"]);
});
