// Cases from TestPrintStatefulSet (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { statefulSetPrinter } from "./statefulset.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("READY is ready/desired; wide adds containers and images", () => {
  assert.deepEqual(
    statefulSetPrinter.print(
      {
        metadata: { name: "test1", creationTimestamp: new Date(now.getTime() + 1900).toISOString() },
        spec: {
          replicas: 5,
          serviceName: "",
          selector: {},
          template: {
            spec: {
              containers: [
                { name: "fake-container1", image: "fake-image1" },
                { name: "fake-container2", image: "fake-image2" },
              ],
            },
          },
        },
        status: { replicas: 5, readyReplicas: 2 },
      },
      { now },
    ).cells,
    ["test1", "2/5", "0s", "fake-container1,fake-container2", "fake-image1,fake-image2"],
  );
  assert.deepEqual(
    statefulSetPrinter.columns.map((c) => c.name),
    ["Name", "Ready", "Age", "Containers", "Images"],
  );
});
