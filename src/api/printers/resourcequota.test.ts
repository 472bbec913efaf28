// Cases from TestPrintResourceQuota (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { resourceQuotaPrinter } from "./resourcequota.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("REQUEST and LIMIT list used/hard per resource, sorted", () => {
  assert.deepEqual(
    resourceQuotaPrinter.print(
      {
        metadata: {
          name: "test-resourcequota",
          creationTimestamp: new Date(now.getTime() - 300_000).toISOString(),
        },
        spec: {},
        status: {
          used: {
            cpu: "1",
            memory: "1Gi",
            pods: "1",
            services: "1",
            replicationcontrollers: "1",
            resourcequotas: "1",
            "limits.cpu": "2",
            "limits.memory": "2Gi",
          },
          hard: {
            cpu: "100",
            memory: "4Gi",
            pods: "10",
            services: "10",
            replicationcontrollers: "10",
            resourcequotas: "1",
            "limits.cpu": "200",
            "limits.memory": "8Gi",
          },
        },
      },
      { now },
    ).cells,
    [
      "test-resourcequota",
      "cpu: 1/100, memory: 1Gi/4Gi, pods: 1/10, replicationcontrollers: 1/10, resourcequotas: 1/1, services: 1/10",
      "limits.cpu: 2/200, limits.memory: 2Gi/8Gi",
      "5m",
    ],
  );
});

test("missing usage prints 0 and quantities print canonically", () => {
  assert.deepEqual(
    resourceQuotaPrinter.print(
      {
        metadata: { name: "q" },
        status: { hard: { "requests.memory": "2048Mi", "requests.cpu": "1000m" }, used: {} },
      },
      { now },
    ).cells,
    ["q", "requests.cpu: 0/1, requests.memory: 0/2Gi", "", "<unknown>"],
  );
  assert.deepEqual(resourceQuotaPrinter.print({ metadata: { name: "empty" } }, { now }).cells, [
    "empty",
    "",
    "",
    "<unknown>",
  ]);
});
