// The status counts of updateDaemonSetStatus: desired per eligible node, the
// oldest pod of a node decides ready/available/updated, pods on nodes that
// should not run them are misscheduled; and when a write is needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { calculateDaemonSetCounts, statusUpToDate } from "./status.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const ds: DaemonSet = {
  metadata: { name: "ds", namespace: "default", generation: 2 },
  spec: {
    selector: { matchLabels: { app: "ds" } },
    minReadySeconds: 30,
    template: {
      metadata: { labels: { app: "ds" } },
      spec: { containers: [{ name: "c" }], nodeSelector: { run: "yes" } },
    },
  },
};
const node = (name: string, run: boolean): Node => ({
  metadata: { name, labels: run ? { run: "yes" } : {} },
});

function pod(name: string, o: { hash?: string; ready?: boolean; readyFor?: number; created?: number }): Pod {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(o.created ?? NOW - 600_000).toISOString(),
      labels: { "controller-revision-hash": o.hash ?? "new" },
    },
    spec: { containers: [], nodeName: "x" },
    status: {
      conditions: [
        {
          type: "Ready",
          status: o.ready === false ? "False" : "True",
          lastTransitionTime: new Date(NOW - (o.readyFor ?? 60) * 1000).toISOString(),
        },
      ],
    },
  };
}

describe("calculateDaemonSetCounts", () => {
  it("counts per node, judging by the oldest pod", () => {
    const nodes = [node("a", true), node("b", true), node("c", true), node("d", true), node("e", false)];
    const byNode = new Map<string, Pod[]>([
      ["a", [pod("a1", {})]],
      // The oldest pod is old and not ready; the newer one does not count.
      ["b", [pod("b2", { created: NOW - 1000 }), pod("b1", { hash: "old", ready: false })]],
      // Ready but not for minReadySeconds.
      ["c", [pod("c1", { readyFor: 5 })]],
      // d has none; e should not run one.
      ["e", [pod("e1", {})]],
    ]);
    assert.deepEqual(calculateDaemonSetCounts(ds, nodes, byNode, "new", NOW), {
      desiredNumberScheduled: 4,
      currentNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 1,
      numberUnavailable: 3,
    });
  });
});

describe("statusUpToDate", () => {
  const counts = {
    desiredNumberScheduled: 1,
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: 1,
    updatedNumberScheduled: 1,
    numberAvailable: 1,
    numberUnavailable: 0,
  };
  it("needs the same counts and an observed generation", () => {
    assert.equal(statusUpToDate({ ...ds, status: { ...counts, observedGeneration: 2 } }, counts), true);
    assert.equal(statusUpToDate({ ...ds, status: { ...counts, observedGeneration: 1 } }, counts), false);
    assert.equal(
      statusUpToDate({ ...ds, status: { ...counts, numberReady: 0, observedGeneration: 2 } }, counts),
      false,
    );
    // Zero fields the server leaves out read as 0.
    const zero = { ...counts, numberUnavailable: 0, numberMisscheduled: 0 };
    const { numberUnavailable: _u, numberMisscheduled: _m, ...rest } = zero;
    assert.equal(statusUpToDate({ ...ds, status: { ...rest, observedGeneration: 2 } as never }, zero), true);
  });
});
