// "Taint nodes by condition" (doNoScheduleTaintingPass's arithmetic), the
// taint utilities and the patch PatchNodeTaints sends.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, Taint } from "kubernetes-types/core/v1.d.ts";
import { addOrUpdateTaint, nodeTaintsPatch, noScheduleTaintChanges, removeTaint } from "./node-taints.ts";

function node(conditions: Array<[string, string]>, taints: Taint[] = [], unschedulable = false): Node {
  return {
    metadata: { name: "n", resourceVersion: "42" },
    spec: { taints, unschedulable },
    status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
  };
}

test("Ready Unknown: unreachable NoSchedule; Ready False: not-ready", () => {
  assert.deepEqual(noScheduleTaintChanges(node([["Ready", "Unknown"]])), {
    add: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }],
    remove: [],
  });
  assert.deepEqual(noScheduleTaintChanges(node([["Ready", "False"]])), {
    add: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }],
    remove: [],
  });
});

test("pressure conditions, network and unschedulable; Ready removes the old taints", () => {
  const n = node(
    [
      ["Ready", "True"],
      ["MemoryPressure", "True"],
      ["DiskPressure", "True"],
      ["PIDPressure", "True"],
      ["NetworkUnavailable", "True"],
    ],
    [
      { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
      // Not ours: NoExecute taints and foreign keys are left alone.
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      { key: "example.com/dedicated", effect: "NoSchedule" },
    ],
    true,
  );
  assert.deepEqual(noScheduleTaintChanges(n), {
    add: [
      { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/pid-pressure", effect: "NoSchedule" },
      { key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ],
    remove: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }],
  });
});

test("a healthy node already tainted as it should be needs nothing", () => {
  const n = node([["Ready", "Unknown"]], [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }]);
  assert.deepEqual(noScheduleTaintChanges(n), { add: [], remove: [] });
});

test("addOrUpdateTaint: identical is no update; a new timeAdded replaces in place", () => {
  const t1: Taint = { key: "k", effect: "NoExecute", timeAdded: "2024-01-01T00:00:00Z" };
  const other: Taint = { key: "o", effect: "NoSchedule" };
  assert.deepEqual(addOrUpdateTaint([t1, other], { ...t1 }), { taints: [t1, other], updated: false });
  const t2 = { ...t1, timeAdded: "2024-01-01T00:00:09Z" };
  assert.deepEqual(addOrUpdateTaint([t1, other], t2), { taints: [t2, other], updated: true });
  assert.deepEqual(addOrUpdateTaint([other], t1), { taints: [other, t1], updated: true });
  assert.deepEqual(removeTaint([t1, other], { key: "k", effect: "NoExecute" }), {
    taints: [other],
    updated: true,
  });
  assert.deepEqual(removeTaint([other], { key: "k", effect: "NoExecute" }), {
    taints: [other],
    updated: false,
  });
});

test("nodeTaintsPatch: the whole list under the resourceVersion read; null when empty", () => {
  const n = node([]);
  assert.deepEqual(
    nodeTaintsPatch(n, [{ key: "k", effect: "NoExecute", timeAdded: "2024-01-01T00:00:00Z" }]),
    {
      metadata: { resourceVersion: "42" },
      spec: { taints: [{ key: "k", effect: "NoExecute", timeAdded: "2024-01-01T00:00:00Z" }] },
    },
  );
  assert.deepEqual(nodeTaintsPatch(n, []), { metadata: { resourceVersion: "42" }, spec: { taints: null } });
});
