// Tests of the scheduler cache, after upstream's
// pkg/scheduler/backend/cache/cache_test.go and node_tree_test.go (v1.32).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { makeNode, makePod } from "../testing.ts";
import { SchedulerCache } from "./cache.ts";

const GI = 1024 ** 3;

const bound = (pod: Pod, nodeName: string): Pod => ({ ...pod, spec: { ...pod.spec!, nodeName } });

const names = (c: SchedulerCache) => c.snapshot().nodeInfoList.map((n) => n.name);

describe("assumed pods", () => {
  test("assumePod counts the pod's requests on the node at once", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    const p = makePod("p", { requests: { cpu: "500m", memory: "1Gi" } });
    c.assumePod(p, "n1");
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 500);
    assert.equal(ni.requested.memory, GI);
    assert.equal(ni.pods.length, 1);
    assert.equal(ni.pods[0].pod.spec?.nodeName, "n1", "the assumed copy is bound to the node");
    assert.equal(p.spec?.nodeName, undefined, "the caller's pod is not modified");
    assert.equal(c.isAssumed(p), true);
    assert.equal(c.podCount(), 1);
  });

  test("assuming a pod already in the cache fails", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    const p = makePod("p");
    c.assumePod(p, "n1");
    assert.throws(() => c.assumePod(p, "n1"), /in the cache/);
  });

  test("forgetPod undoes assumePod", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    const p = makePod("p", { requests: { cpu: "500m", memory: "1Gi" } });
    c.assumePod(p, "n1");
    c.forgetPod(p);
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 0);
    assert.equal(ni.requested.memory, 0);
    assert.equal(ni.pods.length, 0);
    assert.equal(c.isAssumed(p), false);
    assert.equal(c.podCount(), 0);
  });

  test("addPod from the informer confirms an assumed pod without counting it twice", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    const p = makePod("p", { requests: { cpu: "500m", memory: "1Gi" } });
    c.assumePod(p, "n1");
    c.addPod(bound(p, "n1"));
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 500);
    assert.equal(ni.pods.length, 1);
    assert.equal(c.isAssumed(p), false);
    // Once confirmed, forgetting it (a late binding error) changes nothing.
    c.forgetPod(p);
    assert.equal(c.snapshot().get("n1")!.requested.milliCPU, 500);
  });

  test("an assumed pod the informer reports on another node moves there", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    c.addNode(makeNode("n2"));
    const p = makePod("p", { requests: { cpu: "1" } });
    c.assumePod(p, "n1");
    c.addPod(bound(p, "n2"));
    assert.equal(c.snapshot().get("n1")!.requested.milliCPU, 0);
    assert.equal(c.snapshot().get("n2")!.requested.milliCPU, 1000);
    assert.equal(c.podCount(), 1);
  });
});

describe("bound pods", () => {
  test("updatePod replaces the pod's requests; removePod takes them away", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    const p = bound(makePod("p", { requests: { cpu: "500m", memory: "1Gi" } }), "n1");
    c.addPod(p);
    const bigger: Pod = {
      ...p,
      spec: { ...p.spec!, containers: [{ name: "c", resources: { requests: { cpu: "1", memory: "2Gi" } } }] },
    };
    c.updatePod(bigger);
    let ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 1000);
    assert.equal(ni.requested.memory, 2 * GI);
    assert.equal(ni.pods.length, 1);
    assert.equal(ni.pods[0].pod, bigger);
    c.removePod(bigger);
    ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 0);
    assert.equal(ni.pods.length, 0);
    assert.equal(c.podCount(), 0);
  });

  test("pods without requests count towards nonZeroRequested with upstream's defaults (100m, 200Mi)", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    c.addPod(bound(makePod("p"), "n1"));
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.requested.milliCPU, 0);
    assert.equal(ni.nonZeroRequested.milliCPU, 100);
    assert.equal(ni.nonZeroRequested.memory, 200 * 1024 * 1024);
  });

  test("pods on a node the cache has not seen are kept, outside the snapshot, until the node arrives", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    c.addPod(bound(makePod("p", { requests: { cpu: "2" } }), "ghost"));
    assert.deepEqual(names(c), ["n1"]);
    assert.equal(c.snapshot().get("ghost"), undefined);
    assert.equal(c.nodeCount(), 1);
    assert.equal(c.podCount(), 1);
    c.addNode(makeNode("ghost"));
    assert.deepEqual(names(c).sort(), ["ghost", "n1"]);
    assert.equal(c.snapshot().get("ghost")!.requested.milliCPU, 2000);
    assert.equal(c.nodeCount(), 2);
  });

  test("removeNode with pods left keeps a node-less entry that a re-added node picks up", () => {
    const c = new SchedulerCache();
    const n1 = makeNode("n1");
    c.addNode(n1);
    const p = bound(makePod("p", { requests: { cpu: "1" } }), "n1");
    c.addPod(p);
    c.removeNode(n1);
    assert.deepEqual(names(c), []);
    assert.equal(c.snapshot().get("n1"), undefined);
    c.addNode(n1);
    assert.equal(c.snapshot().get("n1")!.requested.milliCPU, 1000);
    // With the pod gone too, the entry goes: the node comes back empty.
    c.removeNode(n1);
    c.removePod(p);
    c.addNode(n1);
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.pods.length, 0);
    assert.equal(ni.requested.milliCPU, 0);
  });

  test("updateNode keeps the pods and takes the new allocatable", () => {
    const c = new SchedulerCache();
    c.addNode(makeNode("n1"));
    c.addPod(bound(makePod("p", { requests: { cpu: "1" } }), "n1"));
    c.updateNode(makeNode("n1", { allocatable: { cpu: "16" } }));
    const ni = c.snapshot().get("n1")!;
    assert.equal(ni.allocatable.milliCPU, 16_000);
    assert.equal(ni.requested.milliCPU, 1000);
  });
});

describe("image states", () => {
  test("numNodes counts the nodes holding an image, across adds, updates and removals", () => {
    const c = new SchedulerCache();
    const img = (names: string[], sizeBytes = 300 * 1024 * 1024) => ({ names, sizeBytes });
    const n1 = makeNode("n1", {
      images: [img(["gcr.io/200:latest", "gcr.io/200@sha256:aa"]), img(["gcr.io/10:v1"])],
    });
    const n2 = makeNode("n2", { images: [img(["gcr.io/200:latest"])] });
    c.addNode(n1);
    c.addNode(n2);
    const s1 = c.snapshot().get("n1")!.imageStates;
    assert.deepEqual([...s1.keys()].sort(), ["gcr.io/10:v1", "gcr.io/200:latest", "gcr.io/200@sha256:aa"]);
    assert.equal(s1.get("gcr.io/200:latest")!.numNodes, 2);
    assert.equal(s1.get("gcr.io/200:latest")!.size, 300 * 1024 * 1024);
    assert.equal(s1.get("gcr.io/10:v1")!.numNodes, 1);
    c.removeNode(n2);
    assert.equal(c.snapshot().get("n1")!.imageStates.get("gcr.io/200:latest")!.numNodes, 1);
    // An update that drops an image drops it from the node's states.
    c.updateNode(makeNode("n1", { images: [img(["gcr.io/10:v1"])] }));
    assert.deepEqual([...c.snapshot().get("n1")!.imageStates.keys()], ["gcr.io/10:v1"]);
    c.addNode(makeNode("n3", { images: [img(["gcr.io/10:v1"])] }));
    assert.equal(c.snapshot().get("n1")!.imageStates.get("gcr.io/10:v1")!.numNodes, 2);
  });
});

describe("snapshot", () => {
  // Upstream's node_tree_test.go allNodes, with the GA topology labels.
  const R = "topology.kubernetes.io/region";
  const Z = "topology.kubernetes.io/zone";
  const allNodes: Node[] = [
    makeNode("node-0"),
    makeNode("node-1", { labels: { [R]: "region-1" } }),
    makeNode("node-2", { labels: { [Z]: "zone-2" } }),
    makeNode("node-3", { labels: { [R]: "region-1", [Z]: "zone-2" } }),
    makeNode("node-4", { labels: { [R]: "region-1", [Z]: "zone-2" } }),
    makeNode("node-5", { labels: { [R]: "region-1", [Z]: "zone-3" } }),
    makeNode("node-6", { labels: { [R]: "region-2", [Z]: "zone-2" } }),
    makeNode("node-7", { labels: { [R]: "region-2", [Z]: "zone-2" } }),
    makeNode("node-8", { labels: { [R]: "region-2", [Z]: "zone-2" } }),
  ];
  const cacheWith = (nodes: Node[]) => {
    const c = new SchedulerCache();
    for (const n of nodes) c.addNode(n);
    return c;
  };

  // TestNodeTree_List.
  test("lists nodes one zone at a time, zones in the order they appeared", () => {
    assert.deepEqual(names(cacheWith([])), []);
    assert.deepEqual(names(cacheWith(allNodes.slice(0, 1))), ["node-0"]);
    assert.deepEqual(names(cacheWith(allNodes.slice(0, 4))), ["node-0", "node-1", "node-2", "node-3"]);
    assert.deepEqual(names(cacheWith(allNodes)), [
      "node-0",
      "node-1",
      "node-2",
      "node-3",
      "node-5",
      "node-6",
      "node-4",
      "node-7",
      "node-8",
    ]);
  });

  // TestNodeTreeMultiOperations.
  test("keeps interleaving zones as nodes come and go", () => {
    const c = cacheWith([...allNodes.slice(4, 9), allNodes[3]]);
    assert.deepEqual(names(c), ["node-4", "node-5", "node-6", "node-3", "node-7", "node-8"]);

    const d = cacheWith(allNodes.slice(2, 5));
    d.removeNode(allNodes[2]);
    assert.deepEqual(names(d), ["node-3", "node-4"]);

    const e = cacheWith(allNodes.slice(2, 5));
    for (const n of allNodes.slice(2, 5)) e.removeNode(n);
    e.addNode(allNodes[5]);
    assert.deepEqual(names(e), ["node-5"]);

    const f = cacheWith([allNodes[3], allNodes[4]]);
    f.removeNode(allNodes[3]);
    f.addNode(allNodes[6]);
    f.addNode(allNodes[7]);
    f.removeNode(allNodes[4]);
    assert.deepEqual(names(f), ["node-6", "node-7"]);
  });

  // TestNodeTree_UpdateNode, first case: the node leaves its zone (which empties and is
  // dropped) and joins the end of region-1/zone-2.
  test("a node whose zone changes moves to the end of its new zone", () => {
    const c = cacheWith(allNodes.slice(0, 7));
    c.updateNode(makeNode("node-0", { labels: { [R]: "region-1", [Z]: "zone-2" } }));
    assert.deepEqual(names(c), ["node-1", "node-2", "node-3", "node-5", "node-6", "node-4", "node-0"]);
  });

  // utilnode.GetZoneKey reads failure-domain.beta.kubernetes.io/{region,zone} first.
  test("the deprecated failure-domain.beta.kubernetes.io labels also name the zone", () => {
    const beta = (name: string, zone: string) =>
      makeNode(name, { labels: { "failure-domain.beta.kubernetes.io/zone": zone } });
    const c = cacheWith([beta("a1", "a"), beta("a2", "a"), beta("b1", "b")]);
    assert.deepEqual(names(c), ["a1", "b1", "a2"]);
  });

  test("havePodsWithAffinityList follows pods with pod (anti-)affinity", () => {
    const c = cacheWith([makeNode("n1"), makeNode("n2")]);
    assert.deepEqual(c.snapshot().havePodsWithAffinityList, []);
    const term = { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" };
    const affinity = bound(
      makePod("affinity", {
        spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } },
      }),
      "n1",
    );
    c.addPod(affinity);
    assert.deepEqual(
      c.snapshot().havePodsWithAffinityList.map((n) => n.name),
      ["n1"],
    );
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinityList, []);
    const anti = makePod("anti", {
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } },
    });
    c.assumePod(anti, "n2");
    assert.deepEqual(
      c
        .snapshot()
        .havePodsWithAffinityList.map((n) => n.name)
        .sort(),
      ["n1", "n2"],
    );
    assert.deepEqual(
      c.snapshot().havePodsWithRequiredAntiAffinityList.map((n) => n.name),
      ["n2"],
    );
    c.removePod(affinity);
    c.forgetPod(anti);
    assert.deepEqual(c.snapshot().havePodsWithAffinityList, []);
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinityList, []);
  });

  test("isPVCUsedByPods follows pods that mount a claim", () => {
    const c = cacheWith([makeNode("n1")]);
    const p = bound(
      makePod("p", { spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "claim" } }] } }),
      "n1",
    );
    assert.equal(c.snapshot().isPVCUsedByPods("default/claim"), false);
    c.addPod(p);
    assert.equal(c.snapshot().isPVCUsedByPods("default/claim"), true);
    c.removePod(p);
    assert.equal(c.snapshot().isPVCUsedByPods("default/claim"), false);
  });

  test("the snapshot sees pod changes on a node without a rebuild", () => {
    const c = cacheWith([makeNode("n1")]);
    const snap = c.snapshot();
    c.addPod(bound(makePod("p", { requests: { cpu: "250m" } }), "n1"));
    assert.equal(c.snapshot(), snap);
    assert.equal(snap.get("n1")!.requested.milliCPU, 250);
  });
});
