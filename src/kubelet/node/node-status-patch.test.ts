import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, NodeCondition } from "kubernetes-types/core/v1.d.ts";
import { type JSONObject, strategicMergePatch } from "../../machinery/patch/strategic-merge.ts";
import { nodePatchSchema, nodeStatusHasChanged, nodeStatusPatch } from "./node-status-patch.ts";

const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-01-01T00:00:10Z";

const cond = (type: string, status: string, heartbeat = T0, transition = T0): NodeCondition => ({
  type,
  status,
  reason: `r-${type}`,
  message: `m-${type}`,
  lastHeartbeatTime: heartbeat,
  lastTransitionTime: transition,
});

function baseNode(): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1", uid: "u1", resourceVersion: "5", labels: { "kubernetes.io/os": "linux" } },
    spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"] },
    status: {
      conditions: [cond("MemoryPressure", "False"), cond("Ready", "True")],
      addresses: [
        { type: "InternalIP", address: "10.0.0.1" },
        { type: "Hostname", address: "n1" },
      ],
      capacity: { cpu: "4", "example.com/x": "1" },
      allocatable: { cpu: "4", "example.com/x": "1" },
    },
  };
}

/** What the apiserver makes of the patch: it must be exactly the new status. */
function apply(old: Node, patch: JSONObject): Node {
  return strategicMergePatch(JSON.parse(JSON.stringify(old)), patch, nodePatchSchema) as unknown as Node;
}

test("heartbeats only: the merge-by-type patch with $setElementOrder, as CreateTwoWayMergePatch makes it", () => {
  const old = baseNode();
  const next = structuredClone(old);
  for (const c of next.status!.conditions!) c.lastHeartbeatTime = T1;
  const patch = nodeStatusPatch(old, next);
  assert.deepEqual(patch, {
    status: {
      "$setElementOrder/conditions": [{ type: "MemoryPressure" }, { type: "Ready" }],
      conditions: [
        { lastHeartbeatTime: T1, type: "MemoryPressure" },
        { lastHeartbeatTime: T1, type: "Ready" },
      ],
    },
  });
  assert.deepEqual(apply(old, patch).status, next.status);
});

test("the spec is never patched; removed resources become null; labels ride along", () => {
  const old = baseNode();
  const next = structuredClone(old);
  next.spec = { unschedulable: true };
  delete next.status!.capacity!["example.com/x"];
  delete next.status!.allocatable!["example.com/x"];
  next.metadata!.labels!["kubernetes.io/arch"] = "amd64";
  const patch = nodeStatusPatch(old, next);
  assert.deepEqual(patch, {
    metadata: { labels: { "kubernetes.io/arch": "amd64" } },
    status: { capacity: { "example.com/x": null }, allocatable: { "example.com/x": null } },
  });
  const applied = apply(old, patch);
  assert.deepEqual(applied.spec, old.spec);
  assert.deepEqual(applied.status, next.status);
});

test("changed addresses are replaced whole (fixupPatchForNodeStatusAddresses)", () => {
  const old = baseNode();
  const next = structuredClone(old);
  next.status!.addresses = [
    { type: "InternalIP", address: "10.0.0.2" },
    { type: "Hostname", address: "n1" },
  ];
  const patch = nodeStatusPatch(old, next);
  assert.deepEqual(patch, {
    status: {
      addresses: [
        { type: "InternalIP", address: "10.0.0.2" },
        { type: "Hostname", address: "n1" },
        { $patch: "replace" },
      ],
    },
  });
  assert.deepEqual(apply(old, patch).status?.addresses, next.status?.addresses);
});

test("conditions added and removed: the new element whole, a delete directive, the new order", () => {
  const old = baseNode();
  old.status!.conditions = [cond("OutOfDisk", "False"), cond("Ready", "True")];
  const next = structuredClone(old);
  next.status!.conditions = [cond("MemoryPressure", "False", T1, T1), cond("Ready", "False", T1, T1)];
  const patch = nodeStatusPatch(old, next);
  assert.deepEqual(patch, {
    status: {
      "$setElementOrder/conditions": [{ type: "MemoryPressure" }, { type: "Ready" }],
      conditions: [
        cond("MemoryPressure", "False", T1, T1),
        { lastHeartbeatTime: T1, lastTransitionTime: T1, status: "False", type: "Ready" },
        { $patch: "delete", type: "OutOfDisk" },
      ],
    },
  });
  assert.deepEqual(apply(old, patch).status, next.status);
});

test("nothing changed: an empty patch", () => {
  assert.deepEqual(nodeStatusPatch(baseNode(), baseNode()), {});
});

test("nodeStatusHasChanged ignores heartbeats, condition order, empty lists and quantity spelling", () => {
  const old = baseNode().status!;
  const heartbeat = structuredClone(old);
  for (const c of heartbeat.conditions!) c.lastHeartbeatTime = T1;
  assert.equal(nodeStatusHasChanged(old, heartbeat), false);
  const reordered = structuredClone(old);
  reordered.conditions!.reverse();
  assert.equal(nodeStatusHasChanged(old, reordered), false);
  const spelled = structuredClone(old);
  spelled.capacity!.cpu = "4000m";
  spelled.images = [];
  assert.equal(nodeStatusHasChanged(old, spelled), false);

  const transition = structuredClone(old);
  transition.conditions![1].lastTransitionTime = T1;
  assert.equal(nodeStatusHasChanged(old, transition), true);
  const fewer = structuredClone(old);
  fewer.conditions!.pop();
  assert.equal(nodeStatusHasChanged(old, fewer), true);
  const images = structuredClone(old);
  images.images = [{ names: ["busybox"], sizeBytes: 1 }];
  assert.equal(nodeStatusHasChanged(old, images), true);
  const cpu = structuredClone(old);
  cpu.capacity!.cpu = "8";
  assert.equal(nodeStatusHasChanged(old, cpu), true);
  assert.equal(nodeStatusHasChanged(undefined, undefined), false);
  assert.equal(nodeStatusHasChanged(undefined, old), true);
});
