// Cases from TestPrintReplicaSet and TestPrintReplicaSetList (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { replicaSetPrinter } from "./replicaset.ts";

const now = new Date("2024-06-01T12:00:00Z");
const almostNow = new Date(now.getTime() + 1900).toISOString();

test("DESIRED, CURRENT, READY and the wide containers, images and selector", () => {
  assert.deepEqual(
    replicaSetPrinter.print(
      {
        metadata: { name: "test1", creationTimestamp: almostNow },
        spec: {
          replicas: 5,
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
        status: { replicas: 5, readyReplicas: 2 },
      },
      { now },
    ).cells,
    ["test1", 5, 5, 2, "0s", "fake-container1,fake-container2", "fake-image1,fake-image2", "foo=bar"],
  );
  assert.deepEqual(
    replicaSetPrinter.print(
      {
        metadata: { name: "replicaset2", creationTimestamp: almostNow },
        spec: { replicas: 4, selector: {} },
        status: { replicas: 3, readyReplicas: 1 },
      },
      { now },
    ).cells,
    ["replicaset2", 4, 3, 1, "0s", "", "", "<none>"],
  );
});
