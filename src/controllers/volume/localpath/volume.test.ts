// The local-path volume for a claim, and reading path and node back from it,
// with local-path-provisioner's refusals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { localPathStorageClass } from "./storage-class.ts";
import { getPathAndNodeForPV, newLocalPathVolume, provisionedVolumeName } from "./volume.ts";

const claim = (o: Partial<{ modes: string[]; selector: boolean }> = {}): PersistentVolumeClaim => ({
  metadata: { name: "data", namespace: "web", uid: "1234", resourceVersion: "9" },
  spec: {
    accessModes: o.modes ?? ["ReadWriteOnce"],
    resources: { requests: { storage: "3Gi" } },
    storageClassName: "local-path",
    selector: o.selector ? { matchLabels: { a: "b" } } : undefined,
  },
});
const node: Node = { metadata: { name: "node-1", labels: { "kubernetes.io/hostname": "host-1" } } };
const make = (c: PersistentVolumeClaim, n: Node | null = node) =>
  newLocalPathVolume({
    claim: c,
    storageClass: localPathStorageClass(),
    pvName: provisionedVolumeName(c),
    node: n ?? undefined,
    baseDir: "/data/lp/",
  });

describe("newLocalPathVolume", () => {
  it("a hostPath under the base dir, pinned to the node's hostname, pre-bound to the claim", () => {
    assert.deepEqual(make(claim()), {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name: "pvc-1234",
        annotations: { "pv.kubernetes.io/provisioned-by": "k8ts.io/local-path" },
      },
      spec: {
        persistentVolumeReclaimPolicy: "Delete",
        accessModes: ["ReadWriteOnce"],
        volumeMode: "Filesystem",
        capacity: { storage: "3Gi" },
        hostPath: { path: "/data/lp/pvc-1234_web_data", type: "DirectoryOrCreate" },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["host-1"] }] },
            ],
          },
        },
        claimRef: {
          kind: "PersistentVolumeClaim",
          namespace: "web",
          name: "data",
          uid: "1234",
          apiVersion: "v1",
          resourceVersion: "9",
        },
        storageClassName: "local-path",
      },
    });
  });

  it("refuses selectors, shared and read-only modes, and a missing node", () => {
    assert.throws(() => make(claim({ selector: true })), { message: "claim.Spec.Selector is not supported" });
    assert.throws(() => make(claim({ modes: ["ReadWriteMany"] })), {
      message: "NodePath '/data/lp/' is not shared filesystem",
    });
    assert.throws(() => make(claim({ modes: ["ReadOnlyMany"] })), {
      message: "ReadOnlyMany access mode is not supported",
    });
    assert.doesNotThrow(() => make(claim({ modes: ["ReadWriteOncePod"] })));
    assert.throws(() => make(claim(), null), { message: "configuration error, no node was specified" });
  });
});

describe("getPathAndNodeForPV", () => {
  it("reads back what newLocalPathVolume wrote", () => {
    assert.deepEqual(getPathAndNodeForPV(make(claim())), {
      path: "/data/lp/pvc-1234_web_data",
      node: "host-1",
    });
  });

  it("names what is missing", () => {
    assert.throws(() => getPathAndNodeForPV({ spec: {} }), { message: "no HostPath set" });
    assert.throws(() => getPathAndNodeForPV({ spec: { hostPath: { path: "/x" } } }), {
      message: "no NodeAffinity set",
    });
    assert.throws(() => getPathAndNodeForPV({ spec: { hostPath: { path: "/x" }, nodeAffinity: {} } }), {
      message: "no NodeAffinity.Required set",
    });
    const terms = (values: string[]) => ({
      hostPath: { path: "/x" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values }] },
          ],
        },
      },
    });
    assert.throws(() => getPathAndNodeForPV({ spec: terms(["a", "b"]) }), {
      message: "multiple values for the node affinity",
    });
    assert.throws(
      () =>
        getPathAndNodeForPV({
          spec: { hostPath: { path: "/x" }, nodeAffinity: { required: { nodeSelectorTerms: [{}] } } },
        }),
      { message: "cannot find affinited node" },
    );
  });
});
