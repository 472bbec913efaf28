// FitError's message (upstream's framework/types.go FitError.Error(), v1.32, and
// its TestFitError_Error cases) and numFeasibleNodesToFind (schedule_one.go,
// TestNumFeasibleNodesToFind).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FitError, NO_NODE_AVAILABLE } from "./fit-error.ts";
import { type Diagnosis, newDiagnosis } from "./framework/runtime.ts";
import { type Status, unresolvable, unschedulable } from "./framework/status.ts";
import { numFeasibleNodesToFind } from "./scheduler.ts";
import { makePod } from "./testing.ts";

function diagnosis(statuses: Record<string, Status>, o: Partial<Diagnosis> = {}): Diagnosis {
  const d = newDiagnosis();
  for (const [node, s] of Object.entries(statuses)) d.nodeToStatus.set(node, s);
  return { ...d, ...o };
}

const fitError = (numAllNodes: number, d: Diagnosis) => new FitError(makePod("p"), numAllNodes, d);

describe("FitError.message", () => {
  const preFilter = "Node(s) failed PreFilter plugin FalsePreFilter";
  const postFilter = "Error running PostFilter plugin FailedPostFilter";
  const byPreFilter = {
    node1: unschedulable(preFilter),
    node2: unschedulable(preFilter),
    node3: unschedulable(preFilter),
  };
  const oneFilter = {
    node1: unschedulable("Node(s) failed Filter plugin FalseFilter-1"),
    node2: unschedulable("Node(s) failed Filter plugin FalseFilter-1"),
    node3: unschedulable("Node(s) failed Filter plugin FalseFilter-1"),
  };
  const twoFilters = {
    node1: unschedulable("Node(s) failed Filter plugin FalseFilter-1"),
    node2: unschedulable("Node(s) failed Filter plugin FalseFilter-1"),
    node3: unschedulable("Node(s) failed Filter plugin FalseFilter-2"),
  };

  // Upstream's TestFitError_Error, case by case.
  const cases: Array<{ name: string; numAllNodes: number; diagnosis: Diagnosis; want: string }> = [
    {
      name: "nodes failed Prefilter plugin",
      numAllNodes: 3,
      diagnosis: diagnosis(byPreFilter, { preFilterMsg: preFilter }),
      want: "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.",
    },
    {
      name: "nodes failed Prefilter plugin and the preemption also failed",
      numAllNodes: 3,
      diagnosis: diagnosis(byPreFilter, { preFilterMsg: preFilter, postFilterMsg: postFilter }),
      want: "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. Error running PostFilter plugin FailedPostFilter",
    },
    {
      name: "nodes failed one Filter plugin with an empty PostFilterMsg",
      numAllNodes: 3,
      diagnosis: diagnosis(oneFilter),
      want: "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.",
    },
    {
      name: "nodes failed one Filter plugin with a non-empty PostFilterMsg",
      numAllNodes: 3,
      diagnosis: diagnosis(oneFilter, { postFilterMsg: postFilter }),
      want: "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    },
    {
      name: "nodes failed two Filter plugins with an empty PostFilterMsg",
      numAllNodes: 3,
      diagnosis: diagnosis(twoFilters),
      want: "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.",
    },
    {
      name: "nodes failed two Filter plugins with a non-empty PostFilterMsg",
      numAllNodes: 3,
      diagnosis: diagnosis(twoFilters, { postFilterMsg: postFilter }),
      want: "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    },
    {
      name: "failed to Permit on node",
      numAllNodes: 1,
      diagnosis: diagnosis({ node1: unschedulable("Node failed Permit plugin Permit-1") }),
      want: "0/1 nodes are available: 1 Node failed Permit plugin Permit-1.",
    },
    {
      name: "failed to Reserve on node",
      numAllNodes: 1,
      diagnosis: diagnosis({ node1: unschedulable("Node failed Reserve plugin Reserve-1") }),
      want: "0/1 nodes are available: 1 Node failed Reserve plugin Reserve-1.",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(fitError(c.numAllNodes, c.diagnosis).message, c.want);
    });
  }

  test('sorts "count reason" as Go\'s sort.Strings: bytewise, so "10 …" before "2 …" and upper case first', () => {
    const statuses: Record<string, Status> = {};
    for (let i = 0; i < 10; i++) statuses[`cpu-${i}`] = unschedulable("Insufficient cpu");
    statuses["mem-0"] = unschedulable("Insufficient memory");
    statuses["mem-1"] = unschedulable("Insufficient memory");
    statuses.taint = unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
    statuses.pods = unschedulable("Too many pods");
    assert.equal(
      fitError(14, diagnosis(statuses)).message,
      "0/14 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 10 Insufficient cpu, 2 Insufficient memory.",
    );
  });

  test("counts each reason of a status once per node", () => {
    const both = unschedulable("Insufficient cpu", "Insufficient memory");
    const cpu = unschedulable("Insufficient cpu");
    assert.equal(
      fitError(2, diagnosis({ n1: both, n2: cpu })).message,
      "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.",
    );
  });

  // What kubectl describe shows for a pod that fits nowhere, with DefaultPreemption's
  // message (itself a FitError message prefixed "preemption: ") appended as " %v".
  test("reads as kube-scheduler's FailedScheduling event after a failed preemption", () => {
    const d = diagnosis(
      {
        n1: unschedulable("Insufficient cpu"),
        n2: unresolvable("node(s) didn't match Pod's node affinity/selector"),
        n3: unresolvable("node(s) didn't match Pod's node affinity/selector"),
        n4: unresolvable("node(s) didn't match Pod's node affinity/selector"),
      },
      {
        postFilterMsg:
          "preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
      },
    );
    assert.equal(
      fitError(4, d).message,
      "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
    );
  });

  test("is an Error, and NO_NODE_AVAILABLE formats upstream's NoNodeAvailableMsg", () => {
    const e = fitError(5, diagnosis({ n1: unschedulable("Insufficient cpu") }));
    assert.ok(e instanceof Error);
    assert.equal(NO_NODE_AVAILABLE(5), "0/5 nodes are available");
    assert.equal(e.message, "0/5 nodes are available: 1 Insufficient cpu.");
  });
});

describe("numFeasibleNodesToFind", () => {
  // Upstream's TestNumFeasibleNodesToFind, plus the edges of the adaptive formula.
  const cases: Array<{ name: string; percentage: number; nodes: number; want: number }> = [
    { name: "not set, nodes not more than 50", percentage: 0, nodes: 10, want: 10 },
    { name: "set, nodes not more than 50", percentage: 40, nodes: 10, want: 10 },
    { name: "not set, 50 nodes", percentage: 0, nodes: 50, want: 50 },
    { name: "not set, 99 nodes (below the 100 minimum)", percentage: 0, nodes: 99, want: 99 },
    { name: "not set, 100 nodes: 50% is below the minimum of 100", percentage: 0, nodes: 100, want: 100 },
    { name: "not set, nodes more than 50", percentage: 0, nodes: 1000, want: 420 },
    { name: "set, nodes more than 50", percentage: 40, nodes: 1000, want: 400 },
    { name: "not set, 5000 nodes: 50 - 5000/125 = 10%", percentage: 0, nodes: 5000, want: 500 },
    { name: "not set, nodes more than 50*125", percentage: 0, nodes: 6000, want: 300 },
    { name: "set, nodes more than 50*125", percentage: 40, nodes: 6000, want: 2400 },
    { name: "not set, 10000 nodes: floored at 5%", percentage: 0, nodes: 10_000, want: 500 },
    { name: "set low: never fewer than 100 nodes", percentage: 5, nodes: 1000, want: 100 },
    { name: "set to 100", percentage: 100, nodes: 5000, want: 5000 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(numFeasibleNodesToFind(c.percentage, c.nodes), c.want);
    });
  }
});
