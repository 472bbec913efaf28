// podUsesPVC, after upstream's pvc_protection_controller_test.go.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { podUsesPVC } from "./pvc-protection-controller.ts";

const pvc = (name: string, owner?: string): PersistentVolumeClaim => ({
  metadata: {
    name,
    namespace: "ns",
    ownerReferences: owner
      ? [{ apiVersion: "v1", kind: "Pod", name: "p", uid: owner, controller: true }]
      : undefined,
  },
});
const pod = (o: {
  node?: string;
  claim?: string;
  ephemeral?: string;
  shutDown?: boolean;
  phase?: string;
}): Pod => ({
  metadata: {
    name: "p",
    namespace: "ns",
    uid: "pod-uid",
    deletionTimestamp: o.shutDown ? "2024-01-01T00:00:00Z" : undefined,
    deletionGracePeriodSeconds: o.shutDown ? 0 : undefined,
  },
  spec: {
    nodeName: o.node,
    containers: [],
    volumes: [
      ...(o.claim ? [{ name: "v", persistentVolumeClaim: { claimName: o.claim } }] : []),
      ...(o.ephemeral ? [{ name: o.ephemeral, ephemeral: {} }] : []),
    ],
  },
  status: { phase: o.phase },
});

it("a scheduled pod naming the claim uses it, whatever its phase", () => {
  assert.equal(podUsesPVC(pod({ node: "n", claim: "data" }), pvc("data")), true);
  assert.equal(podUsesPVC(pod({ node: "n", claim: "data", phase: "Succeeded" }), pvc("data")), true);
  assert.equal(podUsesPVC(pod({ node: "n", claim: "other" }), pvc("data")), false);
});

it("an unscheduled pod does not: the kubelet will refuse a claim being deleted", () => {
  assert.equal(podUsesPVC(pod({ claim: "data" }), pvc("data")), false);
});

it("a generic ephemeral volume's claim counts only if the pod owns it and has not shut down", () => {
  assert.equal(podUsesPVC(pod({ node: "n", ephemeral: "scratch" }), pvc("p-scratch", "pod-uid")), true);
  assert.equal(podUsesPVC(pod({ node: "n", ephemeral: "scratch" }), pvc("p-scratch", "someone-else")), false);
  assert.equal(
    podUsesPVC(pod({ node: "n", ephemeral: "scratch", shutDown: true }), pvc("p-scratch", "pod-uid")),
    false,
  );
});
