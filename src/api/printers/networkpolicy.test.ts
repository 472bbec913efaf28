// Cases from TestPrintNetworkPolicy (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { networkPolicyPrinter } from "./networkpolicy.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();

test("POD-SELECTOR", () => {
  assert.deepEqual(
    networkPolicyPrinter.print(
      { metadata: { name: "policy1", creationTimestamp: created }, spec: { podSelector: {} } },
      { now },
    ).cells,
    ["policy1", "<none>", "0s"],
  );
  assert.deepEqual(
    networkPolicyPrinter.print(
      {
        metadata: { name: "policy2", creationTimestamp: created },
        spec: { podSelector: { matchLabels: { foo: "bar" } } },
      },
      { now },
    ).cells,
    ["policy2", "foo=bar", "0s"],
  );
  assert.deepEqual(
    networkPolicyPrinter.print(
      {
        metadata: { name: "policy3" },
        spec: {
          podSelector: { matchExpressions: [{ key: "role", operator: "NotIn", values: ["db", "cache"] }] },
        },
      },
      { now },
    ).cells,
    ["policy3", "role notin (cache,db)", "<unknown>"],
  );
});
