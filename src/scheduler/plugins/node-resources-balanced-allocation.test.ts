// Port of upstream's noderesources balanced_allocation_test.go (v1.32), with
// its expected scores.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import { fakeHandle, makeNode, makePod, nodeInfos } from "../testing.ts";
import {
  type BalancedAllocation,
  balancedResourceScorer,
  NAME,
  type NodeResourcesBalancedAllocationArgs,
  newBalancedAllocation,
} from "./node-resources-balanced-allocation.ts";

const containers = (lists: Array<Record<string, string>>): Container[] =>
  lists.map((requests, i) => ({ name: `c${i}`, image: "img", resources: { requests } }));

let n = 0;
const pod = (nodeName: string | undefined, ...reqs: Array<Record<string, string>>): Pod =>
  makePod(`p${++n}`, { nodeName, spec: { containers: containers(reqs) } });

// The pod specs of upstream's test.
const cpuOnly = (nodeName?: string) =>
  pod(nodeName, { cpu: "1000m", memory: "0" }, { cpu: "2000m", memory: "0" });
const cpuAndMemory = (nodeName?: string) =>
  pod(nodeName, { cpu: "1000m", memory: "2000" }, { cpu: "2000m", memory: "3000" });
const cpuAndMemoryAndGPU = (nodeName?: string) =>
  pod(nodeName, { cpu: "1000m", memory: "2000" }, { cpu: "2000m", memory: "3000", "nvidia.com/gpu": "3" });

/** Upstream's test makeNode(name, milliCPU, memory, extended). */
const node = (name: string, milliCPU: number, memory: number, ext: Record<string, string> = {}): Node =>
  makeNode(name, { allocatable: { cpu: `${milliCPU}m`, memory: `${memory}`, pods: "32", ...ext } });

const defaultSet = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];
const withGPU = [...defaultSet, { name: "nvidia.com/gpu", weight: 1 }];
const gpu8 = { "nvidia.com/gpu": "8" };

describe("NodeResourcesBalancedAllocation (TestNodeResourcesBalancedAllocation)", () => {
  const cases: Array<{
    name: string;
    pod: Pod;
    nodes: Node[];
    pods?: Pod[];
    args: NodeResourcesBalancedAllocationArgs;
    runPreScore: boolean;
    want: number[];
  }> = [
    {
      // v1.32 still scores best-effort pods (the PreScore Skip came in v1.33).
      name: "nothing scheduled, nothing requested",
      pod: makePod("best-effort", { spec: { containers: [] } }),
      nodes: [node("node1", 4000, 10000), node("node2", 4000, 10000)],
      args: { resources: defaultSet },
      runPreScore: true,
      want: [100, 100],
    },
    {
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: cpuAndMemory(),
      nodes: [node("node1", 4000, 10000), node("node2", 6000, 10000)],
      args: { resources: defaultSet },
      runPreScore: true,
      want: [87, 100],
    },
    {
      name: "resources requested, pods scheduled with resources",
      pod: cpuAndMemory(),
      nodes: [node("node1", 10000, 20000), node("node2", 10000, 20000)],
      pods: [cpuOnly("node1"), cpuAndMemory("node2")],
      args: { resources: defaultSet },
      runPreScore: true,
      want: [82, 95],
    },
    {
      name: "resources requested, pods scheduled with resources, differently sized nodes",
      pod: cpuAndMemory(),
      nodes: [node("node1", 10000, 20000), node("node2", 10000, 50000)],
      pods: [cpuOnly("node1"), cpuAndMemory("node2")],
      args: { resources: defaultSet },
      runPreScore: true,
      want: [82, 80],
    },
    {
      name: "requested resources at node capacity",
      pod: cpuOnly(),
      nodes: [node("node1", 6000, 10000), node("node2", 6000, 10000)],
      pods: [cpuOnly("node1"), cpuAndMemory("node2")],
      args: { resources: defaultSet },
      runPreScore: true,
      want: [50, 75],
    },
    {
      name: "include scalar resource on a node for balanced resource allocation",
      pod: pod(undefined, { memory: "0", "nvidia.com/gpu": "1" }),
      nodes: [node("node1", 3500, 40000, gpu8), node("node2", 3500, 40000, gpu8)],
      pods: [cpuAndMemory("node2"), cpuAndMemoryAndGPU("node1")],
      args: { resources: withGPU },
      runPreScore: true,
      want: [70, 65],
    },
    {
      name: "node without the scalar resource should skip the scalar resource",
      pod: cpuAndMemory(),
      nodes: [node("node1", 3500, 40000, gpu8), node("node2", 3500, 40000)],
      args: { resources: withGPU },
      runPreScore: true,
      want: [63, 63],
    },
    {
      name: "resources requested, pods scheduled with resources if PreScore not called",
      pod: cpuAndMemory(),
      nodes: [node("node1", 10000, 20000), node("node2", 10000, 20000)],
      pods: [cpuOnly("node1"), cpuAndMemory("node2")],
      args: { resources: defaultSet },
      runPreScore: false,
      want: [82, 95],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const p = newBalancedAllocation(c.args as Record<string, unknown>, fakeHandle()) as BalancedAllocation;
      const infos = nodeInfos(c.nodes, c.pods ?? []);
      const state = new CycleState();
      if (c.runPreScore) assert.equal(p.preScore(state, c.pod, infos), null);
      assert.deepEqual(
        infos.map((ni) => ({ name: ni.name, score: p.score(state, c.pod, ni) })),
        c.nodes.map((nd, i) => ({ name: nd.metadata!.name, score: c.want[i] })),
      );
    });
  }

  it("scores plain requests, not the non-zero defaults", () => {
    // A pod without requests adds nothing: node1 stays at cpu 0.5, memory 0.25.
    const p = newBalancedAllocation(undefined, fakeHandle()) as BalancedAllocation;
    const [ni] = nodeInfos(
      [node("node1", 2000, 4000)],
      [pod("node1", { cpu: "1000m", memory: "1000" }), makePod("be", { nodeName: "node1" })],
    );
    const state = new CycleState();
    const bestEffort = makePod("incoming");
    assert.equal(p.preScore(state, bestEffort, [ni]), null);
    assert.equal(p.score(state, bestEffort, ni), 87);
  });

  it("defaults to cpu and memory and validates its args", () => {
    const p = newBalancedAllocation(undefined, fakeHandle()) as BalancedAllocation;
    assert.equal(p.name, NAME);
    assert.deepEqual(p.scorer.resources, defaultSet);
    assert.throws(
      () => newBalancedAllocation({ resources: [{ name: "cpu", weight: 2 }] }, fakeHandle()),
      /resources\[0\]\.weight: Invalid value: 2: must be 1/,
    );
    assert.throws(
      () =>
        newBalancedAllocation(
          {
            resources: [
              { name: "cpu", weight: 1 },
              { name: "cpu", weight: 1 },
            ],
          },
          fakeHandle(),
        ),
      /resources\[1\]\.name: Duplicate value: "cpu"/,
    );
  });
});

describe("balancedResourceScorer", () => {
  it("uses the full standard deviation for more than two resources", () => {
    // Fractions 0.8571, 0.125, 0.5 (upstream's scalar example): std 0.2990 → 70.
    const got = balancedResourceScorer(new Float64Array([3000, 5000, 4]), new Float64Array([3500, 40000, 8]));
    assert.equal(got, 70);
  });

  it("caps fractions at 1 and skips resources the node lacks", () => {
    assert.equal(
      balancedResourceScorer(new Float64Array([9000, 0, 5]), new Float64Array([6000, 10000, 0])),
      50,
    );
    assert.equal(balancedResourceScorer(new Float64Array([1]), new Float64Array([2])), 100);
  });
});
