// Cases from TestPrintDeployment (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import { deploymentPrinter } from "./deployment.ts";

const now = new Date("2024-06-01T12:00:00Z");
const almostNow = new Date(now.getTime() + 1900).toISOString();
const template = {
  spec: {
    containers: [
      { name: "fake-container1", image: "fake-image1" },
      { name: "fake-container2", image: "fake-image2" },
    ],
  },
};

test("READY is ready/desired; UP-TO-DATE and AVAILABLE are integers", () => {
  const d: Deployment = {
    metadata: { name: "test1", creationTimestamp: almostNow },
    spec: { replicas: 5, template, selector: { matchLabels: { foo: "bar" } } },
    status: { replicas: 10, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 4 },
  };
  assert.deepEqual(deploymentPrinter.print(d, { now }).cells, [
    "test1",
    "0/5",
    2,
    1,
    "0s",
    "fake-container1,fake-container2",
    "fake-image1,fake-image2",
    "foo=bar",
  ]);
});

test("a realistic rolled-out deployment; a deployment without a selector prints an empty SELECTOR", () => {
  const d: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "default", creationTimestamp: "2024-06-01T09:00:00Z" },
    spec: {
      replicas: 3,
      selector: {
        matchLabels: { app: "nginx" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }],
      },
      template: {
        metadata: { labels: { app: "nginx", tier: "web" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
      },
    },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(deploymentPrinter.print(d, { now }).cells, [
    "nginx",
    "2/3",
    3,
    2,
    "3h",
    "nginx",
    "nginx:1.27",
    "app=nginx,tier in (web)",
  ]);
  assert.equal(deploymentPrinter.print({ metadata: { name: "x" } }, { now }).cells[7], "");
  assert.deepEqual(
    deploymentPrinter.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ["Name", "string", 0],
      ["Ready", "string", 0],
      ["Up-to-date", "string", 0],
      ["Available", "string", 0],
      ["Age", "string", 0],
      ["Containers", "string", 1],
      ["Images", "string", 1],
      ["Selector", "string", 1],
    ],
  );
});
