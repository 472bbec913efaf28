// The EndpointSlice tracker (stale caches) and the trigger time tracker,
// after upstream's endpointslice_tracker_test.go and trigger_time_tracker_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { EndpointSliceTracker } from "./endpointslice-tracker.ts";
import { LABEL_SERVICE_NAME } from "./labels.ts";
import { testPod, testService } from "./testing.ts";
import { TriggerTimeTracker } from "./trigger-time-tracker.ts";

const slice = (uid: string, generation: number): EndpointSlice => ({
  metadata: { name: uid, namespace: "ns", uid, generation, labels: { [LABEL_SERVICE_NAME]: "svc" } },
  addressType: "IPv4",
  endpoints: [],
});

test("staleSlices: older generations, expected deletions and missing slices are stale", () => {
  const t = new EndpointSliceTracker();
  const svc = testService();
  assert.equal(t.staleSlices(svc, [slice("a", 1)]), false);
  t.update(slice("a", 2));
  assert.equal(t.staleSlices(svc, [slice("a", 1)]), true);
  assert.equal(t.staleSlices(svc, [slice("a", 2)]), false);
  assert.equal(t.staleSlices(svc, []), true);
  t.expectDeletion(slice("a", 2));
  assert.equal(t.staleSlices(svc, [slice("a", 2)]), true);
  assert.equal(t.staleSlices(svc, []), false);
});

test("staleSlices: a recreated Service (new uid) forgets the old writes", () => {
  const t = new EndpointSliceTracker();
  t.staleSlices(testService(), []);
  t.update(slice("a", 3));
  const svc = testService();
  const recreated = { ...svc, metadata: { ...svc.metadata, uid: "other" } };
  assert.equal(t.staleSlices(recreated, []), false);
});

test("shouldSync and handleDeletion", () => {
  const t = new EndpointSliceTracker();
  assert.equal(t.shouldSync(slice("a", 1)), true);
  t.update(slice("a", 1));
  assert.equal(t.shouldSync(slice("a", 1)), false);
  assert.equal(t.shouldSync(slice("a", 2)), true);
  assert.equal(t.has(slice("a", 1)), true);
  // Deleted by someone else: unexpected.
  assert.equal(t.handleDeletion(slice("a", 1)), false);
  t.expectDeletion(slice("b", 1));
  assert.equal(t.handleDeletion(slice("b", 1)), true);
});

test("trigger time: the Service's creation first, then the earliest changed Ready transition, else none", () => {
  const t = new TriggerTimeTracker();
  const svc = testService();
  const p1 = testPod("p1", "1.1.1.1");
  assert.equal(t.compute("ns", svc, [p1]), Date.parse("2024-01-01T00:00:00Z"));
  assert.equal(t.compute("ns", svc, [p1]), 0);
  const p2 = testPod("p2", "1.1.1.2");
  p2.status!.conditions![0].lastTransitionTime = "2024-01-01T00:05:00Z";
  const p1b = testPod("p1", "1.1.1.1");
  p1b.status!.conditions![0].lastTransitionTime = "2024-01-01T00:04:00Z";
  assert.equal(t.compute("ns", svc, [p1b, p2]), Date.parse("2024-01-01T00:04:00Z"));
  t.deleteService("ns", "svc");
  assert.equal(t.compute("ns", svc, [p1b, p2]), Date.parse("2024-01-01T00:00:00Z"));
});
