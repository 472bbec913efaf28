import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonEqual, preparePodStatusPatch } from "./patch.ts";

test("an unchanged status gives only the UID (preparePatchBytesForPodStatus's unchanged)", () => {
  const s = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastProbeTime: null }] };
  const { patch, unchanged } = preparePodStatusPatch("u1", s, structuredClone(s));
  assert.equal(unchanged, true);
  assert.deepEqual(patch, { metadata: { uid: "u1" } });
});

test("conditions merge by type: only changed fields, removed ones null, with $setElementOrder", () => {
  const old = {
    phase: "Pending",
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: "t0" },
      {
        type: "Ready",
        status: "False",
        reason: "ContainersNotReady",
        message: "containers with unready status: [c]",
        lastTransitionTime: "t0",
      },
    ],
    podIP: "10.0.0.1",
    podIPs: [{ ip: "10.0.0.1" }],
  };
  const next = {
    phase: "Running",
    conditions: [
      { type: "Initialized", status: "True", lastTransitionTime: "t1" },
      { type: "Ready", status: "True", lastTransitionTime: "t1" },
      { type: "PodScheduled", status: "True", lastTransitionTime: "t0" },
    ],
    podIPs: [{ ip: "10.0.0.2" }],
    containerStatuses: [{ name: "c", ready: true }],
  };
  const { patch, unchanged } = preparePodStatusPatch("u1", old, next);
  assert.equal(unchanged, false);
  assert.deepEqual(patch, {
    metadata: { uid: "u1" },
    status: {
      phase: "Running",
      "$setElementOrder/conditions": [{ type: "Initialized" }, { type: "Ready" }, { type: "PodScheduled" }],
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: "t1" },
        { type: "Ready", status: "True", lastTransitionTime: "t1", reason: null, message: null },
      ],
      "$setElementOrder/podIPs": [{ ip: "10.0.0.2" }],
      podIPs: [{ ip: "10.0.0.2" }, { ip: "10.0.0.1", $patch: "delete" }],
      containerStatuses: [{ name: "c", ready: true }],
      podIP: null,
    },
  });
});

test("null and absent are the same", () => {
  assert.equal(jsonEqual({ a: null, b: 1 }, { b: 1 }), true);
  assert.equal(jsonEqual({ a: 0 }, {}), false);
});
