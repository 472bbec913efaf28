// Cases from TestPrintReplicationController (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReplicationController } from "kubernetes-types/core/v1.d.ts";
import { replicationControllerPrinter } from "./replicationcontroller.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (rc: ReplicationController) => replicationControllerPrinter.print(rc, { now }).cells;
const template = {
  metadata: { labels: { a: "b" } },
  spec: { containers: [{ name: "test", image: "test_image" }] },
};

test("DESIRED, CURRENT, READY and the wide containers, images and selector", () => {
  assert.deepEqual(
    print({ metadata: { name: "rc1" }, spec: { replicas: 0, selector: { a: "b" }, template } }),
    ["rc1", 0, 0, 0, "<unknown>", "test", "test_image", "a=b"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "rc1" },
      spec: { replicas: 5, selector: { a: "b" }, template },
      status: { replicas: 3, readyReplicas: 1 },
    }),
    ["rc1", 5, 3, 1, "<unknown>", "test", "test_image", "a=b"],
  );
  // A bookmark-like object must not break printing.
  assert.deepEqual(
    print({ metadata: { annotations: { "k8s.io/initial-events-end": "true" } }, spec: { replicas: 0 } }),
    ["", 0, 0, 0, "<unknown>", "", "", "<none>"],
  );
});
