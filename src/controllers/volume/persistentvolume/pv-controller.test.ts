// checkVolumeSatisfyClaim: why a claim cannot have the volume it names (upstream's texts).
import assert from "node:assert/strict";
import { it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { checkVolumeSatisfyClaim } from "./pv-controller.ts";

const claim: PersistentVolumeClaim = {
  metadata: { name: "c", namespace: "ns" },
  spec: {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "2Gi" } },
    storageClassName: "gold",
  },
};
const volume = (
  o: Partial<{ size: string; cls: string; mode: string; modes: string[]; deleting: boolean }> = {},
): PersistentVolume => ({
  metadata: { name: "pv", deletionTimestamp: o.deleting ? "2024-01-01T00:00:00Z" : undefined },
  spec: {
    capacity: { storage: o.size ?? "2Gi" },
    storageClassName: o.cls ?? "gold",
    volumeMode: o.mode,
    accessModes: o.modes ?? ["ReadWriteOnce"],
  },
});

it("names the first reason in upstream's order, or none", () => {
  assert.equal(checkVolumeSatisfyClaim(volume(), claim), undefined);
  assert.equal(
    checkVolumeSatisfyClaim(volume({ deleting: true, size: "1Gi" }), claim),
    'the volume is marked for deletion "pv"',
  );
  assert.equal(
    checkVolumeSatisfyClaim(volume({ size: "1Gi", cls: "x" }), claim),
    "requested PV is too small",
  );
  assert.equal(checkVolumeSatisfyClaim(volume({ cls: "x" }), claim), "storageClassName does not match");
  assert.equal(checkVolumeSatisfyClaim(volume({ mode: "Block" }), claim), "incompatible volumeMode");
  assert.equal(
    checkVolumeSatisfyClaim(volume({ modes: ["ReadOnlyMany"] }), claim),
    "incompatible accessMode",
  );
});
