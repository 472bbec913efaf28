// StorageClass topology and assume-cache behaviour, after upstream's
// binder_test.go (v1.32); PV matching is tested in src/api/storage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { realClock } from "../../../client/clock.ts";
import { Indexer, type IndexerView } from "../../../client/indexer.ts";
import type { KubeObject, ResourceRef } from "../../../client/rest-client.ts";
import type { PluginApi } from "../../framework/interface.ts";
import { AssumeCache, type BinderHandle, matchAllowedTopologies } from "./binder.ts";

function pv(name: string, o: { claim?: { name: string }; rv?: string } = {}): PersistentVolume {
  return {
    metadata: { name, resourceVersion: o.rv },
    spec: {
      storageClassName: "wait-sc",
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      claimRef: o.claim ? { namespace: "default", name: o.claim.name } : undefined,
    },
    status: { phase: "Available" },
  };
}

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
