// Ported from upstream's controller_utils_test.go (TestSortingActivePods,
// TestSortingActivePodsWithRanks) and replica_set_test.go (getPodsToDelete).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import {
  activePodsWithRanksLess,
  getDeletionCostFromPodAnnotations,
  getPodsRankedByRelatedPodsOnSameNode,
  getPodsToDelete,
  logarithmicRankDiff,
  POD_DELETION_COST_ANNOTATION,
  sortActivePods,
} from "./active-pods.ts";

const HOUR = 3_600_000;
// metav1.Time has whole seconds on the wire.
const now = Math.floor(Date.parse("2024-05-15T12:00:00Z") / 1000) * 1000;
const then1Month = Date.parse("2024-04-15T12:00:00Z");

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test("ActivePods order: unscheduled, pending, unknown, not ready, ready for less time, more restarts, newer", () => {
  const then = now - HOUR;
  const ready = (t?: number) => ({
    type: "Ready",
    status: "True",
    ...(t ? { lastTransitionTime: metaTime(t) } : {}),
  });
  const pods: Pod[] = [
    {
      metadata: { name: "unscheduled" },
      spec: { nodeName: "", containers: [] },
      status: { phase: "Pending" },
    },
    {
      metadata: { name: "scheduledButPending" },
      spec: { nodeName: "bar", containers: [] },
      status: { phase: "Pending" },
    },
    {
      metadata: { name: "unknownPhase" },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Unknown" },
    },
    {
      metadata: { name: "runningButNotReady" },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running" },
    },
    {
      metadata: { name: "runningNoLastTransitionTime" },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running", conditions: [ready()], containerStatuses: [cs(3), cs(0)] },
    },
    {
      metadata: { name: "runningWithLastTransitionTime" },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running", conditions: [ready(now)], containerStatuses: [cs(3), cs(0)] },
    },
    {
      metadata: { name: "runningLongerTime" },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running", conditions: [ready(then)], containerStatuses: [cs(3), cs(0)] },
    },
    {
      metadata: { name: "lowerContainerRestartCount", creationTimestamp: metaTime(now) },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running", conditions: [ready(then)], containerStatuses: [cs(2), cs(1)] },
    },
    {
      metadata: { name: "oldest", creationTimestamp: metaTime(then) },
      spec: { nodeName: "foo", containers: [] },
      status: { phase: "Running", conditions: [ready(then)], containerStatuses: [cs(2), cs(1)] },
    },
  ];
  const want = pods.map((p) => p.metadata?.name);
  for (let seed = 1; seed <= 20; seed++) {
    assert.deepEqual(
      sortActivePods(shuffle(pods, seed)).map((p) => p.metadata?.name),
      want,
    );
  }
});

function cs(restartCount: number) {
  return { name: "c", image: "i", imageID: "", ready: true, restartCount };
}

function pod(
  name: string,
  nodeName: string,
  phase: string,
  ready: boolean,
  restarts: number,
  readySince: number,
  created: number,
  annotations?: Record<string, string>,
): Pod {
  return {
    metadata: {
      name,
      ...(created ? { creationTimestamp: metaTime(created) } : {}),
      ...(annotations ? { annotations } : {}),
    },
    spec: { nodeName, containers: [] },
    status: {
      phase,
      ...(ready
        ? {
            conditions: [
              {
                type: "Ready",
                status: "True",
                ...(readySince ? { lastTransitionTime: metaTime(readySince) } : {}),
              },
            ],
            containerStatuses: [cs(restarts)],
          }
        : {}),
    },
  };
}

test("ActivePodsWithRanks: upstream's equality and inequality cases", () => {
  const then2Hours = now - 2 * HOUR;
  const then5Hours = now - 5 * HOUR;
  const then8Hours = now - 8 * HOUR;
  const unscheduledPod = pod("unscheduled", "", "Pending", false, 0, 0, 0);
  const scheduledPendingPod = pod("pending", "node", "Pending", false, 0, 0, 0);
  const unknownPhasePod = pod("unknown-phase", "node", "Unknown", false, 0, 0, 0);
  const runningNotReadyPod = pod("not-ready", "node", "Running", false, 0, 0, 0);
  const runningReadyNoLastTransitionTimePod = pod(
    "ready-no-last-transition-time",
    "node",
    "Running",
    true,
    0,
    0,
    0,
  );
  const runningReadyNow = pod("ready-now", "node", "Running", true, 0, now, now);
  const runningReadyThen = pod("ready-then", "node", "Running", true, 0, then1Month, then1Month);
  const runningReadyNowHighRestarts = pod("ready-high-restarts", "node", "Running", true, 9001, now, now);
  const runningReadyNowCreatedThen = pod(
    "ready-now-created-then",
    "node",
    "Running",
    true,
    0,
    now,
    then1Month,
  );
  const lowPodDeletionCost = pod("low-deletion-cost", "node", "Running", true, 0, now, then1Month, {
    [POD_DELETION_COST_ANNOTATION]: "10",
  });
  const highPodDeletionCost = pod("high-deletion-cost", "node", "Running", true, 0, now, then1Month, {
    [POD_DELETION_COST_ANNOTATION]: "100",
  });
  const unscheduled5Hours = pod("unscheduled-5-hours", "", "Pending", false, 0, then5Hours, then5Hours);
  const unscheduled8Hours = pod("unscheduled-10-hours", "", "Pending", false, 0, then8Hours, then8Hours);
  const ready2Hours = pod("ready-2-hours", "", "Running", true, 0, then2Hours, then1Month);
  const ready5Hours = pod("ready-5-hours", "", "Running", true, 0, then5Hours, then1Month);
  const ready10Hours = pod("ready-10-hours", "", "Running", true, 0, then8Hours, then1Month);

  const equal: Array<[Pod, Pod?]> = [
    [unscheduledPod],
    [scheduledPendingPod],
    [unknownPhasePod],
    [runningNotReadyPod],
    [runningReadyNowCreatedThen],
    [runningReadyNow],
    [runningReadyThen],
    [runningReadyNowHighRestarts],
    // Same power-of-two age bucket: LogarithmicScaleDown sees no difference.
    [unscheduled5Hours, unscheduled8Hours],
    [ready5Hours, ready10Hours],
  ];
  for (const [p1, p2 = p1] of equal) {
    const a = { pod: p1, rank: 1 };
    const b = { pod: p2, rank: 1 };
    assert.ok(
      !activePodsWithRanksLess(a, b, now) && !activePodsWithRanksLess(b, a, now),
      `${p1.metadata?.name} ≡ ${p2.metadata?.name}`,
    );
  }

  const lessThan: Array<[Pod, number, Pod, number]> = [
    [unscheduledPod, 1, scheduledPendingPod, 2],
    [unscheduledPod, 2, scheduledPendingPod, 1],
    [scheduledPendingPod, 1, unknownPhasePod, 2],
    [unknownPhasePod, 1, runningNotReadyPod, 2],
    [runningNotReadyPod, 1, runningReadyNoLastTransitionTimePod, 1],
    [runningReadyNoLastTransitionTimePod, 1, runningReadyNow, 1],
    [runningReadyNow, 2, runningReadyNoLastTransitionTimePod, 1],
    [runningReadyNow, 1, runningReadyThen, 1],
    [runningReadyNow, 2, runningReadyThen, 1],
    [runningReadyNowHighRestarts, 1, runningReadyNow, 1],
    [runningReadyNow, 2, runningReadyNowHighRestarts, 1],
    [runningReadyNow, 1, runningReadyNowCreatedThen, 1],
    [runningReadyNowCreatedThen, 2, runningReadyNow, 1],
    [lowPodDeletionCost, 2, highPodDeletionCost, 1],
    [ready2Hours, 1, ready5Hours, 1],
  ];
  for (const [lp, lr, gp, gr] of lessThan) {
    const a = { pod: lp, rank: lr };
    const b = { pod: gp, rank: gr };
    assert.ok(activePodsWithRanksLess(a, b, now), `${lp.metadata?.name}/${lr} < ${gp.metadata?.name}/${gr}`);
    assert.ok(
      !activePodsWithRanksLess(b, a, now),
      `not ${gp.metadata?.name}/${gr} < ${lp.metadata?.name}/${lr}`,
    );
  }
});

test("pod-deletion-cost: int32 decimal; a plus sign, leading zeros, garbage or overflow count as 0", () => {
  const cost = (v: string) => getDeletionCostFromPodAnnotations({ [POD_DELETION_COST_ANNOTATION]: v });
  assert.equal(getDeletionCostFromPodAnnotations(undefined), 0);
  assert.equal(cost("100"), 100);
  assert.equal(cost("-5"), -5);
  assert.equal(cost("0"), 0);
  assert.equal(cost("+10"), 0);
  assert.equal(cost("008"), 0);
  assert.equal(cost(""), 0);
  assert.equal(cost("1a"), 0);
  assert.equal(cost("2147483647"), 2147483647);
  assert.equal(cost("2147483648"), 0);
  assert.equal(cost("-2147483648"), -2147483648);
});

test("logarithmicRankDiff compares the base-2 logarithms of the ages in nanoseconds", () => {
  assert.equal(logarithmicRankDiff(now - 5 * HOUR, now - 8 * HOUR, now), 0);
  assert.ok(logarithmicRankDiff(now - 2 * HOUR, now - 5 * HOUR, now) < 0);
  // Not older than now: rank -1.
  assert.equal(logarithmicRankDiff(now, now - 1, now), -1 - Math.floor(Math.log2(1e6)));
});

test("getPodsToDelete: the doubled-up pod goes first; all of them when diff covers them", () => {
  const created = now - HOUR;
  const a = pod("a", "node-0", "Running", true, 0, created, created);
  const b = pod("b", "node-1", "Running", true, 0, created, created);
  const c = pod("c", "node-1", "Running", true, 0, created, created);
  const d = pod("d", "node-2", "Running", true, 0, created, created);
  // Another ReplicaSet of the same Deployment has two pods on node-0.
  const other1 = pod("o1", "node-0", "Running", true, 0, created, created);
  const other2 = pod("o2", "node-0", "Running", true, 0, created, created);
  const related = [a, b, c, d, other1, other2];
  assert.deepEqual(
    getPodsRankedByRelatedPodsOnSameNode([a, b, d], related).map((r) => r.rank),
    [3, 2, 1],
  );
  assert.deepEqual(
    getPodsToDelete([d, c, b, a], related, 1, now).map((p) => p.metadata?.name),
    ["a"],
  );
  assert.deepEqual(
    getPodsToDelete([d, c, b, a], related, 3, now)
      .map((p) => p.metadata?.name)
      .sort(),
    ["a", "b", "c"],
  );
  // Inactive related pods do not count.
  const gone = { ...other1, status: { ...other1.status, phase: "Succeeded" } };
  assert.deepEqual(
    getPodsRankedByRelatedPodsOnSameNode([a], [a, gone]).map((r) => r.rank),
    [1],
  );
  assert.deepEqual(
    getPodsToDelete([a, b], [], 2, now).map((p) => p.metadata?.name),
    ["a", "b"],
  );
});
