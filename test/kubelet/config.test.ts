// Where the kubelet's pods come from, against an in-process apiserver: the API
// source (pods bound to this node, read with the node's own credentials, so the
// Node authorizer's field-selector rule applies) and static pods from a
// manifest directory with their mirror pods (NodeRestriction checks the owner
// reference). The handler below is the part of the kubelet's sync loop that
// concerns mirror pods (HandlePodAdditions/Updates/Removes, handleMirrorPod,
// SyncPod's mirror step and deleteOrphanedMirrorPods).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { isMirrorPod, isStaticPod, podFullName } from "../../src/kubelet/config/annotations.ts";
import { ApiPodSource } from "../../src/kubelet/config/api-source.ts";
import { FileSource } from "../../src/kubelet/config/file-source.ts";
import { MirrorClient, type MirrorSyncResult } from "../../src/kubelet/config/mirror-client.ts";
import { PodConfig, type PodConfigUpdate } from "../../src/kubelet/config/pod-config.ts";
import { PodManager } from "../../src/kubelet/config/pod-manager.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

let api: TestApiServer;
let admin: RestClient;

before(async () => {
  api = await startTestApiServer();
  admin = new RestClient(api.admin);
});
after(async () => {
  admin.close();
  await api.stop();
});

async function nodeClient(name: string): Promise<{ client: RestClient; node: Node }> {
  const node = await admin.create<Node>(Resources.nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
  });
  const client = new RestClient(await api.clientConfig(`system:node:${name}`, ["system:nodes"]));
  return { client, node };
}

const apiPod = (name: string, nodeName?: string, namespace = "default"): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: { nodeName, containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
});

test("the API source sees only the pods bound to its node", async (t) => {
  const { client } = await nodeClient("node-a");
  await admin.create(Resources.pods, apiPod("on-a", "node-a"));
  await admin.create(Resources.pods, apiPod("sys-on-a", "node-a", "kube-system"));
  await admin.create(Resources.pods, apiPod("on-b", "node-b"));
  await admin.create(Resources.pods, apiPod("unbound"));

  const got: PodConfigUpdate[] = [];
  const config = new PodConfig({ handler: (u) => got.push(u) });
  const source = new ApiPodSource({ client, nodeName: "node-a", onUpdate: config.channel("api") });
  t.after(async () => {
    await source.stop();
    client.close();
  });
  source.start();
  await until(() => config.seenAllSources(), "the first list", 10_000, 20);
  const ops = () => got.splice(0).map((u) => `${u.op} ${u.pods.map((p) => p.metadata?.name).sort()}`);
  assert.deepEqual(ops(), ["ADD on-a,sys-on-a"]);
  assert.equal(config.getPods()[0].metadata?.annotations?.["kubernetes.io/config.source"], "api");

  await admin.create(Resources.pods, apiPod("later-on-b", "node-b"));
  await admin.create(Resources.pods, apiPod("later-on-a", "node-a"));
  await until(() => got.length > 0, "the new pod", 10_000, 20);
  assert.deepEqual(ops(), ["ADD later-on-a"]);

  // A pod on a node is deleted gracefully: first DELETE, then REMOVE once it is gone.
  await admin.delete(Resources.pods, "later-on-a", { namespace: "default" });
  await until(() => got.length > 0, "graceful deletion", 10_000, 20);
  assert.deepEqual(ops(), ["DELETE later-on-a"]);
  await admin.delete(Resources.pods, "later-on-a", { namespace: "default", gracePeriodSeconds: 0 });
  await until(() => got.length > 0, "removal", 10_000, 20);
  assert.deepEqual(ops(), ["REMOVE later-on-a"]);
  assert.deepEqual(
    config
      .getPods()
      .map((p) => p.metadata?.name)
      .sort(),
    ["on-a", "sys-on-a"],
  );
});

const manifest = (label: string) => `apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {version: "${label}"}
spec:
  containers:
  - name: web
    image: k8ts.local/busybox:latest
`;

test("a static pod gets a mirror pod, recreated when deleted or outdated, removed with the manifest", async (t) => {
  const nodeName = "node-m";
  const { client, node } = await nodeClient(nodeName);
  const dir = mkdtempSync(join(tmpdir(), "k8ts-static-"));
  writeFileSync(join(dir, "web.yaml"), manifest("v1"));

  const podManager = new PodManager();
  const mirrors = new MirrorClient({ client, nodeName });
  const results: MirrorSyncResult[] = [];
  // Pod work runs one at a time, as a pod worker would.
  let work = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    work = work.then(fn, fn);
  };
  const syncStaticPod = (staticPod: Pod) =>
    enqueue(async () => {
      // The pod manager's view at the time the sync runs, as a worker reads it.
      const current = podManager.getPodByUID(staticPod.metadata?.uid ?? "");
      if (current) results.push(await mirrors.syncMirrorPod(current, podManager.getMirrorPodByPod(current)));
    });
  const deleteOrphanedMirrorPods = () =>
    enqueue(async () => {
      const { mirrorPods, orphanedMirrorPodFullNames } = podManager.getPodsAndMirrorPods();
      for (const fullName of orphanedMirrorPodFullNames) {
        const uid = mirrorPods.find((m) => podFullName(m) === fullName)?.metadata?.uid;
        await mirrors.deleteMirrorPod(fullName, uid);
      }
    });
  const config = new PodConfig({
    handler: (u) => {
      for (const pod of u.pods) {
        if (u.op === "REMOVE") podManager.removePod(pod);
        else podManager.updatePod(pod);
        if (isMirrorPod(pod)) {
          const staticPod = podManager.getPodByMirrorPod(pod);
          if (staticPod) syncStaticPod(staticPod);
        } else if (isStaticPod(pod)) {
          if (u.op === "REMOVE") deleteOrphanedMirrorPods();
          else syncStaticPod(pod);
        }
      }
    },
  });
  const files = new FileSource({ path: dir, nodeName, onUpdate: config.channel("file") });
  const apiSource = new ApiPodSource({ client, nodeName, onUpdate: config.channel("api") });
  t.after(async () => {
    await files.stop();
    await apiSource.stop();
    await work;
    client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  files.start();
  apiSource.start();

  const getMirror = async (): Promise<Pod | undefined> => {
    try {
      return await admin.get<Pod>(Resources.pods, "static-web-node-m", { namespace: "default" });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const staticPod = () => podManager.getPods().find((p) => p.metadata?.name === "static-web-node-m");

  // 1. The mirror pod appears, with upstream's annotations and owner reference.
  let mirror: Pod | undefined;
  await until(
    async () => {
      mirror = await getMirror();
      return mirror !== undefined;
    },
    "the mirror pod",
    10_000,
    20,
  );
  const hash = staticPod()?.metadata?.annotations?.["kubernetes.io/config.hash"];
  assert.ok(hash);
  assert.equal(hash, staticPod()?.metadata?.uid);
  assert.equal(mirror?.metadata?.annotations?.["kubernetes.io/config.mirror"], hash);
  assert.equal(mirror?.metadata?.annotations?.["kubernetes.io/config.hash"], hash);
  assert.equal(mirror?.metadata?.annotations?.["kubernetes.io/config.source"], "file");
  assert.ok(mirror?.metadata?.annotations?.["kubernetes.io/config.seen"]);
  assert.deepEqual(mirror?.metadata?.ownerReferences, [
    { apiVersion: "v1", kind: "Node", name: nodeName, uid: node.metadata?.uid, controller: true },
  ]);
  assert.equal(mirror?.spec?.nodeName, nodeName);
  assert.deepEqual(mirror?.metadata?.labels, { version: "v1" });
  assert.notEqual(mirror?.metadata?.uid, hash, "the API gives the mirror its own uid");
  await until(
    () => podManager.getMirrorPodByPod(staticPod()!) !== undefined,
    "the mirror in the pod manager",
    10_000,
    20,
  );
  assert.equal(podManager.translatePodUID(mirror?.metadata?.uid ?? ""), hash);

  // 2. Deleted by someone (gracefully, as kubectl does): the kubelet replaces it.
  const first = mirror?.metadata?.uid;
  await admin.delete(Resources.pods, "static-web-node-m", { namespace: "default" });
  await until(
    async () => {
      const m = await getMirror();
      return m !== undefined && m.metadata?.uid !== first && !m.metadata?.deletionTimestamp;
    },
    "the mirror pod recreated after a graceful delete",
    10_000,
    20,
  );

  // 3. Deleted at once: replaced again.
  const second = (await getMirror())?.metadata?.uid;
  await admin.delete(Resources.pods, "static-web-node-m", { namespace: "default", gracePeriodSeconds: 0 });
  await until(
    async () => {
      const m = await getMirror();
      return m !== undefined && m.metadata?.uid !== second;
    },
    "the mirror pod recreated after an immediate delete",
    10_000,
    20,
  );

  // 4. The manifest changes: a new static pod (new uid and hash), and a mirror with the new hash.
  writeFileSync(join(dir, "web.yaml"), manifest("v2"));
  await until(
    async () => {
      const m = await getMirror();
      return m?.metadata?.labels?.version === "v2" && !m.metadata?.deletionTimestamp;
    },
    "the mirror pod of the changed manifest",
    10_000,
    20,
  );
  const newHash = staticPod()?.metadata?.uid;
  assert.notEqual(newHash, hash);
  assert.equal((await getMirror())?.metadata?.annotations?.["kubernetes.io/config.mirror"], newHash);

  // 5. The manifest goes: so do the static pod and its mirror.
  unlinkSync(join(dir, "web.yaml"));
  await until(async () => (await getMirror()) === undefined, "the mirror pod removed", 10_000, 20);
  await until(() => staticPod() === undefined, "the static pod removed", 10_000, 20);
  await work;
  assert.ok(results.includes("created"));
  assert.ok(results.includes("recreated"), results.join());
  assert.ok(!results.includes("failed"), results.join());
});
