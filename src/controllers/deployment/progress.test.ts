// Conditions and progress (upstream's progress_test.go and the condition
// helpers of deployment_util_test.go): lastTransitionTime kept while the
// status stays, the Progressing transitions, and the requeue at the deadline.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  deploymentTimedOut,
  newDeploymentCondition,
  removeDeploymentCondition,
  setDeploymentCondition,
} from "./conditions.ts";
import { syncRolloutStatus } from "./progress.ts";
import { fakeSyncContext, newDeployment, newRS, T0 } from "./testing.ts";
import type { DeploymentObj } from "./util.ts";

const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

test("setDeploymentCondition: same status and reason is a no-op; same status keeps lastTransitionTime", () => {
  const status = {};
  setDeploymentCondition(status, newDeploymentCondition("Progressing", "True", "A", "first", T0));
  setDeploymentCondition(status, newDeploymentCondition("Available", "True", "X", "x", T0));
  setDeploymentCondition(status, newDeploymentCondition("Progressing", "True", "A", "ignored", T0 + 5000));
  assert.equal((status as { conditions: Array<{ message: string }> }).conditions[0].message, "first");
  setDeploymentCondition(status, newDeploymentCondition("Progressing", "True", "B", "second", T0 + 5000));
  const s = status as { conditions: Array<Record<string, string>> };
  // Replaced conditions move to the end, as upstream appends.
  assert.deepEqual(
    s.conditions.map((c) => [c.type, c.reason, c.lastTransitionTime, c.lastUpdateTime]),
    [
      ["Available", "X", at(T0), at(T0)],
      ["Progressing", "B", at(T0), at(T0 + 5000)],
    ],
  );
  setDeploymentCondition(status, newDeploymentCondition("Progressing", "False", "C", "third", T0 + 9000));
  assert.equal(s.conditions[1].lastTransitionTime, at(T0 + 9000));
  removeDeploymentCondition(status, "Progressing");
  removeDeploymentCondition(status, "Available");
  assert.deepEqual(status, {});
});

test("deploymentTimedOut: only past lastUpdateTime + progressDeadlineSeconds, never after NewReplicaSetAvailable", () => {
  const d = newDeployment("foo", 1, { progressDeadlineSeconds: 10 });
  const status = {
    conditions: [newDeploymentCondition("Progressing", "True", "ReplicaSetUpdated", "m", T0)],
  };
  assert.equal(deploymentTimedOut(d, status, T0 + 10_000), false);
  assert.equal(deploymentTimedOut(d, status, T0 + 10_001), true);
  const done = {
    conditions: [newDeploymentCondition("Progressing", "True", "NewReplicaSetAvailable", "m", T0)],
  };
  assert.equal(deploymentTimedOut(d, done, T0 + 60_000), false);
  assert.equal(deploymentTimedOut(newDeployment("foo", 1), status, T0 + 60_000), false);
  const maxInt = newDeployment("foo", 1, { progressDeadlineSeconds: 2147483647 });
  assert.equal(deploymentTimedOut(maxInt, status, T0 + 60_000), false);
});

function stalled(): { d: DeploymentObj; rsNew: ReturnType<typeof newRS>; rsOld: ReturnType<typeof newRS> } {
  const d = newDeployment("foo", 2, { maxSurge: 1, progressDeadlineSeconds: 10 });
  const rsNew = newRS("foo-new", 1, T0, { available: 0 });
  const rsOld = newRS("foo-old", 2, T0 - 60_000);
  d.status = {
    observedGeneration: 1,
    replicas: 3,
    updatedReplicas: 1,
    readyReplicas: 2,
    availableReplicas: 2,
    unavailableReplicas: 1,
    conditions: [
      newDeploymentCondition(
        "Available",
        "True",
        "MinimumReplicasAvailable",
        "Deployment has minimum availability.",
        T0,
      ),
      newDeploymentCondition(
        "Progressing",
        "True",
        "ReplicaSetUpdated",
        'ReplicaSet "foo-new" is progressing.',
        T0,
      ),
    ],
  };
  return { d, rsNew, rsOld };
}

test("no progress: requeued one second after the deadline, then ProgressDeadlineExceeded", async () => {
  const { d, rsNew, rsOld } = stalled();
  const ctx = fakeSyncContext();
  ctx.setNow(T0 + 3000);
  await syncRolloutStatus(ctx, [rsOld, rsNew], rsNew, structuredClone(d));
  assert.equal(ctx.written.size, 0, "nothing changed, nothing written");
  assert.deepEqual(ctx.requeuedAfterMs, [7000 + 1000]);
  ctx.setNow(T0 + 9500);
  await syncRolloutStatus(ctx, [rsOld, rsNew], rsNew, structuredClone(d));
  assert.equal(ctx.rateLimited, 1, "less than a second left: rate limited");
  ctx.setNow(T0 + 11_000);
  await syncRolloutStatus(ctx, [rsOld, rsNew], rsNew, structuredClone(d));
  const written = ctx.written.get("deployments/foo/status") as DeploymentObj;
  const progressing = written.status?.conditions?.find((c) => c.type === "Progressing");
  assert.deepEqual(
    [progressing?.status, progressing?.reason, progressing?.message, progressing?.lastUpdateTime],
    ["False", "ProgressDeadlineExceeded", 'ReplicaSet "foo-new" has timed out progressing.', at(T0 + 11_000)],
  );
});

test("progress moves lastUpdateTime but keeps lastTransitionTime; completion says NewReplicaSetAvailable", async () => {
  const { d, rsNew, rsOld } = stalled();
  const ctx = fakeSyncContext();
  ctx.setNow(T0 + 4000);
  const moved = structuredClone(rsNew);
  moved.status = { replicas: 1, availableReplicas: 1, readyReplicas: 1, observedGeneration: 1 };
  await syncRolloutStatus(ctx, [rsOld, moved], moved, structuredClone(d));
  let written = ctx.written.get("deployments/foo/status") as DeploymentObj;
  let progressing = written.status?.conditions?.find((c) => c.type === "Progressing");
  assert.deepEqual(
    [progressing?.reason, progressing?.lastUpdateTime, progressing?.lastTransitionTime],
    ["ReplicaSetUpdated", at(T0 + 4000), at(T0)],
  );
  const done = newRS("foo-new", 2, T0);
  await syncRolloutStatus(ctx, [newRS("foo-old", 0, T0 - 60_000), done], done, structuredClone(d));
  written = ctx.written.get("deployments/foo/status") as DeploymentObj;
  progressing = written.status?.conditions?.find((c) => c.type === "Progressing");
  assert.deepEqual(
    [progressing?.status, progressing?.reason, progressing?.message],
    ["True", "NewReplicaSetAvailable", 'ReplicaSet "foo-new" has successfully progressed.'],
  );
  assert.equal(written.status?.unavailableReplicas, undefined);
});

test("without progressDeadlineSeconds there is no Progressing condition; ReplicaFailure comes from the RS", async () => {
  const d = newDeployment("foo", 1, { maxSurge: 1 });
  d.status = { conditions: [newDeploymentCondition("Progressing", "True", "ReplicaSetUpdated", "m", T0)] };
  const rs = newRS("foo-new", 1, T0, { available: 0 });
  rs.status = {
    ...rs.status!,
    conditions: [
      {
        type: "ReplicaFailure",
        status: "True",
        reason: "FailedCreate",
        message: 'pods "foo-new-" is forbidden: exceeded quota',
        lastTransitionTime: at(T0),
      },
    ],
  };
  const ctx = fakeSyncContext();
  await syncRolloutStatus(ctx, [rs], rs, d);
  const written = ctx.written.get("deployments/foo/status") as DeploymentObj;
  assert.deepEqual(
    written.status?.conditions?.map((c) => [c.type, c.reason]),
    [
      ["Available", "MinimumReplicasUnavailable"],
      ["ReplicaFailure", "FailedCreate"],
    ],
  );
});
