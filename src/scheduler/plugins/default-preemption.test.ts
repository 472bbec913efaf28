import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import type { KubeObject } from "../../client/rest-client.ts";
import { CycleState } from "../framework/cycle-state.ts";
import type { NodeToStatus } from "../framework/interface.ts";
import { type NodeInfo, PodInfo } from "../framework/node-info.ts";
import { asStatus, Code, type Result, Status, unresolvable, unschedulable } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import { nodesAvailableMessage, preemptionFailureMessage } from "./default-preemption/evaluator.ts";
import {
  DefaultPreemption,
  ERR_PREEMPTION_POLICY_NEVER,
  ERR_TERMINATING_POD_ON_NOMINATED_NODE,
  filterPodsWithPDBViolation,
  NAME,
  newDefaultPreemption,
} from "./default-preemption.ts";

const negPriority = -100;
const lowPriority = 0;
const midPriority = 100;
const highPriority = 1000;
const veryHighPriority = 10000;

// upstream's test resources (memory in bytes); nodes default to 32 pods as st.MakeNode does.
const smallRes = { cpu: "100m", memory: "100" };
const mediumRes = { cpu: "200m", memory: "200" };
const largeRes = { cpu: "300m", memory: "300" };
const veryLargeRes = { cpu: "500m", memory: "500" };
const onePodRes = { pods: "1", cpu: "0", memory: "0" };
const nodeRes = { cpu: "200m", memory: "400" };

interface P {
  node?: string;
  priority?: number;
  req?: Record<string, string>;
  labels?: Record<string, string>;
  start?: string;
  spec?: Partial<NonNullable<Pod["spec"]>>;
  status?: Pod["status"];
  deleting?: boolean;
}

function pod(name: string, o: P = {}): Pod {
  const p = makePod(name, {
    nodeName: o.node,
    priority: o.priority,
    requests: o.req,
    labels: o.labels,
    spec: o.spec,
  });
  return {
    ...p,
    metadata: { ...p.metadata, ...(o.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
    status: { ...p.status, ...(o.start ? { startTime: o.start } : {}), ...o.status },
  };
}

const node = (name: string, allocatable: Record<string, string>, labels?: Record<string, string>): Node =>
  makeNode(name, { allocatable: { pods: "32", ...allocatable }, labels });

function pdb(
  name: string,
  matchLabels: Record<string, string> | undefined,
  disruptionsAllowed: number,
  disruptedPods?: Record<string, string>,
): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: "default" },
    spec: matchLabels ? { selector: { matchLabels } } : {},
    status: { disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods },
  };
}

/** NodeResourcesFit's checks, enough for preemption: pod count, then cpu and memory. */
function fitFilter(pod: Pod, ni: NodeInfo): Result {
  const reasons: string[] = [];
  if (ni.pods.length + 1 > ni.allocatable.allowedPodNumber) reasons.push("Too many pods");
  const r = new PodInfo(pod).requests;
  if (r.milliCPU > 0 && r.milliCPU > ni.allocatable.milliCPU - ni.requested.milliCPU)
    reasons.push("Insufficient cpu");
  if (r.memory > 0 && r.memory > ni.allocatable.memory - ni.requested.memory)
    reasons.push("Insufficient memory");
  return reasons.length ? unschedulable(...reasons) : null;
}

interface Setup {
  nodes: Node[];
  pods?: Pod[];
  pdbs?: PodDisruptionBudget[];
  nominated?: Record<string, Pod[]>;
}

function setup(s: Setup) {
  const h = fakeHandle({
    nodes: s.nodes,
    pods: s.pods,
    objects: { "policy/v1/poddisruptionbudgets": (s.pdbs ?? []) as KubeObject[] },
  });
  const counter = { filterCalls: 0 };
  h.runFilterPluginsWithNominatedPods = (_state, p, ni) => {
    counter.filterCalls++;
    return fitFilter(p, ni);
  };
  // upstream's TestPlugin: its PreFilter extensions fail on nodes labelled error=true.
  h.runPreFilterExtensionRemovePod = (_state, p, _pi, ni) =>
    ni.node?.metadata?.labels?.error === "true"
      ? asStatus(
          new Error(
            `running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: ${p.metadata?.name}`,
          ),
        )
      : null;
  h.runPreFilterExtensionAddPod = (_state, p, _pi, ni) =>
    ni.node?.metadata?.labels?.error === "true"
      ? asStatus(
          new Error(
            `running AddPod on PreFilter plugin "test-plugin": failed to add pod: ${p.metadata?.name}`,
          ),
        )
      : null;
  h.nominatedPodsForNode = (n) => (s.nominated?.[n] ?? []).map((p) => new PodInfo(p));
  return { h, counter };
}

/** A randomInt that replays Go's rand.New(rand.NewSource(4)).Int31n(5) sequence used upstream. */
const replay = (...offsets: number[]) => {
  let i = 0;
  return () => offsets[i++ % offsets.length];
};

const statuses = (m: Record<string, Status>): NodeToStatus => new Map(Object.entries(m));
const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!);

describe("DefaultPreemption.postFilter (upstream TestPostFilter)", () => {
  const U = () => new Status(Code.Unschedulable);
  const UU = () => new Status(Code.UnschedulableAndUnresolvable);
  const cases: Array<{
    name: string;
    pod: Pod;
    pods: Pod[];
    nodes: Node[];
    pdbs?: PodDisruptionBudget[];
    m: Record<string, Status>;
    wantResult: { nominatedNodeName: string } | undefined;
    wantCode: Code | null;
    wantMessage?: string;
  }> = [
    {
      name: "pod with higher priority can be made schedulable",
      pod: pod("p", { priority: highPriority }),
      pods: [pod("p1", { node: "node1" })],
      nodes: [node("node1", onePodRes)],
      m: { node1: U() },
      wantResult: { nominatedNodeName: "node1" },
      wantCode: null,
    },
    {
      name: "pod with tied priority is still unschedulable",
      pod: pod("p"),
      pods: [pod("p1", { node: "node1" })],
      nodes: [node("node1", onePodRes)],
      m: { node1: U() },
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage: "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    },
    {
      name: "preemption should respect filteredNodesStatuses",
      pod: pod("p", { priority: highPriority }),
      pods: [pod("p1", { node: "node1" })],
      nodes: [node("node1", onePodRes)],
      m: { node1: UU() },
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage: "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    },
    {
      name: "preemption should respect absent NodeToStatusReader entry meaning UnschedulableAndUnresolvable",
      pod: pod("p", { priority: highPriority }),
      pods: [pod("p1", { node: "node1" })],
      nodes: [node("node1", onePodRes)],
      m: {},
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage: "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    },
    {
      name: "pod can be made schedulable on one node",
      pod: pod("p", { priority: midPriority }),
      pods: [
        pod("p1", { node: "node1", priority: highPriority }),
        pod("p2", { node: "node2", priority: lowPriority }),
      ],
      nodes: [node("node1", onePodRes), node("node2", onePodRes)],
      m: { node1: U(), node2: U() },
      wantResult: { nominatedNodeName: "node2" },
      wantCode: null,
    },
    {
      name: "pod can be made schedulable on minHighestPriority node",
      pod: pod("p", { priority: veryHighPriority }),
      pods: [
        pod("p1", { node: "node1", priority: highPriority, labels: { pdb: "non-violating" } }),
        pod("p2", { node: "node1", priority: lowPriority, labels: { pdb: "violating" } }),
        pod("p3", { node: "node2", priority: midPriority, labels: { pdb: "violating" } }),
      ],
      pdbs: [
        pdb("violating-pdb", { pdb: "violating" }, 0),
        pdb("non-violating-pdb", { pdb: "non-violating" }, 2 ** 31 - 1),
      ],
      nodes: [node("node1", onePodRes), node("node2", onePodRes)],
      m: { node1: U(), node2: U() },
      wantResult: { nominatedNodeName: "node2" },
      wantCode: null,
    },
    {
      name: "no candidate nodes found, no enough resource after removing low priority pods",
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [pod("p1", { node: "node1" }), pod("p2", { node: "node2" })],
      nodes: [node("node1", nodeRes), node("node2", nodeRes)],
      m: { node1: U(), node2: U() },
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage: "preemption: 0/2 nodes are available: 2 Insufficient cpu.",
    },
    {
      name: "no candidate nodes found with mixed reasons, no lower priority pod and no enough CPU resource",
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [
        pod("p1", { node: "node1", priority: highPriority }),
        pod("p2", { node: "node2" }),
        pod("p3", { node: "node3", priority: highPriority }),
      ],
      nodes: [node("node1", onePodRes), node("node2", nodeRes), node("node3", onePodRes)],
      m: { node1: U(), node2: U(), node3: U() },
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage:
        "preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod.",
    },
    {
      name: "no candidate nodes found with mixed reason, 2 UnschedulableAndUnresolvable nodes and 2 nodes don't have enough CPU resource",
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [pod("p1", { node: "node1" }), pod("p2", { node: "node2" })],
      nodes: [node("node1", nodeRes), node("node2", nodeRes), node("node3", nodeRes), node("node4", nodeRes)],
      m: { node1: U(), node2: U(), node4: UU() },
      wantResult: { nominatedNodeName: "" },
      wantCode: Code.Unschedulable,
      wantMessage:
        "preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling.",
    },
    {
      name: "only one node but failed with TestPlugin",
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [pod("p1", { node: "node1" })],
      nodes: [node("node1", largeRes, { error: "true" })],
      m: { node1: U() },
      wantResult: undefined,
      wantCode: Code.Error,
      wantMessage: 'preemption: running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: p',
    },
    {
      name: "one failed with TestPlugin and the other pass",
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [pod("p1", { node: "node1" }), pod("p2", { node: "node2", req: mediumRes })],
      nodes: [node("node1", largeRes, { error: "true" }), node("node2", largeRes)],
      m: { node1: U(), node2: U() },
      wantResult: { nominatedNodeName: "node2" },
      wantCode: null,
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const { h } = setup({ nodes: tc.nodes, pods: tc.pods, pdbs: tc.pdbs });
      const pl = new DefaultPreemption(undefined, h, { randomInt: () => 0 });
      const { result, status } = await pl.postFilter(new CycleState(), tc.pod, statuses(tc.m));
      assert.deepEqual(result, tc.wantResult);
      assert.equal(status?.code ?? null, tc.wantCode);
      if (tc.wantMessage !== undefined) assert.equal(status?.message(), tc.wantMessage);
    });
  }

  it("marks each victim DisruptionTarget, deletes it, and clears lower-priority nominations", async () => {
    const victim = pod("low", { node: "node1", priority: lowPriority, req: largeRes });
    const kept = pod("mid", { node: "node1", priority: midPriority, req: mediumRes });
    const nominatedLow = pod("nom-low", { priority: lowPriority, status: { nominatedNodeName: "node1" } });
    const nominatedHigh = pod("nom-high", {
      priority: veryHighPriority,
      status: { nominatedNodeName: "node1" },
    });
    const { h } = setup({
      nodes: [node("node1", veryLargeRes)],
      pods: [victim, kept],
      nominated: { node1: [nominatedLow, nominatedHigh] },
    });
    const preemptor = pod("p", { priority: highPriority, req: largeRes });
    const pl = newDefaultPreemption(undefined, h) as DefaultPreemption;
    const { result, status } = await pl.postFilter(
      new CycleState(),
      preemptor,
      statuses({ node1: unschedulable("Insufficient cpu") }),
    );
    assert.equal(status, null);
    assert.deepEqual(result, { nominatedNodeName: "node1" });
    const [patch, del, clear, ...rest] = h.calls;
    assert.equal(rest.length, 0);
    assert.equal(patch[0], "patchPodCondition");
    assert.equal(patch[1], victim);
    const cond = patch[2] as Record<string, string>;
    assert.deepEqual(
      { type: cond.type, status: cond.status, reason: cond.reason, message: cond.message },
      {
        type: "DisruptionTarget",
        status: "True",
        reason: "PreemptionByScheduler",
        message: "default-scheduler: preempting to accommodate a higher priority pod",
      },
    );
    assert.match(cond.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(del, ["deletePod", victim]);
    assert.deepEqual(clear, ["setNominatedNodeName", nominatedLow, ""]);
  });

  it("basic preemption logic (upstream TestPreempt)", async () => {
    const pods = [
      pod("p1.1", { node: "node1", priority: lowPriority, req: smallRes }),
      pod("p1.2", { node: "node1", priority: lowPriority, req: smallRes }),
      pod("p2.1", { node: "node2", priority: highPriority, req: largeRes }),
      pod("p3.1", { node: "node3", priority: midPriority, req: mediumRes }),
    ];
    const { h } = setup({ nodes: ["node1", "node2", "node3"].map((n) => node(n, veryLargeRes)), pods });
    const pl = new DefaultPreemption(undefined, h, { randomInt: () => 0 });
    const fits = statuses({
      node1: unschedulable("Insufficient cpu"),
      node2: unschedulable("Insufficient cpu"),
      node3: unschedulable("Insufficient cpu"),
    });
    const p = pod("p", {
      priority: highPriority,
      req: veryLargeRes,
      spec: { preemptionPolicy: "PreemptLowerPriority" },
    });
    const { result, status } = await pl.postFilter(new CycleState(), p, fits);
    assert.equal(status, null);
    assert.deepEqual(result, { nominatedNodeName: "node1" });
    const deleted = h.calls.filter((c) => c[0] === "deletePod").map((c) => (c[1] as Pod).metadata!.name);
    assert.deepEqual(deleted.sort(), ["p1.1", "p1.2"]);
  });

  it("does not call the API again for a victim already terminating", async () => {
    const { h } = setup({
      nodes: [node("node1", onePodRes)],
      pods: [pod("p1", { node: "node1", deleting: true })],
    });
    const pl = new DefaultPreemption(undefined, h);
    const { result, status } = await pl.postFilter(
      new CycleState(),
      pod("p", { priority: highPriority }),
      statuses({ node1: unschedulable("Too many pods") }),
    );
    assert.equal(status, null);
    assert.deepEqual(result, { nominatedNodeName: "node1" });
    assert.deepEqual(h.calls, []);
  });

  it("a pod with preemptionPolicy Never preempts nothing and keeps its nomination", async () => {
    const { h } = setup({ nodes: [node("node1", onePodRes)], pods: [pod("p1", { node: "node1" })] });
    const pl = new DefaultPreemption(undefined, h);
    const p = pod("p", { priority: highPriority, spec: { preemptionPolicy: "Never" } });
    const { result, status } = await pl.postFilter(new CycleState(), p, statuses({ node1: unschedulable() }));
    assert.equal(result, undefined);
    assert.equal(status?.code, Code.Unschedulable);
    assert.equal(status?.message(), "preemption: not eligible due to preemptionPolicy=Never.");
    assert.deepEqual(h.calls, []);
  });

  it("reads the preemptor's latest state from the pod lister", async () => {
    const stale = pod("p", { priority: highPriority });
    const latest: Pod = { ...stale, spec: { ...stale.spec!, preemptionPolicy: "Never" } };
    const { h } = setup({ nodes: [node("node1", onePodRes)], pods: [pod("p1", { node: "node1" })] });
    const lister = h.lister;
    h.lister = ((res) =>
      res.resource === "pods"
        ? { ...lister(res), get: (k: string) => (k === "default/p" ? latest : undefined) }
        : lister(res)) as typeof h.lister;
    const pl = new DefaultPreemption(undefined, h);
    const { status } = await pl.postFilter(new CycleState(), stale, statuses({ node1: unschedulable() }));
    assert.equal(status?.message(), `preemption: ${ERR_PREEMPTION_POLICY_NEVER}`);
  });
});

describe("selectVictimsOnNode", () => {
  function run(nodes: Node[], pods: Pod[], preemptor: Pod, pdbs: PodDisruptionBudget[] = []) {
    const { h } = setup({ nodes, pods, pdbs });
    const pl = new DefaultPreemption(undefined, h);
    const ni = h.snapshot().get(nodes[0].metadata!.name!)!.clone();
    return pl.selectVictimsOnNode(new CycleState(), preemptor, ni, pdbs);
  }

  it("chooses the lowest-priority pods and reprieves the rest", () => {
    const r = run(
      [node("node1", veryLargeRes)],
      [
        pod("low", { node: "node1", priority: lowPriority, req: mediumRes }),
        pod("mid", { node: "node1", priority: midPriority, req: mediumRes }),
        pod("neg", { node: "node1", priority: negPriority, req: smallRes }),
      ],
      pod("p", { priority: highPriority, req: largeRes }),
    );
    assert.equal(r.status, null);
    // 500m: mid (200m) stays; low (200m) and neg (100m) must go for 300m.
    assert.deepEqual(names(r.victims), ["low", "neg"]);
    assert.equal(r.numViolatingVictim, 0);
  });

  it("spares a PDB-protected pod before a more important unprotected one", () => {
    const pods = [
      pod("db", { node: "node1", priority: lowPriority, req: mediumRes, labels: { app: "db" } }),
      pod("web", { node: "node1", priority: midPriority, req: mediumRes }),
    ];
    const preemptor = pod("p", { priority: highPriority, req: largeRes });
    const withPDB = run([node("node1", veryLargeRes)], pods, preemptor, [pdb("db", { app: "db" }, 0)]);
    assert.deepEqual(names(withPDB.victims), ["web"]);
    assert.equal(withPDB.numViolatingVictim, 0);
    const without = run([node("node1", veryLargeRes)], pods, preemptor);
    assert.deepEqual(names(without.victims), ["db"]);
  });

  it("counts PDB violations when a protected pod must go", () => {
    const r = run(
      [node("node1", veryLargeRes)],
      [pod("db", { node: "node1", priority: lowPriority, req: largeRes, labels: { app: "db" } })],
      pod("p", { priority: highPriority, req: largeRes }),
      [pdb("db", { app: "db" }, 0)],
    );
    assert.deepEqual(names(r.victims), ["db"]);
    assert.equal(r.numViolatingVictim, 1);
  });

  it("is UnschedulableAndUnresolvable without lower-priority pods", () => {
    const r = run(
      [node("node1", onePodRes)],
      [pod("p1", { node: "node1", priority: highPriority })],
      pod("p", { priority: highPriority }),
    );
    assert.equal(r.status?.code, Code.UnschedulableAndUnresolvable);
    assert.equal(r.status?.message(), "No preemption victims found for incoming pod");
  });
});

describe("DryRunPreemption (upstream TestDryRunPreemption)", () => {
  const fivePods = (prios: number[], labels: Array<Record<string, string> | undefined> = []) =>
    prios.map((priority, i) =>
      pod(`p${i + 1}`, { node: `node${i + 1}`, priority, req: largeRes, labels: labels[i] }),
    );
  const fiveNodes = () => [1, 2, 3, 4, 5].map((i) => node(`node${i}`, veryLargeRes));

  function dryRun(
    s: Setup,
    args: { minCandidateNodesPercentage: number; minCandidateNodesAbsolute: number },
    testPods: Pod[],
    offsets: number[],
  ) {
    const { h, counter } = setup(s);
    const pl = new DefaultPreemption(args, h, { randomInt: replay(...offsets) });
    const nodeInfos = h.snapshot().nodeInfoList;
    return testPods.map((p) => {
      const before = counter.filterCalls;
      const [offset, num] = pl.getOffsetAndNumCandidates(nodeInfos.length);
      const { candidates } = pl.evaluator.dryRunPreemption(
        new CycleState(),
        p,
        nodeInfos,
        s.pdbs ?? [],
        offset,
        num,
      );
      const got = candidates
        .map((c) => ({ name: c.name, victims: names(c.victims.pods), pdb: c.victims.numPDBViolations }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      return { got, filterCalls: counter.filterCalls - before };
    });
  }

  it("some nodes are not possible candidates, DefaultPreemptionArgs limits to 2", () => {
    const [r] = dryRun(
      {
        nodes: fiveNodes(),
        pods: fivePods([midPriority, veryHighPriority, midPriority, midPriority, veryHighPriority]),
      },
      { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 },
      [pod("p", { priority: highPriority, req: largeRes })],
      [4],
    );
    // offset=4 => node5 (no), node1 (yes), node2 (no), node3 (yes)
    assert.deepEqual(r.got, [
      { name: "node1", victims: ["p1"], pdb: 0 },
      { name: "node3", victims: ["p3"], pdb: 0 },
    ]);
    assert.equal(r.filterCalls, 4);
  });

  it("preemption offset across multiple scheduling cycles and wrap around", () => {
    const rs = dryRun(
      {
        nodes: fiveNodes(),
        pods: fivePods([midPriority, midPriority, midPriority, midPriority, midPriority]),
      },
      { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 },
      ["tp1", "tp2", "tp3"].map((n) => pod(n, { priority: highPriority, req: largeRes })),
      [4, 1, 3],
    );
    assert.deepEqual(
      rs.map((r) => r.got.map((c) => c.name)),
      [
        ["node1", "node5"],
        ["node2", "node3"],
        ["node4", "node5"],
      ],
    );
    assert.deepEqual(
      rs.map((r) => r.filterCalls),
      [4, 4, 4],
    );
  });

  it("preemption looks past numCandidates until a non-PDB violating node is found", () => {
    const foo = { app: "foo" };
    const [r] = dryRun(
      {
        nodes: fiveNodes(),
        pods: fivePods(
          [midPriority, midPriority, midPriority, midPriority, midPriority],
          [foo, foo, undefined, undefined, foo],
        ),
        pdbs: [pdb("foo", foo, 0)],
      },
      { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 2 },
      [pod("p", { priority: highPriority, req: largeRes })],
      [4],
    );
    assert.deepEqual(r.got, [
      { name: "node1", victims: ["p1"], pdb: 1 },
      { name: "node3", victims: ["p3"], pdb: 0 },
      { name: "node5", victims: ["p5"], pdb: 1 },
    ]);
    assert.equal(r.filterCalls, 8);
  });
});

describe("SelectCandidate (upstream TestSelectBestCandidate)", () => {
  // upstream's epochTime..epochTime6 are nanoseconds apart; metav1.Time keeps whole seconds, so seconds here.
  const t = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const cases: Array<{ name: string; nodes: string[]; pod: Pod; pods: Pod[]; expected: string[] }> = [
    {
      name: "a pod that fits on both nodes when lower priority pods are preempted",
      nodes: ["node1", "node2"],
      pod: pod("p", { priority: highPriority, req: largeRes }),
      pods: [
        pod("p1", { node: "node1", priority: midPriority, req: largeRes, start: t(0) }),
        pod("p2", { node: "node2", priority: midPriority, req: largeRes, start: t(0) }),
      ],
      expected: ["node1", "node2"],
    },
    {
      name: "node with min highest priority pod is picked",
      nodes: ["node1", "node2", "node3"],
      pod: pod("p", { priority: highPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p1.2", { node: "node1", priority: midPriority, req: largeRes, start: t(0) }),
        pod("p2.1", { node: "node2", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p2.2", { node: "node2", priority: lowPriority, req: mediumRes, start: t(0) }),
        pod("p3.1", { node: "node3", priority: lowPriority, req: mediumRes, start: t(0) }),
        pod("p3.2", { node: "node3", priority: lowPriority, req: mediumRes, start: t(0) }),
      ],
      expected: ["node3"],
    },
    {
      name: "when highest priorities are the same, minimum sum of priorities is picked",
      nodes: ["node1", "node2", "node3"],
      pod: pod("p", { priority: highPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p1.2", { node: "node1", priority: midPriority, req: largeRes, start: t(0) }),
        pod("p2.1", { node: "node2", priority: midPriority, req: largeRes, start: t(0) }),
        pod("p2.2", { node: "node2", priority: lowPriority, req: mediumRes, start: t(0) }),
        pod("p3.1", { node: "node3", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p3.2", { node: "node3", priority: midPriority, req: mediumRes, start: t(0) }),
      ],
      expected: ["node2"],
    },
    {
      name: "sum of adjusted priorities is considered",
      nodes: ["node1", "node2", "node3"],
      pod: pod("p", { priority: highPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: midPriority, req: smallRes, start: t(0) }),
        pod("p1.2", { node: "node1", priority: negPriority, req: smallRes, start: t(0) }),
        pod("p1.3", { node: "node1", priority: negPriority, req: smallRes, start: t(0) }),
        pod("p2.1", { node: "node2", priority: midPriority, req: largeRes, start: t(0) }),
        pod("p2.2", { node: "node2", priority: negPriority, req: mediumRes, start: t(0) }),
        pod("p3.1", { node: "node3", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p3.2", { node: "node3", priority: negPriority, req: smallRes, start: t(0) }),
        pod("p3.3", { node: "node3", priority: lowPriority, req: smallRes, start: t(0) }),
      ],
      expected: ["node2"],
    },
    {
      name: "non-overlapping lowest high priority, sum priorities, and number of pods",
      nodes: ["node1", "node2", "node3", "node4"],
      pod: pod("p", { priority: veryHighPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: midPriority, req: smallRes, start: t(0) }),
        pod("p1.2", { node: "node1", priority: lowPriority, req: smallRes, start: t(0) }),
        pod("p1.3", { node: "node1", priority: lowPriority, req: smallRes, start: t(0) }),
        pod("p2.1", { node: "node2", priority: highPriority, req: largeRes, start: t(0) }),
        pod("p3.1", { node: "node3", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p3.2", { node: "node3", priority: lowPriority, req: smallRes, start: t(0) }),
        pod("p3.3", { node: "node3", priority: lowPriority, req: smallRes, start: t(0) }),
        pod("p3.4", { node: "node3", priority: lowPriority, req: mediumRes, start: t(0) }),
        pod("p4.1", { node: "node4", priority: midPriority, req: mediumRes, start: t(0) }),
        pod("p4.2", { node: "node4", priority: midPriority, req: smallRes, start: t(0) }),
        pod("p4.3", { node: "node4", priority: midPriority, req: smallRes, start: t(0) }),
        pod("p4.4", { node: "node4", priority: negPriority, req: smallRes, start: t(0) }),
      ],
      expected: ["node1"],
    },
    {
      name: "same priority, same number of victims, different start time for each node's pod",
      nodes: ["node1", "node2", "node3"],
      pod: pod("p", { priority: highPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: midPriority, req: mediumRes, start: t(2) }),
        pod("p1.2", { node: "node1", priority: midPriority, req: mediumRes, start: t(2) }),
        pod("p2.1", { node: "node2", priority: midPriority, req: mediumRes, start: t(3) }),
        pod("p2.2", { node: "node2", priority: midPriority, req: mediumRes, start: t(3) }),
        pod("p3.1", { node: "node3", priority: midPriority, req: mediumRes, start: t(1) }),
        pod("p3.2", { node: "node3", priority: midPriority, req: mediumRes, start: t(1) }),
      ],
      expected: ["node2"],
    },
    {
      name: "different priority, same number of victims, different start time for all pods",
      nodes: ["node1", "node2", "node3"],
      pod: pod("p", { priority: highPriority, req: veryLargeRes }),
      pods: [
        pod("p1.1", { node: "node1", priority: lowPriority, req: mediumRes, start: t(4) }),
        pod("p1.2", { node: "node1", priority: midPriority, req: mediumRes, start: t(2) }),
        pod("p2.1", { node: "node2", priority: midPriority, req: mediumRes, start: t(6) }),
        pod("p2.2", { node: "node2", priority: lowPriority, req: mediumRes, start: t(1) }),
        pod("p3.1", { node: "node3", priority: lowPriority, req: mediumRes, start: t(3) }),
        pod("p3.2", { node: "node3", priority: midPriority, req: mediumRes, start: t(5) }),
      ],
      expected: ["node2"],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { h } = setup({ nodes: tc.nodes.map((n) => node(n, veryLargeRes)), pods: tc.pods });
      const pl = new DefaultPreemption(undefined, h, { randomInt: () => 4 % tc.nodes.length });
      const nodeInfos = h.snapshot().nodeInfoList;
      const [offset, num] = pl.getOffsetAndNumCandidates(nodeInfos.length);
      const { candidates } = pl.evaluator.dryRunPreemption(
        new CycleState(),
        tc.pod,
        nodeInfos,
        [],
        offset,
        num,
      );
      const best = pl.evaluator.selectCandidate(candidates);
      assert.ok(best && tc.expected.includes(best.name), `got ${best?.name}, want one of ${tc.expected}`);
    });
  }
});

describe("PodEligibleToPreemptOthers (upstream TestPodEligibleToPreemptOthers)", () => {
  const terminatingByPreemption = (name: string, priority: number, nodeName: string) =>
    pod(name, {
      node: nodeName,
      priority,
      deleting: true,
      status: {
        conditions: [{ type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler" }],
      },
    });
  const cases: Array<{
    name: string;
    pod: Pod;
    pods: Pod[];
    nominatedNodeStatus?: Status;
    expected: [boolean, string];
  }> = [
    {
      name: "Pod with nominated node",
      pod: pod("p_with_nominated_node", { priority: highPriority, status: { nominatedNodeName: "node1" } }),
      pods: [terminatingByPreemption("p", lowPriority, "node1")],
      nominatedNodeStatus: unresolvable("node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
      expected: [true, ""],
    },
    {
      name: "Pod with nominated node, but without nominated node status",
      pod: pod("p_without_status", { priority: highPriority, status: { nominatedNodeName: "node1" } }),
      pods: [terminatingByPreemption("p", lowPriority, "node1")],
      expected: [false, ERR_TERMINATING_POD_ON_NOMINATED_NODE],
    },
    {
      name: "Pod without nominated node",
      pod: pod("p_without_nominated_node", { priority: highPriority }),
      pods: [],
      expected: [true, ""],
    },
    {
      name: "Pod with 'PreemptNever' preemption policy",
      pod: pod("p_with_preempt_never_policy", {
        priority: highPriority,
        spec: { preemptionPolicy: "Never" },
      }),
      pods: [],
      expected: [false, "not eligible due to preemptionPolicy=Never."],
    },
    {
      name: "victim Pods terminating, feature PodDisruptionConditions is enabled",
      pod: pod("p_with_nominated_node", { priority: highPriority, status: { nominatedNodeName: "node1" } }),
      pods: [terminatingByPreemption("p", lowPriority, "node1")],
      nominatedNodeStatus: unschedulable(),
      expected: [false, ERR_TERMINATING_POD_ON_NOMINATED_NODE],
    },
    {
      name: "non-victim Pods terminating",
      pod: pod("p_with_nominated_node", { priority: highPriority, status: { nominatedNodeName: "node1" } }),
      pods: [pod("p", { node: "node1", priority: lowPriority, deleting: true })],
      nominatedNodeStatus: unschedulable(),
      expected: [true, ""],
    },
    {
      name: "a higher-priority pod terminating does not block",
      pod: pod("p_with_nominated_node", { priority: midPriority, status: { nominatedNodeName: "node1" } }),
      pods: [terminatingByPreemption("p", highPriority, "node1")],
      nominatedNodeStatus: unschedulable(),
      expected: [true, ""],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { h } = setup({ nodes: [node("node1", veryLargeRes)], pods: tc.pods });
      const pl = new DefaultPreemption(undefined, h);
      assert.deepEqual(pl.podEligibleToPreemptOthers(tc.pod, tc.nominatedNodeStatus ?? null), tc.expected);
    });
  }
});

describe("filterPodsWithPDBViolation", () => {
  const pi = (name: string, labels?: Record<string, string>, namespace?: string) => {
    const p = pod(name, { labels });
    if (namespace) p.metadata!.namespace = namespace;
    return new PodInfo(p);
  };
  const split = (pods: PodInfo[], pdbs: PodDisruptionBudget[]) =>
    filterPodsWithPDBViolation(pods, pdbs).map((l) => l.map((x) => x.pod.metadata!.name));

  it("spends one budget across the list, in order", () => {
    assert.deepEqual(split([pi("a", { app: "x" }), pi("b", { app: "x" })], [pdb("x", { app: "x" }, 1)]), [
      ["b"],
      ["a"],
    ]);
  });

  it("pods already in disruptedPods do not spend the budget", () => {
    assert.deepEqual(
      split([pi("a", { app: "x" }), pi("b", { app: "x" })], [pdb("x", { app: "x" }, 1, { a: "t" })]),
      [[], ["a", "b"]],
    );
  });

  it("unlabelled pods, other namespaces and nil/empty selectors match nothing", () => {
    const pods = [pi("a"), pi("b", { app: "x" }, "other"), pi("c", { app: "y" })];
    assert.deepEqual(
      split(pods, [pdb("x", { app: "x" }, 0), pdb("nil", undefined, 0), pdb("empty", {}, 0)]),
      [[], ["a", "b", "c"]],
    );
  });
});

describe("args and messages", () => {
  it("defaults and validates DefaultPreemptionArgs", () => {
    const { h } = setup({ nodes: [] });
    const pl = new DefaultPreemption(undefined, h);
    assert.equal(pl.name, NAME);
    assert.deepEqual(pl.args, { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    // max(5000 * 10%, 100), at most the node count.
    assert.equal(pl.calculateNumCandidates(5000), 500);
    assert.equal(pl.calculateNumCandidates(300), 100);
    assert.equal(pl.calculateNumCandidates(50), 50);
    assert.throws(
      () => new DefaultPreemption({ minCandidateNodesPercentage: 101 }, h),
      /minCandidateNodesPercentage: Invalid value: 101: not in valid range \[0, 100\]/,
    );
    assert.throws(
      () => new DefaultPreemption({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, h),
      /cannot be zero at the same time as minCandidateNodesAbsolute/,
    );
    assert.deepEqual(pl.eventsToRegister(), []);
  });

  it("formats the FitError histogram as upstream: byte-sorted 'count reason' entries", () => {
    const m = new Map<string, Status>();
    for (let i = 0; i < 10; i++) m.set(`a${i}`, unschedulable("Insufficient cpu", "Insufficient memory"));
    m.set("b", unresolvable("No preemption victims found for incoming pod"));
    assert.equal(
      preemptionFailureMessage(13, m),
      "0/13 nodes are available: 1 No preemption victims found for incoming pod, 10 Insufficient cpu, 10 Insufficient memory, 2 Preemption is not helpful for scheduling.",
    );
    assert.equal(nodesAvailableMessage(0, new Map(), []), "0/0 nodes are available:");
  });
});
