import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod, Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import type { NodeScore } from "../framework/interface.ts";
import { NodeInfo } from "../framework/node-info.ts";
import { Code } from "../framework/status.ts";
import { fakeHandle } from "../testing.ts";
import { NAME, newTaintToleration, type TaintToleration } from "./taint-toleration.ts";

const nodeWithTaints = (name: string, taints: Taint[] = []): NodeInfo =>
  new NodeInfo({ metadata: { name }, spec: { taints } } satisfies Node);
const podWithTolerations = (tolerations: Toleration[] = []): Pod => ({
  metadata: { name: "pod1" },
  spec: { containers: [], tolerations },
});
const plugin = () => newTaintToleration(undefined, fakeHandle()) as TaintToleration;

// Upstream: tainttoleration/taint_toleration_test.go TestTaintTolerationFilter (v1.32 reason text).
describe("TaintToleration Filter", () => {
  const cases: Array<{ name: string; pod: Pod; node: NodeInfo; wantReason?: string }> = [
    {
      name: "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
      pod: podWithTolerations([]),
      node: nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      wantReason: "node(s) had untolerated taint {dedicated: user1}",
    },
    {
      name: "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
      pod: podWithTolerations([{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      node: nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
    },
    {
      name: "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
      pod: podWithTolerations([
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
      ]),
      node: nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      wantReason: "node(s) had untolerated taint {dedicated: user1}",
    },
    {
      name: "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
      pod: podWithTolerations([{ key: "foo", operator: "Exists", effect: "NoSchedule" }]),
      node: nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
    },
    {
      name: "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
      pod: podWithTolerations([
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
        { key: "foo", operator: "Exists", effect: "NoSchedule" },
      ]),
      node: nodeWithTaints("nodeA", [
        { key: "dedicated", value: "user2", effect: "NoSchedule" },
        { key: "foo", value: "bar", effect: "NoSchedule" },
      ]),
    },
    {
      name: "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
      pod: podWithTolerations([{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      node: nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
      wantReason: "node(s) had untolerated taint {foo: bar}",
    },
    {
      name: "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
      pod: podWithTolerations([{ key: "foo", operator: "Equal", value: "bar" }]),
      node: nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
    },
    {
      name: "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
      pod: podWithTolerations([
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
      ]),
      node: nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }]),
    },
    {
      name: "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
      pod: podWithTolerations([]),
      node: nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }]),
    },
    {
      name: "a NoExecute taint without a value is reported with an empty value",
      pod: podWithTolerations([]),
      node: nodeWithTaints("nodeA", [
        { key: "soft", effect: "PreferNoSchedule" },
        { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
      ]),
      wantReason: "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
    },
    {
      name: "an Exists toleration with no key tolerates every taint",
      pod: podWithTolerations([{ operator: "Exists" }]),
      node: nodeWithTaints("nodeA", [
        { key: "a", value: "1", effect: "NoSchedule" },
        { key: "b", effect: "NoExecute" },
      ]),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pl = plugin();
      assert.equal(pl.name, NAME);
      const st = pl.filter(new CycleState(), c.pod, c.node);
      if (!c.wantReason) {
        assert.equal(st, null);
      } else {
        assert.equal(st?.code, Code.UnschedulableAndUnresolvable);
        assert.deepEqual(st?.reasons, [c.wantReason]);
      }
    });
  }
});

// Upstream: TestTaintTolerationScore.
describe("TaintToleration Score", () => {
  const cases: Array<{ name: string; pod: Pod; nodes: NodeInfo[]; expected: number[] }> = [
    {
      name: "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
      pod: podWithTolerations([{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      nodes: [
        nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "PreferNoSchedule" }]),
        nodeWithTaints("nodeB", [{ key: "foo", value: "blah", effect: "PreferNoSchedule" }]),
      ],
      expected: [100, 0],
    },
    {
      name: "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
      pod: podWithTolerations([
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "PreferNoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "PreferNoSchedule" },
      ]),
      nodes: [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [{ key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" }]),
        nodeWithTaints("nodeC", [
          { key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" },
          { key: "disk-type", value: "ssd", effect: "PreferNoSchedule" },
        ]),
      ],
      expected: [100, 100, 100],
    },
    {
      name: "the more intolerable taints a node has, the lower score it gets.",
      pod: podWithTolerations([{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      nodes: [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [{ key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" }]),
        nodeWithTaints("nodeC", [
          { key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" },
          { key: "disk-type", value: "ssd", effect: "PreferNoSchedule" },
        ]),
      ],
      expected: [100, 50, 0],
    },
    {
      name: "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
      pod: podWithTolerations([
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "NoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "NoSchedule" },
      ]),
      nodes: [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [{ key: "cpu-type", value: "arm64", effect: "NoSchedule" }]),
        nodeWithTaints("nodeC", [
          { key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" },
          { key: "disk-type", value: "ssd", effect: "PreferNoSchedule" },
        ]),
      ],
      expected: [100, 100, 0],
    },
    {
      name: "Default behaviour No taints and tolerations, lands on node with no taints",
      pod: podWithTolerations([]),
      nodes: [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [{ key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" }]),
      ],
      expected: [100, 0],
    },
    {
      name: "a toleration without an effect counts for PreferNoSchedule taints",
      pod: podWithTolerations([{ key: "cpu-type", operator: "Exists" }]),
      nodes: [
        nodeWithTaints("nodeA", [{ key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" }]),
        nodeWithTaints("nodeB", [{ key: "other", effect: "PreferNoSchedule" }]),
      ],
      expected: [100, 0],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pl = plugin();
      const state = new CycleState();
      assert.equal(pl.preScore(state, c.pod, c.nodes), null);
      const scores: NodeScore[] = c.nodes.map((ni) => ({ name: ni.name, score: pl.score(state, c.pod, ni) }));
      assert.equal(pl.normalizeScore(state, c.pod, scores), null);
      assert.deepEqual(
        scores,
        c.nodes.map((ni, i) => ({ name: ni.name, score: c.expected[i] })),
      );
    });
  }

  test("Score without PreScore is an error", () => {
    assert.throws(() => plugin().score(new CycleState(), podWithTolerations(), nodeWithTaints("n")), {
      message: 'failed to read "PreScoreTaintToleration" from cycleState: not found',
    });
  });

  test("events", () => {
    assert.deepEqual(plugin().eventsToRegister(), [
      { resource: "Node", actions: ["Add", "UpdateNodeTaint"] },
      { resource: "Pod", actions: ["Update"] },
    ]);
  });
});
