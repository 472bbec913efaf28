// Ported from upstream's replica_set_utils_test.go (TestCalculateStatus,
// TestCalculateStatusConditions) plus the steady-state check of updateReplicaSetStatus.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { metaTime } from "../../client/event-correlator.ts";
import {
  calculateStatus,
  newReplicaSetCondition,
  REPLICA_SET_REPLICA_FAILURE,
  statusUpToDate,
  withObservedGeneration,
} from "./status.ts";

const now = Date.parse("2024-05-15T12:00:00Z");
const selector = { foo: "bar" };
const fullLabels = { foo: "bar", name: "xyz" };

function rs(replicas: number, minReadySeconds = 0, status?: ReplicaSet["status"]): ReplicaSet {
  return {
    metadata: { name: "rs", namespace: "default", generation: 1 },
    spec: {
      replicas,
      minReadySeconds,
      selector: { matchLabels: selector },
      template: { metadata: { labels: fullLabels }, spec: { containers: [] } },
    },
    ...(status ? { status } : {}),
  };
}

function pod(labels: Record<string, string>, ready: boolean, readySince = now - 60_000): Pod {
  return {
    metadata: { name: "p", labels },
    spec: { containers: [] },
    status: {
      phase: "Running",
      conditions: [
        { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: metaTime(readySince) },
      ],
    },
  };
}

test("calculateStatus counts replicas, fully labelled, ready and available pods", () => {
  const cases: Array<[string, ReplicaSet, Pod[], Record<string, number>]> = [
    [
      "1 fully labelled pod",
      rs(1),
      [pod(fullLabels, true)],
      { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
    ],
    [
      "1 not fully labelled pod",
      rs(1),
      [pod(selector, true)],
      { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    ],
    [
      "2 fully labelled pods",
      rs(2),
      [pod(fullLabels, true), pod(fullLabels, true)],
      { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
    ],
    [
      "1 fully labelled pod and 1 not fully labelled pod",
      rs(2),
      [pod(fullLabels, true), pod(selector, true)],
      { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
    ],
    ["1 non-ready pod", rs(1), [pod(fullLabels, false)], { replicas: 1, fullyLabeledReplicas: 1 }],
    [
      "1 ready but non-available pod",
      rs(1, 3600),
      [pod(fullLabels, true, now)],
      { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1 },
    ],
    ["no pods", rs(1), [], { replicas: 0 }],
  ];
  for (const [name, set, pods, want] of cases) {
    assert.deepEqual(calculateStatus(set, pods, undefined, now), want, name);
  }
});

test("calculateStatus sets ReplicaFailure on a failed create or delete, keeps an existing one, removes it on success", () => {
  const err = new Error("fake manageReplicasErr");
  const created = calculateStatus(rs(2), [pod(fullLabels, true)], err, now);
  assert.deepEqual(created.conditions, [
    {
      type: REPLICA_SET_REPLICA_FAILURE,
      status: "True",
      reason: "FailedCreate",
      message: "fake manageReplicasErr",
      lastTransitionTime: metaTime(now),
    },
  ]);
  const deleted = calculateStatus(rs(0), [pod(fullLabels, true)], err, now);
  assert.equal(deleted.conditions?.[0].reason, "FailedDelete");

  const existing = newReplicaSetCondition(
    REPLICA_SET_REPLICA_FAILURE,
    "True",
    "FailedCreate",
    "first error",
    now - 1000,
  );
  const kept = calculateStatus(
    rs(2, 0, { replicas: 1, conditions: [existing] }),
    [pod(fullLabels, true)],
    err,
    now,
  );
  assert.deepEqual(kept.conditions, [existing]);

  const cleared = calculateStatus(
    rs(1, 0, { replicas: 1, conditions: [existing] }),
    [pod(fullLabels, true)],
    undefined,
    now,
  );
  assert.equal(cleared.conditions, undefined, "no conditions left: omitted, as Go's nil slice");
});

test("the status is written only when a count, a condition or the observed generation changed", () => {
  const set = rs(1);
  const status = withObservedGeneration(set, calculateStatus(set, [pod(fullLabels, true)], undefined, now));
  assert.equal(status.observedGeneration, 1);
  assert.equal(statusUpToDate(set, status), false, "no status yet");
  const written = { ...set, status };
  assert.equal(
    statusUpToDate(written, calculateStatus(written, [pod(fullLabels, true)], undefined, now)),
    true,
  );
  assert.equal(
    statusUpToDate(written, calculateStatus(written, [pod(fullLabels, false)], undefined, now)),
    false,
  );
  const newGeneration = { ...written, metadata: { ...written.metadata, generation: 2 } };
  assert.equal(
    statusUpToDate(newGeneration, calculateStatus(newGeneration, [pod(fullLabels, true)], undefined, now)),
    false,
  );
});
