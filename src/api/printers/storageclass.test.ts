// Cases from TestPrintStorageClass (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { storageClassPrinter } from "./storageclass.ts";

const now = new Date("2024-06-01T12:00:00Z");
const fiveMinAgo = new Date(now.getTime() - 300_000).toISOString();
const print = (sc: StorageClass) => storageClassPrinter.print(sc, { now }).cells;

test("defaults for reclaim policy, binding mode and expansion", () => {
  assert.deepEqual(
    print({
      metadata: { name: "sc1", creationTimestamp: new Date(now.getTime() + 1900).toISOString() },
      provisioner: "kubernetes.io/glusterfs",
    }),
    ["sc1", "kubernetes.io/glusterfs", "Delete", "Immediate", false, "0s"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "sc6", creationTimestamp: fiveMinAgo },
      provisioner: "kubernetes.io/nfs",
      reclaimPolicy: "Retain",
      allowVolumeExpansion: true,
      volumeBindingMode: "WaitForFirstConsumer",
    }),
    ["sc6", "kubernetes.io/nfs", "Retain", "WaitForFirstConsumer", true, "5m"],
  );
});

test("the default class is marked in NAME", () => {
  assert.equal(
    print({
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "rancher.io/local-path",
    })[0],
    "standard (default)",
  );
  assert.equal(
    print({
      metadata: { name: "old", annotations: { "storageclass.beta.kubernetes.io/is-default-class": "true" } },
      provisioner: "p",
    })[0],
    "old (default)",
  );
  assert.equal(
    print({
      metadata: { name: "other", annotations: { "storageclass.kubernetes.io/is-default-class": "false" } },
      provisioner: "p",
    })[0],
    "other",
  );
});
