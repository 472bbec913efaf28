import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { PodManager } from "./pod-manager.ts";

const staticPod: Pod = {
  metadata: {
    name: "etcd-node-a",
    namespace: "kube-system",
    uid: "static-uid",
    annotations: { "kubernetes.io/config.source": "file", "kubernetes.io/config.hash": "static-uid" },
  },
  spec: { containers: [] },
};
const mirrorPod: Pod = {
  metadata: {
    name: "etcd-node-a",
    namespace: "kube-system",
    uid: "mirror-uid",
    annotations: { "kubernetes.io/config.source": "api", "kubernetes.io/config.mirror": "static-uid" },
  },
  spec: { containers: [] },
};
const apiPod: Pod = {
  metadata: {
    name: "web",
    namespace: "default",
    uid: "web-uid",
    annotations: { "kubernetes.io/config.source": "api" },
  },
  spec: { containers: [] },
};

test("pods by uid and full name; mirror pods are kept apart and linked to their static pod", () => {
  const pm = new PodManager();
  pm.setPods([mirrorPod, apiPod]);
  // The mirror arrived first: it is an orphan until its static pod is there.
  assert.deepEqual(pm.getOrphanedMirrorPodNames(), ["etcd-node-a_kube-system"]);
  assert.equal(pm.translatePodUID("mirror-uid"), "mirror-uid");
  pm.addPod(staticPod);

  assert.deepEqual(pm.getPods(), [apiPod, staticPod]);
  assert.equal(pm.getPodByUID("static-uid"), staticPod);
  assert.equal(pm.getPodByUID("mirror-uid"), undefined, "mirror pods are not desired pods");
  assert.equal(pm.getPodByName("default", "web"), apiPod);
  assert.equal(pm.getPodByFullName("etcd-node-a_kube-system"), staticPod);
  assert.equal(pm.getMirrorPodByPod(staticPod), mirrorPod);
  assert.equal(pm.getPodByMirrorPod(mirrorPod), staticPod);
  assert.equal(pm.getMirrorPodByPod(apiPod), undefined);
  assert.deepEqual(pm.getPodAndMirrorPod(mirrorPod), { pod: staticPod, mirrorPod, wasMirror: true });
  assert.deepEqual(pm.getPodAndMirrorPod(staticPod), { pod: staticPod, mirrorPod, wasMirror: false });
  assert.equal(pm.translatePodUID("mirror-uid"), "static-uid");
  assert.equal(pm.translatePodUID("web-uid"), "web-uid");
  assert.equal(pm.translatePodUID(""), "");
  assert.deepEqual(pm.getOrphanedMirrorPodNames(), []);
  const { podToMirror, mirrorToPod } = pm.getUIDTranslations();
  assert.deepEqual([...podToMirror], [["static-uid", "mirror-uid"]]);
  assert.deepEqual([...mirrorToPod], [["mirror-uid", "static-uid"]]);
  assert.deepEqual(pm.getPodsAndMirrorPods(), {
    pods: [apiPod, staticPod],
    mirrorPods: [mirrorPod],
    orphanedMirrorPodFullNames: [],
  });
});

test("removing the static pod orphans its mirror; removing the mirror drops the translation", () => {
  const pm = new PodManager();
  pm.setPods([staticPod, mirrorPod]);
  pm.removePod(staticPod);
  assert.equal(pm.getPodByUID("static-uid"), undefined);
  assert.deepEqual(pm.getOrphanedMirrorPodNames(), ["etcd-node-a_kube-system"]);
  pm.addPod(staticPod);
  pm.removePod(mirrorPod);
  assert.equal(pm.getMirrorPodByPod(staticPod), undefined);
  assert.equal(pm.translatePodUID("mirror-uid"), "mirror-uid");
  // A static pod without a mirror translates to "" (upstream: it has no mirror yet).
  assert.deepEqual([...pm.getUIDTranslations().podToMirror], [["static-uid", ""]]);
});

test("an update replaces the pod under the same uid", () => {
  const pm = new PodManager();
  pm.addPod(apiPod);
  const relabelled = { ...apiPod, metadata: { ...apiPod.metadata, labels: { a: "b" } } };
  pm.updatePod(relabelled);
  assert.deepEqual(pm.getPods(), [relabelled]);
  assert.equal(pm.getPodByName("default", "web"), relabelled);
});
