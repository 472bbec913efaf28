// upstream's rolling_test.go (TestReconcileNewReplicaSet,
// TestReconcileOldReplicaSets) and recreate_test.go (oldPodsRunning): how far
// one sync may move a rollout.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { oldPodsRunning } from "./recreate.ts";
import { reconcileNewReplicaSet, reconcileOldReplicaSets } from "./rolling.ts";
import { fakeSyncContext, newDeployment, newRS, T0 } from "./testing.ts";

test("reconcileNewReplicaSet: scale up within maxSurge, down to spec.replicas", async () => {
  const cases: Array<[number, number, number, number, number | undefined]> = [
    // deployment replicas, maxSurge, old replicas, new replicas, expected new size (undefined: no scaling)
    [10, 0, 10, 0, undefined],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, undefined],
    [2, 0, 0, 3, 2],
  ];
  for (const [replicas, surge, oldReplicas, newReplicas, expected] of cases) {
    const d = newDeployment("foo", replicas, { maxSurge: surge, maxUnavailable: 1 });
    const newer = newRS("foo-new", newReplicas, T0);
    const old = newRS("foo-old", oldReplicas, T0 - 1000);
    const ctx = fakeSyncContext();
    const scaled = await reconcileNewReplicaSet(ctx, [old, newer], newer, d);
    const written = ctx.written.get("replicasets/foo-new") as ReplicaSet | undefined;
    assert.equal(scaled, expected !== undefined, `case ${[replicas, surge, oldReplicas, newReplicas]}`);
    assert.equal(written?.spec?.replicas, expected);
  }
});

test("reconcileOldReplicaSets: unhealthy old replicas first, never below minAvailable", async () => {
  const cases: Array<[number, number, number, number, number, number, number | undefined]> = [
    // deployment replicas, maxUnavailable, old replicas, new replicas, old available, new available, expected old size
    [10, 0, 10, 0, 10, 0, 9],
    [10, 2, 10, 0, 10, 0, 8],
    // The 2 unhealthy old replicas go first.
    [10, 2, 10, 0, 8, 0, 8],
    // 1 unhealthy, then 1 healthy.
    [10, 2, 10, 0, 9, 0, 8],
    // New pods that are not available do not let old ones go.
    [10, 2, 8, 2, 8, 0, undefined],
  ];
  for (const [
    replicas,
    unavailable,
    oldReplicas,
    newReplicas,
    oldAvailable,
    newAvailable,
    expected,
  ] of cases) {
    const d = newDeployment("foo", replicas, { maxUnavailable: unavailable });
    const newer = newRS("foo-new", newReplicas, T0, { available: newAvailable });
    const old = newRS("foo-old", oldReplicas, T0 - 1000, { available: oldAvailable });
    const ctx = fakeSyncContext();
    const scaled = await reconcileOldReplicaSets(ctx, [old, newer], [old], newer, d);
    const written = ctx.written.get("replicasets/foo-old") as ReplicaSet | undefined;
    assert.equal(scaled, expected !== undefined, `case ${[replicas, unavailable, oldReplicas, newReplicas]}`);
    assert.equal(written?.spec?.replicas, expected);
  }
});

test("oldPodsRunning: an old RS still counting pods, or an old pod not finished", () => {
  const newer = newRS("new", 1, T0);
  const old = newRS("old", 0, T0 - 1000);
  old.status = { replicas: 0 };
  const pod = (phase: string): Pod => ({ metadata: { name: phase }, status: { phase } });
  assert.equal(oldPodsRunning(newer, [old], new Map([["uid-new", [pod("Running")]]])), false);
  assert.equal(
    oldPodsRunning(newer, [old], new Map([["uid-old", [pod("Succeeded"), pod("Failed")]]])),
    false,
  );
  assert.equal(oldPodsRunning(newer, [old], new Map([["uid-old", [pod("Running")]]])), true);
  assert.equal(oldPodsRunning(newer, [old], new Map([["uid-old", [pod("Unknown")]]])), true);
  assert.equal(oldPodsRunning(newer, [old], new Map([["uid-old", [pod("Pending")]]])), true);
  old.status = { replicas: 1 };
  assert.equal(oldPodsRunning(newer, [old], new Map()), true);
});
