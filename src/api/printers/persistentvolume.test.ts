// Cases from TestPrintPersistentVolume (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PersistentVolume } from "kubernetes-types/core/v1.d.ts";
import { persistentVolumePrinter } from "./persistentvolume.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (pv: PersistentVolume) => persistentVolumePrinter.print(pv, { now }).cells;
const claimRef = { name: "test", namespace: "default" };

test("capacity, access modes, phase, claim, class and volume attributes class", () => {
  assert.deepEqual(
    print({
      metadata: { name: "test1" },
      spec: { claimRef, accessModes: ["ReadOnlyMany"], capacity: { storage: "4Gi" } },
      status: { phase: "Bound" },
    }),
    ["test1", "4Gi", "ROX", "", "Bound", "default/test", "", "<unset>", "", "<unknown>", "<unset>"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test3" },
      spec: { claimRef, accessModes: ["ReadWriteMany"], capacity: { storage: "10Gi" } },
      status: { phase: "Pending" },
    }),
    ["test3", "10Gi", "RWX", "", "Pending", "default/test", "", "<unset>", "", "<unknown>", "<unset>"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test4" },
      spec: {
        claimRef,
        storageClassName: "my-scn",
        volumeAttributesClassName: "my-vacn",
        accessModes: ["ReadWriteOnce"],
        capacity: { storage: "10Gi" },
      },
      status: { phase: "Pending" },
    }),
    ["test4", "10Gi", "RWO", "", "Pending", "default/test", "my-scn", "my-vacn", "", "<unknown>", "<unset>"],
  );
  for (const phase of ["Failed", "Available", "Released"]) {
    assert.equal(print({ metadata: { name: "p" }, spec: { claimRef }, status: { phase } })[4], phase);
  }
});

test("a realistic released hostPath volume being deleted", () => {
  assert.deepEqual(
    print({
      metadata: {
        name: "pv-data",
        creationTimestamp: "2024-05-31T12:00:00Z",
        deletionTimestamp: "2024-06-01T11:59:00Z",
        annotations: { "volume.beta.kubernetes.io/storage-class": "legacy" },
      },
      spec: {
        capacity: { storage: "1024Mi" },
        accessModes: ["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "standard",
        volumeMode: "Filesystem",
        hostPath: { path: "/data" },
      },
      status: { phase: "Released", reason: "ClaimDeleted" },
    }),
    [
      "pv-data",
      "1Gi",
      "RWO,RWOP",
      "Retain",
      "Terminating",
      "",
      "legacy",
      "<unset>",
      "ClaimDeleted",
      "24h",
      "Filesystem",
    ],
  );
});
