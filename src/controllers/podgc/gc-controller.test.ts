// The order and count of upstream's gcTerminated (TestGCTerminated's rule):
// evicted pods first, then the oldest, names breaking ties; only the pods
// beyond the threshold.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodTerminated, podIsEvicted, terminatedPodsToDelete } from "./gc-controller.ts";

function pod(name: string, phase: string, created: string, reason?: string): Pod {
  return {
    metadata: { name, namespace: "default", creationTimestamp: created },
    status: { phase, ...(reason ? { reason } : {}) },
  };
}

test("isPodTerminated: everything but Pending, Running and Unknown", () => {
  assert.equal(isPodTerminated(pod("a", "Succeeded", "")), true);
  assert.equal(isPodTerminated(pod("a", "Failed", "")), true);
  assert.equal(isPodTerminated(pod("a", "Running", "")), false);
  assert.equal(isPodTerminated(pod("a", "Pending", "")), false);
  assert.equal(isPodTerminated(pod("a", "Unknown", "")), false);
});

test("podIsEvicted: Failed with reason Evicted", () => {
  assert.equal(podIsEvicted(pod("a", "Failed", "", "Evicted")), true);
  assert.equal(podIsEvicted(pod("a", "Succeeded", "", "Evicted")), false);
});

test("terminatedPodsToDelete: nothing at or under the threshold", () => {
  const pods = [pod("a", "Succeeded", "2024-01-01T00:00:01Z"), pod("b", "Failed", "2024-01-01T00:00:02Z")];
  assert.deepEqual(terminatedPodsToDelete(pods, 2), []);
  assert.deepEqual(terminatedPodsToDelete(pods, 3), []);
});

test("terminatedPodsToDelete: evicted first, then oldest, then by name; running pods never", () => {
  const pods = [
    pod("d", "Succeeded", "2024-01-01T00:00:01Z"),
    pod("c", "Succeeded", "2024-01-01T00:00:01Z"),
    pod("running", "Running", "2023-01-01T00:00:00Z"),
    pod("new-evicted", "Failed", "2024-01-01T00:00:09Z", "Evicted"),
    pod("e", "Failed", "2024-01-01T00:00:05Z"),
  ];
  assert.deepEqual(
    terminatedPodsToDelete(pods, 1).map((p) => p.metadata?.name),
    ["new-evicted", "c", "d"],
  );
});
