// The memo must give exactly what a fresh count gives, whatever changed in
// between: pods added and removed, nodes relabelled, added and removed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import { NodeInfo, PodInfo } from "../../framework/node-info.ts";
import { Snapshot } from "../../framework/snapshot.ts";
import { fakeHandle } from "../../testing.ts";
import {
  newPodTopologySpread,
  type PodTopologySpread,
  PRE_FILTER_STATE_KEY,
  PRE_SCORE_STATE_KEY,
  type PreFilterState,
  type PreScoreState,
} from "./index.ts";
import { fooSelector, node, pod, podOn, spread } from "./testing.ts";
import { type Contribute, TopologyCounts } from "./topology-counts.ts";

/** A handle whose snapshot lists whatever nodes the test holds now (PreScore counts over them). */
const snap = new Snapshot();
const handle = { ...fakeHandle(), snapshot: () => snap };
const newPlugin = () => newPodTopologySpread({ defaultingType: "List" }, handle) as PodTopologySpread;

function filterCounts(pl: PodTopologySpread, p: Pod, nodes: NodeInfo[]) {
  const cs = new CycleState();
  pl.preFilter(cs, p, nodes);
  const s = cs.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  // Only ScheduleAnyway constraints: nothing to filter on.
  if (!s) return undefined;
  return {
    counts: s.tpValueToMatchNum.map((m) => Object.fromEntries([...m].sort())),
    min: s.criticalPaths.map((c) => c.num0),
  };
}

/** A seeded linear congruential generator, so a failure replays. */
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
}

describe("TopologyCounts", () => {
  it("recounts only nodes whose generation moved", () => {
    const nodes = [node("a", { zone: "z1" }), node("b", { zone: "z2" })].map((n) => new NodeInfo(n));
    const memo = new TopologyCounts();
    let calls = 0;
    const contribute: Contribute = {
      values: (ni, values) => {
        calls++;
        values[0] = ni.node?.metadata?.labels?.zone;
      },
      matches: () => true,
    };
    assert.deepEqual(Object.fromEntries(memo.totals("s", 1, nodes, contribute)[0]), { z1: 0, z2: 0 });
    assert.equal(calls, 2);
    nodes[1].addPod(new PodInfo(podOn("p", "b")));
    assert.deepEqual(Object.fromEntries(memo.totals("s", 1, nodes, contribute)[0]), { z1: 0, z2: 1 });
    assert.equal(calls, 2, "a pod that came: counted from the node's changes");
    // A relabelled node leaves its old domain, which disappears with no node left in it.
    nodes[0].setNode(node("a", { zone: "z2" }));
    assert.deepEqual(Object.fromEntries(memo.totals("s", 1, nodes, contribute)[0]), { z2: 1 });
    // A new node list is counted afresh.
    const fewer = nodes.slice(1);
    assert.deepEqual(Object.fromEntries(memo.totals("s", 1, fewer, contribute)[0]), { z2: 1 });
  });

  it("keeps memos within its slot budget, dropping the least recently used", () => {
    const nodes = [node("a", { zone: "z1" }), node("b", { zone: "z2" })].map((n) => new NodeInfo(n));
    // Two nodes × one constraint: two slots a memo, so two memos fit.
    const memo = new TopologyCounts(4);
    let calls = 0;
    const contribute: Contribute = {
      values: (ni, values) => {
        calls++;
        values[0] = ni.node?.metadata?.labels?.zone;
      },
      matches: () => false,
    };
    const use = (sig: string) => {
      const before = calls;
      memo.totals(sig, 1, nodes, contribute);
      return calls - before;
    };
    assert.equal(use("s1"), 2);
    assert.equal(use("s2"), 2);
    assert.equal(use("s1"), 0, "kept");
    assert.equal(use("s3"), 2);
    assert.equal(use("s1"), 0, "used last before s3: kept");
    assert.equal(use("s2"), 2, "least recently used: dropped and counted afresh");
  });

  it("addPod on a PreFilter state does not leak into the next cycle", () => {
    const pl = newPlugin();
    const nis = [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" })].map(
      (n) => new NodeInfo(n),
    );
    const p = pod("p", { foo: "" }, { constraints: [spread(1, "node", "DoNotSchedule", fooSelector)] });
    const cs = new CycleState();
    pl.preFilter(cs, p, nis);
    pl.preFilterExtensions().addPod(cs, p, new PodInfo(podOn("x", "node-a", { foo: "" })), nis[0]);
    assert.deepEqual(filterCounts(pl, p, nis)?.counts, [{ "node-a": 0, "node-b": 0 }]);
  });

  it("matches a fresh count after random changes, for filtering and scoring", () => {
    const next = rng(42);
    const zones = ["z1", "z2", "z3", "z4"];
    let nis = Array.from({ length: 12 }, (_, i) => {
      const labels: Record<string, string> = { node: `n${i}`, "kubernetes.io/hostname": `n${i}` };
      if (i % 5 !== 4) labels.zone = zones[i % 4];
      return new NodeInfo(
        node(`n${i}`, labels, i % 6 === 5 ? [{ key: "k", effect: "NoSchedule" }] : undefined),
      );
    });
    const shapes: Pod[] = [
      pod(
        "s1",
        { foo: "" },
        {
          constraints: [
            spread(1, "zone", "DoNotSchedule", fooSelector),
            spread(1, "node", "ScheduleAnyway", fooSelector),
          ],
        },
      ),
      pod(
        "s2",
        { foo: "", app: "x" },
        {
          constraints: [
            spread(2, "zone", "DoNotSchedule", fooSelector, {
              matchLabelKeys: ["app"],
              nodeTaintsPolicy: "Honor",
            }),
          ],
        },
      ),
      pod(
        "s3",
        { foo: "" },
        {
          nodeSelector: { zone: "z1" },
          constraints: [
            spread(1, "zone", "ScheduleAnyway", fooSelector),
            spread(1, "node", "DoNotSchedule", fooSelector),
          ],
        },
      ),
      pod(
        "s4",
        { foo: "" },
        { namespace: "other", constraints: [spread(1, "zone", "DoNotSchedule", fooSelector)] },
      ),
      // Hostname constraints are scored per node, from a memo kept while the node's generation holds.
      pod(
        "s5",
        { foo: "" },
        {
          constraints: [
            spread(1, "kubernetes.io/hostname", "ScheduleAnyway", fooSelector),
            spread(3, "zone", "ScheduleAnyway", fooSelector),
          ],
        },
      ),
    ];
    const pl = newPlugin();
    let uid = 0;
    for (let round = 0; round < 600; round++) {
      const op = next(10);
      const ni = nis[next(nis.length)];
      if (op < 5) {
        const labels: Record<string, string> = next(4) === 0 ? {} : { foo: "" };
        if (next(2) === 0) labels.app = "x";
        ni.addPod(new PodInfo(podOn(`e${uid++}`, ni.name, labels, next(5) === 0 ? "other" : "default")));
      } else if (op < 7) {
        if (ni.pods.length > 0) ni.removePod(ni.pods[next(ni.pods.length)].pod);
      } else if (op === 7) {
        // An update, as the scheduler's cache makes it: the old PodInfo goes, a new one comes.
        if (ni.pods.length > 0) {
          const old = ni.pods[next(ni.pods.length)].pod;
          ni.removePod(old);
          const metadata =
            next(2) === 0
              ? { ...old.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" }
              : {
                  ...old.metadata,
                  labels: next(2) === 0 ? {} : ({ foo: "", app: "x" } as Record<string, string>),
                };
          ni.addPod(new PodInfo({ ...old, metadata }));
        }
      } else if (op === 8) {
        const labels = { ...ni.node!.metadata!.labels };
        if (next(3) === 0) delete labels.zone;
        else labels.zone = zones[next(zones.length)];
        ni.setNode(node(ni.name, labels, ni.node!.spec?.taints));
      } else {
        nis = next(2) === 0 ? nis.slice(1).concat(nis[0]) : nis.filter((x) => x !== ni).concat(ni);
      }
      const p = shapes[next(shapes.length)];
      assert.deepEqual(filterCounts(pl, p, nis), filterCounts(newPlugin(), p, nis), `round ${round}`);
      const feasible = nis.filter(() => next(3) !== 0);
      const score = (plugin: PodTopologySpread) => {
        const cs = new CycleState();
        plugin.preScore(cs, p, feasible);
        const s = cs.read<PreScoreState>(PRE_SCORE_STATE_KEY);
        return s?.topologyValueToPodCounts.map((m) => Object.fromEntries([...m].sort()));
      };
      snap.nodeInfoList = nis;
      assert.deepEqual(score(pl), score(newPlugin()), `score round ${round}`);
      // Per-node scores against copies of the nodes, which no memo has seen.
      const nodeScores = (plugin: PodTopologySpread, infos: NodeInfo[]) => {
        const cs = new CycleState();
        if (plugin.preScore(cs, p, infos)) return undefined;
        return infos.map((ni) => plugin.score(cs, p, ni));
      };
      assert.deepEqual(
        nodeScores(pl, feasible),
        nodeScores(
          newPlugin(),
          feasible.map((ni) => ni.clone()),
        ),
        `node scores round ${round}`,
      );
    }
  });
});
