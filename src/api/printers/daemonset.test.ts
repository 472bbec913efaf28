// Cases from TestPrintDaemonSet (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { daemonSetPrinter } from "./daemonset.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE, NODE SELECTOR", () => {
  assert.deepEqual(
    daemonSetPrinter.print(
      {
        metadata: { name: "test1", creationTimestamp: new Date(now.getTime() + 1900).toISOString() },
        spec: {
          template: {
            spec: {
              containers: [
                { name: "fake-container1", image: "fake-image1" },
                { name: "fake-container2", image: "fake-image2" },
              ],
            },
          },
          selector: { matchLabels: { foo: "bar" } },
        },
        status: {
          currentNumberScheduled: 2,
          desiredNumberScheduled: 3,
          numberReady: 1,
          updatedNumberScheduled: 2,
          numberAvailable: 0,
          numberMisscheduled: 0,
        },
      },
      { now },
    ).cells,
    [
      "test1",
      3,
      2,
      1,
      2,
      0,
      "<none>",
      "0s",
      "fake-container1,fake-container2",
      "fake-image1,fake-image2",
      "foo=bar",
    ],
  );
  assert.equal(
    daemonSetPrinter.print(
      {
        metadata: { name: "kube-proxy" },
        spec: {
          selector: {},
          template: { spec: { containers: [], nodeSelector: { "kubernetes.io/os": "linux" } } },
        },
      },
      { now },
    ).cells[6],
    "kubernetes.io/os=linux",
  );
});
