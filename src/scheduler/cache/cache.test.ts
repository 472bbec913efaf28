// Tests of the scheduler cache, after upstream's
// pkg/scheduler/backend/cache/cache_test.go and node_tree_test.go (v1.32).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import {
  type AffinityTerm,
  newAffinityTerm,
  type PodInfo,
  termMatches,
  type WeightedAffinityTerm,
} from "../framework/node-info.ts";
import { countPods, type TermGroups } from "../framework/pod-affinity-index.ts";
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

  test("the affinity index groups placed pods' terms by topology pair", () => {
    const c = cacheWith([
      makeNode("n1", { labels: { zone: "a" } }),
      makeNode("n2", { labels: { zone: "b" } }),
    ]);
    const groups = (g: TermGroups) =>
      [...g.values()].map((x) => ({ refs: x.refs, counts: x.counts.toRecord() }));
    const term = { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "zone" };
    const anti = (name: string) =>
      makePod(name, {
        spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } },
      });
    const a1 = anti("a1");
    const a2 = bound(anti("a2"), "n1");
    c.assumePod(a1, "n1");
    c.addPod(a2);
    c.addPod(bound(anti("a3"), "n2"));
    const index = c.snapshot().affinity;
    assert.deepEqual(groups(index.requiredAntiAffinity), [{ refs: 3, counts: { "zone=a": 2, "zone=b": 1 } }]);
    assert.equal(index.requiredAffinity.size, 0);
    c.forgetPod(a1);
    c.removePod(a2);
    assert.deepEqual(groups(index.requiredAntiAffinity), [{ refs: 1, counts: { "zone=b": 1 } }]);
    // The node's new label moves its pods to the new pair; a node without it counts none.
    c.updateNode(makeNode("n2", { labels: { zone: "c" } }));
    assert.deepEqual(groups(index.requiredAntiAffinity), [{ refs: 1, counts: { "zone=c": 1 } }]);
    c.updateNode(makeNode("n2"));
    assert.deepEqual(groups(index.requiredAntiAffinity), [{ refs: 1, counts: {} }]);
  });

  test("the affinity index agrees with a walk over every pod through random changes", () => {
    // A small deterministic generator, so a failure replays.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
    const apps = ["web", "db", "cache"];
    const keys = ["zone", "kubernetes.io/hostname", "rack"];
    const randomTerm = () => ({
      labelSelector: { matchLabels: { app: pick(apps) } },
      topologyKey: pick(keys),
      ...(rand(4) === 0 ? { namespaces: ["default", "other"] } : {}),
    });
    const randomNode = (i: number) => {
      const labels: Record<string, string> = {};
      if (rand(4) > 0) labels.zone = pick(["a", "b"]);
      if (rand(2) > 0) labels.rack = pick(["r1", "r2", "r3"]);
      return makeNode(`n${i}`, { labels });
    };
    const randomPod = (i: number) => {
      const terms = () => Array.from({ length: rand(3) }, randomTerm);
      const weighted = () => terms().map((podAffinityTerm) => ({ weight: 1 + rand(3), podAffinityTerm }));
      return makePod(`p${i}`, {
        namespace: pick(["default", "other"]),
        labels: { app: pick(apps) },
        spec: {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: rand(3) === 0 ? terms() : undefined,
              preferredDuringSchedulingIgnoredDuringExecution: rand(3) === 0 ? weighted() : undefined,
            },
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: rand(2) === 0 ? terms() : undefined,
              preferredDuringSchedulingIgnoredDuringExecution: rand(3) === 0 ? weighted() : undefined,
            },
          },
        },
      });
    };
    // Incoming term lists whose matching counts the index keeps; more than it keeps at once.
    const incoming = Array.from({ length: 24 }, () => {
      const pod = makePod("incoming", { namespace: pick(["default", "other"]) });
      return Array.from({ length: 1 + rand(2) }, () => newAffinityTerm(pod, randomTerm()));
    });

    const c = new SchedulerCache();
    const pods: Pod[] = [];
    for (let i = 0; i < 6; i++) c.addNode(randomNode(i));
    for (let step = 0; step < 1500; step++) {
      const op = rand(10);
      if (op < 4) {
        const p = randomPod(step);
        if (rand(2) === 0) c.assumePod(p, `n${rand(7)}`);
        else c.addPod(bound(p, `n${rand(7)}`));
        pods.push(p);
      } else if (op < 7 && pods.length > 0) {
        const p = pods.splice(rand(pods.length), 1)[0];
        if (c.isAssumed(p)) c.forgetPod(p);
        else c.removePod(p);
      } else if (op < 9) {
        c.updateNode(randomNode(rand(7)));
      } else {
        c.removeNode(makeNode(`n${rand(7)}`));
      }
      const snap = c.snapshot();
      const walk = (terms: (pi: PodInfo) => readonly AffinityTerm[], weighted: boolean) => {
        const want: Record<string, Record<string, number>> = {};
        for (const ni of snap.nodeInfoList) {
          for (const pi of ni.pods) {
            for (const t of terms(pi)) {
              const v = ni.node?.metadata?.labels?.[t.topologyKey];
              if (v === undefined) continue;
              const w = weighted ? (t as WeightedAffinityTerm).weight : 0;
              const k = `${t.topologyKey}|${[...t.namespaces].sort()}|${t.selector}|${w}`;
              want[k] ??= {};
              want[k][`${t.topologyKey}=${v}`] = (want[k][`${t.topologyKey}=${v}`] ?? 0) + 1;
            }
          }
        }
        return want;
      };
      const indexed = (groups: TermGroups) => {
        const got: Record<string, Record<string, number>> = {};
        for (const g of groups.values()) {
          if (g.counts.size === 0) continue;
          const t = g.term;
          got[`${t.topologyKey}|${[...t.namespaces].sort()}|${t.selector}|${g.weight}`] = g.counts.toRecord();
        }
        return got;
      };
      const idx = snap.affinity;
      assert.deepEqual(
        indexed(idx.requiredAffinity),
        walk((pi) => pi.requiredAffinityTerms, false),
        `step ${step}`,
      );
      assert.deepEqual(
        indexed(idx.requiredAntiAffinity),
        walk((pi) => pi.requiredAntiAffinityTerms, false),
      );
      assert.deepEqual(
        indexed(idx.preferredAffinity),
        walk((pi) => pi.preferredAffinityTerms, true),
      );
      assert.deepEqual(
        indexed(idx.preferredAntiAffinity),
        walk((pi) => pi.preferredAntiAffinityTerms, true),
      );
      // Ask for a few incoming term lists each step: kept ones must equal a fresh count.
      for (let k = 0; k < 3; k++) {
        const terms = pick(incoming);
        const fresh = countPods(
          snap.nodeInfoList,
          (p) => terms.every((t) => termMatches(t, p, undefined)),
          terms.map((t) => t.topologyKey),
        );
        assert.deepEqual(idx.matching(terms).toRecord(), fresh.toRecord(), `step ${step}`);
      }
    }
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
