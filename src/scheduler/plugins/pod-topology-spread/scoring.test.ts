// Cases ported from upstream's podtopologyspread/scoring_test.go (v1.32):
// TestPreScoreSkip, TestPreScoreStateEmptyNodes, TestPodTopologySpreadScore.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../../client/rest-client.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import type { NodeScore } from "../../framework/interface.ts";
import { Code } from "../../framework/status.ts";
import { fakeHandle } from "../../testing.ts";
import {
  newPodTopologySpread,
  type PodTopologySpread,
  type PodTopologySpreadArgs,
  PRE_SCORE_STATE_KEY,
  PreScoreState,
} from "./index.ts";
import { topologyNormalizingWeight } from "./scoring.ts";
import {
  barSelector,
  fooSelector,
  node,
  pod,
  podOn,
  spread,
  terminating,
  unschedulableTaints,
} from "./testing.ts";

const SA = "ScheduleAnyway";
const DNS = "DoNotSchedule";
const HOST = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";
const rs = (name: string, selector: unknown) =>
  ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { namespace: "default", name },
    spec: { selector },
  }) as KubeObject;
const rsOwner = (name: string) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name });

function setup(
  nodes: Node[],
  failed: Node[],
  existing: Pod[],
  args: PodTopologySpreadArgs,
  objects?: Record<string, KubeObject[]>,
) {
  const handle = fakeHandle({ nodes: [...nodes, ...failed], pods: existing, objects });
  const pl = newPodTopologySpread(args as Record<string, unknown>, handle) as PodTopologySpread;
  const snapshot = handle.snapshot();
  const filtered = nodes.map((n) => snapshot.get(n.metadata!.name!)!);
  return { pl, filtered };
}

describe("PodTopologySpread PreScore", () => {
  it("skips a pod without soft constraints", () => {
    const { pl, filtered } = setup(
      [node("node-a", { [HOST]: "node-a" }), node("node-b", { [HOST]: "node-b" })],
      [],
      [],
      {
        defaultingType: "List",
      },
    );
    assert.equal(pl.preScore(new CycleState(), pod("p"), filtered)?.code, Code.Skip);
  });

  it("skips default constraints and a replicaset that doesn't match", () => {
    const { pl, filtered } = setup(
      [node("node-a", { planet: "mars" })],
      [],
      [],
      {
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 2, topologyKey: "planet", whenUnsatisfiable: SA }],
      },
      { "apps/v1/replicasets": [rs("rs1", { matchExpressions: [{ key: "tar", operator: "Exists" }] })] },
    );
    const p = pod("p", { foo: "bar", baz: "sup" }, { owner: rsOwner("rs2") });
    assert.equal(pl.preScore(new CycleState(), p, filtered)?.code, Code.Skip);
  });

  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    args: PodTopologySpreadArgs;
    objects?: Record<string, KubeObject[]>;
    want: {
      constraints: Array<[string, number, string]>;
      ignored: string[];
      counts: Array<Record<string, number>>;
      weights: number[];
    };
  }> = [
    {
      name: "normal case",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "zone", SA, fooSelector), spread(1, HOST, SA, fooSelector)] },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-x", { zone: "zone2", [HOST]: "node-x" }),
      ],
      args: { defaultingType: "List" },
      want: {
        constraints: [
          ["zone", 1, "foo"],
          [HOST, 1, "foo"],
        ],
        ignored: [],
        counts: [{ zone1: 0, zone2: 0 }, {}],
        weights: [topologyNormalizingWeight(2), topologyNormalizingWeight(3)],
      },
    },
    {
      name: "node-x doesn't have label zone",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "zone", SA, fooSelector), spread(1, HOST, SA, barSelector)] },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-x", { [HOST]: "node-x" }),
      ],
      args: { defaultingType: "List" },
      want: {
        constraints: [
          ["zone", 1, "foo"],
          [HOST, 1, "bar"],
        ],
        ignored: ["node-x"],
        counts: [{ zone1: 0 }, {}],
        weights: [topologyNormalizingWeight(1), topologyNormalizingWeight(2)],
      },
    },
    {
      name: "system default constraints and a replicaset",
      pod: pod("p", { foo: "tar", baz: "sup" }, { owner: rsOwner("rs1") }),
      nodes: [
        node("node-a", { [HOST]: "node-a", [ZONE]: "mars" }),
        node("node-b", { [HOST]: "node-b", [ZONE]: "mars" }),
        // Nodes with no zone are not excluded. They are considered a separate zone.
        node("node-c", { [HOST]: "node-c" }),
        node("node-d", { [HOST]: "node-d" }),
      ],
      args: { defaultingType: "System" },
      objects: { "apps/v1/replicasets": [rs("rs1", fooSelector)] },
      want: {
        constraints: [
          [HOST, 3, "foo"],
          [ZONE, 5, "foo"],
        ],
        ignored: [],
        counts: [{}, { mars: 0, "": 0 }],
        weights: [topologyNormalizingWeight(4), topologyNormalizingWeight(2)],
      },
    },
    {
      name: "default constraints and a replicaset",
      pod: pod("p", { foo: "tar", baz: "sup" }, { owner: rsOwner("rs1") }),
      nodes: [node("node-a", { rack: "rack1", [HOST]: "node-a", planet: "mars" })],
      args: {
        defaultingType: "List",
        defaultConstraints: [
          { maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: SA },
          { maxSkew: 2, topologyKey: "rack", whenUnsatisfiable: DNS },
          { maxSkew: 2, topologyKey: "planet", whenUnsatisfiable: SA },
        ],
      },
      objects: { "apps/v1/replicasets": [rs("rs1", fooSelector)] },
      want: {
        constraints: [
          [HOST, 1, "foo"],
          ["planet", 2, "foo"],
        ],
        ignored: [],
        counts: [{}, { mars: 0 }],
        weights: [topologyNormalizingWeight(1), topologyNormalizingWeight(1)],
      },
    },
    {
      name: "default constraints and a replicaset, but pod has constraints",
      pod: pod(
        "p",
        { foo: "bar", baz: "sup" },
        {
          owner: rsOwner("rs1"),
          constraints: [
            spread(1, "zone", DNS, barSelector),
            spread(2, "planet", SA, { matchLabels: { baz: "sup" } }),
          ],
        },
      ),
      nodes: [node("node-a", { planet: "mars", galaxy: "andromeda" })],
      args: {
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 2, topologyKey: "galaxy", whenUnsatisfiable: SA }],
      },
      objects: { "apps/v1/replicasets": [rs("rs1", fooSelector)] },
      want: {
        constraints: [["planet", 2, "baz=sup"]],
        ignored: [],
        counts: [{ mars: 0 }],
        weights: [topologyNormalizingWeight(1)],
      },
    },
    {
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        { nodeSelector: { foo: "" }, constraints: [spread(1, "zone", SA, barSelector)] },
      ),
      nodes: [
        node("node-a", { zone: "zone1", foo: "", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", foo: "", [HOST]: "node-b" }),
        node("node-x", { zone: "zone2", [HOST]: "node-x" }),
      ],
      args: { defaultingType: "List" },
      want: {
        constraints: [["zone", 1, "bar"]],
        ignored: [],
        counts: [{ zone1: 0, zone2: 0 }],
        weights: [topologyNormalizingWeight(2)],
      },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const { pl, filtered } = setup(tc.nodes, [], [], tc.args, tc.objects);
      const cs = new CycleState();
      assert.equal(pl.preScore(cs, tc.pod, filtered), null);
      const s = cs.read<PreScoreState>(PRE_SCORE_STATE_KEY);
      assert.ok(s instanceof PreScoreState);
      assert.deepEqual(
        {
          constraints: s.constraints.map((c) => [c.topologyKey, c.maxSkew, c.selector.toString()]),
          ignored: [...s.ignoredNodes],
          counts: s.topologyValueToPodCounts.map((m) => Object.fromEntries(m)),
          weights: s.topologyNormalizingWeight,
        },
        tc.want,
      );
    });
  }
});

describe("PodTopologySpread Score", () => {
  const fooPods = (spec: Record<string, number>) =>
    Object.entries(spec).flatMap(([n, count]) =>
      Array.from({ length: count }, (_, i) => podOn(`p-${n}${i + 1}`, `node-${n}`, { foo: "" })),
    );
  const hostNodes = (...names: string[]) => names.map((n) => node(`node-${n}`, { [HOST]: `node-${n}` }));
  const hostConstraint = (maxSkew = 1) =>
    pod("p", { foo: "" }, { constraints: [spread(maxSkew, HOST, SA, fooSelector)] });

  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    failed?: Node[];
    existing?: Pod[];
    objects?: Record<string, KubeObject[]>;
    want: Record<string, number>;
  }> = [
    {
      name: "one constraint on node, no existing pods",
      pod: hostConstraint(),
      nodes: hostNodes("a", "b"),
      want: { "node-a": 100, "node-b": 100 },
    },
    {
      name: "one constraint on node, only one node is candidate",
      pod: hostConstraint(),
      nodes: hostNodes("a"),
      failed: hostNodes("b"),
      existing: fooPods({ a: 2, b: 1 }),
      want: { "node-a": 100 },
    },
    {
      name: "one constraint on node, all 4 nodes are candidates",
      pod: hostConstraint(),
      nodes: hostNodes("a", "b", "c", "d"),
      existing: fooPods({ a: 2, b: 1, d: 3 }),
      want: { "node-a": 20, "node-b": 60, "node-c": 100, "node-d": 0 },
    },
    {
      name: "one constraint on node, null selector",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, HOST, SA, undefined)] }),
      nodes: hostNodes("a", "b", "c", "d"),
      existing: fooPods({ a: 2, b: 1, d: 3 }),
      want: { "node-a": 100, "node-b": 100, "node-c": 100, "node-d": 100 },
    },
    {
      name: "one constraint on node, all 4 nodes are candidates, maxSkew=2",
      pod: hostConstraint(2),
      nodes: hostNodes("a", "b", "c", "d"),
      existing: fooPods({ a: 2, b: 1, d: 3 }),
      want: { "node-a": 33, "node-b": 66, "node-c": 100, "node-d": 16 },
    },
    {
      name: "one constraint on node, all 4 nodes are candidates, maxSkew=3",
      pod: hostConstraint(3),
      nodes: hostNodes("a", "b", "c", "d"),
      existing: fooPods({ a: 4, b: 3, c: 2, d: 1 }),
      want: { "node-a": 44, "node-b": 66, "node-c": 77, "node-d": 100 },
    },
    {
      name: "system defaulting, nodes don't have zone, pods match service",
      pod: pod("p", { foo: "" }),
      nodes: hostNodes("a", "b", "c", "d"),
      existing: fooPods({ a: 4, b: 3, c: 2, d: 1 }),
      objects: {
        "/v1/services": [
          { metadata: { namespace: "default", name: "s" }, spec: { selector: { foo: "" } } } as KubeObject,
        ],
      },
      want: { "node-a": 44, "node-b": 66, "node-c": 77, "node-d": 100 },
    },
    {
      name: "one constraint on node, 3 out of 4 nodes are candidates",
      pod: hostConstraint(),
      nodes: hostNodes("a", "b", "x"),
      failed: hostNodes("y"),
      existing: fooPods({ a: 4, b: 2, x: 1, y: 3 }),
      want: { "node-a": 33, "node-b": 83, "node-x": 100 },
    },
    {
      name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
      pod: hostConstraint(),
      nodes: [
        node("node-a", { [HOST]: "node-a" }),
        node("node-b", { n: "node-b" }),
        node("node-x", { [HOST]: "node-x" }),
      ],
      failed: hostNodes("y"),
      existing: fooPods({ a: 4, b: 2, x: 1, y: 3 }),
      want: { "node-a": 16, "node-b": 0, "node-x": 100 },
    },
    {
      name: "one constraint on zone, 3 out of 4 nodes are candidates",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", SA, fooSelector)] }),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-x", { zone: "zone2", [HOST]: "node-x" }),
      ],
      failed: [node("node-y", { zone: "zone2", [HOST]: "node-y" })],
      existing: fooPods({ a: 4, b: 2, x: 1, y: 3 }),
      want: { "node-a": 75, "node-b": 75, "node-x": 100 },
    },
    {
      name: "two Constraints on zone and node, 2 out of 4 nodes are candidates",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "zone", SA, fooSelector), spread(1, HOST, SA, fooSelector)] },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-x", { zone: "zone2", [HOST]: "node-x" }),
      ],
      failed: [
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-y", { zone: "zone2", [HOST]: "node-y" }),
      ],
      existing: fooPods({ a: 2, b: 1, x: 2, y: 4 }),
      want: { "node-a": 100, "node-x": 63 },
    },
    {
      name: "two Constraints on zone and node, with different labelSelectors",
      pod: pod(
        "p",
        { foo: "", bar: "" },
        { constraints: [spread(1, "zone", SA, fooSelector), spread(1, HOST, SA, barSelector)] },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-x", { zone: "zone2", [HOST]: "node-x" }),
        node("node-y", { zone: "zone2", [HOST]: "node-y" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "", bar: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { bar: "" }),
      ],
      want: { "node-a": 60, "node-b": 20, "node-x": 100, "node-y": 60 },
    },
    {
      name: "existing pods in a different namespace do not count",
      pod: hostConstraint(),
      nodes: hostNodes("a", "b"),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }, "ns1"),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
      ],
      want: { "node-a": 100, "node-b": 33 },
    },
    {
      name: "terminating Pods should be excluded",
      pod: hostConstraint(),
      nodes: hostNodes("a", "b"),
      existing: [terminating(podOn("p-a", "node-a", { foo: "" })), podOn("p-b", "node-b", { foo: "" })],
      want: { "node-a": 100, "node-b": 0 },
    },
    {
      name: "minDomains has no effect when ScheduleAnyway",
      pod: pod("p", { foo: "" }, { constraints: [spread(2, "node", SA, fooSelector, { minDomains: 10 })] }),
      nodes: [
        node("node-a", { node: "node-a" }),
        node("node-b", { node: "node-b" }),
        node("node-c", { node: "node-c" }),
      ],
      existing: fooPods({ a: 2, b: 2, c: 1 }),
      want: { "node-a": 75, "node-b": 75, "node-c": 100 },
    },
    {
      name: "NodeAffinityPolicy honoed with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        { nodeSelector: { foo: "" }, constraints: [spread(1, "node", SA, fooSelector)] },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-c", { node: "node-c" }),
      ],
      existing: fooPods({ a: 2, b: 1, c: 1 }),
      want: { "node-a": 0, "node-b": 33, "node-c": 100 },
    },
    {
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeSelector: { foo: "" },
          constraints: [spread(1, "node", SA, fooSelector, { nodeAffinityPolicy: "Ignore" })],
        },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-c", { node: "node-c" }),
      ],
      existing: fooPods({ a: 2, b: 1, c: 1 }),
      want: { "node-a": 66, "node-b": 100, "node-c": 100 },
    },
    {
      name: "NodeTaintsPolicy honored",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "node", SA, fooSelector, { nodeTaintsPolicy: "Honor" })] },
      ),
      nodes: [
        node("node-a", { node: "node-a" }),
        node("node-b", { node: "node-b" }),
        node("node-c", { node: "node-c" }, unschedulableTaints),
      ],
      existing: fooPods({ a: 2, b: 1, c: 1 }),
      want: { "node-a": 0, "node-b": 33, "node-c": 100 },
    },
    {
      name: "NodeTaintsPolicy ignored",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "node", SA, fooSelector)] }),
      nodes: [
        node("node-a", { node: "node-a" }),
        node("node-b", { node: "node-b" }),
        node("node-c", { node: "node-c" }, unschedulableTaints),
      ],
      existing: fooPods({ a: 2, b: 1, c: 1 }),
      want: { "node-a": 66, "node-b": 100, "node-c": 100 },
    },
    {
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
      pod: pod(
        "p",
        { foo: "", bar: "" },
        {
          constraints: [
            spread(1, "zone", SA, {}, { matchLabelKeys: ["foo"] }),
            spread(1, HOST, SA, {}, { matchLabelKeys: ["bar"] }),
          ],
        },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-c", { zone: "zone2", [HOST]: "node-c" }),
        node("node-d", { zone: "zone2", [HOST]: "node-d" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "", bar: "" }),
        podOn("p-y1", "node-c", { foo: "" }),
        podOn("p-y2", "node-c", { bar: "" }),
      ],
      want: { "node-a": 60, "node-b": 20, "node-c": 60, "node-d": 100 },
    },
    {
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
      pod: pod(
        "p",
        { foo: "", bar: "", baz: "" },
        {
          constraints: [
            spread(1, "zone", SA, fooSelector),
            spread(1, HOST, SA, barSelector, { matchLabelKeys: ["baz"] }),
          ],
        },
      ),
      nodes: [
        node("node-a", { zone: "zone1", [HOST]: "node-a" }),
        node("node-b", { zone: "zone1", [HOST]: "node-b" }),
        node("node-c", { zone: "zone2", [HOST]: "node-c" }),
        node("node-d", { zone: "zone2", [HOST]: "node-d" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "", bar: "", baz: "" }),
        podOn("p-c1", "node-c", { foo: "" }),
        podOn("p-c2", "node-c", { bar: "" }),
        podOn("p-d3", "node-c", { bar: "", baz: "" }),
      ],
      want: { "node-a": 60, "node-b": 20, "node-c": 60, "node-d": 100 },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const { pl, filtered } = setup(
        tc.nodes,
        tc.failed ?? [],
        tc.existing ?? [],
        { defaultingType: "System" },
        tc.objects,
      );
      const cs = new CycleState();
      assert.equal(pl.preScore(cs, tc.pod, filtered), null);
      const scores: NodeScore[] = filtered.map((ni) => ({ name: ni.name, score: pl.score(cs, tc.pod, ni) }));
      assert.equal(pl.normalizeScore(cs, tc.pod, scores), null);
      assert.deepEqual(Object.fromEntries(scores.map((s) => [s.name, s.score])), tc.want);
    });
  }
});
