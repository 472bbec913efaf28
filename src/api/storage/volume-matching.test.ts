// Volume-to-claim matching on both of upstream's paths (the PV controller's
// and the scheduler's), after component-helpers' pv_helpers_test.go, the PV
// controller's index_test.go and the scheduler's binder_test.go (v1.32).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { ANN_BOUND_BY_CONTROLLER } from "./annotations.ts";
import {
  checkAccessModes,
  checkNodeAffinity,
  checkVolumeModeMismatches,
  findMatchingVolume,
  getBindVolumeToClaim,
  getPersistentVolumeClaimClass,
  getPersistentVolumeClass,
  isDelayBindingMode,
  isVolumeBoundToClaim,
  nodeAffinityError,
  storageQuantity,
} from "./volume-matching.ts";

function pv(
  name: string,
  o: {
    class?: string;
    size?: string;
    phase?: string;
    modes?: string[];
    labels?: Record<string, string>;
    claim?: { name: string; namespace?: string; uid?: string };
    hostname?: string;
    volumeMode?: string;
    deleting?: boolean;
  } = {},
): PersistentVolume {
  return {
    metadata: {
      name,
      labels: o.labels,
      deletionTimestamp: o.deleting ? "2024-01-01T00:00:00Z" : undefined,
    },
    spec: {
      storageClassName: o.class ?? "sc",
      capacity: { storage: o.size ?? "1Gi" },
      accessModes: o.modes ?? ["ReadWriteOnce"],
      volumeMode: o.volumeMode,
      claimRef: o.claim
        ? { namespace: o.claim.namespace ?? "default", name: o.claim.name, uid: o.claim.uid }
        : undefined,
      nodeAffinity: o.hostname
        ? {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [o.hostname] }],
                },
              ],
            },
          }
        : undefined,
    },
    status: { phase: o.phase ?? "Available" },
  };
}

function pvc(
  name: string,
  o: {
    class?: string;
    size?: string;
    modes?: string[];
    selector?: Record<string, string>;
    uid?: string;
    volumeMode?: string;
  } = {},
): PersistentVolumeClaim {
  return {
    metadata: { namespace: "default", name, uid: o.uid ?? `uid-${name}`, resourceVersion: "7" },
    spec: {
      storageClassName: o.class ?? "sc",
      accessModes: o.modes ?? ["ReadWriteOnce"],
      resources: { requests: { storage: o.size ?? "1Gi" } },
      selector: o.selector ? { matchLabels: o.selector } : undefined,
      volumeMode: o.volumeMode,
    },
  };
}

const node = (hostname: string): Node => ({
  metadata: { name: hostname, labels: { "kubernetes.io/hostname": hostname } },
});
const nodeA = node("node-a");
const names = (v: PersistentVolume | undefined) => v?.metadata?.name;

describe("findMatchingVolume, both paths", () => {
  const vols = [
    pv("gce-pd-10", { size: "10G" }),
    pv("gce-pd-5", { size: "5G" }),
    pv("nfs-1", { size: "1G" }),
  ];

  for (const [path, opts] of [
    ["PV controller", {}],
    ["scheduler", { node: nodeA }],
  ] as const) {
    it(`${path}: the smallest volume at least as large as the request`, () => {
      assert.equal(names(findMatchingVolume(pvc("c", { size: "1G" }), vols, opts)), "nfs-1");
      assert.equal(names(findMatchingVolume(pvc("c", { size: "6G" }), vols, opts)), "gce-pd-10");
      assert.equal(findMatchingVolume(pvc("c", { size: "11G" }), vols, opts), undefined);
      // Binary and decimal units compare exactly: 5Gi > 5G.
      assert.equal(names(findMatchingVolume(pvc("c", { size: "5Gi" }), vols, opts)), "gce-pd-10");
    });

    it(`${path}: quantities compare exactly, not rounded to whole numbers`, () => {
      // Upstream compares resource.Quantity values: 1500m is less than 2.
      assert.equal(
        findMatchingVolume(pvc("c", { size: "2" }), [pv("p", { size: "1500m" })], opts),
        undefined,
      );
      // Beyond 2^53, where a float would call these equal.
      const big = [pv("p", { size: "9007199254740992" })];
      assert.equal(findMatchingVolume(pvc("c", { size: "9007199254740993" }), big, opts), undefined);
    });

    it(`${path}: skips other classes, non-Available, claimed elsewhere, being deleted, other volume modes`, () => {
      const skip = [
        pv("other-class", { class: "gold" }),
        pv("released", { phase: "Released" }),
        pv("claimed", { claim: { name: "someone-else" } }),
        pv("deleting", { deleting: true }),
        pv("block", { volumeMode: "Block" }),
      ];
      assert.equal(findMatchingVolume(pvc("c"), skip, opts), undefined);
      assert.equal(names(findMatchingVolume(pvc("c", { class: "gold" }), skip, opts)), "other-class");
      assert.equal(names(findMatchingVolume(pvc("c", { volumeMode: "Block" }), skip, opts)), "block");
    });

    it(`${path}: the claim's selector, and upstream's error for one that does not parse`, () => {
      const labelled = [
        pv("slow", { size: "1G", labels: { tier: "slow" } }),
        pv("fast", { size: "9G", labels: { tier: "fast" } }),
      ];
      assert.equal(
        names(findMatchingVolume(pvc("c", { selector: { tier: "fast" } }), labelled, opts)),
        "fast",
      );
      assert.throws(
        () => findMatchingVolume(pvc("c", { selector: { "bad key!": "x" } }), labelled, opts),
        /^Error: error creating internal label selector for claim: default\/c: /,
      );
    });

    it(`${path}: a volume pre-bound to the claim wins over smaller ones, whatever its phase and class`, () => {
      const pre = pv("prebound", { size: "20G", phase: "Pending", class: "x", claim: { name: "c" } });
      assert.equal(names(findMatchingVolume(pvc("c"), [...vols, pre], opts)), "prebound");
      // Bound to another uid: not this claim's.
      const other = pv("other-uid", { size: "20G", claim: { name: "c", uid: "old" } });
      assert.equal(names(findMatchingVolume(pvc("c", { size: "6G" }), [other, ...vols], opts)), "gce-pd-10");
      // Too small even if pre-bound.
      assert.equal(findMatchingVolume(pvc("c", { size: "30G" }), [pre], opts), undefined);
    });
  }

  it("PV controller: access modes are left to the caller's index", () => {
    const c = pvc("c", { modes: ["ReadWriteMany"] });
    assert.equal(names(findMatchingVolume(c, [pv("rwo")])), "rwo");
  });

  it("PV controller with delayed binding: only a pre-bound volume is taken", () => {
    assert.equal(findMatchingVolume(pvc("c"), vols, { delayBinding: true }), undefined);
    const pre = pv("prebound", { size: "20G", claim: { name: "c" } });
    assert.equal(names(findMatchingVolume(pvc("c"), [...vols, pre], { delayBinding: true })), "prebound");
  });

  it("scheduler: delayBinding does not apply once a node is given", () => {
    assert.equal(
      names(findMatchingVolume(pvc("c", { size: "1G" }), vols, { node: nodeA, delayBinding: true })),
      "nfs-1",
    );
  });

  it("scheduler: excluded volumes, access modes", () => {
    assert.equal(
      findMatchingVolume(pvc("c", { size: "1G" }), vols, {
        node: nodeA,
        excludedVolumes: new Set(["gce-pd-10", "gce-pd-5", "nfs-1"]),
      }),
      undefined,
    );
    const c = pvc("c", { modes: ["ReadWriteOnce", "ReadOnlyMany"] });
    const modes = [
      pv("rwo-only", { size: "1Gi" }),
      pv("rwo-rox-rwx", { size: "2Gi", modes: ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"] }),
    ];
    assert.equal(names(findMatchingVolume(c, modes, { node: nodeA })), "rwo-rox-rwx");
  });

  it("scheduler: PV node affinity", () => {
    const vols = [pv("pv-b", { hostname: "node-b" })];
    assert.equal(findMatchingVolume(pvc("c"), vols, { node: nodeA }), undefined);
    assert.equal(names(findMatchingVolume(pvc("c"), vols, { node: node("node-b") })), "pv-b");
    // Without a node (the PV controller) node affinity is not looked at.
    assert.equal(names(findMatchingVolume(pvc("c"), vols)), "pv-b");
  });

  it("scheduler: a pre-bound PV whose node affinity rejects the node means no match at all", () => {
    const c = pvc("c", { uid: "u1" });
    const pre = pv("pv-pre", {
      size: "100Gi",
      claim: { name: "c", uid: "u1" },
      phase: "Pending",
      hostname: "node-a",
    });
    const vols = [pv("pv-small"), pre];
    assert.equal(names(findMatchingVolume(c, vols, { node: nodeA })), "pv-pre");
    assert.equal(findMatchingVolume(c, vols, { node: node("node-b") }), undefined);
  });
});

describe("checkNodeAffinity", () => {
  const withTerms = (terms: NonNullable<PersistentVolume["spec"]>["nodeAffinity"]): PersistentVolume => ({
    metadata: { name: "pv" },
    spec: { nodeAffinity: terms },
  });

  it("no node affinity admits every node", () => {
    assert.equal(checkNodeAffinity(withTerms(undefined), {}), true);
  });

  it("terms are ORed, expressions ANDed, empty terms match nothing", () => {
    const p = withTerms({
      required: {
        nodeSelectorTerms: [
          {},
          {
            matchExpressions: [
              { key: "zone", operator: "In", values: ["a"] },
              { key: "disk", operator: "Exists" },
            ],
          },
          { matchExpressions: [{ key: "gen", operator: "Gt", values: ["3"] }] },
        ],
      },
    });
    assert.equal(checkNodeAffinity(p, { zone: "a", disk: "ssd" }), true);
    assert.equal(checkNodeAffinity(p, { zone: "a" }), false);
    assert.equal(checkNodeAffinity(p, { gen: "4" }), true);
    assert.equal(checkNodeAffinity(p, { gen: "3" }), false);
    assert.equal(nodeAffinityError(p, { gen: "3" }), "no matching NodeSelectorTerms");
    assert.equal(
      checkNodeAffinity(withTerms({ required: { nodeSelectorTerms: [{}] } }), { zone: "a" }),
      false,
    );
  });

  it("an invalid term matches nothing; matchFields do not restrict (upstream matches a label-only Node)", () => {
    const bad = withTerms({
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: [] }] }] },
    });
    assert.equal(checkNodeAffinity(bad, { zone: "a" }), false);
    assert.notEqual(nodeAffinityError(bad, { zone: "a" }), "no matching NodeSelectorTerms");
    const fields = withTerms({
      required: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["other"] }] }],
      },
    });
    assert.equal(checkNodeAffinity(fields, {}), true);
  });
});

describe("binding helpers", () => {
  it("isVolumeBoundToClaim: name and namespace must match, the uid when the claimRef has one", () => {
    const c = pvc("c");
    assert.equal(isVolumeBoundToClaim(pv("a"), c), false);
    assert.equal(isVolumeBoundToClaim(pv("a", { claim: { name: "c" } }), c), true);
    assert.equal(isVolumeBoundToClaim(pv("a", { claim: { name: "c", uid: "uid-c" } }), c), true);
    assert.equal(isVolumeBoundToClaim(pv("a", { claim: { name: "c", namespace: "other" } }), c), false);
    assert.equal(isVolumeBoundToClaim(pv("a", { claim: { name: "c", uid: "x" } }), c), false);
  });

  it("getBindVolumeToClaim sets claimRef (reference.GetReference) and bound-by-controller on a copy", () => {
    const v = pv("pv-a");
    const { pv: bound, dirty } = getBindVolumeToClaim(v, pvc("pvc-a"));
    assert.equal(dirty, true);
    assert.deepEqual(bound.spec?.claimRef, {
      kind: "PersistentVolumeClaim",
      namespace: "default",
      name: "pvc-a",
      uid: "uid-pvc-a",
      apiVersion: "v1",
      resourceVersion: "7",
    });
    assert.deepEqual(bound.metadata?.annotations, { [ANN_BOUND_BY_CONTROLLER]: "yes" });
    assert.equal(v.spec?.claimRef, undefined);
    assert.equal(getBindVolumeToClaim(bound, pvc("pvc-a")).dirty, false);
  });

  it("a user's pre-binding gets the uid filled in, never the bound-by-controller annotation", () => {
    const pre = getBindVolumeToClaim(pv("b", { claim: { name: "pvc-a" } }), pvc("pvc-a"));
    assert.equal(pre.dirty, true);
    assert.equal(pre.pv.spec?.claimRef?.uid, "uid-pvc-a");
    assert.equal(pre.pv.metadata?.annotations, undefined);
    const complete = getBindVolumeToClaim(
      pv("b", { claim: { name: "pvc-a", uid: "uid-pvc-a" } }),
      pvc("pvc-a"),
    );
    assert.equal(complete.dirty, false);
    assert.equal(complete.pv.metadata?.annotations, undefined);
  });
});

describe("classes, modes and sizes", () => {
  it("the beta annotation names the class before storageClassName", () => {
    const c = pvc("c", { class: "gold" });
    assert.equal(getPersistentVolumeClaimClass(c), "gold");
    c.metadata = { ...c.metadata, annotations: { "volume.beta.kubernetes.io/storage-class": "silver" } };
    assert.equal(getPersistentVolumeClaimClass(c), "silver");
    const v = pv("v", { class: "gold" });
    assert.equal(getPersistentVolumeClass(v), "gold");
    v.metadata = { ...v.metadata, annotations: { "volume.beta.kubernetes.io/storage-class": "" } };
    assert.equal(getPersistentVolumeClass(v), "");
    assert.equal(getPersistentVolumeClaimClass({}), "");
  });

  it("isDelayBindingMode: WaitForFirstConsumer only; a missing class is immediate; no mode is an error", () => {
    const classes: Record<string, StorageClass> = {
      wffc: { metadata: { name: "wffc" }, provisioner: "p", volumeBindingMode: "WaitForFirstConsumer" },
      now: { metadata: { name: "now" }, provisioner: "p", volumeBindingMode: "Immediate" },
      unset: { metadata: { name: "unset" }, provisioner: "p" },
    };
    const get = (n: string) => classes[n];
    assert.equal(isDelayBindingMode(pvc("c", { class: "wffc" }), get), true);
    assert.equal(isDelayBindingMode(pvc("c", { class: "now" }), get), false);
    assert.equal(isDelayBindingMode(pvc("c", { class: "missing" }), get), false);
    assert.equal(isDelayBindingMode(pvc("c", { class: "" }), get), false);
    assert.throws(() => isDelayBindingMode(pvc("c", { class: "unset" }), get), {
      message: 'VolumeBindingMode not set for StorageClass "unset"',
    });
  });

  it("an unset volumeMode is Filesystem on either side", () => {
    assert.equal(checkVolumeModeMismatches(pvc("c"), pv("v", { volumeMode: "Filesystem" })), false);
    assert.equal(checkVolumeModeMismatches(pvc("c", { volumeMode: "Block" }), pv("v")), true);
  });

  it("checkAccessModes: every requested mode offered", () => {
    assert.equal(checkAccessModes(pvc("c", { modes: [] }), pv("v")), true);
    assert.equal(checkAccessModes(pvc("c", { modes: ["ReadWriteOnce", "ReadWriteMany"] }), pv("v")), false);
  });

  it("storageQuantity: absent or unparsable is zero", () => {
    assert.equal(storageQuantity(undefined).isZero(), true);
    assert.equal(storageQuantity("lots").isZero(), true);
    assert.equal(storageQuantity("1Gi").cmp(storageQuantity("1G")), 1);
  });
});
