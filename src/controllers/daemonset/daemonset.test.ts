// The controller's pure helpers: which node updates matter, pods pinned to
// vanished nodes, the failed-pod backoff key.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import {
  failedPodsBackoffKey,
  getUnscheduledPodsWithoutNode,
  nodeInSameCondition,
  shouldIgnoreNodeUpdate,
} from "./daemonset.ts";

const node = (
  rv: string,
  ready: "True" | "False",
  heartbeat: string,
  labels: Record<string, string> = {},
): Node => ({
  metadata: { name: "n", resourceVersion: rv, labels },
  status: { conditions: [{ type: "Ready", status: ready, lastHeartbeatTime: heartbeat }] },
});

it("node updates that only move heartbeats are ignored; a condition flip or a label change is not", () => {
  assert.equal(shouldIgnoreNodeUpdate(node("1", "True", "t1"), node("2", "True", "t2")), true);
  assert.equal(shouldIgnoreNodeUpdate(node("1", "True", "t1"), node("2", "False", "t2")), false);
  assert.equal(shouldIgnoreNodeUpdate(node("1", "True", "t1"), node("2", "True", "t1", { a: "b" })), false);
  assert.equal(nodeInSameCondition([], []), true);
  assert.equal(
    nodeInSameCondition(
      [
        { type: "Ready", status: "True" },
        { type: "DiskPressure", status: "False" },
      ],
      [{ type: "Ready", status: "True" }],
    ),
    true,
  );
});

it("unbound pods pinned to nodes that no longer exist are deleted; bound ones are the pod GC's", () => {
  const p = (name: string, nodeName?: string): Pod => ({
    metadata: { name },
    spec: { containers: [], nodeName },
  });
  const byNode = new Map([
    ["gone", [p("pending"), p("bound", "gone")]],
    ["n0", [p("fine")]],
  ]);
  assert.deepEqual(getUnscheduledPodsWithoutNode([{ metadata: { name: "n0" } }], byNode), ["pending"]);
});

it("the failed-pod backoff is per DaemonSet uid, observed generation and node", () => {
  assert.equal(
    failedPodsBackoffKey({ metadata: { uid: "u" }, status: { observedGeneration: 3 } as never }, "n1"),
    "u/3/n1",
  );
});
