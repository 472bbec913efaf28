// Cases from TestPrintPersistentVolumeClaim (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { persistentVolumeClaimPrinter } from "./persistentvolumeclaim.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (pvc: PersistentVolumeClaim) => persistentVolumeClaimPrinter.print(pvc, { now }).cells;

test("capacity and access modes show only once bound to a volume", () => {
  assert.deepEqual(
    print({
      metadata: { name: "test1" },
      spec: { volumeName: "my-volume", volumeMode: "Filesystem" },
      status: { phase: "Bound", accessModes: ["ReadOnlyMany"], capacity: { storage: "4Gi" } },
    }),
    ["test1", "Bound", "my-volume", "4Gi", "ROX", "", "<unset>", "<unknown>", "Filesystem"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test2" },
      spec: { volumeMode: "Filesystem" },
      status: { phase: "Lost", accessModes: ["ReadOnlyMany"], capacity: { storage: "4Gi" } },
    }),
    ["test2", "Lost", "", "", "", "", "<unset>", "<unknown>", "Filesystem"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test5" },
      spec: { volumeName: "my-volume", storageClassName: "my-scn", volumeAttributesClassName: "my-vacn" },
      status: { phase: "Pending", accessModes: ["ReadWriteOnce"], capacity: { storage: "10Gi" } },
    }),
    ["test5", "Pending", "my-volume", "10Gi", "RWO", "my-scn", "my-vacn", "<unknown>", "<unset>"],
  );
});

test("a claim being deleted is Terminating; a bound claim without status capacity prints 0", () => {
  assert.deepEqual(
    print({
      metadata: {
        name: "data-web-0",
        creationTimestamp: "2024-06-01T11:30:00Z",
        deletionTimestamp: "2024-06-01T11:59:00Z",
      },
      spec: {
        volumeName: "pvc-1234",
        storageClassName: "standard",
        resources: { requests: { storage: "1Gi" } },
      },
      status: { phase: "Bound" },
    }),
    ["data-web-0", "Terminating", "pvc-1234", "0", "", "standard", "<unset>", "30m", "<unset>"],
  );
});
