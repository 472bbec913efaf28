// The built-in local-path provisioner with the PV binder, the scheduler's
// VolumeBinding plugin and hollow kubelets: the default class it creates, a
// pod's claim provisioned on the node the pod was scheduled to, the data
// removed by a helper pod on that node once the claim is deleted, and a
// StatefulSet's volumeClaimTemplates end to end.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { statefulSetControllerDescriptor } from "../../src/controllers/statefulset/index.ts";
import { localPathProvisionerDescriptor } from "../../src/controllers/volume/localpath/index.ts";
import { persistentVolumeBinderDescriptor } from "../../src/controllers/volume/persistentvolume/index.ts";
import { pvcProtectionDescriptor } from "../../src/controllers/volume/pvcprotection/index.ts";
import { pvProtectionDescriptor } from "../../src/controllers/volume/pvprotection/index.ts";
import { STORAGE_CLASSES } from "../../src/controllers/volume/util/resources.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

const DIR = "/var/lib/k8ts-test/local-path";
let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    controllers: [
      persistentVolumeBinderDescriptor,
      localPathProvisionerDescriptor,
      pvcProtectionDescriptor,
      pvProtectionDescriptor,
      statefulSetControllerDescriptor,
    ],
    config: { localPathDir: DIR },
  });
  // Claims made before the class exists get no default from admission.
  await c.waitFor("StorageClass local-path", () => c.client.get(STORAGE_CLASSES, "local-path"), 20_000);
});
after(() => c.stop());

const NS = { namespace: "default" };
const WAIT = 30_000;

const getPVC = (name: string) =>
  c.client.get<PersistentVolumeClaim>(Resources.persistentvolumeclaims, name, NS);
const gone = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
};

async function events(kind: string, name: string): Promise<Event[]> {
  const all = await c.list<Event>(Resources.events);
  return all.filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name);
}

function waitEvent(kind: string, name: string, reason: string): Promise<Event> {
  return c.waitFor(
    `${reason} on ${kind} ${name}`,
    async () => (await events(kind, name)).find((e) => e.reason === reason),
    WAIT,
  );
}

/** Records every helper pod the provisioner creates, as the watch first sees it. */
function recordHelperPods(): { seen: Pod[]; stop(): void } {
  const abort = new AbortController();
  const seen: Pod[] = [];
  void (async () => {
    try {
      for await (const ev of c.client.watch<Pod>(Resources.pods, {
        namespace: "kube-system",
        signal: abort.signal,
      })) {
        if (ev.type === "ADDED" && ev.object.metadata?.name?.startsWith("helper-pod-")) seen.push(ev.object);
      }
    } catch {
      // aborted
    }
  })();
  return { seen, stop: () => abort.abort() };
}

test("the provisioner creates the default local-path StorageClass", async () => {
  const sc = await c.client.get<StorageClass>(STORAGE_CLASSES, "local-path");
  assert.equal(sc.provisioner, "k8ts.io/local-path");
  assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
  assert.equal(sc.reclaimPolicy, "Delete");
  assert.equal(sc.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"], "true");
});

test("a pod's claim is provisioned on the pod's node, bound, and its data removed after the claim goes", async () => {
  const created = await c.client.create<PersistentVolumeClaim>(
    Resources.persistentvolumeclaims,
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
    },
    NS,
  );
  // The default class, by admission or by the binder.
  const classed = await c.waitFor(
    "claim data gets the default class",
    async () => ((await getPVC("data")).spec?.storageClassName === "local-path" ? true : undefined),
    WAIT,
  );
  assert.equal(classed, true);
  const waiting = await waitEvent("PersistentVolumeClaim", "data", "WaitForFirstConsumer");
  assert.equal(waiting.message, "waiting for first consumer to be created before binding");
  assert.equal((await getPVC("data")).status?.phase, "Pending");

  await c.client.create<Pod>(
    Resources.pods,
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "writer", namespace: "default" },
      spec: {
        containers: [
          {
            name: "c",
            image: "k8ts.local/busybox:latest",
            volumeMounts: [{ name: "data", mountPath: "/data" }],
          },
        ],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
      },
    },
    NS,
  );
  const pod = await c.waitFor(
    "pod writer Running",
    async () => {
      const p = await c.client.get<Pod>(Resources.pods, "writer", NS);
      return p.status?.phase === "Running" ? p : undefined;
    },
    WAIT,
  );
  const node = pod.spec?.nodeName ?? "";
  assert.match(node, /^node-\d$/);

  const claim = await getPVC("data");
  const pvName = `pvc-${created.metadata?.uid}`;
  assert.equal(claim.status?.phase, "Bound");
  assert.equal(claim.spec?.volumeName, pvName);
  assert.equal(claim.metadata?.annotations?.["volume.kubernetes.io/selected-node"], node);
  assert.equal(
    claim.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"],
    "k8ts.io/local-path",
  );
  assert.deepEqual(claim.status?.capacity, { storage: "2Gi" });
  assert.deepEqual(claim.metadata?.finalizers, ["kubernetes.io/pvc-protection"]);

  const pv = await c.client.get<PersistentVolume>(Resources.persistentvolumes, pvName);
  assert.equal(pv.status?.phase, "Bound");
  assert.equal(pv.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"], "k8ts.io/local-path");
  assert.deepEqual(pv.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
  assert.deepEqual(pv.spec?.hostPath, { path: `${DIR}/${pvName}_default_data`, type: "DirectoryOrCreate" });
  assert.deepEqual(pv.spec?.nodeAffinity, {
    required: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
      ],
    },
  });
  assert.deepEqual(pv.spec?.capacity, { storage: "2Gi" });
  assert.deepEqual(pv.spec?.accessModes, ["ReadWriteOnce"]);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, "Delete");
  assert.equal(pv.spec?.storageClassName, "local-path");
  assert.equal(pv.spec?.claimRef?.uid, created.metadata?.uid);

  const provisioned = await waitEvent("PersistentVolumeClaim", "data", "ProvisioningSucceeded");
  assert.equal(provisioned.message, `Successfully provisioned volume ${pvName}`);
  assert.equal(provisioned.source?.component, "k8ts.io/local-path");
  const external = await waitEvent("PersistentVolumeClaim", "data", "ExternalProvisioning");
  assert.equal(external.source?.component, "persistentvolume-controller");

  // The pod goes first, then the claim: the helper pod clears the directory, then the volume goes.
  const helpers = recordHelperPods();
  await c.client.delete(Resources.pods, "writer", { ...NS, gracePeriodSeconds: 0 });
  await c.waitFor("pod writer gone", () => gone(() => c.client.get(Resources.pods, "writer", NS)), WAIT);
  await c.client.delete(Resources.persistentvolumeclaims, "data", NS);
  await c.waitFor("claim data gone", () => gone(() => getPVC("data")), WAIT);
  await c.waitFor(
    `volume ${pvName} gone`,
    () => gone(() => c.client.get(Resources.persistentvolumes, pvName)),
    WAIT,
  );
  helpers.stop();

  assert.equal(helpers.seen.length, 1);
  const helper = helpers.seen[0];
  assert.equal(helper.metadata?.name, `helper-pod-delete-${pvName}`);
  assert.equal(helper.spec?.nodeName, node);
  assert.equal(helper.spec?.restartPolicy, "Never");
  assert.deepEqual(helper.spec?.containers[0].command, ["rm", "-rf", `${DIR}/${pvName}_default_data`]);
  assert.equal(helper.spec?.containers[0].image, "k8ts.local/busybox:latest");
  assert.deepEqual(helper.spec?.volumes?.[0].hostPath, { path: DIR, type: "DirectoryOrCreate" });
  assert.deepEqual(helper.spec?.containers[0].volumeMounts, [{ name: "data", mountPath: DIR }]);
  // The helper pod is cleaned up too.
  await c.waitFor(
    "helper pod gone",
    () => gone(() => c.client.get(Resources.pods, helper.metadata?.name ?? "", { namespace: "kube-system" })),
    WAIT,
  );
});

test("a StatefulSet's volumeClaimTemplates get local-path volumes on each pod's node", async () => {
  const set: StatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 2,
      serviceName: "web",
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "c",
              image: "k8ts.local/busybox:latest",
              volumeMounts: [{ name: "www", mountPath: "/www" }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "www" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
    },
  };
  await c.client.create(Resources.statefulsets, set, NS);
  await c.waitFor(
    "statefulset web ready",
    async () => {
      const s = await c.client.get<StatefulSet>(Resources.statefulsets, "web", NS);
      return (s.status?.readyReplicas ?? 0) === 2 ? s : undefined;
    },
    WAIT,
  );
  for (const i of [0, 1]) {
    const pod = await c.client.get<Pod>(Resources.pods, `web-${i}`, NS);
    const claim = await getPVC(`www-web-${i}`);
    assert.equal(claim.status?.phase, "Bound", `www-web-${i}`);
    assert.equal(claim.spec?.storageClassName, "local-path");
    assert.equal(claim.metadata?.annotations?.["volume.kubernetes.io/selected-node"], pod.spec?.nodeName);
    const pv = await c.client.get<PersistentVolume>(
      Resources.persistentvolumes,
      claim.spec?.volumeName ?? "",
    );
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0].matchExpressions?.[0].values, [
      pod.spec?.nodeName,
    ]);
    assert.equal(pv.spec?.hostPath?.path, `${DIR}/${pv.metadata?.name}_default_www-web-${i}`);
  }
});
