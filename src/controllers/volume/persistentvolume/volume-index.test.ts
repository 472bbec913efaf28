// The access-mode index, after upstream's index_test.go: claims search the
// volume groups with the fewest extra modes first.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { getAccessModesAsString } from "../util/access-modes.ts";
import { allPossibleMatchingAccessModes, findBestMatchForClaim } from "./volume-index.ts";

const pv = (name: string, size: string, modes: string[]): PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: modes },
  status: { phase: "Available" },
});
const claim = (size: string, modes: string[]): PersistentVolumeClaim => ({
  metadata: { name: "c", namespace: "ns", uid: "u" },
  spec: { accessModes: modes, resources: { requests: { storage: size } } },
});

describe("access modes as strings", () => {
  it("fixed order RWO, ROX, RWX, RWOP; duplicates dropped", () => {
    assert.equal(getAccessModesAsString(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"]), "RWO,RWX");
    assert.equal(getAccessModesAsString(["ReadWriteOncePod", "ReadOnlyMany"]), "ROX,RWOP");
    assert.equal(getAccessModesAsString(undefined), "");
  });

  it("allPossibleMatchingAccessModes: supersets of the request, fewest modes first", () => {
    const indexed = ["RWO,ROX,RWX", "RWO", "ROX", "RWO,ROX"];
    assert.deepEqual(allPossibleMatchingAccessModes(indexed, ["ReadWriteOnce"]), [
      ["ReadWriteOnce"],
      ["ReadWriteOnce", "ReadOnlyMany"],
      ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"],
    ]);
    assert.deepEqual(allPossibleMatchingAccessModes(indexed, ["ReadWriteMany"]), [
      ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"],
    ]);
  });
});

describe("findBestMatchForClaim", () => {
  const vols = [
    pv("gce-1", "1G", ["ReadWriteOnce", "ReadOnlyMany"]),
    pv("gce-5", "5G", ["ReadWriteOnce", "ReadOnlyMany"]),
    pv("nfs-1", "1G", ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"]),
    pv("nfs-10", "10G", ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"]),
    pv("local-8", "8G", ["ReadWriteOnce"]),
  ];

  it("an exact mode match first, even when a superset offers a smaller volume", () => {
    assert.equal(
      findBestMatchForClaim(claim("1G", ["ReadWriteOnce"]), vols, false)?.metadata?.name,
      "local-8",
    );
    assert.equal(
      findBestMatchForClaim(claim("1G", ["ReadWriteOnce", "ReadOnlyMany"]), vols, false)?.metadata?.name,
      "gce-1",
    );
    assert.equal(findBestMatchForClaim(claim("1G", ["ReadWriteMany"]), vols, false)?.metadata?.name, "nfs-1");
  });

  it("falls through to bigger mode sets when the smaller ones have nothing that fits", () => {
    assert.equal(
      findBestMatchForClaim(claim("9G", ["ReadWriteOnce"]), vols, false)?.metadata?.name,
      "nfs-10",
    );
    assert.equal(findBestMatchForClaim(claim("11G", ["ReadWriteOnce"]), vols, false), undefined);
  });
});
