import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { fakeHandle, makeNode } from "../testing.ts";
import {
  calculatePriority,
  type ImageLocality,
  NAME,
  newImageLocality,
  normalizedImageName,
} from "./image-locality.ts";

const mb = 1024 * 1024;

const podSpec = (images: string[], initImages: string[] = []): Pod => ({
  metadata: { name: "p", namespace: "default" },
  spec: {
    containers: images.map((image, i) => ({ name: `c${i}`, image })),
    initContainers: initImages.map((image, i) => ({ name: `i${i}`, image })),
  },
});

type Image = { names: string[]; sizeBytes: number };
const imageNode = (name: string, images: Image[] = []): Node => makeNode(name, { images });

/** What the scheduler cache does with node.status.images: name → size and how many nodes have it. */
function fillImageStates(infos: NodeInfo[]): void {
  const nodesByName = new Map<string, Set<string>>();
  for (const ni of infos) {
    for (const img of ni.node?.status?.images ?? []) {
      for (const n of img.names ?? []) {
        if (!nodesByName.has(n)) nodesByName.set(n, new Set());
        nodesByName.get(n)!.add(ni.name);
      }
    }
  }
  for (const ni of infos) {
    ni.imageStates = new Map();
    for (const img of ni.node?.status?.images ?? []) {
      for (const n of img.names ?? []) {
        ni.imageStates.set(n, { size: img.sizeBytes ?? 0, numNodes: nodesByName.get(n)!.size });
      }
    }
  }
}

const node403002000: Image[] = [
  { names: ["gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"], sizeBytes: 40 * mb },
  { names: ["gcr.io/300:latest", "gcr.io/300:v1"], sizeBytes: 300 * mb },
  { names: ["gcr.io/2000:latest"], sizeBytes: 2000 * mb },
];
const node25010: Image[] = [
  { names: ["gcr.io/250:latest"], sizeBytes: 250 * mb },
  { names: ["gcr.io/10:latest", "gcr.io/10:v1"], sizeBytes: 10 * mb },
];
const node60040900: Image[] = [
  { names: ["gcr.io/600:latest"], sizeBytes: 600 * mb },
  { names: ["gcr.io/40:latest"], sizeBytes: 40 * mb },
  { names: ["gcr.io/900:latest"], sizeBytes: 900 * mb },
];
const node300600900: Image[] = [
  { names: ["gcr.io/300:latest"], sizeBytes: 300 * mb },
  { names: ["gcr.io/600:latest"], sizeBytes: 600 * mb },
  { names: ["gcr.io/900:latest"], sizeBytes: 900 * mb },
];
const node400030: Image[] = [
  { names: ["gcr.io/4000:latest"], sizeBytes: 4000 * mb },
  { names: ["gcr.io/30:latest"], sizeBytes: 30 * mb },
];
const node203040: Image[] = [
  { names: ["gcr.io/20:latest"], sizeBytes: 20 * mb },
  { names: ["gcr.io/30:latest"], sizeBytes: 30 * mb },
  { names: ["gcr.io/40:latest"], sizeBytes: 40 * mb },
];

// Upstream: imagelocality/image_locality_test.go TestImageLocalityPriority (v1.32 expectations).
const cases: Array<{ name: string; pod: Pod; nodes: Node[]; expected: number[] }> = [
  {
    // node2: 100 * (250M/2 - 23M)/(1000M * 2 - 23M) = 5
    name: "two images spread on two nodes, prefer the larger image one",
    pod: podSpec(["gcr.io/40", "gcr.io/250"]),
    nodes: [imageNode("node1", node403002000), imageNode("node2", node25010)],
    expected: [0, 5],
  },
  {
    // node1: 100 * ((40M + 300M)/2 - 23M)/(1000M * 2 - 23M) = 7
    name: "two images on one node, prefer this node",
    pod: podSpec(["gcr.io/40", "gcr.io/300"]),
    nodes: [imageNode("node1", node403002000), imageNode("node2", node25010)],
    expected: [7, 0],
  },
  {
    name: "if exceed limit, use limit",
    pod: podSpec(["gcr.io/10", "gcr.io/4000"]),
    nodes: [imageNode("node1", node400030), imageNode("node2", node25010)],
    expected: [100, 0],
  },
  {
    // node1: 100 * (4000M/3 - 23M)/(1000M * 2 - 23M) = 66
    name: "if exceed limit, use limit (with node which has no images present)",
    pod: podSpec(["gcr.io/10", "gcr.io/4000"]),
    nodes: [imageNode("node1", node400030), imageNode("node2", node25010), imageNode("node3")],
    expected: [66, 0, 0],
  },
  {
    name: "pod with multiple large images, node2 is preferred",
    pod: podSpec(["gcr.io/300", "gcr.io/600", "gcr.io/900"]),
    nodes: [imageNode("node1", node60040900), imageNode("node2", node300600900), imageNode("node3")],
    expected: [32, 36, 0],
  },
  {
    name: "pod with multiple small images",
    pod: podSpec(["gcr.io/30", "gcr.io/40"]),
    nodes: [imageNode("node1", node203040), imageNode("node2", node400030)],
    expected: [1, 0],
  },
  {
    // node1: 100 * (300M * 1/2 - 23M) / (1000M * 2 - 23M) = 6
    name: "include InitContainers: two images spread on two nodes, prefer the larger image one",
    pod: podSpec(["gcr.io/30"], ["gcr.io/300"]),
    nodes: [imageNode("node1", node403002000), imageNode("node2", node203040)],
    expected: [6, 0],
  },
];

describe("ImageLocality", () => {
  for (const c of cases) {
    for (const runPreScore of [true, false]) {
      test(`${c.name}${runPreScore ? "" : " (without PreScore)"}`, () => {
        const handle = fakeHandle({ nodes: c.nodes });
        const infos = handle.snapshot().nodeInfoList;
        fillImageStates(infos);
        const pl = newImageLocality(undefined, handle) as ImageLocality;
        assert.equal(pl.name, NAME);
        const state = new CycleState();
        if (runPreScore) assert.equal(pl.preScore(state, c.pod, infos), null);
        assert.deepEqual(
          infos.map((ni) => pl.score(state, c.pod, ni)),
          c.expected,
        );
      });
    }
  }

  test("a pod without containers scores 0", () => {
    assert.equal(calculatePriority(0, 0), 0);
  });
});

// Upstream: TestNormalizedImageName.
describe("normalizedImageName", () => {
  const digest = "sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2";
  const cases: Array<[string, string, string]> = [
    ["add :latest postfix 1", "root", "root:latest"],
    ["add :latest postfix 2", "gcr.io:5000/root", "gcr.io:5000/root:latest"],
    ["keep it as is 1", "root:tag", "root:tag"],
    ["keep it as is 2", `root@${digest}`, `root@${digest}`],
  ];
  for (const [name, input, output] of cases)
    test(name, () => assert.equal(normalizedImageName(input), output));
});
