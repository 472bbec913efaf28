// rollingUpdate's plan, after upstream's update_test.go: deletions within
// maxUnavailable, unavailable old pods replaced at once, surge creations
// within maxSurge, old pods deleted once their new pod is available.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet, RollingUpdateDaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { findUpdatedPodsOnNode, planRollingUpdate, updatedDesiredNodeCounts } from "./update.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");

function ds(rollingUpdate: RollingUpdateDaemonSet, minReadySeconds = 0): DaemonSet {
  return {
    metadata: { name: "ds", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "ds" } },
      minReadySeconds,
      updateStrategy: { type: "RollingUpdate", rollingUpdate },
      template: { metadata: { labels: { app: "ds" } }, spec: { containers: [{ name: "c" }] } },
    },
  };
}

const nodes = (n: number): Node[] => Array.from({ length: n }, (_, i) => ({ metadata: { name: `n${i}` } }));

function pod(name: string, node: string, hash: string, ready: boolean, readySince = NOW - 60_000): Pod {
  return {
    metadata: { name, labels: { app: "ds", "controller-revision-hash": hash } },
    spec: { containers: [], nodeName: node },
    status: {
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          lastTransitionTime: new Date(readySince).toISOString(),
        },
      ],
    },
  };
}

function byNode(...pods: Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(p.spec!.nodeName!, [...(m.get(p.spec!.nodeName!) ?? []), p]);
  return m;
}

const plan = (d: DaemonSet, n: number, m: Map<string, Pod[]>) =>
  planRollingUpdate({ ds: d, nodeList: nodes(n), nodeToDaemonPods: m, hash: "new", nowMs: NOW });

describe("planRollingUpdate without surge", () => {
  it("deletes maxUnavailable available old pods and creates nothing (the manage loop does)", () => {
    const m = byNode(pod("a", "n0", "old", true), pod("b", "n1", "old", true), pod("c", "n2", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }), 3, m), { podsToDelete: ["a"], nodesToCreate: [] });
    assert.deepEqual(plan(ds({ maxUnavailable: 2 }), 3, m).podsToDelete, ["a", "b"]);
    assert.deepEqual(plan(ds({ maxUnavailable: "50%" }), 3, m).podsToDelete, ["a", "b"]);
  });

  it("replaces an unavailable old pod at once, which uses up the budget", () => {
    const m = byNode(pod("a", "n0", "old", true), pod("b", "n1", "old", false), pod("c", "n2", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }), 3, m).podsToDelete, ["b"]);
  });

  it("waits while a new pod is not yet available, or a node has no pod", () => {
    const notReady = byNode(
      pod("a", "n0", "new", false),
      pod("b", "n1", "old", true),
      pod("c", "n2", "old", true),
    );
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }), 3, notReady).podsToDelete, []);
    const missing = byNode(pod("b", "n1", "old", true), pod("c", "n2", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }), 3, missing).podsToDelete, []);
    // Ready, but not for minReadySeconds yet.
    const young = byNode(pod("a", "n0", "new", true, NOW - 1000), pod("b", "n1", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }, 10), 2, young).podsToDelete, []);
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }, 0), 2, young).podsToDelete, ["b"]);
  });

  it("a pod being deleted does not count as the node's pod", () => {
    const base = pod("a", "n0", "old", true);
    const deleting: Pod = {
      ...base,
      metadata: { ...base.metadata, deletionTimestamp: new Date(NOW).toISOString() },
    };
    const m = byNode(deleting, pod("b", "n1", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 1 }), 2, m).podsToDelete, []);
  });

  it("maxUnavailable 0 without surge falls back to 1", () => {
    const m = byNode(pod("a", "n0", "old", true), pod("b", "n1", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 0 }), 2, m).podsToDelete, ["a"]);
  });
});

describe("planRollingUpdate with surge", () => {
  it("creates up to maxSurge new pods beside available old ones", () => {
    const m = byNode(pod("a", "n0", "old", true), pod("b", "n1", "old", true), pod("c", "n2", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 1 }), 3, m), {
      podsToDelete: [],
      nodesToCreate: ["n0"],
    });
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: "100%" }), 3, m).nodesToCreate, [
      "n0",
      "n1",
      "n2",
    ]);
  });

  it("deletes the old pod once the new one beside it is available; a pending new pod uses the surge", () => {
    const m = byNode(
      pod("a-old", "n0", "old", true),
      pod("a-new", "n0", "new", true),
      pod("b-old", "n1", "old", true),
      pod("b-new", "n1", "new", false),
      pod("c", "n2", "old", true),
    );
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 1 }), 3, m), {
      podsToDelete: ["a-old"],
      nodesToCreate: [],
    });
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 2 }), 3, m), {
      podsToDelete: ["a-old"],
      nodesToCreate: ["n2"],
    });
  });

  it("an unavailable old pod gets its replacement regardless of maxSurge", () => {
    const m = byNode(pod("a", "n0", "old", false), pod("b", "n1", "old", true), pod("c", "n2", "old", true));
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 1 }), 3, m), {
      podsToDelete: [],
      nodesToCreate: ["n0", "n1"],
    });
    // A node with only a (pending) new pod is the manage loop's and uses no surge.
    const lone = byNode(
      pod("a", "n0", "old", false),
      pod("b", "n1", "old", true),
      pod("c", "n2", "new", false),
    );
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 1 }), 3, lone).nodesToCreate, ["n0", "n1"]);
    // A surged node waiting for its new pod does.
    const surged = byNode(
      pod("a", "n0", "old", false),
      pod("b", "n1", "old", true),
      pod("c-old", "n2", "old", true),
      pod("c-new", "n2", "new", false),
    );
    assert.deepEqual(plan(ds({ maxUnavailable: 0, maxSurge: 1 }), 3, surged).nodesToCreate, ["n0"]);
  });
});

describe("updatedDesiredNodeCounts and findUpdatedPodsOnNode", () => {
  it("adds empty entries for nodes that should run a pod and scales the limits", () => {
    const m = new Map<string, Pod[]>();
    assert.deepEqual(updatedDesiredNodeCounts(ds({ maxUnavailable: "34%", maxSurge: 0 }), nodes(3), m), {
      maxSurge: 0,
      maxUnavailable: 2,
      desiredNumberScheduled: 3,
    });
    assert.deepEqual([...m.keys()], ["n0", "n1", "n2"]);
    assert.throws(
      () => updatedDesiredNodeCounts(ds({ maxUnavailable: "x" }), nodes(1), new Map()),
      /^Error: invalid value for MaxUnavailable: /,
    );
  });

  it("is not ok with two new or two old pods on a node", () => {
    const d = ds({ maxUnavailable: 1 });
    assert.equal(
      findUpdatedPodsOnNode(d, [pod("a", "n", "new", true), pod("b", "n", "new", true)], "new").ok,
      false,
    );
    assert.equal(
      findUpdatedPodsOnNode(d, [pod("a", "n", "old", true), pod("b", "n", "old", true)], "new").ok,
      false,
    );
    const r = findUpdatedPodsOnNode(d, [pod("a", "n", "old", true), pod("b", "n", "new", true)], "new");
    assert.deepEqual([r.ok, r.oldPod?.metadata?.name, r.newPod?.metadata?.name], [true, "a", "b"]);
  });
});
