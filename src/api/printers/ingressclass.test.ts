// Cases from TestPrintIngressClass (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ingressClassPrinter } from "./ingressclass.ts";

const now = new Date("2024-06-01T12:00:00Z");
const yearsAgo = (n: number) => new Date(now.getTime() - n * 365 * 24 * 3600 * 1000).toISOString();

test("PARAMETERS is kind[.apiGroup]/name", () => {
  assert.deepEqual(
    ingressClassPrinter.print(
      {
        metadata: { name: "test1", creationTimestamp: yearsAgo(10) },
        spec: { controller: "example.com/controller", parameters: { kind: "customgroup", name: "example" } },
      },
      { now },
    ).cells,
    ["test1", "example.com/controller", "customgroup/example", "10y"],
  );
  assert.deepEqual(
    ingressClassPrinter.print(
      {
        metadata: { name: "test1", creationTimestamp: yearsAgo(10) },
        spec: {
          controller: "example.com/controller",
          parameters: { apiGroup: "example.com", kind: "customgroup", name: "example" },
        },
      },
      { now },
    ).cells,
    ["test1", "example.com/controller", "customgroup.example.com/example", "10y"],
  );
  assert.deepEqual(
    ingressClassPrinter.print(
      {
        metadata: { name: "test2", creationTimestamp: yearsAgo(11) },
        spec: { controller: "example.com/controller2" },
      },
      { now },
    ).cells,
    ["test2", "example.com/controller2", "<none>", "11y"],
  );
});
