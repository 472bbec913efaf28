// PV matching and assume-cache behaviour, after upstream's pv_helpers_test.go
// and binder_test.go (v1.32).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { realClock } from "../../../client/clock.ts";
import { Indexer, type IndexerView } from "../../../client/indexer.ts";
import type { KubeObject, ResourceRef } from "../../../client/rest-client.ts";
import type { PluginApi } from "../../framework/interface.ts";
import {
  ANN_BOUND_BY_CONTROLLER,
  AssumeCache,
  type BinderHandle,
  checkNodeAffinity,
  findMatchingVolume,
  getBindVolumeToClaim,
  matchAllowedTopologies,
} from "./binder.ts";

function pv(
  name: string,
  o: {
    class?: string;
    size?: string;
    phase?: string;
    modes?: string[];
    labels?: Record<string, string>;
    claim?: { name: string; uid?: string };
    hostname?: string;
    volumeMode?: string;
    rv?: string;
  } = {},
): PersistentVolume {
  return {
    metadata: { name, labels: o.labels, resourceVersion: o.rv },
    spec: {
      storageClassName: o.class ?? "wait-sc",
      capacity: { storage: o.size ?? "1Gi" },
      accessModes: o.modes ?? ["ReadWriteOnce"],
      volumeMode: o.volumeMode,
      claimRef: o.claim ? { namespace: "default", name: o.claim.name, uid: o.claim.uid } : undefined,
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
  } = {},
): PersistentVolumeClaim {
  return {
    metadata: { namespace: "default", name, uid: o.uid ?? `uid-${name}`, resourceVersion: "7" },
    spec: {
      storageClassName: o.class ?? "wait-sc",
      accessModes: o.modes ?? ["ReadWriteOnce"],
      resources: { requests: { storage: o.size ?? "1Gi" } },
      selector: o.selector ? { matchLabels: o.selector } : undefined,
    },
  };
}

const nodeA = { "kubernetes.io/hostname": "node-a" };
const none = new Set<string>();

describe("findMatchingVolume", () => {
  it("takes the smallest volume that fits the request", () => {
    const vols = [
      pv("pv-200", { size: "200Gi" }),
      pv("pv-100", { size: "100Gi" }),
      pv("pv-10", { size: "10Gi" }),
    ];
    assert.equal(findMatchingVolume(pvc("c", { size: "50Gi" }), vols, nodeA, none)?.metadata?.name, "pv-100");
    assert.equal(findMatchingVolume(pvc("c", { size: "500Gi" }), vols, nodeA, none), undefined);
  });

  it("skips excluded, other-class, non-Available, bound-elsewhere and deleting volumes", () => {
    const del = pv("pv-del");
    const deleting: PersistentVolume = {
      ...del,
      metadata: { ...del.metadata, deletionTimestamp: "2024-01-01T00:00:00Z" },
    };
    const vols = [
      pv("pv-excluded"),
      pv("pv-other-class", { class: "other" }),
      pv("pv-released", { phase: "Released" }),
      pv("pv-bound", { claim: { name: "someone-else" } }),
      deleting,
    ];
    assert.equal(findMatchingVolume(pvc("c"), vols, nodeA, new Set(["pv-excluded"])), undefined);
  });

  it("checks access modes, volume mode and the claim's label selector", () => {
    const c = pvc("c", { modes: ["ReadWriteOnce", "ReadOnlyMany"], selector: { tier: "fast" } });
    const vols = [
      pv("pv-rwo-only", { labels: { tier: "fast" } }),
      pv("pv-slow", { modes: ["ReadWriteOnce", "ReadOnlyMany"], labels: { tier: "slow" } }),
      pv("pv-block", {
        modes: ["ReadWriteOnce", "ReadOnlyMany"],
        labels: { tier: "fast" },
        volumeMode: "Block",
      }),
      pv("pv-good", { modes: ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"], labels: { tier: "fast" } }),
    ];
    assert.equal(findMatchingVolume(c, vols, nodeA, none)?.metadata?.name, "pv-good");
  });

  it("honours PV node affinity", () => {
    const vols = [pv("pv-b", { hostname: "node-b" })];
    assert.equal(findMatchingVolume(pvc("c"), vols, nodeA, none), undefined);
    assert.equal(
      findMatchingVolume(pvc("c"), vols, { "kubernetes.io/hostname": "node-b" }, none)?.metadata?.name,
      "pv-b",
    );
  });

  it("a PV pre-bound to the claim wins over a smaller one, unless its node affinity rejects the node", () => {
    const c = pvc("c", { uid: "u1" });
    const pre = pv("pv-pre", {
      size: "100Gi",
      claim: { name: "c", uid: "u1" },
      phase: "Pending",
      hostname: "node-a",
    });
    const vols = [pv("pv-small"), pre];
    assert.equal(findMatchingVolume(c, vols, nodeA, none)?.metadata?.name, "pv-pre");
    assert.equal(findMatchingVolume(c, vols, { "kubernetes.io/hostname": "node-b" }, none), undefined);
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
    const fields = withTerms({
      required: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["other"] }] }],
      },
    });
    assert.equal(checkNodeAffinity(fields, {}), true);
  });
});

describe("matchAllowedTopologies", () => {
  const sc = (allowedTopologies?: StorageClass["allowedTopologies"]): StorageClass => ({
    metadata: { name: "sc" },
    provisioner: "example.com/csi",
    allowedTopologies,
  });
  it("no terms admit every node; otherwise a term's expressions must all match", () => {
    assert.equal(matchAllowedTopologies(sc(), {}), true);
    const zoned = sc([
      { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["z1", "z2"] }] },
    ]);
    assert.equal(matchAllowedTopologies(zoned, { "topology.kubernetes.io/zone": "z2" }), true);
    assert.equal(matchAllowedTopologies(zoned, { "topology.kubernetes.io/zone": "z3" }), false);
  });
});

describe("getBindVolumeToClaim", () => {
  it("sets claimRef from the claim and marks bound-by-controller, without touching the input", () => {
    const v = pv("pv-a");
    const c = pvc("pvc-a");
    const { pv: bound, dirty } = getBindVolumeToClaim(v, c);
    assert.equal(dirty, true);
    assert.deepEqual(bound.spec?.claimRef, {
      kind: "PersistentVolumeClaim",
      namespace: "default",
      name: "pvc-a",
      uid: "uid-pvc-a",
      apiVersion: "v1",
      resourceVersion: "7",
    });
    assert.equal(bound.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER], "yes");
    assert.equal(v.spec?.claimRef, undefined);
  });

  it("a PV pre-bound by the user keeps no bound-by-controller annotation", () => {
    const v = pv("pv-a", { claim: { name: "pvc-a", uid: "uid-pvc-a" } });
    const { pv: bound, dirty } = getBindVolumeToClaim(v, pvc("pvc-a"));
    assert.equal(dirty, false);
    assert.equal(bound.metadata?.annotations, undefined);
  });
});

describe("AssumeCache", () => {
  const setup = () => {
    const ix = new Indexer<KubeObject>();
    const handle: BinderHandle = {
      lister: <T extends KubeObject>(_res: ResourceRef) => ix.view() as unknown as IndexerView<T>,
      api: {} as PluginApi,
      clock: realClock,
    };
    const cache = new AssumeCache<PersistentVolume>(
      handle,
      { group: "", version: "v1", resource: "persistentvolumes", namespaced: false },
      "v1.PersistentVolume",
    );
    return { ix, cache };
  };

  it("serves the assumed object until the informer has a newer version", () => {
    const { ix, cache } = setup();
    ix.upsert(pv("pv-a", { rv: "5" }));
    const assumed = pv("pv-a", { rv: "5", claim: { name: "x" } });
    cache.assume(assumed);
    assert.equal(cache.get("pv-a"), assumed);
    assert.equal(cache.list()[0], assumed);
    assert.notEqual(cache.getAPI("pv-a"), assumed);
    // Same version again (a resync) keeps the assumption.
    ix.upsert(pv("pv-a", { rv: "5" }));
    assert.equal(cache.get("pv-a"), assumed);
    ix.upsert(pv("pv-a", { rv: "6" }));
    assert.equal(cache.get("pv-a")?.metadata?.resourceVersion, "6");
    assert.equal(cache.assumedCount, 0);
  });

  it("refuses an older version or an unknown object; restore drops the assumption", () => {
    const { ix, cache } = setup();
    ix.upsert(pv("pv-a", { rv: "5" }));
    assert.throws(
      () => cache.assume(pv("pv-a", { rv: "4" })),
      /v1.PersistentVolume "pv-a" is out of sync \(stored: 5, assume: 4\)/,
    );
    assert.throws(() => cache.assume(pv("pv-x", { rv: "1" })), /could not find v1.PersistentVolume "pv-x"/);
    cache.assume(pv("pv-a", { rv: "5", claim: { name: "x" } }));
    cache.restore("pv-a");
    assert.equal(cache.get("pv-a")?.spec?.claimRef, undefined);
  });
});
