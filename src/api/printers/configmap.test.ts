// Cases from TestPrintConfigMap (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { configMapPrinter } from "./configmap.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();

test("DATA counts data and binaryData keys", () => {
  const print = (cm: Parameters<typeof configMapPrinter.print>[0]) =>
    configMapPrinter.print(cm, { now }).cells;
  assert.deepEqual(print({ metadata: { name: "configmap1", creationTimestamp: created } }), [
    "configmap1",
    0,
    "0s",
  ]);
  assert.deepEqual(
    print({ metadata: { name: "configmap2", creationTimestamp: created }, data: { foo: "bar" } }),
    ["configmap2", 1, "0s"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "configmap3", creationTimestamp: created },
      data: { foo: "bar" },
      binaryData: { bin: "YmluYXJ5" },
    }),
    ["configmap3", 2, "0s"],
  );
  assert.deepEqual(
    configMapPrinter.columns.map((c) => [c.name, c.type]),
    [
      ["Name", "string"],
      ["Data", "string"],
      ["Age", "string"],
    ],
  );
});
