// Volume matching and binding helpers, after upstream's pv_helpers_test.go
// and the PV controller's index_test.go cases on the controller path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import {
  findMatchingVolume,
  getBindVolumeToClaim,
  getDefaultClass,
  getPersistentVolumeClaimClass,
  isDelayBindingMode,
  isVolumeBoundToClaim,
  persistentVolumeClaimHasClass,
} from "./pv-helpers.ts";

function pv(
  name: string,
  size: string,
  o: Partial<{
    cls: string;
    phase: string;
    labels: Record<string, string>;
    ref: object;
    mode: string;
    deleting: boolean;
  }> = {},
): PersistentVolume {
  return {
    metadata: { name, labels: o.labels, deletionTimestamp: o.deleting ? "2024-01-01T00:00:00Z" : undefined },
    spec: {
      capacity: { storage: size },
      accessModes: ["ReadWriteOnce"],
      storageClassName: o.cls,
      volumeMode: o.mode,
      claimRef: o.ref as PersistentVolume["spec"] extends infer S
        ? S extends { claimRef?: infer R }
          ? R
          : never
        : never,
    },
    status: { phase: o.phase ?? "Available" },
  };
}

function claim(
  size: string,
  o: Partial<{ cls: string; selector: Record<string, string>; mode: string }> = {},
): PersistentVolumeClaim {
  return {
    metadata: { name: "claim01", namespace: "myns", uid: "uid-claim01", resourceVersion: "3" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      storageClassName: o.cls,
      selector: o.selector ? { matchLabels: o.selector } : undefined,
      volumeMode: o.mode,
    },
  };
}

const names = (v: PersistentVolume | undefined) => v?.metadata?.name;

describe("findMatchingVolume (PV controller path)", () => {
  const vols = [pv("gce-pd-10", "10G"), pv("gce-pd-5", "5G"), pv("nfs-1", "1G"), pv("gce-pd-20", "20G")];

  it("takes the smallest volume at least as large as the request", () => {
    assert.equal(names(findMatchingVolume(claim("1G"), vols, false)), "nfs-1");
    assert.equal(names(findMatchingVolume(claim("6G"), vols, false)), "gce-pd-10");
    assert.equal(names(findMatchingVolume(claim("20G"), vols, false)), "gce-pd-20");
    assert.equal(findMatchingVolume(claim("21G"), vols, false), undefined);
    // Binary and decimal units compare exactly: 5Gi > 5G.
    assert.equal(names(findMatchingVolume(claim("5Gi"), vols, false)), "gce-pd-10");
  });

  it("skips volumes of another class, not Available, claimed by others, being deleted, or of another mode", () => {
    const skip = [
      pv("other-class", "5G", { cls: "gold" }),
      pv("released", "5G", { phase: "Released" }),
      pv("claimed", "5G", { ref: { namespace: "myns", name: "someone" } }),
      pv("deleting", "5G", { deleting: true }),
      pv("block", "5G", { mode: "Block" }),
    ];
    assert.equal(findMatchingVolume(claim("1G"), skip, false), undefined);
    assert.equal(names(findMatchingVolume(claim("1G", { cls: "gold" }), skip, false)), "other-class");
    assert.equal(names(findMatchingVolume(claim("1G", { mode: "Block" }), skip, false)), "block");
  });

  it("honours the claim's selector", () => {
    const labelled = [
      pv("slow", "1G", { labels: { tier: "slow" } }),
      pv("fast", "9G", { labels: { tier: "fast" } }),
    ];
    assert.equal(
      names(findMatchingVolume(claim("1G", { selector: { tier: "fast" } }), labelled, false)),
      "fast",
    );
    assert.throws(
      () =>
        findMatchingVolume(
          { ...claim("1G"), spec: { ...claim("1G").spec, selector: { matchLabels: { "bad key!": "x" } } } },
          labelled,
          false,
        ),
      /^Error: error creating internal label selector for claim: myns\/claim01: /,
    );
  });

  it("a volume pre-bound to the claim wins over smaller ones, whatever its phase and class", () => {
    const pre = pv("prebound", "20G", {
      phase: "Pending",
      cls: "x",
      ref: { namespace: "myns", name: "claim01" },
    });
    assert.equal(names(findMatchingVolume(claim("1G"), [...vols, pre], false)), "prebound");
    // Bound to another uid: not this claim's.
    const other = pv("other-uid", "20G", { ref: { namespace: "myns", name: "claim01", uid: "old" } });
    assert.equal(names(findMatchingVolume(claim("15G"), [other, ...vols], false)), "gce-pd-20");
    // Too small even if pre-bound.
    assert.equal(findMatchingVolume(claim("30G"), [pre], false), undefined);
  });

  it("with delayed binding only a pre-bound volume is taken", () => {
    assert.equal(findMatchingVolume(claim("1G"), vols, true), undefined);
    const pre = pv("prebound", "20G", { ref: { namespace: "myns", name: "claim01" } });
    assert.equal(names(findMatchingVolume(claim("1G"), [...vols, pre], true)), "prebound");
  });
});

describe("binding helpers", () => {
  it("isVolumeBoundToClaim: name and namespace must match, the uid when the claimRef has one", () => {
    const c = claim("1G");
    assert.equal(isVolumeBoundToClaim(pv("a", "1G"), c), false);
    assert.equal(
      isVolumeBoundToClaim(pv("a", "1G", { ref: { namespace: "myns", name: "claim01" } }), c),
      true,
    );
    assert.equal(
      isVolumeBoundToClaim(
        pv("a", "1G", { ref: { namespace: "myns", name: "claim01", uid: "uid-claim01" } }),
        c,
      ),
      true,
    );
    assert.equal(
      isVolumeBoundToClaim(pv("a", "1G", { ref: { namespace: "other", name: "claim01" } }), c),
      false,
    );
    assert.equal(
      isVolumeBoundToClaim(pv("a", "1G", { ref: { namespace: "myns", name: "claim01", uid: "x" } }), c),
      false,
    );
  });

  it("getBindVolumeToClaim sets the claimRef and bound-by-controller on a copy", () => {
    const v = pv("a", "1G");
    const { pv: bound, dirty } = getBindVolumeToClaim(v, claim("1G"));
    assert.equal(dirty, true);
    assert.deepEqual(bound.spec?.claimRef, {
      kind: "PersistentVolumeClaim",
      namespace: "myns",
      name: "claim01",
      uid: "uid-claim01",
      apiVersion: "v1",
      resourceVersion: "3",
    });
    assert.deepEqual(bound.metadata?.annotations, { "pv.kubernetes.io/bound-by-controller": "yes" });
    assert.equal(v.spec?.claimRef, undefined);
    // A user's pre-binding gets the uid, not the annotation; a complete binding is left alone.
    const pre = getBindVolumeToClaim(
      pv("b", "1G", { ref: { namespace: "myns", name: "claim01" } }),
      claim("1G"),
    );
    assert.equal(pre.dirty, true);
    assert.equal(pre.pv.metadata?.annotations, undefined);
    assert.equal(getBindVolumeToClaim(bound, claim("1G")).dirty, false);
  });
});

describe("classes", () => {
  it("the beta annotation names the class before storageClassName; an empty name is still a class", () => {
    const c = claim("1G", { cls: "gold" });
    assert.equal(getPersistentVolumeClaimClass(c), "gold");
    c.metadata = { ...c.metadata, annotations: { "volume.beta.kubernetes.io/storage-class": "silver" } };
    assert.equal(getPersistentVolumeClaimClass(c), "silver");
    assert.equal(persistentVolumeClaimHasClass(claim("1G")), false);
    assert.equal(persistentVolumeClaimHasClass(claim("1G", { cls: "" })), true);
  });

  it("isDelayBindingMode: WaitForFirstConsumer only; a missing class is immediate; no mode is an error", () => {
    const classes: Record<string, StorageClass> = {
      wffc: { metadata: { name: "wffc" }, provisioner: "p", volumeBindingMode: "WaitForFirstConsumer" },
      now: { metadata: { name: "now" }, provisioner: "p", volumeBindingMode: "Immediate" },
      unset: { metadata: { name: "unset" }, provisioner: "p" },
    };
    const get = (n: string) => classes[n];
    assert.equal(isDelayBindingMode(claim("1G", { cls: "wffc" }), get), true);
    assert.equal(isDelayBindingMode(claim("1G", { cls: "now" }), get), false);
    assert.equal(isDelayBindingMode(claim("1G", { cls: "missing" }), get), false);
    assert.equal(isDelayBindingMode(claim("1G"), get), false);
    assert.throws(() => isDelayBindingMode(claim("1G", { cls: "unset" }), get), {
      message: 'VolumeBindingMode not set for StorageClass "unset"',
    });
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
