// PVC and PV protection with the binder, the scheduler and hollow kubelets:
// the finalizers are added to claims and volumes, a claim being deleted
// stays (deletionTimestamp set, finalizer kept) while a scheduled pod refers
// to it, even a finished one, as upstream; a bound volume being deleted stays
// while it is Bound.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { persistentVolumeBinderDescriptor } from "../../src/controllers/volume/persistentvolume/index.ts";
import { pvcProtectionDescriptor } from "../../src/controllers/volume/pvcprotection/index.ts";
import { pvProtectionDescriptor } from "../../src/controllers/volume/pvprotection/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 1,
    controllers: [persistentVolumeBinderDescriptor, pvcProtectionDescriptor, pvProtectionDescriptor],
  });
});
after(() => c.stop());

const NS = { namespace: "default" };
const WAIT = 20_000;

const getPVC = (name: string) =>
  c.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, name, NS);
const getPV = (name: string) => c.client.get<PersistentVolume>(Resources.persistentvolumes, name);
const gone = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
};

/** A volume and a claim of their own class, bound, with both protection finalizers in place. */
async function boundPair(name: string): Promise<void> {
  await c.client.create<PersistentVolume>(Resources.persistentvolumes, {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      storageClassName: name,
      hostPath: { path: `/tmp/${name}` },
      persistentVolumeReclaimPolicy: "Retain",
    },
  });
  await c.client.create<PersistentVolumeClaim>(
    Resources.persistentvolumeclaims,
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace: "default" },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        storageClassName: name,
      },
    },
    NS,
  );
  await c.waitFor(
    `claim ${name} Bound and protected`,
    async () => {
      const claim = await getPVC(name);
      const pv = await getPV(name);
      return (
        claim.status?.phase === "Bound" &&
        pv.status?.phase === "Bound" &&
        claim.metadata?.finalizers?.includes("kubernetes.io/pvc-protection") &&
        pv.metadata?.finalizers?.includes("kubernetes.io/pv-protection")
      );
    },
    WAIT,
  );
}

async function runPod(name: string, claim: string, annotations?: Record<string, string>): Promise<Pod> {
  await c.client.create<Pod>(
    Resources.pods,
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", annotations },
      spec: {
        restartPolicy: "Never",
        containers: [
          { name: "c", image: "k8ts.local/busybox:latest", volumeMounts: [{ name: "v", mountPath: "/v" }] },
        ],
        volumes: [{ name: "v", persistentVolumeClaim: { claimName: claim } }],
      },
    },
    NS,
  );
  return c.waitFor(
    `pod ${name} Running`,
    async () => {
      const p = await c.client.get<Pod>(Resources.pods, name, NS);
      return p.status?.phase === "Running" || p.status?.phase === "Succeeded" ? p : undefined;
    },
    WAIT,
  );
}

/** Deletes the claim and checks it is held: deletionTimestamp set, finalizer kept, for a while. */
async function deleteAndExpectHeld(name: string): Promise<void> {
  await c.client.delete(Resources.persistentvolumeclaims, name, NS);
  await c.waitFor(
    `claim ${name} terminating`,
    async () => !!(await getPVC(name)).metadata?.deletionTimestamp,
    WAIT,
  );
  // Give the controller time to (wrongly) let go.
  await new Promise((r) => setTimeout(r, 1500));
  const held = await getPVC(name);
  assert.ok(held.metadata?.deletionTimestamp);
  assert.deepEqual(held.metadata?.finalizers, ["kubernetes.io/pvc-protection"]);
}

test("a claim in use by a pod is kept until the pod is gone", async () => {
  await boundPair("in-use");
  await runPod("in-use-pod", "in-use");
  await deleteAndExpectHeld("in-use");
  await c.client.delete(Resources.pods, "in-use-pod", { ...NS, gracePeriodSeconds: 0 });
  await c.waitFor("claim in-use gone", () => gone(() => getPVC("in-use")), WAIT);
  // Retain: the volume is released, no longer Bound, so it may go too.
  const pv = await c.waitFor(
    "volume in-use Released",
    async () => {
      const v = await getPV("in-use");
      return v.status?.phase === "Released" ? v : undefined;
    },
    WAIT,
  );
  assert.deepEqual(pv.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
  await c.client.delete(Resources.persistentvolumes, "in-use");
  await c.waitFor("volume in-use gone", () => gone(() => getPV("in-use")), WAIT);
});

test("a finished pod that still exists keeps the claim too (upstream counts every scheduled pod)", async () => {
  await boundPair("finished");
  await runPod("finished-pod", "finished", { "fake.k8ts.io/run-seconds": "1" });
  await c.waitFor(
    "pod finished-pod Succeeded",
    async () => (await c.client.get<Pod>(Resources.pods, "finished-pod", NS)).status?.phase === "Succeeded",
    WAIT,
  );
  await deleteAndExpectHeld("finished");
  await c.client.delete(Resources.pods, "finished-pod", { ...NS, gracePeriodSeconds: 0 });
  await c.waitFor("claim finished gone", () => gone(() => getPVC("finished")), WAIT);
});

test("an unused claim goes at once", async () => {
  await boundPair("unused");
  await c.client.delete(Resources.persistentvolumeclaims, "unused", NS);
  await c.waitFor("claim unused gone", () => gone(() => getPVC("unused")), WAIT);
});

test("a Bound volume being deleted is kept until its claim lets it go", async () => {
  await boundPair("bound-pv");
  await c.client.delete(Resources.persistentvolumes, "bound-pv");
  await c.waitFor(
    "volume bound-pv terminating",
    async () => !!(await getPV("bound-pv")).metadata?.deletionTimestamp,
    WAIT,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const held = await getPV("bound-pv");
  assert.equal(held.status?.phase, "Bound");
  assert.deepEqual(held.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
  assert.equal((await getPVC("bound-pv")).status?.phase, "Bound");

  await c.client.delete(Resources.persistentvolumeclaims, "bound-pv", NS);
  await c.waitFor("volume bound-pv gone", () => gone(() => getPV("bound-pv")), WAIT);
});
