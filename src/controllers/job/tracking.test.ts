// Finalizer-based tracking bookkeeping: uids leave uncountedTerminatedPods
// for the counters only once their pod lost the finalizer.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JobStatus } from "kubernetes-types/batch/v1.d.ts";
import {
  appendJobTrackingFinalizer,
  cleanUncountedPodsWithoutFinalizers,
  FinalizerExpectations,
  removeTrackingFinalizerPatch,
} from "./tracking.ts";

test("uncounted uids whose pods lost the finalizer move into the counters", () => {
  const status: JobStatus = {
    succeeded: 2,
    failed: 1,
    uncountedTerminatedPods: { succeeded: ["a", "b"], failed: ["c", "d"] },
  };
  assert.equal(cleanUncountedPodsWithoutFinalizers(status, new Set(["b", "d"])), true);
  assert.deepEqual(status, {
    succeeded: 3,
    failed: 2,
    uncountedTerminatedPods: { succeeded: ["b"], failed: ["d"] },
  });
  assert.equal(cleanUncountedPodsWithoutFinalizers(status, new Set(["b", "d"])), false);
});

test("the finalizer patch deletes only the tracking finalizer; none for a pod without it", () => {
  assert.deepEqual(
    removeTrackingFinalizerPatch({ metadata: { finalizers: ["x", "batch.kubernetes.io/job-tracking"] } }),
    {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["batch.kubernetes.io/job-tracking"] },
    },
  );
  assert.equal(removeTrackingFinalizerPatch({ metadata: { finalizers: ["x"] } }), undefined);
  assert.deepEqual(appendJobTrackingFinalizer(["x"]), ["x", "batch.kubernetes.io/job-tracking"]);
  assert.deepEqual(appendJobTrackingFinalizer(["batch.kubernetes.io/job-tracking"]), [
    "batch.kubernetes.io/job-tracking",
  ]);
});

test("finalizer expectations per Job, by pod uid", () => {
  const e = new FinalizerExpectations();
  e.expectFinalizersRemoved("ns/j", ["a", "b"]);
  e.finalizerRemovalObserved("ns/j", "a");
  e.finalizerRemovalObserved("ns/other", "b");
  assert.deepEqual([...e.getExpectedUIDs("ns/j")], ["b"]);
  e.deleteExpectations("ns/j");
  assert.equal(e.getExpectedUIDs("ns/j").size, 0);
});
