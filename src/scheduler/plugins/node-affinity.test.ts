import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type {
  Affinity,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
} from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import type { NodeScore } from "../framework/interface.ts";
import { NodeInfo } from "../framework/node-info.ts";
import { Code, type Status } from "../framework/status.ts";
import { fakeHandle } from "../testing.ts";
import {
  ERR_REASON_CONFLICT,
  ERR_REASON_ENFORCED,
  ERR_REASON_POD,
  NAME,
  type NodeAffinity,
  type NodeAffinityArgs,
  newNodeAffinity,
} from "./node-affinity.ts";

const plugin = (args?: NodeAffinityArgs) =>
  newNodeAffinity(args as Record<string, unknown>, fakeHandle()) as NodeAffinity;

const podWith = (spec: Partial<NonNullable<Pod["spec"]>>): Pod => ({
  metadata: { name: "p", namespace: "default" },
  spec: { containers: [], ...spec },
});

const required = (...terms: NodeSelectorTerm[]): Pod =>
  podWith({
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
    },
  });

const exprs = (...matchExpressions: NodeSelectorRequirement[]): NodeSelectorTerm => ({ matchExpressions });
const nameIn = (...names: string[]): NodeSelectorRequirement => ({
  key: "metadata.name",
  operator: "In",
  values: names,
});

const nodeInfo = (name: string, labels?: Record<string, string>): NodeInfo =>
  new NodeInfo({ metadata: { name, labels } } satisfies Node);

interface FilterCase {
  name: string;
  pod: Pod;
  labels?: Record<string, string>;
  nodeName?: string;
  /** Filter's reason; none = fits. */
  wantStatus?: string;
  /** PreFilter: "skip" or a reason. */
  wantPreFilterStatus?: "skip" | string;
  wantPreFilterNodeNames?: string[];
  args?: NodeAffinityArgs;
  runPreFilter?: boolean;
}

// Upstream: nodeaffinity/node_affinity_test.go TestNodeAffinity.
const filterCases: FilterCase[] = [
  { name: "missing labels", pod: podWith({ nodeSelector: { foo: "bar" } }), wantStatus: ERR_REASON_POD },
  { name: "same labels", pod: podWith({ nodeSelector: { foo: "bar" } }), labels: { foo: "bar" } },
  {
    name: "node labels are superset",
    pod: podWith({ nodeSelector: { foo: "bar" } }),
    labels: { foo: "bar", baz: "blah" },
  },
  {
    name: "node labels are subset",
    pod: podWith({ nodeSelector: { foo: "bar", baz: "blah" } }),
    labels: { foo: "bar" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with matchExpressions using In operator that matches the existing node",
    pod: required(exprs({ key: "foo", operator: "In", values: ["bar", "value2"] })),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with matchExpressions using Gt operator that matches the existing node",
    pod: required(exprs({ key: "kernel-version", operator: "Gt", values: ["0204"] })),
    labels: { "kernel-version": "0206" },
  },
  {
    name: "Pod with matchExpressions using NotIn operator that matches the existing node",
    pod: required(exprs({ key: "mem-type", operator: "NotIn", values: ["DDR", "DDR2"] })),
    labels: { "mem-type": "DDR3" },
  },
  {
    name: "Pod with matchExpressions using Exists operator that matches the existing node",
    pod: required(exprs({ key: "GPU", operator: "Exists" })),
    labels: { GPU: "NVIDIA-GRID-K1" },
  },
  {
    name: "Pod with affinity that don't match node's labels won't schedule onto the node",
    pod: required(exprs({ key: "foo", operator: "In", values: ["value1", "value2"] })),
    labels: { foo: "bar" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
    pod: required(exprs()),
    labels: { foo: "bar" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with no Affinity will schedule onto a node",
    pod: podWith({}),
    labels: { foo: "bar" },
    wantPreFilterStatus: "skip",
  },
  {
    name: "Pod with Affinity but nil NodeSelector will schedule onto a node",
    pod: podWith({ affinity: { nodeAffinity: {} } }),
    labels: { foo: "bar" },
    wantPreFilterStatus: "skip",
  },
  {
    name: "Pod with multiple matchExpressions ANDed that matches the existing node",
    pod: required(
      exprs({ key: "GPU", operator: "Exists" }, { key: "GPU", operator: "NotIn", values: ["AMD", "INTER"] }),
    ),
    labels: { GPU: "NVIDIA-GRID-K1" },
  },
  {
    name: "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
    pod: required(
      exprs({ key: "GPU", operator: "Exists" }, { key: "GPU", operator: "In", values: ["AMD", "INTER"] }),
    ),
    labels: { GPU: "NVIDIA-GRID-K1" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
    pod: required(
      exprs({ key: "foo", operator: "In", values: ["bar", "value2"] }),
      exprs({ key: "diffkey", operator: "In", values: ["wrong", "value2"] }),
    ),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with an Affinity and a PodSpec.NodeSelector both are satisfied, will schedule onto the node",
    pod: podWith({
      nodeSelector: { foo: "bar" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [exprs({ key: "foo", operator: "Exists" })],
          },
        },
      },
    }),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector is not satisfied, won't schedule onto the node",
    pod: podWith({
      nodeSelector: { foo: "bar" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [exprs({ key: "foo", operator: "Exists" })],
          },
        },
      },
    }),
    labels: { foo: "barrrrrr" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with an invalid value in Affinity term won't be scheduled onto the node",
    pod: required(exprs({ key: "foo", operator: "NotIn", values: ["invalid value: ___@#$%^"] })),
    labels: { foo: "bar" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with matchFields using In operator that matches the existing node",
    pod: required({ matchFields: [nameIn("node1")] }),
    nodeName: "node1",
    wantPreFilterNodeNames: ["node1"],
  },
  {
    name: "Pod with matchFields using In operator that does not match the existing node",
    pod: required({ matchFields: [nameIn("node1")] }),
    nodeName: "node2",
    wantStatus: ERR_REASON_POD,
    wantPreFilterNodeNames: ["node1"],
  },
  {
    name: "Pod with two terms: matchFields does not match, but matchExpressions matches",
    pod: required({ matchFields: [nameIn("node1")] }, exprs({ key: "foo", operator: "In", values: ["bar"] })),
    nodeName: "node2",
    labels: { foo: "bar" },
  },
  {
    name: "Pod with one term: matchFields does not match, but matchExpressions matches",
    pod: required({
      matchFields: [nameIn("node1")],
      matchExpressions: [{ key: "foo", operator: "In", values: ["bar"] }],
    }),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantPreFilterNodeNames: ["node1"],
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with one term: both matchFields and matchExpressions match",
    pod: required({
      matchFields: [nameIn("node1")],
      matchExpressions: [{ key: "foo", operator: "In", values: ["bar"] }],
    }),
    nodeName: "node1",
    labels: { foo: "bar" },
    wantPreFilterNodeNames: ["node1"],
  },
  {
    name: "Pod with two terms: both matchFields and matchExpressions do not match",
    pod: required(
      { matchFields: [nameIn("node1")] },
      exprs({ key: "foo", operator: "In", values: ["not-match-to-bar"] }),
    ),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Pod with two terms of node.Name affinity",
    pod: required({ matchFields: [nameIn("node1")] }, { matchFields: [nameIn("node2")] }),
    nodeName: "node2",
    wantPreFilterNodeNames: ["node1", "node2"],
  },
  {
    name: "Pod with two conflicting mach field requirements",
    pod: required({ matchFields: [nameIn("node1"), nameIn("node2")] }),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantPreFilterStatus: ERR_REASON_CONFLICT,
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Matches added affinity and Pod's node affinity",
    pod: required(exprs({ key: "zone", operator: "In", values: ["foo"] })),
    nodeName: "node2",
    labels: { zone: "foo" },
    args: {
      addedAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [nameIn("node2")] }],
        },
      },
    },
  },
  {
    name: "Matches added affinity but not Pod's node affinity",
    pod: required(exprs({ key: "zone", operator: "In", values: ["bar"] })),
    nodeName: "node2",
    labels: { zone: "foo" },
    args: {
      addedAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [nameIn("node2")] }],
        },
      },
    },
    wantStatus: ERR_REASON_POD,
  },
  {
    name: "Doesn't match added affinity",
    pod: podWith({}),
    nodeName: "node2",
    labels: { zone: "foo" },
    args: {
      addedAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [exprs({ key: "zone", operator: "In", values: ["bar"] })],
        },
      },
    },
    wantStatus: ERR_REASON_ENFORCED,
  },
  {
    name: "Matches node selector correctly even if PreFilter is not called",
    pod: podWith({ nodeSelector: { foo: "bar" } }),
    labels: { foo: "bar", baz: "blah" },
    runPreFilter: false,
  },
  {
    name: "Matches node affinity correctly even if PreFilter is not called",
    pod: required(
      exprs({ key: "GPU", operator: "Exists" }, { key: "GPU", operator: "NotIn", values: ["AMD", "INTER"] }),
    ),
    labels: { GPU: "NVIDIA-GRID-K1" },
    runPreFilter: false,
  },
];

function assertStatus(
  got: Status | null,
  want: string | undefined,
  code: string = Code.UnschedulableAndUnresolvable,
) {
  if (want === undefined) {
    assert.equal(got, null);
    return;
  }
  assert.equal(got?.code, code);
  assert.deepEqual(got?.reasons, [want]);
}

describe("NodeAffinity Filter", () => {
  for (const c of filterCases) {
    test(c.name, () => {
      const pl = plugin(c.args);
      assert.equal(pl.name, NAME);
      const state = new CycleState();
      if (c.runPreFilter !== false) {
        const pre = pl.preFilter(state, c.pod, []);
        if (c.wantPreFilterStatus === "skip") assert.equal(pre.status?.code, Code.Skip);
        else assertStatus(pre.status, c.wantPreFilterStatus);
        assert.deepEqual(
          pre.result?.nodeNames ? [...pre.result.nodeNames].sort() : undefined,
          c.wantPreFilterNodeNames,
        );
      }
      assertStatus(pl.filter(state, c.pod, nodeInfo(c.nodeName ?? "", c.labels)), c.wantStatus);
    });
  }

  test("an invalid addedAffinity is rejected with upstream's field paths", () => {
    assert.throws(
      () =>
        plugin({
          addedAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "Exists" }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 1, preference: exprs({ key: "a", operator: "In" }) },
            ],
          },
        }),
      {
        message:
          '[addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn", ' +
          "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchExpressions[0].values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]",
      },
    );
  });

  test("an empty nodeSelector map is not nil: PreFilter does not skip", () => {
    const pl = plugin();
    const pod = podWith({ nodeSelector: {} });
    const state = new CycleState();
    assert.equal(pl.preFilter(state, pod, []).status, null);
    assert.equal(pl.filter(state, pod, nodeInfo("n")), null);
  });
});

// Upstream: TestNodeAffinityPriority.
describe("NodeAffinity Score", () => {
  const label1 = { foo: "bar" };
  const label2 = { key: "value" };
  const label3 = { az: "az1" };
  const label4 = { abc: "az11", def: "az22" };
  const label5 = { foo: "bar", key: "value", az: "az1" };

  const affinity1: Affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 2, preference: exprs({ key: "foo", operator: "In", values: ["bar"] }) },
      ],
    },
  };
  const affinity2: Affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 2, preference: exprs({ key: "foo", operator: "In", values: ["bar"] }) },
        { weight: 4, preference: exprs({ key: "key", operator: "In", values: ["value"] }) },
        {
          weight: 5,
          preference: exprs(
            { key: "foo", operator: "In", values: ["bar"] },
            { key: "key", operator: "In", values: ["value"] },
            { key: "az", operator: "In", values: ["az1"] },
          ),
        },
      ],
    },
  };

  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Array<[string, Record<string, string>]>;
    expected: number[];
    args?: NodeAffinityArgs;
    runPreScore?: boolean;
    wantSkip?: boolean;
  }> = [
    {
      name: "all nodes are same priority as NodeAffinity is nil",
      pod: podWith({}),
      nodes: [
        ["node1", label1],
        ["node2", label2],
        ["node3", label3],
      ],
      expected: [0, 0, 0],
      wantSkip: true,
    },
    {
      name: "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
      pod: podWith({ affinity: affinity1 }),
      nodes: [
        ["node1", label4],
        ["node2", label2],
        ["node3", label3],
      ],
      expected: [0, 0, 0],
    },
    {
      name: "only node1 matches the preferred scheduling requirements of pod",
      pod: podWith({ affinity: affinity1 }),
      nodes: [
        ["node1", label1],
        ["node2", label2],
        ["node3", label3],
      ],
      expected: [100, 0, 0],
    },
    {
      name: "all nodes matches the preferred scheduling requirements of pod but with different priorities ",
      pod: podWith({ affinity: affinity2 }),
      nodes: [
        ["node1", label1],
        ["node5", label5],
        ["node2", label2],
      ],
      expected: [18, 100, 36],
    },
    {
      name: "added affinity",
      pod: podWith({}),
      nodes: [
        ["node1", label1],
        ["node2", label2],
      ],
      expected: [100, 0],
      args: { addedAffinity: affinity1.nodeAffinity },
    },
    {
      name: "added affinity and pod has default affinity",
      pod: podWith({ affinity: affinity1 }),
      nodes: [
        ["node1", label1],
        ["node2", label2],
        ["node3", label5],
      ],
      expected: [40, 60, 100],
      args: {
        addedAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 3, preference: exprs({ key: "key", operator: "In", values: ["value"] }) },
          ],
        },
      },
    },
    {
      name: "calculate the priorities correctly even if PreScore is not called",
      pod: podWith({ affinity: affinity2 }),
      nodes: [
        ["node1", label1],
        ["node5", label5],
        ["node2", label2],
      ],
      expected: [18, 100, 36],
      runPreScore: false,
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const pl = plugin(c.args);
      const state = new CycleState();
      const infos = c.nodes.map(([n, l]) => nodeInfo(n, l));
      if (c.runPreScore !== false) {
        const st = pl.preScore(state, c.pod, infos);
        if (c.wantSkip) {
          assert.equal(st?.code, Code.Skip);
          // The runtime skips Score; the plugin scores 0 anyway.
        } else {
          assert.equal(st, null);
        }
      }
      const scores: NodeScore[] = infos.map((ni) => ({ name: ni.name, score: pl.score(state, c.pod, ni) }));
      assert.equal(pl.normalizeScore(state, c.pod, scores), null);
      assert.deepEqual(
        scores,
        infos.map((ni, i) => ({ name: ni.name, score: c.expected[i] })),
      );
    });
  }

  test("PreScore reports a parse error of the pod's preferred terms", () => {
    const pl = plugin();
    const pod = podWith({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, preference: exprs({ key: "foo", operator: "Bogus" }) },
          ],
        },
      },
    });
    const st = pl.preScore(new CycleState(), pod, []);
    assert.equal(st?.code, Code.Error);
    assert.equal(
      st?.message(),
      '[0].matchExpressions[0].operator: Unsupported value: "Bogus": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
    );
  });

  test("events", () => {
    assert.deepEqual(plugin().eventsToRegister(), [
      { resource: "Node", actions: ["Add", "UpdateNodeLabel"] },
    ]);
  });
});
