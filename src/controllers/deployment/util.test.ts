// Cases from upstream's deployment_util_test.go (TestResolveFenceposts,
// TestNewRSNewReplicas, TestFindNewReplicaSet, annotations) and the maths they
// pin down: percentages round maxSurge up and maxUnavailable down.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newDeployment, newRS, T0 } from "./testing.ts";
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getProportion,
  isSaturated,
  lastRevision,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setDeploymentAnnotationsTo,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./util.ts";

test("resolveFenceposts: upstream's table", () => {
  const cases: Array<
    [string | undefined, string | undefined, number, number, number] | [string, string, number, "error"]
  > = [
    ["0%", "0%", 0, 0, 1],
    ["39%", "39%", 10, 4, 3],
    ["oops", "39%", 10, "error"],
    ["55%", "urg", 10, "error"],
    [undefined, "39%", 10, 0, 3],
    ["39%", undefined, 10, 4, 0],
    [undefined, undefined, 10, 0, 1],
  ];
  for (const c of cases) {
    if (c[3] === "error") {
      assert.throws(() => resolveFenceposts(c[0], c[1], c[2]), /invalid value for IntOrString/);
      continue;
    }
    assert.deepEqual(resolveFenceposts(c[0], c[1], c[2]), { surge: c[3], unavailable: c[4] }, String(c));
  }
});

test("maxSurge and maxUnavailable: defaults of 25% on small deployments, capped, 0 for Recreate", () => {
  // 25% of 3: surge rounds up to 1, unavailable down to 0.
  assert.equal(maxSurge(newDeployment("d", 3, { maxSurge: "25%", maxUnavailable: "25%" })), 1);
  assert.equal(maxUnavailable(newDeployment("d", 3, { maxSurge: "25%", maxUnavailable: "25%" })), 0);
  assert.equal(maxUnavailable(newDeployment("d", 10, { maxSurge: "25%", maxUnavailable: "25%" })), 2);
  // Both resolve to 0: one may be unavailable.
  assert.equal(maxUnavailable(newDeployment("d", 1, { maxSurge: 0, maxUnavailable: "25%" })), 1);
  // Never more than the replicas.
  assert.equal(maxUnavailable(newDeployment("d", 2, { maxUnavailable: 5 })), 2);
  assert.equal(maxUnavailable(newDeployment("d", 0, { maxUnavailable: 5 })), 0);
  const recreate = newDeployment("d", 3, { maxSurge: 1 });
  recreate.spec!.strategy = { type: "Recreate" };
  assert.equal(maxSurge(recreate), 0);
  assert.equal(maxUnavailable(recreate), 0);
});

test("newRSNewReplicas: upstream's table", () => {
  const rs5 = newRS("rs5", 5, T0);
  const cases: Array<[string, number, number, number, number]> = [
    // strategy, deployment replicas, new RS replicas, maxSurge, expected
    ["RollingUpdate", 1, 5, 1, 5],
    ["RollingUpdate", 6, 2, 10, 6],
    ["Recreate", 3, 1, 1, 3],
  ];
  for (const [type, depReplicas, newReplicas, surge, expected] of cases) {
    const d = newDeployment("nginx", depReplicas, { maxSurge: surge });
    if (type === "Recreate") d.spec!.strategy = { type };
    const n = newRS("new", newReplicas, T0);
    assert.equal(newRSNewReplicas(d, [rs5], n), expected);
  }
});

test("getProportion: a share of the new size, rounded, never beyond what is left", () => {
  const d = newDeployment("d", 10);
  const rs = newRS("a", 3, T0);
  setReplicasAnnotations(rs, 5, 5);
  // 3 of 5 → 6 of 10: +3.
  assert.equal(getProportion(rs, d, 5, 0), 3);
  // Only 1 left to hand out.
  assert.equal(getProportion(rs, d, 5, 4), 1);
  assert.equal(getProportion(rs, d, 5, 5), 0);
  assert.equal(getProportion(newRS("z", 0, T0), d, 5, 0), 0);
  // Scaling down to zero takes the whole RS.
  assert.equal(getProportion(rs, newDeployment("d", 0), -3, 0), -3);
  // Without the annotation, status.replicas is the base.
  const bare = newRS("b", 2, T0);
  const scaled = newDeployment("d", 8);
  scaled.status = { replicas: 4 };
  assert.equal(getProportion(bare, scaled, 4, 0), 2);
});

test("setNewReplicaSetAnnotations: copies annotations, raises the revision and keeps the history on rollback", () => {
  const d = newDeployment("d", 3, { maxSurge: 1 });
  d.metadata!.annotations = {
    "kubernetes.io/change-cause": "kubectl set image",
    "deployment.kubernetes.io/revision": "7",
    "kubectl.kubernetes.io/last-applied-configuration": "{}",
  };
  const fresh = newRS("fresh", 0, T0);
  assert.equal(setNewReplicaSetAnnotations(d, fresh, "1", false, 2000), true);
  assert.deepEqual(fresh.metadata?.annotations, {
    "kubernetes.io/change-cause": "kubectl set image",
    "deployment.kubernetes.io/revision": "1",
    "deployment.kubernetes.io/desired-replicas": "3",
    "deployment.kubernetes.io/max-replicas": "4",
  });
  // Rolled back to: revision 1 → 3, history "1"; then 3 → 5, history "1,3".
  const back = newRS("back", 0, T0, { revision: "1" });
  assert.equal(setNewReplicaSetAnnotations(d, back, "3", true, 2000), true);
  assert.equal(back.metadata?.annotations?.["deployment.kubernetes.io/revision"], "3");
  assert.equal(back.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "1");
  setNewReplicaSetAnnotations(d, back, "5", true, 2000);
  assert.equal(back.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "1,3");
  // Existing RSes do not get replica annotations here, and nothing changes the second time.
  assert.equal(back.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"], undefined);
  assert.equal(setNewReplicaSetAnnotations(d, back, "5", true, 2000), false);
  // Never lowered.
  assert.equal(setNewReplicaSetAnnotations(d, back, "4", true, 2000), false);
  assert.equal(back.metadata?.annotations?.["deployment.kubernetes.io/revision"], "5");
  // The history is trimmed from the front to the limit.
  const long = newRS("long", 0, T0, { revision: "30" });
  long.metadata!.annotations!["deployment.kubernetes.io/revision-history"] = "10,20";
  setNewReplicaSetAnnotations(d, long, "31", true, 6);
  assert.equal(long.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "20,30");
});

test("setDeploymentAnnotationsTo: the RS's annotations replace the deployment's, but the skipped ones stay", () => {
  const d = newDeployment("d", 1);
  d.metadata!.annotations = {
    "deployment.kubernetes.io/revision": "2",
    "kubernetes.io/change-cause": "v2",
    x: "y",
  };
  const rs = newRS("r", 0, T0, { revision: "1" });
  rs.metadata!.annotations!["kubernetes.io/change-cause"] = "v1";
  setDeploymentAnnotationsTo(d, rs);
  assert.deepEqual(d.metadata?.annotations, {
    "deployment.kubernetes.io/revision": "2",
    "kubernetes.io/change-cause": "v1",
  });
});

test("findNewReplicaSet: the oldest RS whose template equals the deployment's, ignoring the hash label", () => {
  const d = newDeployment("d", 1);
  const older = newRS("older", 1, T0 - 60_000);
  const newer = newRS("newer", 1, T0);
  const other = newRS("other", 1, T0 - 120_000, { image: "other" });
  older.spec!.template = {
    ...structuredClone(d.spec!.template),
    metadata: { labels: { foo: "bar", "pod-template-hash": "x" } },
  };
  newer.spec!.template = {
    ...structuredClone(d.spec!.template),
    metadata: { labels: { foo: "bar", "pod-template-hash": "y" } },
  };
  assert.equal(findNewReplicaSet(d, [newer, other, older])?.metadata?.name, "older");
  const { requiredRSs, allRSs } = findOldReplicaSets(d, [newer, other, older, newRS("empty", 0, T0)]);
  assert.deepEqual(allRSs.map((r) => r.metadata?.name).sort(), ["empty", "newer", "other"]);
  assert.deepEqual(requiredRSs.map((r) => r.metadata?.name).sort(), ["newer", "other"]);
  // nil and empty maps are equal (Semantic.DeepEqual), other differences are not.
  assert.ok(equalIgnoreHash({ metadata: { labels: {}, annotations: {} } }, { metadata: {} }));
  assert.ok(!equalIgnoreHash({ metadata: { labels: { a: "1" } } }, { metadata: {} }));
});

test("sort orders: by size then age, by revision", () => {
  const a = newRS("a", 2, T0 - 2000, { revision: "2" });
  const b = newRS("b", 2, T0 - 1000, { revision: "10" });
  const c = newRS("c", 5, T0, { revision: "1" });
  const names = (l: (typeof a)[]) => l.map((r) => r.metadata?.name);
  assert.deepEqual(names([a, b, c].sort(bySizeNewer)), ["c", "b", "a"]);
  assert.deepEqual(names([a, b, c].sort(bySizeOlder)), ["c", "a", "b"]);
  assert.deepEqual(names([b, a, c].sort(byRevision)), ["c", "a", "b"]);
  assert.equal(maxRevision([a, b, c]), 10);
  assert.equal(lastRevision([a, b, c]), 2);
});

test("findActiveOrLatest and isSaturated", () => {
  const d = newDeployment("d", 3);
  const newer = newRS("new", 0, T0);
  const old1 = newRS("old1", 0, T0 - 1000);
  const old2 = newRS("old2", 3, T0 - 2000);
  assert.equal(findActiveOrLatest(newer, [old1, old2])?.metadata?.name, "old2");
  assert.equal(findActiveOrLatest(newer, [old1])?.metadata?.name, "new");
  assert.equal(findActiveOrLatest(undefined, [old2, old1])?.metadata?.name, "old2");
  assert.equal(findActiveOrLatest(newRS("n", 1, T0), [old2]), undefined);
  const full = newRS("full", 3, T0);
  assert.equal(isSaturated(d, full), false, "no desired-replicas annotation");
  setReplicasAnnotations(full, 3, 3);
  assert.equal(isSaturated(d, full), true);
  full.status = { replicas: 3, availableReplicas: 2 };
  assert.equal(isSaturated(d, full), false);
});
