// The PersistentVolume binder against the real apiserver: static binding
// (the smallest fitting volume, label selectors, volumes pre-bound by
// claimRef, claims naming a volume), claims that find nothing, the external
// provisioning handshake, WaitForFirstConsumer, and reclaiming (Retain keeps
// a Released volume; Delete without a deleter fails as upstream's does).
// Each test uses its own storage class name so their volumes never mix.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { persistentVolumeBinderDescriptor } from "../../src/controllers/volume/persistentvolume/index.ts";
import { STORAGE_CLASSES } from "../../src/controllers/volume/util/resources.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 1, controllers: [persistentVolumeBinderDescriptor] });
});
after(() => c.stop());

const NS = { namespace: "default" };
const WAIT = 20_000;

function pv(
  name: string,
  size: string,
  o: {
    class?: string;
    modes?: string[];
    labels?: Record<string, string>;
    claimRef?: PersistentVolume["spec"] extends infer S
      ? S extends { claimRef?: infer R }
        ? R
        : never
      : never;
    policy?: string;
    annotations?: Record<string, string>;
  } = {},
): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, labels: o.labels, annotations: o.annotations },
    spec: {
      capacity: { storage: size },
      accessModes: o.modes ?? ["ReadWriteOnce"],
      storageClassName: o.class,
      hostPath: { path: `/tmp/${name}` },
      claimRef: o.claimRef,
      persistentVolumeReclaimPolicy: o.policy ?? "Retain",
    },
  };
}

function pvc(
  name: string,
  size: string,
  o: { class?: string; modes?: string[]; selector?: Record<string, string>; volumeName?: string } = {},
): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default" },
    spec: {
      accessModes: o.modes ?? ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
      storageClassName: o.class,
      selector: o.selector ? { matchLabels: o.selector } : undefined,
      volumeName: o.volumeName,
    },
  };
}

const createPV = (v: PersistentVolume) => c.client.create(Resources.persistentvolumes, v);
const createPVC = (v: PersistentVolumeClaim) => c.client.create(Resources.persistentvolumeclaims, v, NS);
const getPV = (name: string) => c.client.get<PersistentVolume>(Resources.persistentvolumes, name);
const getPVC = (name: string) =>
  c.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, name, NS);

function waitBound(name: string): Promise<PersistentVolumeClaim> {
  return c.waitFor(
    `claim ${name} Bound`,
    async () => {
      const claim = await getPVC(name);
      return claim.status?.phase === "Bound" ? claim : undefined;
    },
    WAIT,
  );
}

function waitVolumePhase(name: string, phase: string): Promise<PersistentVolume> {
  return c.waitFor(
    `volume ${name} ${phase}`,
    async () => {
      const v = await getPV(name);
      return v.status?.phase === phase ? v : undefined;
    },
    WAIT,
  );
}

/** Events about an object (those of cluster-scoped volumes are in "default", as upstream's). */
async function eventsFor(kind: string, name: string, uid?: string): Promise<Event[]> {
  const all = await c.client.list<Event>(Resources.events, NS);
  return all.items.filter(
    (e) =>
      e.involvedObject?.kind === kind &&
      e.involvedObject?.name === name &&
      (uid === undefined || e.involvedObject?.uid === uid),
  );
}

function waitEvent(kind: string, name: string, reason: string, uid?: string): Promise<Event> {
  return c.waitFor(
    `${reason} event on ${kind} ${name}`,
    async () => (await eventsFor(kind, name, uid)).find((e) => e.reason === reason),
    WAIT,
  );
}

test("a claim binds the smallest volume that fits, and both sides record the binding", async () => {
  await createPV(pv("smallest-1g", "1Gi", { class: "smallest" }));
  await createPV(pv("smallest-10g", "10Gi", { class: "smallest" }));
  await createPV(pv("smallest-5g", "5Gi", { class: "smallest" }));
  // Big enough but with the wrong access modes, or in another class.
  await createPV(pv("smallest-rwx-only", "3Gi", { class: "smallest", modes: ["ReadWriteMany"] }));
  await createPV(pv("smallest-other-class", "3Gi", { class: "other" }));
  // Every unclaimed volume becomes Available; the claim comes once the binder has seen them all.
  for (const name of [
    "smallest-1g",
    "smallest-10g",
    "smallest-5g",
    "smallest-rwx-only",
    "smallest-other-class",
  ])
    await waitVolumePhase(name, "Available");
  const created = await createPVC(pvc("smallest", "2Gi", { class: "smallest" }));

  const claim = await waitBound("smallest");
  assert.equal(claim.spec?.volumeName, "smallest-5g");
  assert.equal(claim.metadata?.annotations?.["pv.kubernetes.io/bind-completed"], "yes");
  assert.equal(claim.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
  assert.deepEqual(claim.status?.capacity, { storage: "5Gi" });
  assert.deepEqual(claim.status?.accessModes, ["ReadWriteOnce"]);

  const vol = await waitVolumePhase("smallest-5g", "Bound");
  assert.equal(vol.spec?.claimRef?.kind, "PersistentVolumeClaim");
  assert.equal(vol.spec?.claimRef?.namespace, "default");
  assert.equal(vol.spec?.claimRef?.name, "smallest");
  assert.equal(vol.spec?.claimRef?.uid, created.metadata?.uid);
  assert.equal(vol.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
  for (const other of ["smallest-1g", "smallest-10g", "smallest-rwx-only"]) {
    const v = await getPV(other);
    assert.equal(v.status?.phase, "Available", other);
    assert.equal(v.spec?.claimRef, undefined, other);
  }
});

test("a claim's selector picks among volumes by their labels", async () => {
  await createPV(pv("selector-slow", "1Gi", { class: "selector", labels: { tier: "slow" } }));
  await createPV(pv("selector-fast", "8Gi", { class: "selector", labels: { tier: "fast" } }));
  await waitVolumePhase("selector-fast", "Available");
  await createPVC(pvc("selector", "1Gi", { class: "selector", selector: { tier: "fast" } }));
  assert.equal((await waitBound("selector")).spec?.volumeName, "selector-fast");
  assert.equal((await getPV("selector-slow")).status?.phase, "Available");
});

test("a volume pre-bound by claimRef waits for its claim; a claim naming a volume gets it", async () => {
  // The reserved volume is smaller than the free one, so only the reservation keeps "prebound-other" off it.
  await createPV(
    pv("prebound-reserved", "2Gi", {
      class: "prebound",
      claimRef: { namespace: "default", name: "prebound-mine" },
    }),
  );
  await createPV(pv("prebound-free", "4Gi", { class: "prebound" }));
  await createPV(pv("prebound-named", "9Gi", { class: "prebound" }));
  await waitVolumePhase("prebound-reserved", "Available");
  await waitVolumePhase("prebound-named", "Available");

  await createPVC(pvc("prebound-other", "1Gi", { class: "prebound" }));
  assert.equal((await waitBound("prebound-other")).spec?.volumeName, "prebound-free");

  const mine = await createPVC(pvc("prebound-mine", "1Gi", { class: "prebound" }));
  const boundMine = await waitBound("prebound-mine");
  assert.equal(boundMine.spec?.volumeName, "prebound-reserved");
  const reserved = await waitVolumePhase("prebound-reserved", "Bound");
  assert.equal(reserved.spec?.claimRef?.uid, mine.metadata?.uid);
  // The user made this binding: no bound-by-controller on the volume.
  assert.equal(reserved.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined);

  // A claim that names its volume: the claim's side was the user's, the volume's side the controller's.
  await createPVC(pvc("prebound-named", "1Gi", { class: "prebound", volumeName: "prebound-named" }));
  const named = await waitBound("prebound-named");
  assert.equal(named.spec?.volumeName, "prebound-named");
  assert.equal(named.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined);
  assert.equal(named.metadata?.annotations?.["pv.kubernetes.io/bind-completed"], "yes");
  const namedPV = await waitVolumePhase("prebound-named", "Bound");
  assert.equal(namedPV.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
});

test("a claim nothing fits stays Pending with upstream's FailedBinding event", async () => {
  await createPVC(pvc("nothing-fits", "100Ti", { class: "" }));
  const ev = await waitEvent("PersistentVolumeClaim", "nothing-fits", "FailedBinding");
  assert.equal(ev.type, "Normal");
  assert.equal(ev.message, "no persistent volumes available for this claim and no storage class is set");
  assert.equal(ev.source?.component, "persistentvolume-controller");
  const claim = await getPVC("nothing-fits");
  assert.equal(claim.status?.phase, "Pending");
  assert.equal(claim.spec?.volumeName, undefined);

  // A named volume of the wrong size is refused with VolumeMismatch.
  await createPV(pv("mismatch-small", "1Gi", { class: "mismatch" }));
  await createPVC(pvc("mismatch", "2Gi", { class: "mismatch", volumeName: "mismatch-small" }));
  const mismatch = await waitEvent("PersistentVolumeClaim", "mismatch", "VolumeMismatch");
  assert.equal(mismatch.type, "Warning");
  assert.equal(
    mismatch.message,
    'Cannot bind to requested volume "mismatch-small": requested PV is too small',
  );
  assert.equal((await getPVC("mismatch")).status?.phase, "Pending");
});

test("a class with an external provisioner: the claim is annotated, the provisioner's volume is bound", async () => {
  await c.client.create<StorageClass>(STORAGE_CLASSES, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "external" },
    provisioner: "example.com/nfs",
    volumeBindingMode: "Immediate",
  });
  const claim = await createPVC(pvc("external", "1Gi", { class: "external" }));
  const annotated = await c.waitFor(
    "the storage-provisioner annotations",
    async () => {
      const cl = await getPVC("external");
      return cl.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"] ? cl : undefined;
    },
    WAIT,
  );
  assert.equal(
    annotated.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"],
    "example.com/nfs",
  );
  assert.equal(
    annotated.metadata?.annotations?.["volume.beta.kubernetes.io/storage-provisioner"],
    "example.com/nfs",
  );
  const ev = await waitEvent("PersistentVolumeClaim", "external", "ExternalProvisioning");
  assert.equal(
    ev.message,
    "Waiting for a volume to be created either by the external provisioner 'example.com/nfs' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
  );

  // The provisioner's part: a volume already pointing at the claim.
  await createPV(
    pv(`pvc-${claim.metadata?.uid}`, "1Gi", {
      class: "external",
      policy: "Delete",
      claimRef: {
        kind: "PersistentVolumeClaim",
        namespace: "default",
        name: "external",
        uid: claim.metadata?.uid,
      },
      annotations: { "pv.kubernetes.io/provisioned-by": "example.com/nfs" },
    }),
  );
  assert.equal((await waitBound("external")).spec?.volumeName, `pvc-${claim.metadata?.uid}`);
  await waitVolumePhase(`pvc-${claim.metadata?.uid}`, "Bound");

  // Deleting the claim releases the volume for its provisioner; the binder does not delete it.
  await c.client.delete(Resources.persistentvolumeclaims, "external", NS);
  await waitVolumePhase(`pvc-${claim.metadata?.uid}`, "Released");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await getPV(`pvc-${claim.metadata?.uid}`)).status?.phase, "Released");
});

test("a WaitForFirstConsumer claim without a pod waits, with upstream's event", async () => {
  await c.client.create<StorageClass>(STORAGE_CLASSES, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "wffc" },
    provisioner: "example.com/local",
    volumeBindingMode: "WaitForFirstConsumer",
  });
  await createPV(pv("wffc-1g", "1Gi", { class: "wffc" }));
  await waitVolumePhase("wffc-1g", "Available");
  await createPVC(pvc("wffc", "1Gi", { class: "wffc" }));
  const ev = await waitEvent("PersistentVolumeClaim", "wffc", "WaitForFirstConsumer");
  assert.equal(ev.message, "waiting for first consumer to be created before binding");
  const claim = await getPVC("wffc");
  // The scheduler binds it, not the PV controller; no provisioner asked yet.
  assert.equal(claim.status?.phase, "Pending");
  assert.equal(claim.spec?.volumeName, undefined);
  assert.equal(claim.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"], undefined);
  assert.equal((await getPV("wffc-1g")).status?.phase, "Available");
});

test("Retain: the volume of a deleted claim is Released and keeps its claimRef", async () => {
  await createPV(pv("retain-1g", "1Gi", { class: "retain" }));
  await waitVolumePhase("retain-1g", "Available");
  const claim = await createPVC(pvc("retain", "1Gi", { class: "retain" }));
  await waitBound("retain");
  await c.client.delete(Resources.persistentvolumeclaims, "retain", NS);
  const released = await waitVolumePhase("retain-1g", "Released");
  assert.equal(released.spec?.claimRef?.uid, claim.metadata?.uid);
  assert.equal(released.spec?.persistentVolumeReclaimPolicy, "Retain");
  // A new claim of the same name does not get the released volume back.
  const again = await createPVC(pvc("retain", "1Gi", { class: "retain" }));
  const ev = await waitEvent("PersistentVolumeClaim", "retain", "ProvisioningFailed", again.metadata?.uid);
  assert.equal(ev.message, 'storageclass.storage.k8s.io "retain" not found');
  assert.equal((await getPVC("retain")).status?.phase, "Pending");
  assert.equal((await getPV("retain-1g")).status?.phase, "Released");
});

test("Delete on a volume no provisioner made: Failed with upstream's VolumeFailedDelete", async () => {
  await createPV(pv("delete-1g", "1Gi", { class: "delete", policy: "Delete" }));
  await waitVolumePhase("delete-1g", "Available");
  await createPVC(pvc("delete", "1Gi", { class: "delete" }));
  await waitBound("delete");
  await c.client.delete(Resources.persistentvolumeclaims, "delete", NS);
  const failed = await waitVolumePhase("delete-1g", "Failed");
  const message = 'error getting deleter volume plugin for volume "delete-1g": no volume plugin matched';
  assert.equal(failed.status?.message, message);
  const ev = await waitEvent("PersistentVolume", "delete-1g", "VolumeFailedDelete");
  assert.equal(ev.type, "Warning");
  assert.equal(ev.message, message);
  await c.client.delete(Resources.persistentvolumes, "delete-1g").catch((e) => {
    if (!isNotFound(e)) throw e;
  });
});
