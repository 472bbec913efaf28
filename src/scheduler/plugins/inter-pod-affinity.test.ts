// Cases ported from upstream's interpodaffinity filtering_test.go and
// scoring_test.go (v1.32), with their expected statuses and scores.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  Affinity,
  Node,
  Pod,
  PodAffinityTerm,
  WeightedPodAffinityTerm,
} from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import type { NodeScore } from "../framework/interface.ts";
import { PodInfo } from "../framework/node-info.ts";
import { Code, type Result } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  type InterPodAffinity,
  type InterPodAffinityArgs,
  NAME,
  newInterPodAffinity,
  type PreFilterState,
} from "./inter-pod-affinity.ts";

// ---- builders (upstream's st.MakePod().PodAffinityIn/... wrappers) ----

type Op = "In" | "NotIn" | "Exists" | "DoesNotExist";

function term(key: string, topologyKey: string, operator: Op, values?: string[]): PodAffinityTerm {
  return { labelSelector: { matchExpressions: [{ key, operator, values }] }, topologyKey };
}
const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({
  weight,
  podAffinityTerm: t,
});

interface AffinityOptions {
  req?: PodAffinityTerm[];
  anti?: PodAffinityTerm[];
  pref?: WeightedPodAffinityTerm[];
  prefAnti?: WeightedPodAffinityTerm[];
}

function affinity(o: AffinityOptions): Affinity {
  const a: Affinity = {};
  if (o.req || o.pref) {
    a.podAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.req,
      preferredDuringSchedulingIgnoredDuringExecution: o.pref,
    };
  }
  if (o.anti || o.prefAnti) {
    a.podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: o.anti,
      preferredDuringSchedulingIgnoredDuringExecution: o.prefAnti,
    };
  }
  return a;
}

let podSeq = 0;
function pod(
  o: {
    name?: string;
    ns?: string;
    labels?: Record<string, string>;
    node?: string;
    affinity?: Affinity;
  } & AffinityOptions = {},
): Pod {
  const aff = o.affinity ?? (o.req || o.anti || o.pref || o.prefAnti ? affinity(o) : undefined);
  return makePod(o.name ?? `p${++podSeq}`, {
    namespace: o.ns,
    labels: o.labels,
    nodeName: o.node,
    spec: aff ? { affinity: aff } : {},
  });
}

/** A node with exactly these labels (no default hostname label), as upstream's test nodes. */
function node(name: string, labels: Record<string, string>): Node {
  const n = makeNode(name);
  n.metadata!.labels = { ...labels };
  return n;
}

const NAMESPACES = {
  "subteam1.team1": { team: "team1" },
  "subteam2.team1": { team: "team1" },
  "subteam1.team2": { team: "team2" },
  "subteam2.team2": { team: "team2" },
};

const st = (s: Result) => (s ? { code: s.code, reasons: [...s.reasons] } : null);
const unresolvable = (r: string) => ({ code: Code.UnschedulableAndUnresolvable, reasons: [r] });
const unschedulable = (r: string) => ({ code: Code.Unschedulable, reasons: [r] });
const SKIP = { code: Code.Skip, reasons: [] };

function setup(nodes: Node[], pods: Pod[], args?: InterPodAffinityArgs) {
  const handle = fakeHandle({ nodes, pods, namespaceLabels: NAMESPACES });
  const plugin = newInterPodAffinity(args as Record<string, unknown> | undefined, handle) as InterPodAffinity;
  return { handle, plugin, snapshot: handle.snapshot() };
}

function runFilter(incoming: Pod, pods: Pod[], nodes: Node[]) {
  const { plugin, snapshot } = setup(nodes, pods);
  const state = new CycleState();
  const pre = plugin.preFilter(state, incoming, snapshot.nodeInfoList).status;
  if (pre) return { pre: st(pre), filter: [] };
  const filter = nodes.map((n) => st(plugin.filter(state, incoming, snapshot.get(n.metadata!.name!)!)));
  return { pre: null, filter };
}

function preFilterState(incoming: Pod, pods: Pod[], nodes: Node[]) {
  const { plugin, snapshot } = setup(nodes, pods);
  const state = new CycleState();
  const pre = plugin.preFilter(state, incoming, snapshot.nodeInfoList).status;
  assert.equal(pre, null);
  return { plugin, snapshot, state, s: state.read<PreFilterState>(`PreFilter${NAME}`)! };
}

function runScore(incoming: Pod, pods: Pod[], nodes: Node[], args?: InterPodAffinityArgs) {
  const { plugin, snapshot } = setup(nodes, pods, args);
  const state = new CycleState();
  const status = plugin.preScore(state, incoming, snapshot.nodeInfoList);
  if (status) return { status, scores: [] as NodeScore[] };
  const scores: NodeScore[] = nodes.map((n) => ({
    name: n.metadata!.name!,
    score: plugin.score(state, incoming, snapshot.get(n.metadata!.name!)!),
  }));
  assert.equal(plugin.normalizeScore(state, incoming, scores), null);
  return { status, scores };
}

const scoresOf = (...s: Array<[string, number]>) => s.map(([name, score]) => ({ name, score }));

// ---- Filter ----

describe("InterPodAffinity Filter: single node (TestRequiredAffinitySingleNode)", () => {
  const podLabel = { service: "securityscan" };
  const podLabel2 = { security: "S1" };
  const node1 = node("node1", { region: "r1", zone: "z11" });
  const existing = () => pod({ labels: podLabel, node: "node1" });

  const cases: Array<{
    name: string;
    pod: Pod;
    pods: Pod[];
    pre?: unknown;
    want?: unknown;
  }> = [
    {
      name: "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods",
      pod: pod(),
      pods: [],
      pre: SKIP,
    },
    {
      name: "satisfies requiredDuringScheduling PodAffinity using In operator that matches the existing pod",
      pod: pod({ labels: podLabel2, req: [term("service", "region", "In", ["securityscan", "value2"])] }),
      pods: [existing()],
    },
    {
      name: "satisfies PodAffinity using NotIn operator in labelSelector that matches the existing pod",
      pod: pod({ labels: podLabel2, req: [term("service", "region", "NotIn", ["securityscan3", "value3"])] }),
      pods: [existing()],
    },
    {
      name: "Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
      pod: pod({
        labels: podLabel2,
        req: [{ ...term("service", "", "In", ["securityscan", "value2"]), namespaces: ["DiffNameSpace"] }],
      }),
      pods: [pod({ ns: "ns", labels: podLabel, node: "node1" })],
      want: unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
      pod: pod({ labels: podLabel, req: [term("service", "", "In", ["antivirusscan", "value2"])] }),
      pods: [existing()],
      want: unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "satisfies the PodAffinity with different label Operators in multiple terms",
      pod: pod({
        labels: podLabel2,
        req: [
          {
            labelSelector: {
              matchExpressions: [
                { key: "service", operator: "Exists" },
                { key: "wrongkey", operator: "DoesNotExist" },
              ],
            },
            topologyKey: "region",
          },
          {
            labelSelector: {
              matchExpressions: [
                { key: "service", operator: "In", values: ["securityscan"] },
                { key: "service", operator: "NotIn", values: ["WrongValue"] },
              ],
            },
            topologyKey: "region",
          },
        ],
      }),
      pods: [existing()],
    },
    {
      name: "The labelSelector requirements are ANDed; one matchExpression does not match",
      pod: pod({
        labels: podLabel2,
        req: [
          {
            labelSelector: {
              matchExpressions: [
                { key: "service", operator: "Exists" },
                { key: "wrongkey", operator: "DoesNotExist" },
              ],
            },
            topologyKey: "region",
          },
          {
            labelSelector: {
              matchExpressions: [
                { key: "service", operator: "In", values: ["securityscan2"] },
                { key: "service", operator: "NotIn", values: ["WrongValue"] },
              ],
            },
            topologyKey: "region",
          },
        ],
      }),
      pods: [existing()],
      want: unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
      pod: pod({
        labels: podLabel2,
        req: [term("service", "region", "In", ["securityscan", "value2"])],
        anti: [term("service", "node", "In", ["antivirusscan", "value2"])],
      }),
      pods: [existing()],
    },
    {
      name: "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod",
      pod: pod({
        labels: podLabel2,
        req: [term("service", "region", "In", ["securityscan", "value2"])],
        anti: [term("service", "node", "In", ["antivirusscan", "value2"])],
      }),
      pods: [
        pod({
          labels: podLabel,
          node: "node1",
          anti: [term("service", "node", "In", ["antivirusscan", "value2"])],
        }),
      ],
    },
    {
      name: "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
      pod: pod({
        labels: podLabel2,
        req: [term("service", "region", "In", ["securityscan", "value2"])],
        anti: [term("service", "zone", "In", ["securityscan", "value2"])],
      }),
      pods: [existing()],
      want: unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry",
      pod: pod({
        labels: podLabel,
        req: [term("service", "region", "In", ["securityscan", "value2"])],
        anti: [term("service", "node", "In", ["antivirusscan", "value2"])],
      }),
      pods: [
        pod({
          labels: podLabel,
          node: "node1",
          anti: [term("service", "zone", "In", ["securityscan", "value2"])],
        }),
      ],
      want: unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "pod matches its own Label in PodAffinity and that matches the existing pod Labels",
      pod: pod({ labels: podLabel, req: [term("service", "region", "NotIn", ["securityscan", "value2"])] }),
      pods: [pod({ labels: { service: "securityscan" }, node: "node2" })],
      want: unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "existing pod's anti-affinity is respected when the pod has none: violated",
      pod: pod({ labels: podLabel }),
      pods: [
        pod({
          labels: podLabel,
          node: "node1",
          anti: [term("service", "zone", "In", ["securityscan", "value2"])],
        }),
      ],
      want: unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "existing pod's anti-affinity is respected when the pod has none: satisfied",
      pod: pod({ labels: podLabel }),
      pods: [
        pod({
          labels: podLabel,
          node: "node1",
          anti: [term("service", "zone", "NotIn", ["securityscan", "value2"])],
        }),
      ],
      pre: SKIP,
    },
    {
      name: "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
      pod: pod({
        labels: podLabel,
        anti: [term("service", "region", "Exists"), term("security", "region", "Exists")],
      }),
      pods: [pod({ labels: podLabel2, node: "node1", anti: [term("security", "zone", "Exists")] })],
      want: unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other",
      pod: pod({ labels: podLabel2, anti: [term("security", "zone", "Exists")] }),
      pods: [
        pod({
          labels: podLabel,
          node: "node1",
          anti: [term("service", "zone", "Exists"), term("security", "zone", "Exists")],
        }),
      ],
      want: unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "PodAntiAffinity symmetry check b1",
      pod: pod({
        labels: { abc: "", xyz: "" },
        anti: [term("abc", "zone", "Exists"), term("def", "zone", "Exists")],
      }),
      pods: [
        pod({
          labels: { def: "", xyz: "" },
          node: "node1",
          anti: [term("abc", "zone", "Exists"), term("def", "zone", "Exists")],
        }),
      ],
      want: unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "PodAffinity fails PreFilter with an invalid affinity label syntax",
      pod: pod({
        labels: podLabel,
        req: [
          term("service", "region", "In", ["{{.bad-value.}}"]),
          term("service", "node", "In", ["antivirusscan", "value2"]),
        ],
      }),
      pods: [],
      pre: unresolvable(
        `parsing pod: requiredAffinityTerms: values[0][service]: Invalid value: "{{.bad-value.}}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ),
    },
    {
      name: "affinity with NamespaceSelector",
      pod: pod({
        labels: podLabel2,
        req: [
          {
            ...term("service", "region", "In", ["securityscan", "value2"]),
            namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
          },
        ],
      }),
      pods: [pod({ ns: "subteam1.team1", labels: podLabel, node: "node1" })],
    },
    {
      name: "affinity with non-matching NamespaceSelector",
      pod: pod({
        labels: podLabel2,
        req: [
          {
            ...term("service", "region", "In", ["securityscan", "value2"]),
            namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
          },
        ],
      }),
      pods: [pod({ ns: "subteam1.team2", labels: podLabel, node: "node1" })],
      want: unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "anti-affinity with matching NamespaceSelector",
      pod: pod({
        ns: "subteam1.team1",
        labels: podLabel2,
        anti: [
          {
            ...term("service", "zone", "In", ["securityscan", "value2"]),
            namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
          },
        ],
      }),
      pods: [pod({ ns: "subteam2.team1", labels: podLabel, node: "node1" })],
      want: unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "anti-affinity with matching all NamespaceSelector",
      pod: pod({
        ns: "subteam1.team1",
        labels: podLabel2,
        anti: [{ ...term("service", "zone", "In", ["securityscan", "value2"]), namespaceSelector: {} }],
      }),
      pods: [pod({ ns: "subteam2.team1", labels: podLabel, node: "node1" })],
      want: unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH),
    },
    {
      name: "anti-affinity with non-matching NamespaceSelector",
      pod: pod({
        ns: "subteam1.team1",
        labels: podLabel2,
        anti: [
          {
            ...term("service", "zone", "In", ["securityscan", "value2"]),
            namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
          },
        ],
      }),
      pods: [pod({ ns: "subteam1.team2", labels: podLabel, node: "node1" })],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = runFilter(c.pod, c.pods, [node1]);
      assert.deepEqual(got.pre, c.pre ?? null);
      if (!c.pre) assert.deepEqual(got.filter, [c.want ?? null]);
    });
  }
});

describe("InterPodAffinity Filter: multiple nodes (TestRequiredAffinityMultipleNodes)", () => {
  const rgChina = { region: "China" };
  const rgChinaAz1 = { region: "China", az: "az1" };
  const rgIndia = { region: "India" };
  const zones = (a: string, b: string, c?: string) => [
    node("nodeA", { region: "r1", zone: a, hostname: "nodeA" }),
    node("nodeB", { region: "r1", zone: b, hostname: "nodeB" }),
    ...(c ? [node("nodeC", { region: "r1", zone: c, hostname: "nodeC" })] : []),
  ];
  const U = unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
  const E = unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  const A = unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);

  const cases: Array<{ name: string; pod: Pod; pods: Pod[]; nodes: Node[]; want: unknown[]; pre?: unknown }> =
    [
      {
        name: "nodes sharing the topology value of a node with a matching pod all pass",
        pod: pod({ req: [term("foo", "region", "In", ["bar"])] }),
        pods: [pod({ node: "node1", labels: { foo: "bar" } })],
        nodes: [node("node1", rgChina), node("node2", rgChinaAz1), node("node3", rgIndia)],
        want: [null, null, A],
      },
      {
        name: "the first pod of a collection with affinity to itself is not blocked",
        pod: pod({
          labels: { foo: "bar", service: "securityscan" },
          req: [term("foo", "zone", "In", ["bar"]), term("service", "zone", "In", ["securityscan"])],
        }),
        pods: [pod({ node: "nodeA", labels: { foo: "bar" } })],
        nodes: [
          node("nodeA", { zone: "az1", hostname: "h1" }),
          node("nodeB", { zone: "az2", hostname: "h2" }),
        ],
        want: [null, null],
      },
      {
        name: "a pod matching its own terms is not 'first' once a matching pod exists elsewhere",
        pod: pod({ labels: { foo: "bar" }, req: [term("foo", "region", "In", ["bar"])] }),
        pods: [pod({ node: "node1", labels: { foo: "bar" } })],
        nodes: [node("node1", rgChina), node("node2", rgChinaAz1), node("node3", rgIndia)],
        want: [null, null, A],
      },
      {
        name: "the first pod of a collection only goes to nodes with the requested topology keys",
        pod: pod({
          labels: { foo: "bar", service: "securityscan" },
          req: [term("foo", "zone", "In", ["bar"]), term("service", "zone", "In", ["securityscan"])],
        }),
        pods: [pod({ node: "nodeA", labels: { foo: "bar" } })],
        nodes: [
          node("nodeA", { zoneLabel: "az1", hostname: "h1" }),
          node("nodeB", { zoneLabel: "az2", hostname: "h2" }),
        ],
        want: [A, A],
      },
      {
        name: "anti-affinity blocks every node sharing the topology value",
        pod: pod({ anti: [term("foo", "region", "In", ["abc"])] }),
        pods: [pod({ node: "nodeA", labels: { foo: "abc" } })],
        nodes: [
          node("nodeA", { region: "r1", hostname: "nodeA" }),
          node("nodeB", { region: "r1", hostname: "nodeB" }),
        ],
        want: [U, U],
      },
      {
        name: "anti-affinity matches a pod when any term matches",
        pod: pod({
          anti: [term("foo", "region", "In", ["abc"]), term("service", "zone", "In", ["securityscan"])],
        }),
        pods: [pod({ node: "nodeA", labels: { foo: "abc", service: "securityscan" } })],
        nodes: zones("z1", "z2"),
        want: [U, U],
      },
      {
        name: "anti-affinity: nodeC in another region is fine",
        pod: pod({ anti: [term("foo", "region", "In", ["abc"])] }),
        pods: [pod({ node: "nodeA", labels: { foo: "abc" } })],
        nodes: [node("nodeA", rgChina), node("nodeB", rgChinaAz1), node("nodeC", rgIndia)],
        want: [U, U, null],
      },
      {
        name: "anti-affinity: a matching pod in another namespace does not count",
        pod: pod({ ns: "NS1", labels: { foo: "123" }, anti: [term("foo", "region", "In", ["bar"])] }),
        pods: [
          pod({ node: "nodeA", ns: "NS1", labels: { foo: "bar" } }),
          pod({ node: "nodeC", ns: "NS2", anti: [term("foo", "region", "In", ["123"])] }),
        ],
        nodes: [node("nodeA", rgChina), node("nodeB", rgChinaAz1), node("nodeC", rgIndia)],
        want: [U, U, null],
      },
      {
        name: "existing pod's term with a topologyKey no node has: nothing to check",
        pod: pod({ labels: { foo: "" } }),
        pods: [pod({ node: "nodeA", anti: [term("foo", "invalid-node-label", "Exists")] })],
        nodes: zones("z1", "z1"),
        pre: SKIP,
        want: [],
      },
      {
        name: "incoming pod's anti-affinity: even if labelSelector matches, the topologyKey is checked",
        pod: pod({ node: "nodeA", anti: [term("foo", "invalid-node-label", "Exists")] }),
        pods: [pod({ node: "nodeA", labels: { foo: "" } })],
        nodes: zones("z1", "z1"),
        want: [null, null],
      },
      {
        name: "existing pods' anti-affinity: the incoming pod violates each existing pod's terms on all nodes",
        pod: pod({ labels: { foo: "", bar: "" } }),
        pods: [
          pod({ node: "nodeA", anti: [term("foo", "zone", "Exists")] }),
          pod({ node: "nodeA", anti: [term("bar", "region", "Exists")] }),
        ],
        nodes: zones("z1", "z2"),
        want: [E, E],
      },
      {
        name: "incoming pod's anti-affinity: it violates at least one rule on every node",
        pod: pod({ anti: [term("foo", "zone", "Exists"), term("bar", "region", "Exists")] }),
        pods: [pod({ node: "nodeA", labels: { foo: "" } }), pod({ node: "nodeB", labels: { bar: "" } })],
        nodes: zones("z1", "z2"),
        want: [U, U],
      },
      {
        name: "existing pod's anti-affinity: labelSelector and topologyKey must both match (invalid topologyKey)",
        pod: pod({ labels: { foo: "", bar: "" } }),
        pods: [
          pod({
            node: "nodeA",
            anti: [term("foo", "invalid-node-label", "Exists"), term("bar", "zone", "Exists")],
          }),
        ],
        nodes: zones("z1", "z2"),
        want: [E, null],
      },
      {
        name: "incoming pod's anti-affinity: labelSelector and topologyKey must both match (invalid topologyKey)",
        pod: pod({ anti: [term("foo", "invalid-node-label", "Exists"), term("bar", "zone", "Exists")] }),
        pods: [pod({ node: "nodeA", labels: { foo: "", bar: "" } })],
        nodes: zones("z1", "z2"),
        want: [U, null],
      },
      {
        name: "existing pod's anti-affinity: all terms have valid topologyKeys",
        pod: pod({ labels: { foo: "", bar: "" } }),
        pods: [
          pod({ node: "nodeA", anti: [term("foo", "region", "Exists"), term("bar", "zone", "Exists")] }),
        ],
        nodes: zones("z1", "z2"),
        want: [E, E],
      },
      {
        name: "existing pods on nodeA and nodeB each have a matching term: only nodeC fits",
        pod: pod({ labels: { foo: "", bar: "" } }),
        pods: [
          pod({ node: "nodeA", anti: [term("foo", "zone", "Exists"), term("labelA", "zone", "Exists")] }),
          pod({ node: "nodeB", anti: [term("bar", "zone", "Exists"), term("labelB", "zone", "Exists")] }),
        ],
        nodes: zones("z1", "z2", "z3"),
        want: [E, E, null],
      },
      {
        name: "incoming pod's affinity: all terms matched by one pod, then all topology keys on the node",
        pod: pod({ req: [term("foo", "region", "Exists"), term("bar", "zone", "Exists")] }),
        pods: [pod({ node: "nodeA", labels: { foo: "", bar: "" } })],
        nodes: zones("z1", "z1"),
        want: [null, null],
      },
      {
        name: "incoming pod's affinity: the terms must be satisfied by the same pod",
        pod: pod({ req: [term("foo", "region", "Exists"), term("bar", "zone", "Exists")] }),
        pods: [pod({ node: "nodeA", labels: { foo: "" } }), pod({ node: "nodeB", labels: { bar: "" } })],
        nodes: zones("z1", "z2"),
        want: [A, A],
      },
    ];

  for (const c of cases) {
    it(c.name, () => {
      const got = runFilter(c.pod, c.pods, c.nodes);
      assert.deepEqual(got.pre, c.pre ?? null);
      assert.deepEqual(got.filter, c.want);
    });
  }
});

describe("InterPodAffinity PreFilter state", () => {
  it("Filter without PreFilter is an error (TestPreFilterDisabled)", () => {
    const { plugin, snapshot } = setup([node("n", {})], []);
    const s = plugin.filter(new CycleState(), pod(), snapshot.get("n")!);
    assert.equal(s?.code, Code.Error);
    assert.equal(s?.message(), `error reading "PreFilterInterPodAffinity" from cycleState: not found`);
  });

  it("counts existing pods matching the incoming pod's terms (TestGetTPMapMatchingIncomingAffinityAntiAffinity)", () => {
    const nodeA = node("nodeA", { hostname: "nodeA" });
    const normal = (...labels: string[]) =>
      pod({ node: "nodeA", labels: Object.fromEntries(labels.map((l) => [l, ""])) });
    const cases: Array<{ name: string; pods: Pod[]; pod: Pod; aff: object; anti: object }> = [
      {
        name: "no pod has a label that violates the incoming pod's affinity and anti-affinity",
        pods: [normal("bbb")],
        pod: pod({ req: [term("aaa", "hostname", "Exists")], anti: [term("aaa", "hostname", "Exists")] }),
        aff: {},
        anti: {},
      },
      {
        name: "existing pod matches incoming pod's affinity and anti-affinity - single term case",
        pods: [normal("aaa")],
        pod: pod({ req: [term("aaa", "hostname", "Exists")], anti: [term("aaa", "hostname", "Exists")] }),
        aff: { "hostname=nodeA": 1 },
        anti: { "hostname=nodeA": 1 },
      },
      {
        name: "existing pod matches incoming pod's affinity and anti-affinity - multiple terms case",
        pods: [normal("aaa", "bbb")],
        pod: pod({
          req: [term("aaa", "hostname", "Exists"), term("bbb", "hostname", "Exists")],
          anti: [term("aaa", "hostname", "Exists")],
        }),
        aff: { "hostname=nodeA": 2 },
        anti: { "hostname=nodeA": 1 },
      },
      {
        name: "existing pod does not match incoming pod's affinity but matches anti-affinity",
        pods: [normal("aaa")],
        pod: pod({
          req: [term("aaa", "hostname", "Exists"), term("bbb", "hostname", "Exists")],
          anti: [term("aaa", "hostname", "Exists"), term("bbb", "hostname", "Exists")],
        }),
        aff: {},
        anti: { "hostname=nodeA": 1 },
      },
      {
        name: "incoming pod's anti-affinity has more than one term - existing pod violates partial term",
        pods: [normal("aaa", "bbb")],
        pod: pod({
          req: [term("aaa", "hostname", "Exists"), term("ccc", "hostname", "Exists")],
          anti: [term("aaa", "hostname", "Exists"), term("ccc", "hostname", "Exists")],
        }),
        aff: {},
        anti: { "hostname=nodeA": 1 },
      },
    ];
    for (const c of cases) {
      const { s } = preFilterState(c.pod, c.pods, [nodeA]);
      assert.deepEqual(s.affinityCounts.toRecord(), c.aff, c.name);
      assert.deepEqual(s.antiAffinityCounts.toRecord(), c.anti, c.name);
    }
  });

  describe("addPod/removePod (TestPreFilterStateAddRemovePod)", () => {
    const nodes = [
      node("nodeA", { region: "r1", zone: "z11" }),
      node("nodeB", { region: "r1", zone: "z12" }),
      node("nodeC", { region: "r2", zone: "z21" }),
    ];
    const fooBar = { foo: "bar" };
    const antiFooBar = [term("foo", "region", "In", ["bar"])];
    const complex = [
      term("foo", "region", "In", ["bar", "buzz"]),
      term("service", "zone", "NotIn", ["bar", "security", "test"]),
    ];
    const cases: Array<{
      name: string;
      pending: Pod;
      existing: Pod[];
      added: Pod;
      anti: object;
      aff: object;
    }> = [
      {
        name: "anti-affinity terms are updated after adding and removing a pod",
        pending: pod({ labels: fooBar, anti: antiFooBar }),
        existing: [
          pod({ name: "p1", labels: fooBar, node: "nodeA" }),
          pod({ name: "p2", node: "nodeC", anti: antiFooBar }),
        ],
        added: pod({ name: "addedPod", labels: fooBar, node: "nodeB", anti: antiFooBar }),
        anti: { "region=r1": 2 },
        aff: {},
      },
      {
        name: "complex anti-affinity terms are updated after adding and removing a pod",
        pending: pod({ labels: fooBar, anti: complex }),
        existing: [
          pod({ name: "p1", labels: fooBar, node: "nodeA" }),
          pod({ name: "p2", node: "nodeC", anti: antiFooBar }),
        ],
        added: pod({ name: "addedPod", labels: fooBar, node: "nodeA", anti: complex }),
        anti: { "region=r1": 2, "zone=z11": 2, "zone=z21": 1 },
        aff: {},
      },
      {
        name: "matching pod affinity and anti-affinity are updated after adding and removing a pod",
        pending: pod({ labels: fooBar, req: complex }),
        existing: [
          pod({ name: "p1", labels: fooBar, node: "nodeA" }),
          pod({ name: "p2", node: "nodeC", affinity: affinity({ anti: antiFooBar, req: complex }) }),
        ],
        added: pod({ name: "addedPod", labels: fooBar, node: "nodeA", anti: complex }),
        anti: {},
        aff: { "region=r1": 2, "zone=z11": 2 },
      },
    ];
    const record = (s: PreFilterState) => ({
      existing: s.existingAntiAffinityCounts.toRecord(),
      aff: s.affinityCounts.toRecord(),
      anti: s.antiAffinityCounts.toRecord(),
    });
    for (const c of cases) {
      it(c.name, () => {
        const all = preFilterState(c.pending, [...c.existing, c.added], nodes).s;
        const { plugin, snapshot, state, s } = preFilterState(c.pending, c.existing, nodes);
        const original = s.clone();
        const ni = snapshot.get(c.added.spec!.nodeName!)!;
        assert.equal(plugin.addPod(state, c.pending, new PodInfo(c.added), ni), null);
        assert.deepEqual(s.antiAffinityCounts.toRecord(), c.anti);
        assert.deepEqual(s.affinityCounts.toRecord(), c.aff);
        assert.deepEqual(record(s), record(all));
        assert.equal(plugin.removePod(state, c.pending, new PodInfo(c.added), ni), null);
        assert.deepEqual(record(s), record(original));
      });
    }
  });

  it("clone is independent of the original (TestPreFilterStateClone)", () => {
    const { s } = preFilterState(
      pod({ labels: { foo: "bar" }, anti: [term("foo", "region", "In", ["bar"])] }),
      [pod({ node: "n1", labels: { foo: "bar" } })],
      [node("n1", { region: "r1" })],
    );
    const c = s.clone();
    assert.deepEqual(c.antiAffinityCounts.toRecord(), { "region=r1": 1 });
    c.antiAffinityCounts.add("region", "r1", -1);
    assert.equal(c.antiAffinityCounts.size, 0);
    assert.deepEqual(s.antiAffinityCounts.toRecord(), { "region=r1": 1 });
  });

  it("preemption's removePod frees a node blocked by an existing pod's anti-affinity", () => {
    const victim = pod({ node: "n1", labels: { app: "x" }, anti: [term("app", "hostname", "In", ["x"])] });
    const incoming = pod({ labels: { app: "x" } });
    const { plugin, snapshot, state } = preFilterState(incoming, [victim], [node("n1", { hostname: "n1" })]);
    const ni = snapshot.get("n1")!;
    assert.deepEqual(
      st(plugin.filter(state, incoming, ni)),
      unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH),
    );
    const what = state.clone();
    plugin.removePod(what, incoming, ni.pods[0], ni);
    assert.equal(plugin.filter(what, incoming, ni), null);
    // The original cycle state is untouched.
    assert.notEqual(plugin.filter(state, incoming, ni), null);
  });
});

// ---- Score ----

describe("InterPodAffinity Score (TestPreferredAffinity)", () => {
  const rgChina = { region: "China" };
  const rgIndia = { region: "India" };
  const az1 = { az: "az1" };
  const az2 = { az: "az2" };
  const rgChinaAz1 = { region: "China", az: "az1" };
  const s1 = { security: "S1" };
  const s2 = { security: "S2" };
  const stayWithS1InRegion = affinity({ pref: [weighted(5, term("security", "region", "In", ["S1"]))] });
  const stayWithS2InRegion = affinity({ pref: [weighted(6, term("security", "region", "In", ["S2"]))] });
  const affinity3 = affinity({
    pref: [
      weighted(8, {
        labelSelector: {
          matchExpressions: [
            { key: "security", operator: "NotIn", values: ["S1"] },
            { key: "security", operator: "In", values: ["S2"] },
          ],
        },
        topologyKey: "region",
      }),
      weighted(2, {
        labelSelector: {
          matchExpressions: [
            { key: "security", operator: "Exists" },
            { key: "wrongkey", operator: "DoesNotExist" },
          ],
        },
        topologyKey: "region",
      }),
    ],
  });
  const hardAffinity = affinity({
    req: [
      term("security", "region", "In", ["S1", "value2"]),
      {
        labelSelector: {
          matchExpressions: [
            { key: "security", operator: "Exists" },
            { key: "wrongkey", operator: "DoesNotExist" },
          ],
        },
        topologyKey: "region",
      },
    ],
  });
  const awayFromS1InAz = affinity({ prefAnti: [weighted(5, term("security", "az", "In", ["S1"]))] });
  const awayFromS2InAz = affinity({ prefAnti: [weighted(5, term("security", "az", "In", ["S2"]))] });
  const stayWithS1InRegionAwayFromS2InAz = affinity({
    pref: [weighted(8, term("security", "region", "In", ["S1"]))],
    prefAnti: [weighted(5, term("security", "az", "In", ["S2"]))],
  });
  const nsSelTerm = {
    ...term("security", "region", "In", ["S1"]),
    namespaces: ["subteam2.team2"],
    namespaceSelector: { matchExpressions: [{ key: "team", operator: "In" as const, values: ["team1"] }] },
  };
  const affinityNamespaceSelector = affinity({ pref: [weighted(5, nsSelTerm)] });
  const antiAffinityNamespaceSelector = affinity({ prefAnti: [weighted(5, nsSelTerm)] });

  const on = (n: string, labels?: Record<string, string>, aff?: Affinity, ns?: string) =>
    pod({ node: n, labels, affinity: aff, ns });
  const incoming = (labels?: Record<string, string>, aff?: Affinity, ns?: string) =>
    pod({ labels, affinity: aff, ns });

  const cases: Array<{
    name: string;
    pod: Pod;
    pods: Pod[];
    nodes: Node[];
    want?: NodeScore[];
    status?: { code: string; contains?: string };
    ignorePreferredTermsOfExistingPods?: boolean;
  }> = [
    {
      name: "all nodes are same priority as Affinity is nil",
      pod: incoming(s1),
      pods: [],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      status: { code: Code.Skip },
    },
    {
      name: "Affinity: pod that matches topology key & pods in nodes will get high score",
      pod: incoming(s1, stayWithS1InRegion),
      pods: [on("node1", s1), on("node2", s2), on("node3", s1)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 100], ["node2", 0], ["node3", 0]),
    },
    {
      name: "All the nodes that have the same topology key & label value as a node with a matching pod have the same score",
      pod: incoming(undefined, stayWithS1InRegion),
      pods: [on("node1", s1)],
      nodes: [node("node1", rgChina), node("node2", rgChinaAz1), node("node3", rgIndia)],
      want: scoresOf(["node1", 100], ["node2", 100], ["node3", 0]),
    },
    {
      name: "Affinity: the region with more matching pods gets the high score",
      pod: incoming(s1, stayWithS2InRegion),
      pods: [
        on("node1", s2),
        on("node1", s2),
        on("node2", s2),
        on("node3", s2),
        on("node4", s2),
        on("node5", s2),
      ],
      nodes: [
        node("node1", rgChina),
        node("node2", rgIndia),
        node("node3", rgChina),
        node("node4", rgChina),
        node("node5", rgIndia),
      ],
      want: scoresOf(["node1", 100], ["node2", 0], ["node3", 100], ["node4", 100], ["node5", 0]),
    },
    {
      name: "Affinity: different Label operators and values, including some match failures",
      pod: incoming(s1, affinity3),
      pods: [on("node1", s1), on("node2", s2), on("node3", s1)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 20], ["node2", 100], ["node3", 0]),
    },
    {
      name: "Affinity symmetry: existing pods' preferred pod affinity",
      pod: incoming(s2),
      pods: [on("node1", s1, stayWithS1InRegion), on("node2", s2, stayWithS2InRegion)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 0], ["node2", 100], ["node3", 0]),
    },
    {
      name: "Affinity symmetry with namespace selector",
      pod: incoming(s1, undefined, "subteam1.team1"),
      pods: [on("node1", s1, affinityNamespaceSelector), on("node2", s2, stayWithS2InRegion)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 100], ["node2", 0], ["node3", 0]),
    },
    {
      name: "AntiAffinity symmetry with namespace selector",
      pod: incoming(s1, undefined, "subteam1.team1"),
      pods: [on("node1", s1, antiAffinityNamespaceSelector), on("node2", s2, stayWithS2InRegion)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 0], ["node2", 100], ["node3", 100]),
    },
    {
      name: "Affinity symmetry: existing pods' required pod affinity (hardPodAffinityWeight)",
      pod: incoming(s1),
      pods: [on("node1", s1, hardAffinity), on("node2", s2, hardAffinity)],
      nodes: [node("node1", rgChina), node("node2", rgIndia), node("node3", az1)],
      want: scoresOf(["node1", 100], ["node2", 100], ["node3", 0]),
    },
    {
      name: "Anti Affinity: pod that does not match existing pods in node will get high score",
      pod: incoming(s1, awayFromS1InAz),
      pods: [on("node1", s1), on("node2", s2)],
      nodes: [node("node1", az1), node("node2", rgChina)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "Anti Affinity: pod that does not match topology key & matches the pods in nodes gets higher score",
      pod: incoming(s1, awayFromS1InAz),
      pods: [on("node1", s1), on("node2", s1)],
      nodes: [node("node1", az1), node("node2", rgChina)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "Anti Affinity: the node with more matching pods gets the low score",
      pod: incoming(s1, awayFromS1InAz),
      pods: [on("node1", s1), on("node1", s1), on("node2", s2)],
      nodes: [node("node1", az1), node("node2", rgIndia)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score",
      pod: incoming(s2),
      pods: [on("node1", s1, awayFromS2InAz), on("node2", s2, awayFromS1InAz)],
      nodes: [node("node1", az1), node("node2", az2)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "Affinity and Anti Affinity: preferred terms of both",
      pod: incoming(s1, stayWithS1InRegionAwayFromS2InAz),
      pods: [on("node1", s1), on("node2", s1)],
      nodes: [node("node1", rgChina), node("node2", az1)],
      want: scoresOf(["node1", 100], ["node2", 0]),
    },
    {
      name: "Affinity and Anti Affinity: the pod to schedule and existing pods have the same labels",
      pod: incoming(s1, stayWithS1InRegionAwayFromS2InAz),
      pods: [
        on("node1", s1),
        on("node1", s1),
        on("node2", s1),
        on("node3", s1),
        on("node3", s1),
        on("node4", s1),
        on("node5", s1),
      ],
      nodes: [
        node("node1", rgChinaAz1),
        node("node2", rgIndia),
        node("node3", rgChina),
        node("node4", rgChina),
        node("node5", rgIndia),
      ],
      want: scoresOf(["node1", 100], ["node2", 0], ["node3", 100], ["node4", 100], ["node5", 0]),
    },
    {
      name: "Affinity and Anti Affinity and symmetry",
      pod: incoming(s1, stayWithS1InRegionAwayFromS2InAz),
      pods: [
        on("node1", s1),
        on("node2", s2),
        on("node3", undefined, stayWithS1InRegionAwayFromS2InAz),
        on("node4", undefined, awayFromS1InAz),
      ],
      nodes: [node("node1", rgChina), node("node2", az1), node("node3", rgIndia), node("node4", az2)],
      want: scoresOf(["node1", 100], ["node2", 0], ["node3", 100], ["node4", 0]),
    },
    {
      name: "Avoid panic when partial nodes in a topology don't have pods with affinity",
      pod: incoming(s1),
      pods: [on("node1", s1), on("node2", undefined, stayWithS1InRegionAwayFromS2InAz)],
      nodes: [node("node1", rgChina), node("node2", rgChina)],
      want: scoresOf(["node1", 0], ["node2", 0]),
    },
    {
      name: "invalid Affinity fails PreScore",
      pod: incoming(
        undefined,
        affinity({ pref: [weighted(8, term("security", "region", "In", ["{{.bad-value.}}"]))] }),
      ),
      pods: [],
      nodes: [node("node1", rgChina), node("node2", rgChina)],
      status: { code: Code.Error, contains: `Invalid value: "{{.bad-value.}}"` },
    },
    {
      name: "invalid AntiAffinity fails PreScore",
      pod: incoming(
        undefined,
        affinity({ prefAnti: [weighted(5, term("security", "az", "In", ["{{.bad-value.}}"]))] }),
      ),
      pods: [],
      nodes: [node("node1", rgChina), node("node2", rgChina)],
      status: { code: Code.Error, contains: `Invalid value: "{{.bad-value.}}"` },
    },
    {
      name: "Affinity with pods matching NamespaceSelector",
      pod: incoming(s1, affinityNamespaceSelector, "subteam1.team1"),
      pods: [
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam1.team2"),
        on("node2", s1, undefined, "subteam2.team1"),
      ],
      nodes: [node("node1", rgChina), node("node2", rgIndia)],
      want: scoresOf(["node1", 100], ["node2", 0]),
    },
    {
      name: "Affinity with pods matching both NamespaceSelector and Namespaces fields",
      pod: incoming(s1, affinityNamespaceSelector, "subteam1.team1"),
      pods: [
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam2.team2"),
        on("node2", s1, undefined, "subteam2.team1"),
      ],
      nodes: [node("node1", rgChina), node("node2", rgIndia)],
      want: scoresOf(["node1", 100], ["node2", 0]),
    },
    {
      name: "Anti-affinity with pods matching NamespaceSelector",
      pod: incoming(s1, antiAffinityNamespaceSelector, "subteam1.team1"),
      pods: [
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam1.team1"),
        on("node1", s1, undefined, "subteam1.team2"),
        on("node2", s1, undefined, "subteam2.team1"),
      ],
      nodes: [node("node1", rgChina), node("node2", rgIndia)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "Ignore preferred terms of existing pods",
      pod: incoming(s2),
      pods: [on("node1", s1, stayWithS1InRegionAwayFromS2InAz), on("node2", s2, stayWithS2InRegion)],
      nodes: [node("node1", rgChina), node("node2", rgIndia)],
      status: { code: Code.Skip },
      ignorePreferredTermsOfExistingPods: true,
    },
    {
      name: "Do not ignore preferred terms of existing pods",
      pod: incoming(s2),
      pods: [on("node1", s1, stayWithS1InRegionAwayFromS2InAz), on("node2", s2, stayWithS2InRegion)],
      nodes: [node("node1", rgChina), node("node2", rgIndia)],
      want: scoresOf(["node1", 0], ["node2", 100]),
    },
    {
      name: "No nodes to score",
      pod: incoming(s2),
      pods: [],
      nodes: [],
      status: { code: Code.Skip },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const got = runScore(c.pod, c.pods, c.nodes, {
        hardPodAffinityWeight: 1,
        ignorePreferredTermsOfExistingPods: c.ignorePreferredTermsOfExistingPods,
      });
      if (c.status) {
        assert.equal(got.status?.code, c.status.code);
        if (c.status.contains)
          assert.ok(got.status?.message().includes(c.status.contains), got.status?.message());
        return;
      }
      assert.equal(got.status, null);
      assert.deepEqual(got.scores, c.want);
    });
  }
});

describe("InterPodAffinity Score (TestPreferredAffinityWithHardPodAffinitySymmetricWeight)", () => {
  const hardPodAffinity = affinity({
    req: [
      {
        ...term("service", "region", "In", ["S1"]),
        namespaces: ["", "subteam2.team2"],
        namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
      },
    ],
  });
  const nodes = [
    node("node1", { region: "China" }),
    node("node2", { region: "India" }),
    node("node3", { az: "az1" }),
  ];
  const existing = () => [
    pod({ ns: "", node: "node1", affinity: hardPodAffinity }),
    pod({ ns: "", node: "node2", affinity: hardPodAffinity }),
  ];
  const cases: Array<{ name: string; ns: string; weight: number; want?: NodeScore[] }> = [
    {
      name: "with default weight",
      ns: "",
      weight: 1,
      want: scoresOf(["node1", 100], ["node2", 100], ["node3", 0]),
    },
    { name: "with zero weight", ns: "", weight: 0 },
    { name: "with no matching namespace", ns: "subteam1.team2", weight: 1 },
    {
      name: "with matching NamespaceSelector",
      ns: "subteam1.team1",
      weight: 1,
      want: scoresOf(["node1", 100], ["node2", 100], ["node3", 0]),
    },
    {
      name: "with matching Namespaces",
      ns: "subteam2.team2",
      weight: 1,
      want: scoresOf(["node1", 100], ["node2", 100], ["node3", 0]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = runScore(pod({ ns: c.ns, labels: { service: "S1" } }), existing(), nodes, {
        hardPodAffinityWeight: c.weight,
      });
      if (!c.want) {
        assert.equal(got.status?.code, Code.Skip);
        return;
      }
      assert.equal(got.status, null);
      assert.deepEqual(got.scores, c.want);
    });
  }
});

describe("InterPodAffinity plugin", () => {
  it("defaults hardPodAffinityWeight to 1 and validates its range", () => {
    const h = fakeHandle();
    assert.equal((newInterPodAffinity(undefined, h) as InterPodAffinity).hardPodAffinityWeight, 1);
    assert.equal(
      (newInterPodAffinity(undefined, h) as InterPodAffinity).ignorePreferredTermsOfExistingPods,
      false,
    );
    assert.throws(
      () => newInterPodAffinity({ hardPodAffinityWeight: 101 }, h),
      /^Error: hardPodAffinityWeight: Invalid value: 101: not in valid range \[0, 100\]$/,
    );
    assert.equal(newInterPodAffinity({}, h).name, "InterPodAffinity");
  });

  it("registers assigned-pod and node events", () => {
    const p = newInterPodAffinity(undefined, fakeHandle()) as InterPodAffinity;
    assert.deepEqual(p.eventsToRegister(), [
      { resource: "AssignedPod", actions: ["Add", "Update", "Delete"] },
      { resource: "Node", actions: ["Add", "UpdateNodeLabel", "UpdateNodeTaint"] },
    ]);
  });

  it("spreads replicas with required anti-affinity on the hostname (the benchmark's shape)", () => {
    const nodes = Array.from({ length: 4 }, (_, i) => node(`n${i}`, { "kubernetes.io/hostname": `n${i}` }));
    const antiSelf = [term("app", "kubernetes.io/hostname", "In", ["web"])];
    const placed = [
      pod({ node: "n0", labels: { app: "web" }, anti: antiSelf }),
      pod({ node: "n2", labels: { app: "web" }, anti: antiSelf }),
    ];
    const got = runFilter(pod({ labels: { app: "web" }, anti: antiSelf }), placed, nodes);
    const U = unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    assert.deepEqual(got.filter, [U, null, U, null]);
  });
});
