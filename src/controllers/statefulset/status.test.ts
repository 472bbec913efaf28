// The counts `kubectl rollout status statefulset` reads, and when they are written.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { completeRollingUpdate, inconsistentStatus, updateStatus, wireStatus } from "./status.ts";

const rev = (name: string): ControllerRevision => ({ metadata: { name }, revision: 1 });
const NOW = Date.parse("2024-01-01T00:01:00Z");

function pod(
  name: string,
  revision: string,
  o: { phase?: string; readySince?: string; deleting?: boolean } = {},
): Pod {
  return {
    metadata: {
      name,
      labels: { "controller-revision-hash": revision },
      ...(o.deleting ? { deletionTimestamp: "2024-01-01T00:00:59Z" } : {}),
    },
    status: {
      phase: o.phase,
      conditions: o.readySince ? [{ type: "Ready", status: "True", lastTransitionTime: o.readySince }] : [],
    },
  };
}

test("updateStatus counts created, ready, available (minReadySeconds), current and updated pods", () => {
  const status: StatefulSetStatus = { replicas: 99, readyReplicas: 99 };
  updateStatus(
    status,
    10,
    rev("web-1"),
    rev("web-2"),
    NOW,
    [
      pod("web-0", "web-1", { phase: "Running", readySince: "2024-01-01T00:00:00Z" }),
      pod("web-1", "web-2", { phase: "Running", readySince: "2024-01-01T00:00:55Z" }), // ready, not yet available
      pod("web-2", "web-2", { phase: "Pending" }),
      pod("web-3", "web-2"), // only built locally: not created
    ],
    [pod("web-4", "web-1", { phase: "Running", readySince: "2024-01-01T00:00:00Z", deleting: true })],
  );
  assert.deepEqual(status, {
    replicas: 4,
    readyReplicas: 3,
    availableReplicas: 2,
    currentReplicas: 1,
    updatedReplicas: 2,
  });
});

test("completeRollingUpdate makes the update revision current once every replica is updated and ready", () => {
  const set: StatefulSet = {
    spec: {
      replicas: 2,
      selector: {},
      serviceName: "",
      template: {},
      updateStrategy: { type: "RollingUpdate" },
    },
  };
  const s: StatefulSetStatus = {
    replicas: 2,
    readyReplicas: 2,
    updatedReplicas: 2,
    currentReplicas: 0,
    currentRevision: "a",
    updateRevision: "b",
  };
  completeRollingUpdate(set, s);
  assert.equal(s.currentRevision, "b");
  assert.equal(s.currentReplicas, 2);
  const notReady = { ...s, readyReplicas: 1, currentRevision: "a", currentReplicas: 0 };
  completeRollingUpdate(set, notReady);
  assert.equal(notReady.currentRevision, "a");
  set.spec!.updateStrategy = { type: "OnDelete" };
  const onDelete = { ...s, currentRevision: "a", currentReplicas: 0 };
  completeRollingUpdate(set, onDelete);
  assert.equal(onDelete.currentRevision, "a");
});

test("inconsistentStatus: a newer generation or any count or revision differing; absent equals zero", () => {
  const set: StatefulSet = {
    status: {
      observedGeneration: 2,
      replicas: 3,
      readyReplicas: 3,
      currentRevision: "a",
      updateRevision: "a",
    },
  };
  const same: StatefulSetStatus = {
    observedGeneration: 2,
    replicas: 3,
    readyReplicas: 3,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: "a",
    updateRevision: "a",
    collisionCount: 1,
  };
  assert.equal(inconsistentStatus(set, same), false);
  assert.equal(inconsistentStatus(set, { ...same, observedGeneration: 3 }), true);
  assert.equal(inconsistentStatus(set, { ...same, observedGeneration: 1 }), false);
  assert.equal(inconsistentStatus(set, { ...same, availableReplicas: 1 }), true);
  assert.equal(inconsistentStatus(set, { ...same, updateRevision: "b" }), true);
});

test("wireStatus leaves out zero omitempty fields as Go does, keeps replicas, availableReplicas and collisionCount", () => {
  assert.deepEqual(
    wireStatus({
      observedGeneration: 1,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: "web-1",
      updateRevision: "web-1",
      collisionCount: 0,
    }),
    {
      replicas: 0,
      observedGeneration: 1,
      currentRevision: "web-1",
      updateRevision: "web-1",
      collisionCount: 0,
      availableReplicas: 0,
    },
  );
});
