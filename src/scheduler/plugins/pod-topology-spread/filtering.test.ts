// Cases ported from upstream's podtopologyspread/filtering_test.go (v1.32):
// TestPreFilterState, TestPreFilterStateAddPod/RemovePod, TestSingleConstraint.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../../client/rest-client.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import { PodInfo } from "../../framework/node-info.ts";
import { Code } from "../../framework/status.ts";
import { fakeHandle } from "../../testing.ts";
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  newPodTopologySpread,
  type PodTopologySpread,
  type PodTopologySpreadArgs,
  PRE_FILTER_STATE_KEY,
  type PreFilterState,
} from "./index.ts";
import {
  barSelector,
  fooSelector,
  node,
  pod,
  podOn,
  spread,
  terminating,
  unschedulableTaints,
  zoneNodes,
} from "./testing.ts";

const DNS = "DoNotSchedule";
const SA = "ScheduleAnyway";
const LIST: PodTopologySpreadArgs = { defaultingType: "List" };

function setup(
  nodes: Node[],
  existing: Pod[] = [],
  args: PodTopologySpreadArgs = LIST,
  objects?: Record<string, KubeObject[]>,
) {
  const handle = fakeHandle({ nodes, pods: existing, objects });
  const pl = newPodTopologySpread(args as Record<string, unknown>, handle) as PodTopologySpread;
  return { pl, snapshot: handle.snapshot() };
}

/** Runs PreFilter; returns the state or the status code. */
function preFilter(pl: PodTopologySpread, p: Pod, nodes: ReturnType<typeof setup>["snapshot"]) {
  const cs = new CycleState();
  const { status } = pl.preFilter(cs, p, nodes.nodeInfoList);
  return { cs, status, state: cs.read<PreFilterState>(PRE_FILTER_STATE_KEY) };
}

type Paths = Array<[string, number]>;

/** The state as upstream's tests compare it: counts per constraint, critical paths sorted when tied. */
function summary(s: PreFilterState) {
  return {
    counts: s.tpValueToMatchNum.map((m) => Object.fromEntries(m)),
    paths: s.criticalPaths.map((p): Paths => {
      const a: Paths = [
        [p.value0, p.num0],
        [p.value1, p.num1],
      ];
      if (a[0][1] === a[1][1] && a[0][0] > a[1][0]) a.reverse();
      return a;
    }),
  };
}

const MAX = 2 ** 31 - 1;
const abxy = () => zoneNodes({ a: "zone1", b: "zone1", x: "zone2", y: "zone2" });

describe("PodTopologySpread PreFilter state", () => {
  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    existing?: Pod[];
    args?: PodTopologySpreadArgs;
    objects?: Record<string, KubeObject[]>;
    want?: { counts: Array<Record<string, number>>; paths: Paths[] };
    wantSkip?: boolean;
    wantConstraints?: Array<{ topologyKey: string; maxSkew: number; selector: string }>;
  }> = [
    {
      name: "clean cluster with one spreadConstraint",
      pod: pod("p", { foo: "" }, { constraints: [spread(5, "zone", DNS, { matchLabels: { foo: "bar" } })] }),
      nodes: abxy(),
      want: {
        counts: [{ zone1: 0, zone2: 0 }],
        paths: [
          [
            ["zone1", 0],
            ["zone2", 0],
          ],
        ],
      },
    },
    {
      name: "normal case with one spreadConstraint",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "" }),
      ],
      want: {
        counts: [{ zone1: 3, zone2: 2 }],
        paths: [
          [
            ["zone2", 2],
            ["zone1", 3],
          ],
        ],
      },
    },
    {
      name: "normal case with null label selector",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, undefined)] }),
      nodes: abxy(),
      existing: [podOn("p-a1", "node-a", { foo: "" }), podOn("p-y1", "node-y", { foo: "" })],
      want: {
        counts: [{ zone1: 0, zone2: 0 }],
        paths: [
          [
            ["zone1", 0],
            ["zone2", 0],
          ],
        ],
      },
    },
    {
      name: "normal case with one spreadConstraint, on a 3-zone cluster",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: zoneNodes({ a: "zone1", b: "zone1", x: "zone2", y: "zone2", o: "zone3", p: "zone3" }),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "" }),
      ],
      want: {
        counts: [{ zone1: 3, zone2: 2, zone3: 0 }],
        paths: [
          [
            ["zone3", 0],
            ["zone2", 2],
          ],
        ],
      },
    },
    {
      name: "namespace mismatch doesn't count",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }, "ns1"),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }, "ns2"),
        podOn("p-y2", "node-y", { foo: "" }),
      ],
      want: {
        counts: [{ zone1: 2, zone2: 1 }],
        paths: [
          [
            ["zone2", 1],
            ["zone1", 2],
          ],
        ],
      },
    },
    {
      name: "normal case with two spreadConstraints",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "zone", DNS, fooSelector), spread(1, "node", DNS, fooSelector)] },
      ),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "" }),
        podOn("p-y3", "node-y", { foo: "" }),
        podOn("p-y4", "node-y", { foo: "" }),
      ],
      want: {
        counts: [
          { zone1: 3, zone2: 4 },
          { "node-a": 2, "node-b": 1, "node-x": 0, "node-y": 4 },
        ],
        paths: [
          [
            ["zone1", 3],
            ["zone2", 4],
          ],
          [
            ["node-x", 0],
            ["node-b", 1],
          ],
        ],
      },
    },
    {
      name: "soft spreadConstraints should be bypassed",
      pod: pod(
        "p",
        { foo: "" },
        {
          constraints: [
            spread(1, "zone", SA, fooSelector),
            spread(1, "zone", DNS, fooSelector),
            spread(1, "node", SA, fooSelector),
            spread(1, "node", DNS, fooSelector),
          ],
        },
      ),
      nodes: zoneNodes({ a: "zone1", b: "zone1", y: "zone2" }),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "" }),
        podOn("p-y3", "node-y", { foo: "" }),
        podOn("p-y4", "node-y", { foo: "" }),
      ],
      want: {
        counts: [
          { zone1: 3, zone2: 4 },
          { "node-a": 2, "node-b": 1, "node-y": 4 },
        ],
        paths: [
          [
            ["zone1", 3],
            ["zone2", 4],
          ],
          [
            ["node-b", 1],
            ["node-a", 2],
          ],
        ],
      },
    },
    {
      name: "different labelSelectors - complex pods",
      pod: pod(
        "p",
        { foo: "", bar: "" },
        { constraints: [spread(1, "zone", DNS, fooSelector), spread(1, "node", DNS, barSelector)] },
      ),
      nodes: zoneNodes({ a: "zone1", b: "zone1", y: "zone2" }),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "", bar: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "", bar: "" }),
        podOn("p-y3", "node-y", { foo: "" }),
        podOn("p-y4", "node-y", { foo: "", bar: "" }),
      ],
      want: {
        counts: [
          { zone1: 3, zone2: 4 },
          { "node-a": 1, "node-b": 0, "node-y": 2 },
        ],
        paths: [
          [
            ["zone1", 3],
            ["zone2", 4],
          ],
          [
            ["node-b", 0],
            ["node-a", 1],
          ],
        ],
      },
    },
    {
      name: "two spreadConstraints, and with podAffinity",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeAffinity: [{ key: "node", operator: "NotIn", values: ["node-x"] }],
          constraints: [spread(1, "zone", DNS, fooSelector), spread(1, "node", DNS, fooSelector)],
        },
      ),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
        podOn("p-y2", "node-y", { foo: "" }),
        podOn("p-y3", "node-y", { foo: "" }),
        podOn("p-y4", "node-y", { foo: "" }),
      ],
      want: {
        counts: [
          { zone1: 3, zone2: 4 },
          { "node-a": 2, "node-b": 1, "node-y": 4 },
        ],
        paths: [
          [
            ["zone1", 3],
            ["zone2", 4],
          ],
          [
            ["node-b", 1],
            ["node-a", 2],
          ],
        ],
      },
    },
    {
      name: "default constraints and a service",
      pod: pod("p", { foo: "bar", baz: "kar" }),
      args: {
        defaultingType: "List",
        defaultConstraints: [
          { maxSkew: 3, topologyKey: "node", whenUnsatisfiable: DNS },
          { maxSkew: 2, topologyKey: "node", whenUnsatisfiable: SA },
          { maxSkew: 5, topologyKey: "rack", whenUnsatisfiable: DNS },
        ],
      },
      objects: {
        "/v1/services": [
          { metadata: { name: "s", namespace: "default" }, spec: { selector: { foo: "bar" } } } as KubeObject,
        ],
      },
      nodes: [],
      wantConstraints: [
        { topologyKey: "node", maxSkew: 3, selector: "foo=bar" },
        { topologyKey: "rack", maxSkew: 5, selector: "foo=bar" },
      ],
      want: {
        counts: [{}, {}],
        paths: [
          [
            ["", MAX],
            ["", MAX],
          ],
          [
            ["", MAX],
            ["", MAX],
          ],
        ],
      },
    },
    {
      name: "default constraints and a service that doesn't match",
      pod: pod("p", { foo: "bar" }),
      args: {
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 3, topologyKey: "node", whenUnsatisfiable: DNS }],
      },
      objects: {
        "/v1/services": [
          { metadata: { name: "s", namespace: "default" }, spec: { selector: { baz: "kep" } } } as KubeObject,
        ],
      },
      nodes: [],
      wantSkip: true,
    },
    {
      name: "default constraints and a service, but pod has constraints",
      pod: pod(
        "p",
        { foo: "bar", baz: "tar" },
        {
          constraints: [
            spread(1, "zone", DNS, { matchLabels: { baz: "tar" } }),
            spread(2, "planet", SA, { matchLabels: { fot: "rok" } }),
          ],
        },
      ),
      args: {
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 2, topologyKey: "node", whenUnsatisfiable: DNS }],
      },
      objects: {
        "/v1/services": [
          { metadata: { name: "s", namespace: "default" }, spec: { selector: { foo: "bar" } } } as KubeObject,
        ],
      },
      nodes: [],
      wantConstraints: [{ topologyKey: "zone", maxSkew: 1, selector: "baz=tar" }],
    },
    {
      name: "default soft constraints and a service",
      pod: pod("p", { foo: "bar" }),
      args: {
        defaultingType: "List",
        defaultConstraints: [{ maxSkew: 2, topologyKey: "node", whenUnsatisfiable: SA }],
      },
      objects: {
        "/v1/services": [
          { metadata: { name: "s", namespace: "default" }, spec: { selector: { foo: "bar" } } } as KubeObject,
        ],
      },
      nodes: [],
      wantSkip: true,
    },
    {
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        { nodeSelector: { foo: "" }, constraints: [spread(1, "node", DNS, barSelector)] },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-c", { node: "node-c", bar: "" }),
      ],
      existing: [
        podOn("p-a", "node-a", { bar: "" }),
        podOn("p-b", "node-b", { bar: "" }),
        podOn("p-c", "node-b", { bar: "" }),
        podOn("p-d", "node-c"),
      ],
      want: {
        counts: [{ "node-a": 1, "node-b": 2 }],
        paths: [
          [
            ["node-a", 1],
            ["node-b", 2],
          ],
        ],
      },
    },
    {
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeSelector: { foo: "" },
          constraints: [spread(1, "node", DNS, barSelector, { nodeAffinityPolicy: "Ignore" })],
        },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-c", { node: "node-c", bar: "" }),
      ],
      existing: [
        podOn("p-a", "node-a", { bar: "" }),
        podOn("p-b", "node-b", { bar: "" }),
        podOn("p-c", "node-b", { bar: "" }),
        podOn("p-d", "node-c"),
      ],
      want: {
        counts: [{ "node-a": 1, "node-b": 2, "node-c": 0 }],
        paths: [
          [
            ["node-c", 0],
            ["node-a", 1],
          ],
        ],
      },
    },
    {
      name: "two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
      pod: pod(
        "p",
        { foo: "" },
        {
          constraints: [
            spread(1, "zone", DNS, fooSelector, { nodeTaintsPolicy: "Honor" }),
            spread(1, "node", DNS, fooSelector),
          ],
        },
      ),
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a", foo: "" }),
        node("node-b", { zone: "zone1", node: "node-b" }, unschedulableTaints),
        node("node-x", { zone: "zone2", node: "node-x", foo: "" }),
      ],
      existing: [
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-x1", "node-x", { foo: "" }),
      ],
      want: {
        counts: [
          { zone1: 0, zone2: 1 },
          { "node-a": 0, "node-b": 2, "node-x": 1 },
        ],
        paths: [
          [
            ["zone1", 0],
            ["zone2", 1],
          ],
          [
            ["node-a", 0],
            ["node-x", 1],
          ],
        ],
      },
    },
    {
      name: "two node inclusion Constraints, zone: ignore/ignore, node: honor/honor",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeSelector: { foo: "" },
          constraints: [
            spread(1, "zone", DNS, fooSelector, { nodeAffinityPolicy: "Ignore" }),
            spread(1, "node", DNS, fooSelector, { nodeTaintsPolicy: "Honor" }),
          ],
        },
      ),
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a" }),
        node("node-b", { zone: "zone1", node: "node-b", foo: "" }, unschedulableTaints),
        node("node-x", { zone: "zone2", node: "node-x", foo: "" }),
        node("node-y", { zone: "zone2", node: "node-y", foo: "" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-x1", "node-x", { foo: "" }),
        podOn("p-x2", "node-x", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: {
        counts: [
          { zone1: 2, zone2: 3 },
          { "node-x": 2, "node-y": 1 },
        ],
        paths: [
          [
            ["zone1", 2],
            ["zone2", 3],
          ],
          [
            ["node-y", 1],
            ["node-x", 2],
          ],
        ],
      },
    },
    {
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
      pod: pod(
        "p",
        { foo: "", bar: "a" },
        { constraints: [spread(1, "zone", DNS, fooSelector, { matchLabelKeys: ["bar"] })] },
      ),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "", bar: "a" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "", bar: "a" }),
        podOn("p-y2", "node-y", { bar: "" }),
      ],
      wantConstraints: [{ topologyKey: "zone", maxSkew: 1, selector: "bar=a,foo" }],
      want: {
        counts: [{ zone1: 1, zone2: 1 }],
        paths: [
          [
            ["zone1", 1],
            ["zone2", 1],
          ],
        ],
      },
    },
    {
      name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
      pod: pod("p", { foo: "a" }, { constraints: [spread(1, "zone", DNS, {}, { matchLabelKeys: ["foo"] })] }),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "a" }),
        podOn("p-a2", "node-a", { foo: "a" }),
        podOn("p-b1", "node-b", { foo: "a" }),
        podOn("p-y1", "node-y", { foo: "a" }),
        podOn("p-y2", "node-y", { foo: "a" }),
      ],
      wantConstraints: [{ topologyKey: "zone", maxSkew: 1, selector: "foo=a" }],
      want: {
        counts: [{ zone1: 3, zone2: 2 }],
        paths: [
          [
            ["zone2", 2],
            ["zone1", 3],
          ],
        ],
      },
    },
    {
      name: "key in matchLabelKeys is ignored when it isn't exist in pod.labels",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "zone", DNS, fooSelector, { matchLabelKeys: ["bar"] })] },
      ),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "a" }),
        podOn("p-a2", "node-a", { foo: "a" }),
        podOn("p-b1", "node-b", { foo: "a" }),
        podOn("p-y1", "node-y", { foo: "a" }),
        podOn("p-y2", "node-y", { foo: "a" }),
      ],
      wantConstraints: [{ topologyKey: "zone", maxSkew: 1, selector: "foo" }],
      want: {
        counts: [{ zone1: 3, zone2: 2 }],
        paths: [
          [
            ["zone2", 2],
            ["zone1", 3],
          ],
        ],
      },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const { pl, snapshot } = setup(tc.nodes, tc.existing, tc.args, tc.objects);
      const { status, state } = preFilter(pl, tc.pod, snapshot);
      if (tc.wantSkip) {
        assert.equal(status?.code, Code.Skip);
        return;
      }
      assert.equal(status, null);
      assert.ok(state);
      if (tc.wantConstraints) {
        assert.deepEqual(
          state.constraints.map((c) => ({
            topologyKey: c.topologyKey,
            maxSkew: c.maxSkew,
            selector: c.selector.toString(),
          })),
          tc.wantConstraints,
        );
      }
      if (tc.want) assert.deepEqual(summary(state), tc.want);
    });
  }

  it("defaults minDomains to 1 and the policies to Honor / Ignore", () => {
    const { pl, snapshot } = setup(abxy());
    const { state } = preFilter(
      pl,
      pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      snapshot,
    );
    const c = state!.constraints[0];
    assert.deepEqual([c.minDomains, c.nodeAffinityPolicy, c.nodeTaintsPolicy], [1, "Honor", "Ignore"]);
  });

  it("a pod without constraints is skipped under System defaulting (the system defaults are all ScheduleAnyway)", () => {
    const { pl, snapshot } = setup(abxy(), [], {});
    assert.equal(preFilter(pl, pod("p", { foo: "" }), snapshot).status?.code, Code.Skip);
  });

  it("a bad selector is an Error status", () => {
    const { pl, snapshot } = setup(abxy());
    const bad = pod(
      "p",
      {},
      { constraints: [spread(1, "zone", DNS, { matchExpressions: [{ key: "foo", operator: "In" }] })] },
    );
    const { status } = preFilter(pl, bad, snapshot);
    assert.equal(status?.code, Code.Error);
    assert.match(
      status!.message(),
      /^get constraints from pod: obtaining pod's hard topology spread constraints: /,
    );
  });
});

describe("PodTopologySpread PreFilter extensions", () => {
  const nodeConstraint = [spread(1, "node", DNS, fooSelector)];
  const zoneAndNode = [spread(1, "zone", DNS, fooSelector), spread(1, "node", DNS, fooSelector)];
  const cases: Array<{
    name: string;
    preemptor: Pod;
    nodes: Node[];
    existing?: Pod[];
    added?: Pod;
    removed?: Pod;
    nodeIdx: number;
    want: { counts: Array<Record<string, number>>; paths: Paths[] };
  }> = [
    {
      name: "node a and b both impact current min match",
      preemptor: pod("p", { foo: "" }, { constraints: nodeConstraint }),
      added: podOn("p-a1", "node-a", { foo: "" }),
      nodeIdx: 0,
      nodes: zoneNodes({ a: "zone1", b: "zone1" }),
      want: {
        counts: [{ "node-a": 1, "node-b": 0 }],
        paths: [
          [
            ["node-b", 0],
            ["node-a", 1],
          ],
        ],
      },
    },
    {
      name: "only node a impacts current min match",
      preemptor: pod("p", { foo: "" }, { constraints: nodeConstraint }),
      added: podOn("p-a1", "node-a", { foo: "" }),
      existing: [podOn("p-b1", "node-b", { foo: "" })],
      nodeIdx: 0,
      nodes: zoneNodes({ a: "zone1", b: "zone1" }),
      want: {
        counts: [{ "node-a": 1, "node-b": 1 }],
        paths: [
          [
            ["node-a", 1],
            ["node-b", 1],
          ],
        ],
      },
    },
    {
      name: "add a pod in a different namespace doesn't change topologyKeyToMinPodsMap",
      preemptor: pod("p", { foo: "" }, { constraints: nodeConstraint }),
      added: podOn("p-a1", "node-a", { foo: "" }, "ns1"),
      existing: [podOn("p-b1", "node-b", { foo: "" })],
      nodeIdx: 0,
      nodes: zoneNodes({ a: "zone1", b: "zone1" }),
      want: {
        counts: [{ "node-a": 0, "node-b": 1 }],
        paths: [
          [
            ["node-a", 0],
            ["node-b", 1],
          ],
        ],
      },
    },
    {
      name: "node a impacts topologyKeyToMinPodsMap on node, node x impacts topologyKeyToMinPodsMap on zone",
      preemptor: pod("p", { foo: "" }, { constraints: zoneAndNode }),
      added: podOn("p-a1", "node-a", { foo: "" }),
      existing: [
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-x1", "node-x", { foo: "" }),
      ],
      nodeIdx: 0,
      nodes: zoneNodes({ a: "zone1", b: "zone1", x: "zone2" }),
      want: {
        counts: [
          { zone1: 3, zone2: 1 },
          { "node-a": 1, "node-b": 2, "node-x": 1 },
        ],
        paths: [
          [
            ["zone2", 1],
            ["zone1", 3],
          ],
          [
            ["node-a", 1],
            ["node-x", 1],
          ],
        ],
      },
    },
    {
      name: "add a pod when scheduling node affinity unmatched pod with NodeInclusionPolicy enabled",
      preemptor: pod(
        "p",
        { foo: "" },
        {
          nodeAffinity: [{ key: "foo", operator: "NotIn", values: ["bar"] }],
          constraints: [spread(1, "zone", DNS, fooSelector)],
        },
      ),
      added: podOn("p-a1", "node-a", { foo: "", zone: "zone1" }),
      existing: [
        podOn("p-a2", "node-a", { foo: "", zone: "zone1" }),
        podOn("p-b1", "node-b", { foo: "", zone: "zone2" }),
      ],
      nodeIdx: 0,
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }),
        node("node-b", { zone: "zone2", node: "node-b", foo: "" }),
      ],
      want: {
        counts: [{ zone2: 1 }],
        paths: [
          [
            ["zone2", 1],
            ["", MAX],
          ],
        ],
      },
    },
    {
      name: "remove a pod when scheduling node affinity matched pod with NodeInclusionPolicy enabled",
      preemptor: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      removed: podOn("p-b1", "node-b", { foo: "", zone: "zone2" }),
      existing: [
        podOn("p-a1", "node-a", { foo: "", zone: "zone1" }),
        podOn("p-b2", "node-b", { foo: "", zone: "zone2" }),
      ],
      nodeIdx: 1,
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a", foo: "bar" }),
        node("node-b", { zone: "zone2", node: "node-b", foo: "" }),
      ],
      want: {
        counts: [{ zone1: 1, zone2: 0 }],
        paths: [
          [
            ["zone2", 0],
            ["zone1", 1],
          ],
        ],
      },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const { pl, snapshot } = setup(tc.nodes, tc.existing);
      const { cs, status } = preFilter(pl, tc.preemptor, snapshot);
      assert.equal(status, null);
      const ni = snapshot.get(tc.nodes[tc.nodeIdx].metadata!.name!)!;
      const ext = pl.preFilterExtensions();
      const r = tc.added
        ? ext.addPod(cs, tc.preemptor, new PodInfo(tc.added), ni)
        : ext.removePod(cs, tc.preemptor, new PodInfo(tc.removed!), ni);
      assert.equal(r, null);
      assert.deepEqual(summary(cs.read<PreFilterState>(PRE_FILTER_STATE_KEY)!), tc.want);
    });
  }

  it("a cloned state is edited without touching the original", () => {
    const { pl, snapshot } = setup(zoneNodes({ a: "zone1", b: "zone1" }));
    const p = pod("p", { foo: "" }, { constraints: nodeConstraint });
    const { cs } = preFilter(pl, p, snapshot);
    const copy = cs.clone();
    pl.preFilterExtensions().addPod(
      copy,
      p,
      new PodInfo(podOn("p-a1", "node-a", { foo: "" })),
      snapshot.get("node-a")!,
    );
    assert.deepEqual(summary(cs.read<PreFilterState>(PRE_FILTER_STATE_KEY)!).counts, [
      { "node-a": 0, "node-b": 0 },
    ]);
    assert.deepEqual(summary(copy.read<PreFilterState>(PRE_FILTER_STATE_KEY)!).counts, [
      { "node-a": 1, "node-b": 0 },
    ]);
  });
});

describe("PodTopologySpread Filter, single constraint", () => {
  const S = "Success";
  const U = Code.Unschedulable;
  const UU = Code.UnschedulableAndUnresolvable;
  const spread2103 = () => [
    podOn("p-a1", "node-a", { foo: "" }),
    podOn("p-a2", "node-a", { foo: "" }),
    podOn("p-b1", "node-b", { foo: "" }),
    podOn("p-y1", "node-y", { foo: "" }),
    podOn("p-y2", "node-y", { foo: "" }),
    podOn("p-y3", "node-y", { foo: "" }),
  ];
  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    existing?: Pod[];
    want: Record<string, string>;
  }> = [
    {
      name: "no existing pods",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: abxy(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      name: "no existing pods, incoming pod doesn't match itself",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, barSelector)] }),
      nodes: abxy(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      name: "existing pods in a different namespace do not count",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: [
        podOn("p-a1", "node-a", { foo: "" }, "ns1"),
        podOn("p-b1", "node-a", { foo: "" }, "ns2"),
        podOn("p-x1", "node-x", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
    },
    {
      name: "existing pods do not match null selector",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, undefined)] }),
      nodes: abxy(),
      existing: [podOn("p-x1", "node-x", { foo: "" }), podOn("p-y1", "node-y", { foo: "" })],
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      name: "pods spread across zones as 3/3, all nodes fit",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: spread2103(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
    },
    {
      name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] }),
      nodes: [
        node("node-a", { zone: "zone1", node: "node-a" }),
        node("node-b", { zon: "zone1", node: "node-b" }),
        node("node-x", { zone: "zone2", node: "node-x" }),
        node("node-y", { zone: "zone2", node: "node-y" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-x1", "node-x", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": S, "node-b": UU, "node-x": U, "node-y": U },
    },
    {
      name: "pod cannot be scheduled as all nodes don't have label 'rack'",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "rack", DNS, fooSelector)] }),
      nodes: zoneNodes({ a: "zone1", x: "zone2" }),
      want: { "node-a": UU, "node-x": UU },
    },
    {
      name: "pods spread across nodes as 2/1/0/3, only node-x fits",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "node", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      name: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
      pod: pod("p", { foo: "" }, { constraints: [spread(2, "node", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
      pod: pod("p", { bar: "" }, { constraints: [spread(1, "node", DNS, fooSelector)] }),
      nodes: abxy(),
      existing: spread2103(),
      want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      name: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeAffinity: [{ key: "node", operator: "In", values: ["node-a", "node-y"] }],
          constraints: [spread(1, "node", DNS, fooSelector)],
        },
      ),
      nodes: abxy(),
      existing: spread2103(),
      want: { "node-a": S, "node-b": S, "node-x": S, "node-y": U },
    },
    {
      name: "terminating Pods should be excluded",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "node", DNS, fooSelector)] }),
      nodes: [node("node-a", { node: "node-a" }), node("node-b", { node: "node-b" })],
      existing: [terminating(podOn("p-a", "node-a", { foo: "" })), podOn("p-b", "node-b", { foo: "" })],
      want: { "node-a": S, "node-b": U },
    },
    {
      name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits",
      pod: pod("p", { foo: "" }, { constraints: [spread(2, "node", DNS, fooSelector, { minDomains: 4 })] }),
      nodes: [
        node("node-a", { node: "node-a" }),
        node("node-b", { node: "node-b" }),
        node("node-c", { node: "node-c" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-c1", "node-c", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-c": S },
    },
    {
      name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit",
      pod: pod("p", { foo: "" }, { constraints: [spread(2, "node", DNS, fooSelector, { minDomains: 2 })] }),
      nodes: [
        node("node-a", { node: "node-a" }),
        node("node-b", { node: "node-b" }),
        node("node-c", { node: "node-c" }),
      ],
      existing: [
        podOn("p-a1", "node-a", { foo: "" }),
        podOn("p-a2", "node-a", { foo: "" }),
        podOn("p-b1", "node-b", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-c1", "node-c", { foo: "" }),
      ],
      want: { "node-a": S, "node-b": S, "node-c": S },
    },
    {
      name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit",
      pod: pod("p", { foo: "" }, { constraints: [spread(2, "zone", DNS, fooSelector, { minDomains: 3 })] }),
      nodes: abxy(),
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeAffinityPolicy honored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        { nodeSelector: { foo: "" }, constraints: [spread(1, "node", DNS, fooSelector)] },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-x", { node: "node-x", foo: "" }),
        node("node-y", { node: "node-y" }),
      ],
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeAffinityPolicy ignored with labelSelectors",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeSelector: { foo: "" },
          constraints: [spread(1, "node", DNS, fooSelector, { nodeAffinityPolicy: "Ignore" })],
        },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-x", { node: "node-x", foo: "" }),
        node("node-y", { node: "node-y" }),
      ],
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
    {
      name: "NodeAffinityPolicy honored with nodeAffinity",
      pod: pod(
        "p",
        { foo: "" },
        {
          nodeAffinity: [{ key: "foo", operator: "In", values: [""] }],
          constraints: [spread(1, "node", DNS, fooSelector)],
        },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-x", { node: "node-x", foo: "" }),
        node("node-y", { node: "node-y" }),
      ],
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeTaintsPolicy honored",
      pod: pod(
        "p",
        { foo: "" },
        { constraints: [spread(1, "node", DNS, fooSelector, { nodeTaintsPolicy: "Honor" })] },
      ),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-x", { node: "node-x", foo: "" }),
        node("node-y", { node: "node-y" }, unschedulableTaints),
      ],
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
    },
    {
      name: "NodeTaintsPolicy ignored",
      pod: pod("p", { foo: "" }, { constraints: [spread(1, "node", DNS, fooSelector)] }),
      nodes: [
        node("node-a", { node: "node-a", foo: "" }),
        node("node-b", { node: "node-b", foo: "" }),
        node("node-x", { node: "node-x", foo: "" }),
        node("node-y", { node: "node-y" }, unschedulableTaints),
      ],
      existing: [
        podOn("p-b1", "node-a", { foo: "" }),
        podOn("p-b2", "node-b", { foo: "" }),
        podOn("p-y1", "node-y", { foo: "" }),
      ],
      want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const { pl, snapshot } = setup(tc.nodes, tc.existing);
      const { cs, status } = preFilter(pl, tc.pod, snapshot);
      assert.equal(status, null);
      const got: Record<string, string> = {};
      for (const ni of snapshot.nodeInfoList) got[ni.name] = pl.filter(cs, tc.pod, ni)?.code ?? S;
      assert.deepEqual(got, tc.want);
    });
  }

  it("uses upstream's reasons", () => {
    const nodes = [node("node-a", { zone: "zone1" }), node("node-b", {}), node("node-c", { zone: "zone2" })];
    const { pl, snapshot } = setup(nodes, [podOn("p-a1", "node-a", { foo: "" })]);
    const p = pod("p", { foo: "" }, { constraints: [spread(1, "zone", DNS, fooSelector)] });
    const { cs } = preFilter(pl, p, snapshot);
    assert.deepEqual(pl.filter(cs, p, snapshot.get("node-a")!)?.reasons, [ERR_REASON_CONSTRAINTS_NOT_MATCH]);
    assert.deepEqual(pl.filter(cs, p, snapshot.get("node-b")!)?.reasons, [ERR_REASON_NODE_LABEL_NOT_MATCH]);
    assert.equal(
      ERR_REASON_NODE_LABEL_NOT_MATCH,
      "node(s) didn't match pod topology spread constraints (missing required label)",
    );
  });

  it("Filter without PreFilter state is an Error", () => {
    const { pl, snapshot } = setup(abxy());
    const s = pl.filter(new CycleState(), pod("p"), snapshot.get("node-a")!);
    assert.equal(s?.code, Code.Error);
    assert.equal(s?.message(), 'reading "PreFilterPodTopologySpread" from cycleState: not found');
  });
});
