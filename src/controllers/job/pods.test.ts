// Which Job pods count as failed, and which active pods are deleted first.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { compareActivePods, isPodFailed, onlyReplaceFailedPods } from "./pods.ts";

const deleting: Pod = {
  metadata: { deletionTimestamp: "2024-01-01T00:00:00Z" },
  status: { phase: "Running" },
};

test("a pod being deleted is failed unless only failed pods are replaced", () => {
  const plain: Job = { spec: { template: {} } };
  const failedOnly: Job = { spec: { template: {}, podReplacementPolicy: "Failed" } };
  const withPolicy: Job = { spec: { template: {}, podFailurePolicy: { rules: [] } } };
  assert.equal(isPodFailed(deleting, plain), true);
  assert.equal(onlyReplaceFailedPods(failedOnly) || onlyReplaceFailedPods(withPolicy), true);
  assert.equal(isPodFailed(deleting, failedOnly), false);
  assert.equal(isPodFailed(deleting, withPolicy), false);
  assert.equal(isPodFailed({ status: { phase: "Failed" } }, failedOnly), true);
  assert.equal(isPodFailed({ metadata: deleting.metadata, status: { phase: "Succeeded" } }, plain), false);
});

test("deletion order: unscheduled, pending, not ready, ready more recently, more restarts, newer", () => {
  const ready = (since: string): Pod["status"] => ({
    phase: "Running",
    conditions: [{ type: "Ready", status: "True", lastTransitionTime: since }],
  });
  const pods: [string, Pod][] = [
    [
      "old-ready",
      {
        metadata: { name: "old-ready" },
        spec: { nodeName: "n", containers: [] },
        status: ready("2024-01-01T00:00:00Z"),
      },
    ],
    [
      "new-ready",
      {
        metadata: { name: "new-ready" },
        spec: { nodeName: "n", containers: [] },
        status: ready("2024-01-02T00:00:00Z"),
      },
    ],
    [
      "running",
      {
        metadata: { name: "running" },
        spec: { nodeName: "n", containers: [] },
        status: { phase: "Running" },
      },
    ],
    [
      "pending",
      {
        metadata: { name: "pending" },
        spec: { nodeName: "n", containers: [] },
        status: { phase: "Pending" },
      },
    ],
    [
      "unscheduled",
      { metadata: { name: "unscheduled" }, spec: { containers: [] }, status: { phase: "Pending" } },
    ],
  ];
  const sorted = pods.map(([, p]) => p).sort(compareActivePods);
  assert.deepEqual(
    sorted.map((p) => p.metadata?.name),
    ["unscheduled", "pending", "running", "new-ready", "old-ready"],
  );
});
