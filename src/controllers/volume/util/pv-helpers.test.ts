// The PV controller's class helpers, after upstream's pv_helpers_test.go;
// volume matching and binding are tested in src/api/storage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { findMatchingVolume, getDefaultClass, persistentVolumeClaimHasClass } from "./pv-helpers.ts";

function pv(
  name: string,
  size: string,
  o: { ref?: { namespace: string; name: string } } = {},
): PersistentVolume {
  return {
    metadata: { name },
    spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], claimRef: o.ref },
    status: { phase: "Available" },
  };
}

function claim(size: string, o: { cls?: string } = {}): PersistentVolumeClaim {
  return {
    metadata: { name: "claim01", namespace: "myns", uid: "uid-claim01", resourceVersion: "3" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      storageClassName: o.cls,
    },
  };
}

const names = (v: PersistentVolume | undefined) => v?.metadata?.name;

describe("findMatchingVolume (the PV controller's call; the cases are in src/api/storage)", () => {
  const vols = [pv("gce-pd-10", "10G"), pv("nfs-1", "1G")];

  it("takes the smallest fitting volume, and with delayed binding only a pre-bound one", () => {
    assert.equal(names(findMatchingVolume(claim("2G"), vols, false)), "gce-pd-10");
    assert.equal(findMatchingVolume(claim("1G"), vols, true), undefined);
    const pre = pv("prebound", "20G", { ref: { namespace: "myns", name: "claim01" } });
    assert.equal(names(findMatchingVolume(claim("1G"), [...vols, pre], true)), "prebound");
  });
});

describe("classes", () => {
  it("an empty class name is still a class, and so is the beta annotation", () => {
    const c = claim("1G");
    assert.equal(persistentVolumeClaimHasClass(c), false);
    c.metadata = { ...c.metadata, annotations: { "volume.beta.kubernetes.io/storage-class": "" } };
    assert.equal(persistentVolumeClaimHasClass(c), true);
    assert.equal(persistentVolumeClaimHasClass(claim("1G", { cls: "" })), true);
  });

  it("getDefaultClass: the newest default class, then by name", () => {
    const sc = (name: string, created: string, def = "true"): StorageClass => ({
      metadata: {
        name,
        creationTimestamp: created,
        annotations: { "storageclass.kubernetes.io/is-default-class": def },
      },
      provisioner: "p",
    });
    const list = [
      sc("old", "2024-01-01T00:00:00Z"),
      sc("b-new", "2024-06-01T00:00:00Z"),
      sc("a-new", "2024-06-01T00:00:00Z"),
      sc("newest-not-default", "2025-01-01T00:00:00Z", "false"),
    ];
    assert.equal(getDefaultClass(list)?.metadata?.name, "a-new");
    assert.equal(getDefaultClass([sc("x", "2024-01-01T00:00:00Z", "false")]), undefined);
  });
});
