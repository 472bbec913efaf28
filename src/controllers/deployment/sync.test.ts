// upstream's sync_test.go: TestScale (proportional scaling), the new
// replica set's creation and revision, cleanup by revisionHistoryLimit and
// the status with its Available condition.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import { computeHash } from "../util/hash.ts";
import {
  calculateStatus,
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  isScalingEvent,
  normalizeStatus,
  scale,
} from "./sync.ts";
import { fakeSyncContext, newDeployment, newRS, T0 } from "./testing.ts";
import { maxSurge, type ReplicaSetObj, setReplicasAnnotations } from "./util.ts";

const newTimestamp = T0;
const oldTimestamp = T0 - 10_000;
const olderTimestamp = T0 - 20_000;

interface ScaleCase {
  name: string;
  replicas: number;
  oldReplicas: number;
  newRS?: [string, number, number];
  oldRSs: Array<[string, number, number]>;
  expected: Record<string, number>;
  notUpdated?: string[];
}

const scaleCases: ScaleCase[] = [
  {
    name: "normal scaling event: 10 -> 12",
    replicas: 12,
    oldReplicas: 10,
    newRS: ["foo-v1", 10, newTimestamp],
    oldRSs: [],
    expected: { "foo-v1": 12 },
  },
  {
    name: "normal scaling event: 10 -> 5",
    replicas: 5,
    oldReplicas: 10,
    newRS: ["foo-v1", 10, newTimestamp],
    oldRSs: [],
    expected: { "foo-v1": 5 },
  },
  {
    name: "proportional scaling: 5 -> 10",
    replicas: 10,
    oldReplicas: 5,
    newRS: ["foo-v2", 2, newTimestamp],
    oldRSs: [["foo-v1", 3, oldTimestamp]],
    expected: { "foo-v2": 4, "foo-v1": 6 },
  },
  {
    name: "proportional scaling: 5 -> 3",
    replicas: 3,
    oldReplicas: 5,
    newRS: ["foo-v2", 2, newTimestamp],
    oldRSs: [["foo-v1", 3, oldTimestamp]],
    expected: { "foo-v2": 1, "foo-v1": 2 },
  },
  {
    name: "proportional scaling: 9 -> 4",
    replicas: 4,
    oldReplicas: 9,
    newRS: ["foo-v2", 8, newTimestamp],
    oldRSs: [["foo-v1", 1, oldTimestamp]],
    expected: { "foo-v2": 4, "foo-v1": 0 },
  },
  {
    name: "proportional scaling: 7 -> 10",
    replicas: 10,
    oldReplicas: 7,
    newRS: ["foo-v3", 2, newTimestamp],
    oldRSs: [
      ["foo-v2", 3, oldTimestamp],
      ["foo-v1", 2, olderTimestamp],
    ],
    expected: { "foo-v3": 3, "foo-v2": 4, "foo-v1": 3 },
  },
  {
    name: "proportional scaling: 13 -> 8",
    replicas: 8,
    oldReplicas: 13,
    newRS: ["foo-v3", 2, newTimestamp],
    oldRSs: [
      ["foo-v2", 8, oldTimestamp],
      ["foo-v1", 3, olderTimestamp],
    ],
    expected: { "foo-v3": 1, "foo-v2": 5, "foo-v1": 2 },
  },
  {
    name: "leftover distribution: 3 -> 4 (the new RS grows)",
    replicas: 4,
    oldReplicas: 3,
    newRS: ["foo-v3", 1, newTimestamp],
    oldRSs: [
      ["foo-v2", 1, oldTimestamp],
      ["foo-v1", 1, olderTimestamp],
    ],
    expected: { "foo-v3": 2, "foo-v2": 1, "foo-v1": 1 },
  },
  {
    name: "leftover distribution: 3 -> 2 (the oldest RS shrinks)",
    replicas: 2,
    oldReplicas: 3,
    newRS: ["foo-v3", 1, newTimestamp],
    oldRSs: [
      ["foo-v2", 1, oldTimestamp],
      ["foo-v1", 1, olderTimestamp],
    ],
    expected: { "foo-v3": 1, "foo-v2": 1, "foo-v1": 0 },
  },
  {
    name: "proportional scaling (no new rs): 4 -> 5",
    replicas: 5,
    oldReplicas: 4,
    oldRSs: [
      ["foo-v2", 2, oldTimestamp],
      ["foo-v1", 2, olderTimestamp],
    ],
    expected: { "foo-v2": 3, "foo-v1": 2 },
  },
  {
    name: "proportional scaling: 6 -> 0",
    replicas: 0,
    oldReplicas: 6,
    newRS: ["foo-v3", 3, newTimestamp],
    oldRSs: [
      ["foo-v2", 2, oldTimestamp],
      ["foo-v1", 1, olderTimestamp],
    ],
    expected: { "foo-v3": 0, "foo-v2": 0, "foo-v1": 0 },
  },
  {
    name: "proportional scaling: 0 -> 6",
    replicas: 6,
    oldReplicas: 6,
    newRS: ["foo-v3", 0, newTimestamp],
    oldRSs: [
      ["foo-v2", 0, oldTimestamp],
      ["foo-v1", 0, olderTimestamp],
    ],
    expected: { "foo-v3": 6, "foo-v2": 0, "foo-v1": 0 },
    notUpdated: ["foo-v2", "foo-v1"],
  },
];

for (const tc of scaleCases) {
  test(`scale: ${tc.name}`, async () => {
    const d = newDeployment("foo", tc.replicas);
    const oldD = newDeployment("foo", tc.oldReplicas);
    const mk = ([name, replicas, ts]: [string, number, number]) => {
      const rs = newRS(name, replicas, ts);
      // The sizes the replica sets were last scaled for: the old deployment's.
      setReplicasAnnotations(rs, tc.oldReplicas, tc.oldReplicas + maxSurge(oldD));
      return rs;
    };
    const ctx = fakeSyncContext();
    await scale(ctx, d, tc.newRS && mk(tc.newRS), tc.oldRSs.map(mk));
    const sizes: Record<string, number> = {};
    for (const [name, want] of Object.entries(tc.expected)) {
      const written = ctx.written.get(`replicasets/${name}`) as ReplicaSet | undefined;
      if (tc.notUpdated?.includes(name)) {
        assert.equal(written, undefined, `${name} should not be updated`);
        sizes[name] = want;
        continue;
      }
      sizes[name] = written?.spec?.replicas ?? -1;
      assert.equal(
        written?.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"],
        String(tc.replicas),
      );
    }
    assert.deepEqual(sizes, tc.expected);
  });
}

test("scale records upstream's ScalingReplicaSet messages", async () => {
  const ctx = fakeSyncContext();
  const rs = newRS("foo-v1", 10, T0);
  setReplicasAnnotations(rs, 10, 10);
  await scale(ctx, newDeployment("foo", 5), rs, []);
  assert.deepEqual(ctx.events, [
    { type: "Normal", reason: "ScalingReplicaSet", message: "Scaled down replica set foo-v1 from 10 to 5" },
  ]);
});

test("a new replica set: named by the template hash, labelled, annotated, revision 1, event and condition", async () => {
  const d = newDeployment("foo", 3, { maxSurge: "25%", progressDeadlineSeconds: 600 });
  d.metadata!.annotations = { "kubernetes.io/change-cause": "created" };
  const ctx = fakeSyncContext();
  const { newRS: created, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, [], true);
  const hash = computeHash(d.spec!.template, undefined);
  assert.deepEqual(oldRSs, []);
  assert.equal(created?.metadata?.name, `foo-${hash}`);
  assert.deepEqual(created?.metadata?.labels, { foo: "bar", "pod-template-hash": hash });
  assert.deepEqual(created?.spec?.selector, { matchLabels: { foo: "bar", "pod-template-hash": hash } });
  assert.equal(created?.spec?.replicas, 3);
  assert.deepEqual(created?.metadata?.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "foo",
      uid: "uid-foo",
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(created?.metadata?.annotations, {
    "kubernetes.io/change-cause": "created",
    "deployment.kubernetes.io/revision": "1",
    "deployment.kubernetes.io/desired-replicas": "3",
    "deployment.kubernetes.io/max-replicas": "4",
  });
  assert.deepEqual(ctx.events, [
    { type: "Normal", reason: "ScalingReplicaSet", message: `Scaled up replica set foo-${hash} from 0 to 3` },
  ]);
  const status = ctx.written.get("deployments/foo/status") as typeof d;
  assert.equal(status.metadata?.annotations?.["deployment.kubernetes.io/revision"], "1");
  const progressing = status.status?.conditions?.find((c) => c.type === "Progressing");
  assert.deepEqual(
    [progressing?.status, progressing?.reason, progressing?.message, progressing?.lastUpdateTime],
    ["True", "NewReplicaSetCreated", `Created new replica set "foo-${hash}"`, "2024-05-01T10:00:00Z"],
  );
  // A collision count changes the name.
  assert.notEqual(computeHash(d.spec!.template, 1), hash);
});

test("an old replica set whose template comes back (kubectl rollout undo) gets the next revision", async () => {
  const d = newDeployment("foo", 2);
  const v1 = newRS("foo-v1", 0, oldTimestamp, { owner: d, revision: "1" });
  v1.spec!.template = {
    metadata: { labels: { foo: "bar", "pod-template-hash": "v1" } },
    spec: d.spec!.template.spec,
  };
  const v2 = newRS("foo-v2", 2, newTimestamp, { owner: d, revision: "2" });
  const ctx = fakeSyncContext();
  const rsList: ReplicaSetObj[] = [v2, v1];
  const { newRS: found, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  assert.equal(found?.metadata?.name, "foo-v1");
  assert.deepEqual(
    oldRSs.map((r) => r.metadata?.name),
    ["foo-v2"],
  );
  assert.equal(found?.metadata?.annotations?.["deployment.kubernetes.io/revision"], "3");
  assert.equal(found?.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "1");
  // The next pass copies the RS's revision to the deployment.
  await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  const status = ctx.written.get("deployments/foo/status") as typeof d;
  assert.equal(status.metadata?.annotations?.["deployment.kubernetes.io/revision"], "3");
});

test("isScalingEvent: an active RS recorded another desired size", async () => {
  const d = newDeployment("foo", 5);
  const rs = newRS("foo-v1", 3, T0, { owner: d });
  rs.spec!.template = structuredClone(d.spec!.template);
  rs.metadata!.annotations!["deployment.kubernetes.io/revision"] = "1";
  d.metadata!.annotations!["deployment.kubernetes.io/revision"] = "1";
  setReplicasAnnotations(rs, 3, 3);
  assert.equal(await isScalingEvent(fakeSyncContext(), d, [rs]), true);
  setReplicasAnnotations(rs, 5, 5);
  assert.equal(await isScalingEvent(fakeSyncContext(), d, [rs]), false);
});

test("cleanupDeployment deletes the oldest revisions beyond the limit, only when fully scaled down", async () => {
  const d = newDeployment("foo", 1, { revisionHistoryLimit: 1 });
  const r1 = newRS("r1", 0, T0, { revision: "1" });
  const r2 = newRS("r2", 0, T0, { revision: "2" });
  const r3 = newRS("r3", 0, T0, { revision: "3" });
  const busy = newRS("busy", 1, T0 - 50_000, { revision: "0" });
  const stale = newRS("stale", 0, T0, { revision: "4" });
  Object.assign(stale.metadata!, { generation: 2 });
  const ctx = fakeSyncContext();
  await cleanupDeployment(ctx, [r3, busy, r1, r2], d);
  // Four old RSes, limit 1: the three lowest revisions are candidates, "busy" still has pods.
  assert.deepEqual(ctx.deleted, ["replicasets/r1", "replicasets/r2"]);
  const ctx2 = fakeSyncContext();
  await cleanupDeployment(ctx2, [stale, r3], d);
  assert.deepEqual(ctx2.deleted, ["replicasets/r3"]);
  const unlimited = newDeployment("foo", 1);
  const ctx3 = fakeSyncContext();
  await cleanupDeployment(ctx3, [r1, r2, r3], unlimited);
  assert.deepEqual(ctx3.deleted, []);
});

test("calculateStatus: counts, zero fields omitted, Available by maxUnavailable", () => {
  const d = newDeployment("foo", 4, { maxUnavailable: 1, maxSurge: 1 });
  Object.assign(d.metadata!, { generation: 3 });
  const newer = newRS("new", 2, T0, { available: 1 });
  const old = newRS("old", 2, T0, { available: 2 });
  const s = calculateStatus([old, newer], newer, d, T0);
  assert.deepEqual(
    { ...s, conditions: undefined },
    {
      observedGeneration: 3,
      replicas: 4,
      updatedReplicas: 2,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 1,
      conditions: undefined,
    },
  );
  assert.deepEqual(s.conditions, [
    {
      type: "Available",
      status: "True",
      reason: "MinimumReplicasAvailable",
      message: "Deployment has minimum availability.",
      lastUpdateTime: "2024-05-01T10:00:00Z",
      lastTransitionTime: "2024-05-01T10:00:00Z",
    },
  ]);
  const down = calculateStatus([newRS("x", 4, T0, { available: 2 })], undefined, d, T0);
  assert.equal(down.conditions?.[0].reason, "MinimumReplicasUnavailable");
  assert.equal(down.conditions?.[0].message, "Deployment does not have minimum availability.");
  assert.equal(down.updatedReplicas, undefined);
  assert.deepEqual(normalizeStatus({ replicas: 0, collisionCount: 0, conditions: [] }), {
    collisionCount: 0,
  });
});
