// checkVolumeSatisfyClaim: why a claim cannot have the volume it names (upstream's texts).
import assert from "node:assert/strict";
import { it } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { EventRecorder } from "../../../client/event-recorder.ts";
import { FakeClock } from "../../../client/fake-clock.ts";
import { SharedInformerFactory } from "../../../client/informer-factory.ts";
import { Resources } from "../../../client/resources.ts";
import { RestClient } from "../../../client/rest-client.ts";
import { STORAGE_CLASSES } from "../util/resources.ts";
import { checkVolumeSatisfyClaim, PersistentVolumeController } from "./pv-controller.ts";

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

it("run with a signal already aborted returns at once and leaves no resync timer", async () => {
  // The manager may still be starting controllers when it is stopped (k8ts up's Ctrl-C right after
  // ready): a timer set then, with an abort listener that never fires, held the process for 15 s.
  const client = new RestClient({ server: "https://127.0.0.1:1", namespace: "default" });
  const clock = new FakeClock(0);
  const informers = new SharedInformerFactory({ client, clock });
  const c = new PersistentVolumeController({
    client,
    recorder: new EventRecorder({ client, component: "persistentvolume-controller", clock }),
    clock,
    volumeInformer: informers.forResource<PersistentVolume>(Resources.persistentvolumes),
    claimInformer: informers.forResource<PersistentVolumeClaim>(Resources.persistentvolumeclaims),
    classInformer: informers.forResource<StorageClass>(STORAGE_CLASSES),
    podInformer: informers.forResource<Pod>(Resources.pods),
  });
  const stop = new AbortController();
  stop.abort();
  await c.run(stop.signal);
  assert.equal(clock.pending, 0);
  client.close();
});
