// Ports of upstream's noderesources fit_test.go, least_allocated_test.go,
// most_allocated_test.go and requested_to_capacity_ratio_test.go (v1.32), with
// their expected reasons and scores.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import { NodeInfo, PodInfo } from "../framework/node-info.ts";
import { Code, type Status } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod, nodeInfos } from "../testing.ts";
import { ResourceAllocationScorer } from "./helper/resource-allocation.ts";
import {
  ERR_REASON_INSUFFICIENT_CPU,
  ERR_REASON_INSUFFICIENT_EPHEMERAL_STORAGE,
  ERR_REASON_INSUFFICIENT_MEMORY,
  ERR_REASON_TOO_MANY_PODS,
  Fit,
  fits,
  type InsufficientResource,
  insufficientReason,
  NAME,
  type NodeResourcesFitArgs,
  newFit,
} from "./node-resources-fit.ts";

const extendedResourceA = "example.com/aaa";
const extendedResourceB = "example.com/bbb";
const kubernetesIOResourceA = "kubernetes.io/something";
const kubernetesIOResourceB = "subdomain.kubernetes.io/something";
const hugePageResourceA = "hugepages-2Mi";

/** Upstream's framework.Resource in a test: milli-cpu, bytes, scalar counts. */
interface Usage {
  milliCPU?: number;
  memory?: number;
  ephemeralStorage?: number;
  scalar?: Record<string, number>;
}

// framework.Resource.ResourceList(): cpu, memory and ephemeral-storage always present.
function resourceList(u: Usage): Record<string, string> {
  const l: Record<string, string> = {
    cpu: `${u.milliCPU ?? 0}m`,
    memory: `${u.memory ?? 0}`,
    "ephemeral-storage": `${u.ephemeralStorage ?? 0}`,
  };
  for (const [k, v] of Object.entries(u.scalar ?? {})) l[k] = `${v}`;
  return l;
}

const containers = (lists: Array<Record<string, string> | undefined>): Container[] =>
  lists.map((requests, i) => ({ name: `c${i}`, image: "img", resources: requests ? { requests } : {} }));

let n = 0;
/** A pod with one container per usage (upstream's newResourcePod). */
function resourcePod(...usage: Usage[]): Pod {
  return makePod(`p${++n}`, { spec: { containers: containers(usage.map(resourceList)) } });
}

/** Adds init containers (upstream's newResourceInitPod). */
function withInit(pod: Pod, ...usage: Usage[]): Pod {
  pod.spec!.initContainers = containers(usage.map(resourceList));
  return pod;
}

function nodeInfoWith(node: Node, ...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(node);
  for (const p of pods) ni.addPod(new PodInfo(p));
  return ni;
}

// makeAllocatableResources(10, 20, 32, 5, 20, 5)
const fitNode = makeNode("node", {
  allocatable: {
    cpu: "10m",
    memory: "20",
    pods: "32",
    [extendedResourceA]: "5",
    "ephemeral-storage": "20",
    [hugePageResourceA]: "5",
  },
});

function runFilter(args: NodeResourcesFitArgs | undefined, pod: Pod, ni: NodeInfo): Status | null {
  const p = newFit(args as Record<string, unknown> | undefined, fakeHandle()) as Fit;
  const state = new CycleState();
  assert.equal(p.preFilter(state, pod, [ni]).status, null);
  return p.filter(state, pod, ni);
}

const ir = (
  resourceName: string,
  requested: number,
  used: number,
  capacity: number,
): InsufficientResource => ({
  resourceName,
  reason: insufficientReason(resourceName),
  requested,
  used,
  capacity,
});

describe("NodeResourcesFit Filter (TestEnoughRequests)", () => {
  const cases: Array<{
    name: string;
    pod: Pod;
    existing: Pod;
    args?: NodeResourcesFitArgs;
    want: InsufficientResource[];
  }> = [
    {
      name: "no resources requested always fits",
      pod: makePod("empty", { spec: { containers: [] } }),
      existing: resourcePod({ milliCPU: 10, memory: 20 }),
      want: [],
    },
    {
      name: "too many resources fails",
      pod: resourcePod({ milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 10, memory: 20 }),
      want: [ir("cpu", 1, 10, 10), ir("memory", 1, 20, 20)],
    },
    {
      name: "too many resources fails due to init container cpu",
      pod: withInit(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 3, memory: 1 }),
      existing: resourcePod({ milliCPU: 8, memory: 19 }),
      want: [ir("cpu", 3, 8, 10)],
    },
    {
      name: "too many resources fails due to highest init container cpu",
      pod: withInit(
        resourcePod({ milliCPU: 1, memory: 1 }),
        { milliCPU: 3, memory: 1 },
        { milliCPU: 2, memory: 1 },
      ),
      existing: resourcePod({ milliCPU: 8, memory: 19 }),
      want: [ir("cpu", 3, 8, 10)],
    },
    {
      name: "too many resources fails due to init container memory",
      pod: withInit(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 3 }),
      existing: resourcePod({ milliCPU: 9, memory: 19 }),
      want: [ir("memory", 3, 19, 20)],
    },
    {
      name: "init container fits because it's the max, not sum, of containers and init containers",
      pod: withInit(resourcePod({ milliCPU: 1, memory: 1 }), { milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 9, memory: 19 }),
      want: [],
    },
    {
      name: "both resources fit",
      pod: resourcePod({ milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 5 }),
      want: [],
    },
    {
      name: "one resource memory fits",
      pod: resourcePod({ milliCPU: 2, memory: 1 }),
      existing: resourcePod({ milliCPU: 9, memory: 5 }),
      want: [ir("cpu", 2, 9, 10)],
    },
    {
      name: "one resource cpu fits",
      pod: resourcePod({ milliCPU: 1, memory: 2 }),
      existing: resourcePod({ milliCPU: 5, memory: 19 }),
      want: [ir("memory", 2, 19, 20)],
    },
    {
      name: "equal edge case",
      pod: resourcePod({ milliCPU: 5, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 19 }),
      want: [],
    },
    {
      name: "equal edge case for init container",
      pod: withInit(resourcePod({ milliCPU: 4, memory: 1 }), { milliCPU: 5, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 19 }),
      want: [],
    },
    {
      name: "extended resource fits",
      pod: resourcePod({ scalar: { [extendedResourceA]: 1 } }),
      existing: resourcePod({}),
      want: [],
    },
    {
      name: "extended resource capacity enforced",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 10 } }),
      existing: resourcePod({ scalar: { [extendedResourceA]: 0 } }),
      want: [ir(extendedResourceA, 10, 0, 5)],
    },
    {
      name: "extended resource capacity enforced for init container",
      pod: withInit(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 10 } }),
      existing: resourcePod({ scalar: { [extendedResourceA]: 0 } }),
      want: [ir(extendedResourceA, 10, 0, 5)],
    },
    {
      name: "extended resource allocatable enforced",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 1 } }),
      existing: resourcePod({ scalar: { [extendedResourceA]: 5 } }),
      want: [ir(extendedResourceA, 1, 5, 5)],
    },
    {
      name: "extended resource allocatable enforced for multiple containers",
      pod: resourcePod(
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
      ),
      existing: resourcePod({ scalar: { [extendedResourceA]: 2 } }),
      want: [ir(extendedResourceA, 6, 2, 5)],
    },
    {
      name: "extended resource allocatable admits multiple init containers",
      pod: withInit(
        resourcePod({}),
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
      ),
      existing: resourcePod({ scalar: { [extendedResourceA]: 2 } }),
      want: [],
    },
    {
      name: "extended resource allocatable enforced for multiple init containers",
      pod: withInit(
        resourcePod({}),
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 6 } },
        { milliCPU: 1, memory: 1, scalar: { [extendedResourceA]: 3 } },
      ),
      existing: resourcePod({ scalar: { [extendedResourceA]: 2 } }),
      want: [ir(extendedResourceA, 6, 2, 5)],
    },
    {
      name: "extended resource allocatable enforced for unknown resource",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 1 } }),
      existing: resourcePod({}),
      want: [ir(extendedResourceB, 1, 0, 0)],
    },
    {
      name: "kubernetes.io resource capacity enforced",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [kubernetesIOResourceA]: 10 } }),
      existing: resourcePod({}),
      want: [ir(kubernetesIOResourceA, 10, 0, 0)],
    },
    {
      name: "kubernetes.io resource capacity enforced for init container",
      pod: withInit(resourcePod({}), { milliCPU: 1, memory: 1, scalar: { [kubernetesIOResourceB]: 10 } }),
      existing: resourcePod({}),
      want: [ir(kubernetesIOResourceB, 10, 0, 0)],
    },
    {
      name: "hugepages resource capacity enforced",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 10 } }),
      existing: resourcePod({ scalar: { [hugePageResourceA]: 0 } }),
      want: [ir(hugePageResourceA, 10, 0, 5)],
    },
    {
      name: "hugepages resource allocatable enforced for multiple containers",
      pod: resourcePod(
        { milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 3 } },
        { milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 3 } },
      ),
      existing: resourcePod({ scalar: { [hugePageResourceA]: 2 } }),
      want: [ir(hugePageResourceA, 6, 2, 5)],
    },
    {
      name: "skip checking ignored extended resource",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 1 } }),
      existing: resourcePod({}),
      args: { ignoredResources: [extendedResourceB] },
      want: [],
    },
    {
      name: "skip checking ignored extended resource via resource groups",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 1 } }),
      existing: resourcePod({}),
      args: { ignoredResourceGroups: ["example.com"] },
      want: [],
    },
    {
      name: "hugepages are native: the ignore lists do not apply",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [hugePageResourceA]: 10 } }),
      existing: resourcePod({}),
      args: { ignoredResources: [hugePageResourceA] },
      want: [ir(hugePageResourceA, 10, 0, 5)],
    },
    {
      name: "skip checking resource request with quantity zero",
      pod: resourcePod({ milliCPU: 1, memory: 1, scalar: { [extendedResourceB]: 0 } }),
      existing: resourcePod({}),
      want: [],
    },
    {
      name: "resources + pod overhead fits",
      pod: (() => {
        const p = resourcePod({ milliCPU: 1, memory: 1 });
        p.spec!.overhead = { cpu: "3m", memory: "13" };
        return p;
      })(),
      existing: resourcePod({ milliCPU: 5, memory: 5 }),
      want: [],
    },
    {
      name: "requests + overhead does not fit for memory",
      pod: (() => {
        const p = resourcePod({ milliCPU: 1, memory: 1 });
        p.spec!.overhead = { cpu: "1m", memory: "15" };
        return p;
      })(),
      existing: resourcePod({ milliCPU: 5, memory: 5 }),
      want: [ir("memory", 16, 5, 20)],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const ni = nodeInfoWith(fitNode, c.existing);
      const got = runFilter(c.args, c.pod, ni);
      if (c.want.length === 0) {
        assert.equal(got, null);
      } else {
        assert.ok(got);
        assert.equal(got.code, Code.Unschedulable);
        assert.deepEqual(
          got.reasons,
          c.want.map((w) => w.reason),
        );
      }
      // The exported fits() ignores nothing: only compare when no ignore list is set.
      if (!c.args) assert.deepEqual(fits(c.pod, ni), c.want);
    });
  }

  it("uses upstream's exact reason strings", () => {
    assert.equal(ERR_REASON_INSUFFICIENT_CPU, "Insufficient cpu");
    assert.equal(ERR_REASON_INSUFFICIENT_MEMORY, "Insufficient memory");
    assert.equal(ERR_REASON_INSUFFICIENT_EPHEMERAL_STORAGE, "Insufficient ephemeral-storage");
    assert.equal(ERR_REASON_TOO_MANY_PODS, "Too many pods");
    assert.equal(insufficientReason("nvidia.com/gpu"), "Insufficient nvidia.com/gpu");
  });

  it("a pod bigger than the whole node is still only Unschedulable (v1.32)", () => {
    const got = runFilter(undefined, resourcePod({ milliCPU: 11 }), nodeInfoWith(fitNode));
    assert.equal(got?.code, Code.Unschedulable);
    assert.deepEqual(got?.reasons, ["Insufficient cpu"]);
  });

  it("without PreFilter, Filter is an Error (TestPreFilterDisabled)", () => {
    const p = newFit(undefined, fakeHandle()) as Fit;
    const got = p.filter(new CycleState(), resourcePod({}), nodeInfoWith(fitNode));
    assert.equal(got?.code, Code.Error);
    assert.deepEqual(got?.reasons, [`error reading "PreFilterNodeResourcesFit" from cycleState: not found`]);
  });
});

describe("NodeResourcesFit Filter (TestNotEnoughRequests)", () => {
  // makeAllocatableResources(10, 20, 1, 0, 0, 0): room for one pod only.
  const node = makeNode("node", {
    allocatable: {
      cpu: "10m",
      memory: "20",
      pods: "1",
      [extendedResourceA]: "0",
      "ephemeral-storage": "0",
      [hugePageResourceA]: "0",
    },
  });
  const cases: Array<{ name: string; pod: Pod; existing: Pod }> = [
    {
      name: "even without specified resources predicate fails when there's no space for additional pod",
      pod: makePod("empty", { spec: { containers: [] } }),
      existing: resourcePod({ milliCPU: 10, memory: 20 }),
    },
    {
      name: "even if both resources fit predicate fails when there's no space for additional pod",
      pod: resourcePod({ milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 5 }),
    },
    {
      name: "even for equal edge case predicate fails when there's no space for additional pod",
      pod: resourcePod({ milliCPU: 5, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 19 }),
    },
    {
      name: "even for equal edge case predicate fails when there's no space for additional pod due to init container",
      pod: withInit(resourcePod({ milliCPU: 5, memory: 1 }), { milliCPU: 5, memory: 1 }),
      existing: resourcePod({ milliCPU: 5, memory: 19 }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = runFilter(undefined, c.pod, nodeInfoWith(node, c.existing));
      assert.equal(got?.code, Code.Unschedulable);
      assert.deepEqual(got?.reasons, ["Too many pods"]);
    });
  }
});

describe("NodeResourcesFit Filter (TestStorageRequests)", () => {
  const cases: Array<{ name: string; pod: Pod; existing: Pod; want: string[] }> = [
    {
      name: "due to container scratch disk",
      pod: resourcePod({ milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 10, memory: 10 }),
      want: ["Insufficient cpu"],
    },
    {
      name: "pod fit",
      pod: resourcePod({ milliCPU: 1, memory: 1 }),
      existing: resourcePod({ milliCPU: 2, memory: 10 }),
      want: [],
    },
    {
      name: "storage ephemeral local storage request exceeds allocatable",
      pod: resourcePod({ ephemeralStorage: 25 }),
      existing: resourcePod({ milliCPU: 2, memory: 2 }),
      want: ["Insufficient ephemeral-storage"],
    },
    {
      name: "pod fits",
      pod: resourcePod({ ephemeralStorage: 10 }),
      existing: resourcePod({ milliCPU: 2, memory: 2 }),
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = runFilter(undefined, c.pod, nodeInfoWith(fitNode, c.existing));
      if (c.want.length === 0) assert.equal(got, null);
      else assert.deepEqual([got?.code, got?.reasons], [Code.Unschedulable, c.want]);
    });
  }
});

// --- scoring ---

/** A pod with one container per request list (upstream's st.MakePod().Req(...).Req(...)); none: no containers. */
function reqPod(nodeName: string | undefined, ...reqs: Array<Record<string, string> | undefined>): Pod {
  return makePod(`s${++n}`, { nodeName, spec: { containers: containers(reqs) } });
}

/** st.MakeNode().Capacity(...): allocatable and capacity alike. */
const capNode = (name: string, allocatable: Record<string, string>) => makeNode(name, { allocatable });

function scores(
  args: NodeResourcesFitArgs,
  pod: Pod,
  nodes: Node[],
  existing: Pod[] = [],
  runPreScore = true,
): Array<{ name: string; score: number }> {
  const p = newFit(args as Record<string, unknown>, fakeHandle()) as Fit;
  const infos = nodeInfos(nodes, existing);
  const state = new CycleState();
  if (runPreScore) assert.equal(p.preScore(state, pod, infos), null);
  return infos.map((ni) => ({ name: ni.name, score: p.score(state, pod, ni) }));
}

const defaultResources = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];
const extendedRes = "abc.com/xyz";
const extendedResourceSet = [...defaultResources, { name: extendedRes, weight: 1 }];

interface ScoreCase {
  name: string;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  resources: Array<{ name: string; weight: number }>;
  want: number[];
}

function runScoreCases(type: "LeastAllocated" | "MostAllocated", cases: ScoreCase[]) {
  for (const c of cases) {
    it(c.name, () => {
      const got = scores({ scoringStrategy: { type, resources: c.resources } }, c.pod, c.nodes, c.existing);
      assert.deepEqual(
        got,
        c.nodes.map((node, i) => ({ name: node.metadata!.name, score: c.want[i] })),
      );
    });
  }
}

const req12 = () => [
  { cpu: "1000", memory: "2000" },
  { cpu: "2000", memory: "3000" },
];

describe("NodeResourcesFit LeastAllocated (TestLeastAllocatedScoringStrategy)", () => {
  runScoreCases("LeastAllocated", [
    {
      name: "nothing scheduled, nothing requested",
      pod: reqPod(undefined),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "4000", memory: "10000" }),
      ],
      resources: defaultResources,
      want: [100, 100],
    },
    {
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      resources: defaultResources,
      want: [37, 50],
    },
    {
      name: "no resources requested, pods scheduled",
      pod: reqPod(undefined),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "4000", memory: "10000" }),
      ],
      existing: [reqPod("node1"), reqPod("node1"), reqPod("node2"), reqPod("node2")],
      resources: defaultResources,
      want: [100, 100],
    },
    {
      name: "no resources requested, pods scheduled with resources",
      pod: reqPod(undefined),
      nodes: [
        capNode("node1", { cpu: "10000", memory: "20000" }),
        capNode("node2", { cpu: "10000", memory: "20000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [70, 57],
    },
    {
      name: "resources requested, pods scheduled with resources",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "10000", memory: "20000" }),
        capNode("node2", { cpu: "10000", memory: "20000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [57, 45],
    },
    {
      name: "resources requested, pods scheduled with resources, differently sized nodes",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "10000", memory: "20000" }),
        capNode("node2", { cpu: "10000", memory: "50000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [57, 60],
    },
    {
      name: "requested resources exceed node capacity",
      pod: reqPod(undefined, { cpu: "3000", memory: "0" }),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "4000", memory: "10000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [50, 25],
    },
    {
      name: "zero node resources, pods scheduled with resources",
      pod: reqPod(undefined),
      nodes: [capNode("node1", { cpu: "0", memory: "0" }), capNode("node2", { cpu: "0", memory: "0" })],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [0, 0],
    },
    {
      name: "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      resources: [
        { name: "memory", weight: 2 },
        { name: "cpu", weight: 1 },
      ],
      want: [41, 50],
    },
    {
      name: "bypass extended resource if the pod does not request",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
      ],
      resources: extendedResourceSet,
      want: [50, 50],
    },
    {
      name: "honor extended resource if the pod requests",
      pod: reqPod(undefined, { cpu: "3000", memory: "5000", [extendedRes]: "2" }),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "10" }),
      ],
      resources: extendedResourceSet,
      want: [50, 60],
    },
    {
      name: "if the node doesn't have a resource",
      pod: reqPod(undefined, { cpu: "3000", memory: "4000" }),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
      ],
      resources: [
        { name: extendedRes, weight: 2 },
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
      want: [55, 55],
    },
  ]);

  it("Resources not set: Score is an error", () => {
    const p = new Fit(
      new Set(),
      new Set(),
      new ResourceAllocationScorer("LeastAllocated", [], () => 0, false),
    );
    const [ni] = nodeInfos([capNode("node1", { cpu: "4000", memory: "10000" })]);
    assert.throws(() => p.score(new CycleState(), reqPod(undefined, ...req12()), ni), /resources not found/);
  });

  it("rejects weights outside (0, 100]; v1 defaulting turns weight 0 into 1", () => {
    const args = (resources: Array<{ name: string; weight: number }>) => ({
      scoringStrategy: { type: "LeastAllocated", resources },
    });
    assert.throws(
      () =>
        newFit(
          args([
            { name: "memory", weight: -1 },
            { name: "cpu", weight: 1 },
          ]),
          fakeHandle(),
        ),
      /scoringStrategy\.resources\[0\]\.weight: Invalid value: -1: resource weight of memory not in valid range \(0, 100\]/,
    );
    assert.throws(
      () =>
        newFit(
          args([
            { name: "memory", weight: 1 },
            { name: "cpu", weight: 101 },
          ]),
          fakeHandle(),
        ),
      /scoringStrategy\.resources\[1\]\.weight/,
    );
    const p = newFit(
      args([
        { name: "memory", weight: 1 },
        { name: "cpu", weight: 0 },
      ]),
      fakeHandle(),
    ) as Fit;
    assert.deepEqual(p.scorer.resources, [
      { name: "memory", weight: 1 },
      { name: "cpu", weight: 1 },
    ]);
  });

  it("defaults to LeastAllocated over cpu and memory, weight 1", () => {
    const p = newFit(undefined, fakeHandle()) as Fit;
    assert.equal(p.name, NAME);
    assert.equal(p.scorer.name, "LeastAllocated");
    assert.deepEqual(p.scorer.resources, defaultResources);
    // An empty resources list gets the defaults too.
    const q = newFit({ scoringStrategy: { type: "MostAllocated", resources: [] } }, fakeHandle()) as Fit;
    assert.deepEqual([q.scorer.name, q.scorer.resources], ["MostAllocated", defaultResources]);
  });

  it("rejects an unknown scoring strategy", () => {
    assert.throws(
      () => newFit({ scoringStrategy: { type: "Foo" } }, fakeHandle()),
      /scoringStrategy\.type: Unsupported value: "Foo": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"/,
    );
  });

  it("scores the same without PreScore", () => {
    const nodes = [
      capNode("node1", { cpu: "4000", memory: "10000" }),
      capNode("node2", { cpu: "6000", memory: "10000" }),
    ];
    const args = { scoringStrategy: { type: "LeastAllocated" as const } };
    assert.deepEqual(
      scores(args, reqPod(undefined, ...req12()), nodes, [], false),
      scores(args, reqPod(undefined, ...req12()), nodes, [], true),
    );
  });
});

describe("NodeResourcesFit MostAllocated (TestMostAllocatedScoringStrategy)", () => {
  runScoreCases("MostAllocated", [
    {
      name: "nothing scheduled, nothing requested",
      pod: reqPod(undefined),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "4000", memory: "10000" }),
      ],
      resources: defaultResources,
      want: [0, 0],
    },
    {
      name: "nothing scheduled, resources requested, differently sized nodes",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      resources: defaultResources,
      want: [62, 50],
    },
    {
      name: "no resources requested, pods scheduled with resources",
      pod: reqPod(undefined),
      nodes: [
        capNode("node1", { cpu: "10000", memory: "20000" }),
        capNode("node2", { cpu: "10000", memory: "20000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [30, 42],
    },
    {
      name: "resources requested, pods scheduled with resources",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "10000", memory: "20000" }),
        capNode("node2", { cpu: "10000", memory: "20000" }),
      ],
      existing: [
        reqPod("node1", { cpu: "3000", memory: "0" }),
        reqPod("node2", { cpu: "3000", memory: "5000" }),
      ],
      resources: defaultResources,
      want: [42, 55],
    },
    {
      name: "resources requested equal node capacity",
      pod: reqPod(undefined, { cpu: "2000", memory: "4000" }, { cpu: "3000", memory: "5000" }),
      nodes: [
        capNode("node1", { cpu: "5000", memory: "10000" }),
        capNode("node2", { cpu: "10000", memory: "9000" }),
      ],
      resources: defaultResources,
      want: [95, 75],
    },
    {
      name: "nothing scheduled, resources requested, differently sized nodes, memory weight 2",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      resources: [
        { name: "memory", weight: 2 },
        { name: "cpu", weight: 1 },
      ],
      want: [58, 50],
    },
    {
      name: "no resources requested, pods scheduled, nonzero request for resource",
      pod: reqPod(undefined, undefined),
      nodes: [
        capNode("node1", { cpu: "250m", memory: "1000Mi" }),
        capNode("node2", { cpu: "250m", memory: "1000Mi" }),
      ],
      existing: [reqPod("node1", undefined), reqPod("node1", undefined)],
      resources: defaultResources,
      want: [80, 30],
    },
    {
      name: "bypass extended resource if the pod does not request",
      pod: reqPod(undefined, ...req12()),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
      ],
      resources: extendedResourceSet,
      want: [50, 50],
    },
    {
      name: "honor extended resource if the pod request",
      pod: reqPod(undefined, { cpu: "3000", memory: "5000", [extendedRes]: "2" }),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "10" }),
      ],
      resources: extendedResourceSet,
      want: [50, 40],
    },
    {
      name: "if the node doesn't have a resource",
      pod: reqPod(undefined, { cpu: "3000", memory: "4000" }),
      nodes: [
        capNode("node1", { cpu: "6000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000", [extendedRes]: "4" }),
      ],
      resources: [
        { name: extendedRes, weight: 2 },
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
      want: [45, 45],
    },
  ]);
});

describe("NodeResourcesFit RequestedToCapacityRatio", () => {
  const shape = [
    { utilization: 0, score: 10 },
    { utilization: 100, score: 0 },
  ];
  const rtcr = (resources: Array<{ name: string; weight: number }>, s = shape): NodeResourcesFitArgs => ({
    scoringStrategy: { type: "RequestedToCapacityRatio", resources, requestedToCapacityRatio: { shape: s } },
  });

  // TestRequestedToCapacityRatioScoringStrategy
  it("nothing scheduled, nothing requested (default - least requested nodes have priority)", () => {
    const got = scores(
      rtcr(defaultResources),
      reqPod(undefined),
      [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "4000", memory: "10000" }),
      ],
      [reqPod("node1"), reqPod("node1")],
    );
    assert.deepEqual(
      got.map((s) => s.score),
      [100, 100],
    );
  });

  it("nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)", () => {
    const got = scores(
      rtcr(defaultResources),
      reqPod(undefined, ...req12()),
      [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      [reqPod("node1"), reqPod("node1")],
    );
    assert.deepEqual(
      got.map((s) => s.score),
      [38, 50],
    );
  });

  it("no resources requested, pods scheduled with resources (default - least requested nodes have priority)", () => {
    const got = scores(
      rtcr(defaultResources),
      reqPod(undefined),
      [
        capNode("node1", { cpu: "4000", memory: "10000" }),
        capNode("node2", { cpu: "6000", memory: "10000" }),
      ],
      [reqPod("node1", { cpu: "3000", memory: "5000" }), reqPod("node2", { cpu: "3000", memory: "5000" })],
    );
    assert.deepEqual(
      got.map((s) => s.score),
      [38, 50],
    );
  });

  // TestResourceBinPackingSingleExtended / MultipleExtended: makeNode(name, 4000m, 10000Mi, ext).
  const binNode = (name: string, ext: Record<string, string>) =>
    capNode(name, { cpu: "4000m", memory: `${10000 * 1024 * 1024}`, ...ext });
  const binShape = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 1 },
  ];

  const single: Array<{ name: string; pod: Pod; existing: Pod[]; want: number[] }> = [
    { name: "nothing scheduled, nothing requested", pod: reqPod(undefined), existing: [], want: [0, 0] },
    {
      name: "resources requested, pods scheduled with less resources",
      pod: reqPod(undefined, { "intel.com/foo": "2" }),
      existing: [],
      want: [2, 5],
    },
    {
      name: "resources requested, pods scheduled with resources, on node with existing pod running",
      pod: reqPod(undefined, { "intel.com/foo": "2" }),
      existing: [reqPod("node2", { "intel.com/foo": "2" })],
      want: [2, 10],
    },
    {
      name: "resources requested, pods scheduled with more resources",
      pod: reqPod(undefined, { "intel.com/foo": "4" }),
      existing: [],
      want: [5, 10],
    },
  ];
  for (const c of single) {
    it(`single extended: ${c.name}`, () => {
      const got = scores(
        rtcr([{ name: "intel.com/foo", weight: 1 }], binShape),
        c.pod,
        [binNode("node1", { "intel.com/foo": "8" }), binNode("node2", { "intel.com/foo": "4" })],
        c.existing,
        false,
      );
      assert.deepEqual(
        got.map((s) => s.score),
        c.want,
      );
    });
  }

  const multi: Array<{ name: string; pod: Pod; existing: Pod[]; want: number[] }> = [
    { name: "nothing scheduled, nothing requested", pod: reqPod(undefined), existing: [], want: [0, 0] },
    {
      name: "resources requested, pods scheduled with less resources",
      pod: reqPod(undefined, { "intel.com/foo": "2", "intel.com/bar": "2" }),
      existing: [],
      want: [4, 3],
    },
    {
      name: "resources requested, pods scheduled with resources, on node with existing pod running",
      pod: reqPod(undefined, { "intel.com/foo": "2", "intel.com/bar": "2" }),
      existing: [reqPod("node2", { "intel.com/foo": "4", "intel.com/bar": "2" })],
      want: [4, 7],
    },
    {
      name: "resources requested, pods scheduled with more resources",
      pod: reqPod(undefined, { "intel.com/foo": "4", "intel.com/bar": "2" }),
      existing: [],
      want: [5, 5],
    },
  ];
  for (const c of multi) {
    it(`multiple extended: ${c.name}`, () => {
      const got = scores(
        rtcr(
          [
            { name: "intel.com/foo", weight: 3 },
            { name: "intel.com/bar", weight: 5 },
          ],
          binShape,
        ),
        c.pod,
        [
          binNode("node1", { "intel.com/foo": "8", "intel.com/bar": "4" }),
          binNode("node2", { "intel.com/foo": "4", "intel.com/bar": "8" }),
        ],
        c.existing,
      );
      assert.deepEqual(
        got.map((s) => s.score),
        c.want,
      );
    });
  }

  it("validates the shape", () => {
    assert.throws(
      () => newFit(rtcr(defaultResources, []) as Record<string, unknown>, fakeHandle()),
      /scoringStrategy\.shape: Required value: at least one point must be specified/,
    );
    assert.throws(
      () =>
        newFit(
          rtcr(defaultResources, [
            { utilization: 50, score: 1 },
            { utilization: 40, score: 11 },
          ]) as Record<string, unknown>,
          fakeHandle(),
        ),
      /values must be sorted in increasing order, scoringStrategy\.shape\[1\]\.score: Invalid value: 11: not in valid range \[0, 10\]/,
    );
  });
});

describe("NodeResourcesFit eventsToRegister", () => {
  it("registers scheduled pod deletion and node add / allocatable update (v1.32, queueing hints on)", () => {
    const p = newFit(undefined, fakeHandle()) as Fit;
    assert.deepEqual(p.eventsToRegister(), [
      { resource: "AssignedPod", actions: ["Delete"] },
      { resource: "Node", actions: ["Add", "UpdateNodeAllocatable"] },
    ]);
  });
});
