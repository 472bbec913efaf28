// UpdatePodCondition's transition-time rule and the strategic merge patch
// PatchPodStatus sends (the shape CreateTwoWayMergePatch produces).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodStatus } from "kubernetes-types/core/v1.d.ts";
import { podStatusPatch, updatePodCondition } from "./pod-status.ts";

const t1 = Date.parse("2024-05-01T10:05:00.700Z");

test("updatePodCondition adds a missing condition with now as its transition time", () => {
  const status: PodStatus = { phase: "Running" };
  assert.equal(
    updatePodCondition(status, { type: "DisruptionTarget", status: "True", reason: "R" }, t1),
    true,
  );
  assert.deepEqual(status.conditions, [
    { type: "DisruptionTarget", status: "True", reason: "R", lastTransitionTime: "2024-05-01T10:05:00Z" },
  ]);
});

test("updatePodCondition keeps the transition time when the status stays", () => {
  const status: PodStatus = {
    conditions: [{ type: "Ready", status: "False", lastTransitionTime: "2024-05-01T10:00:00Z" }],
  };
  assert.equal(updatePodCondition(status, { type: "Ready", status: "False" }, t1), false);
  assert.equal(status.conditions?.[0].lastTransitionTime, "2024-05-01T10:00:00Z");
  assert.equal(updatePodCondition(status, { type: "Ready", status: "True" }, t1), true);
  assert.equal(status.conditions?.[0].lastTransitionTime, "2024-05-01T10:05:00Z");
});

test("podStatusPatch: uid precondition, changed fields, $setElementOrder", () => {
  const old: PodStatus = {
    phase: "Running",
    conditions: [
      { type: "Initialized", status: "True", lastTransitionTime: "2024-05-01T10:00:00Z" },
      { type: "Ready", status: "True", lastTransitionTime: "2024-05-01T10:00:00Z" },
    ],
  };
  const cur = structuredClone(old);
  cur.phase = "Failed";
  updatePodCondition(cur, { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC" }, t1);
  updatePodCondition(cur, { type: "Ready", status: "False" }, t1);
  assert.deepEqual(podStatusPatch("uid-1", old, cur), {
    metadata: { uid: "uid-1" },
    status: {
      phase: "Failed",
      "$setElementOrder/conditions": [
        { type: "Initialized" },
        { type: "Ready" },
        { type: "DisruptionTarget" },
      ],
      conditions: [
        { lastTransitionTime: "2024-05-01T10:05:00Z", status: "False", type: "Ready" },
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "DeletionByPodGC",
          lastTransitionTime: "2024-05-01T10:05:00Z",
        },
      ],
    },
  });
  assert.equal(podStatusPatch("uid-1", old, structuredClone(old)), undefined);
});
