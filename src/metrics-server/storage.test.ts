import assert from "node:assert/strict";
import { test } from "node:test";
import { MetricsStorage, type PodPoints } from "./storage.ts";

const pods = (entries: [string, PodPoints][]) => new Map(entries);
const point = (timestamp: number, cpuSeconds: number, memoryBytes: number, startTime = 0) => ({
  timestamp,
  cpuSeconds,
  memoryBytes,
  startTime,
});

test("a node's CPU is the rate between its last two points, its memory the last working set", () => {
  const s = new MetricsStorage();
  s.storeNode("n1", point(10_000, 100, 1000), new Map(), new Set());
  assert.equal(s.node("n1"), undefined, "one point is no rate yet");
  s.storeNode("n1", point(25_000, 107.5, 2000), new Map(), new Set());
  assert.deepEqual(s.node("n1"), {
    timestamp: 25_000,
    windowMs: 15_000,
    cpuNanoCores: 500_000_000,
    memoryBytes: 2000,
  });
  // A point no newer than the last changes nothing (a slow scrape answering late).
  s.storeNode("n1", point(20_000, 200, 9), new Map(), new Set());
  assert.equal(s.node("n1")?.memoryBytes, 2000);
});

test("a counter that went down, or a restarted container, starts over instead of giving a negative rate", () => {
  const s = new MetricsStorage();
  s.storeNode("n1", point(0, 100, 1), new Map(), new Set());
  s.storeNode("n1", point(1000, 50, 1), new Map(), new Set());
  assert.equal(s.node("n1"), undefined);
  const key = "default/web";
  s.storeNode("n1", undefined, pods([[key, new Map([["app", point(0, 5, 10, 1)]])]]), new Set());
  s.storeNode("n1", undefined, pods([[key, new Map([["app", point(1000, 6, 10, 2)]])]]), new Set([key]));
  assert.equal(s.pod("default", "web"), undefined, "started again: one point so far");
  s.storeNode("n1", undefined, pods([[key, new Map([["app", point(3000, 6.5, 20, 2)]])]]), new Set([key]));
  assert.equal(s.pod("default", "web")?.containers.get("app")?.cpuNanoCores, 250_000_000);
});

test("a pod is reported once all its containers have two points; pods the node no longer lists are forgotten", () => {
  const s = new MetricsStorage();
  const key = "ns/p";
  s.storeNode(
    "n1",
    undefined,
    pods([
      [
        key,
        new Map([
          ["a", point(0, 1, 1)],
          ["b", point(0, 1, 1)],
        ]),
      ],
    ]),
    new Set(),
  );
  s.storeNode(
    "n1",
    undefined,
    pods([
      [
        key,
        new Map([
          ["a", point(2000, 2, 5)],
          ["b", point(2000, 1.5, 6)],
        ]),
      ],
    ]),
    new Set([key]),
  );
  const u = s.pod("ns", "p");
  assert.equal(u?.windowMs, 2000);
  assert.deepEqual(
    [...(u?.containers ?? [])].map(([c, x]) => [c, x.cpuNanoCores, x.memoryBytes]),
    [
      ["a", 500_000_000, 5],
      ["b", 250_000_000, 6],
    ],
  );
  s.storeNode("n1", undefined, new Map(), new Set([key]));
  assert.equal(s.pod("ns", "p"), undefined);
});
