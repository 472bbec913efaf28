// Cases from TestPrintEvent (printers_test.go), plus events.k8s.io/v1 objects, which the apiserver converts to
// the core shape before printing.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Event as CoreEvent } from "kubernetes-types/core/v1.d.ts";
import type { Event as EventsEvent } from "kubernetes-types/events/v1.d.ts";
import { eventPrinter } from "./event.ts";

const now = new Date("2024-06-01T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000).toISOString();
const print = (e: CoreEvent | EventsEvent) => eventPrinter.print(e, { now }).cells;
const deployment = { kind: "Deployment", name: "Deployment Name", fieldPath: "spec.containers{foo}" };

test("basic event: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (+ wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME)", () => {
  assert.deepEqual(
    print({
      metadata: { name: "event1" },
      source: { component: "kubelet" },
      involvedObject: { kind: "Pod", name: "Pod Name", fieldPath: "spec.containers{foo}" },
      reason: "Event Reason",
      message: "Message Data",
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
      type: "Normal",
    }).slice(0, 4),
    ["2d", "Normal", "Event Reason", "pod/Pod Name"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "event2" },
      source: { component: "kubelet", host: "Node1" },
      involvedObject: deployment,
      reason: "Event Reason",
      message: "Message Data",
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
      type: "Warning",
    }),
    [
      "2d",
      "Warning",
      "Event Reason",
      "deployment/Deployment Name",
      "spec.containers{foo}",
      "kubelet, Node1",
      "Message Data",
      "3d",
      6,
      "event2",
    ],
  );
});

test("missing timestamps fall back to eventTime and first seen; series and singleton counts", () => {
  const base = {
    source: { component: "kubelet", host: "Node1" },
    involvedObject: deployment,
    reason: "Event Reason",
    message: "Message Data",
    type: "Warning",
  };
  const expected = (name: string, last: string, count: number) => [
    last,
    "Warning",
    "Event Reason",
    "deployment/Deployment Name",
    "spec.containers{foo}",
    "kubelet, Node1",
    "Message Data",
    "3d",
    count,
    name,
  ];
  const micro = daysAgo(3).replace("Z", "000Z");
  assert.deepEqual(
    print({ ...base, metadata: { name: "event3" }, eventTime: micro, lastTimestamp: daysAgo(3), count: 1 }),
    expected("event3", "3d", 1),
  );
  assert.deepEqual(
    print({ ...base, metadata: { name: "event4" }, eventTime: micro, firstTimestamp: daysAgo(3), count: 1 }),
    expected("event4", "3d", 1),
  );
  assert.deepEqual(
    print({ ...base, metadata: { name: "event5" }, eventTime: micro, count: 1 }),
    expected("event5", "3d", 1),
  );
  assert.deepEqual(
    print({
      ...base,
      metadata: { name: "event6" },
      eventTime: micro,
      series: { count: 2, lastObservedTime: daysAgo(2) },
    }),
    expected("event6", "2d", 2),
  );
  assert.deepEqual(
    print({ ...base, metadata: { name: "event7" }, eventTime: micro }),
    expected("event7", "3d", 1),
  );
});

test("an empty source falls back to reportingComponent and reportingInstance", () => {
  assert.equal(
    print({
      metadata: { name: "event2" },
      reportingComponent: "kubelet",
      reportingInstance: "test",
      involvedObject: deployment,
      firstTimestamp: daysAgo(3),
      lastTimestamp: daysAgo(2),
      count: 6,
    })[5],
    "kubelet, test",
  );
});

test("an object without a name prints as its kind; the message is trimmed; no times print <unknown>", () => {
  const cells = print({ metadata: { name: "e" }, involvedObject: { kind: "Node" }, message: "  rebooted\n" });
  assert.deepEqual(cells, ["<unknown>", "", "", "node", "", "", "rebooted", "<unknown>", 1, "e"]);
});

test("events.k8s.io/v1 events print like their core form", () => {
  const e: EventsEvent = {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: { name: "web-0.17d2a", namespace: "default" },
    eventTime: new Date(now.getTime() - 42_000).toISOString().replace("Z", "000Z"),
    regarding: { kind: "Pod", name: "web-0", namespace: "default", fieldPath: "spec.containers{web}" },
    reason: "Pulled",
    note: 'Container image "nginx" already present on machine',
    type: "Normal",
    action: "Pulling",
    reportingController: "kubelet",
    reportingInstance: "node-1",
  };
  assert.deepEqual(print(e), [
    "42s",
    "Normal",
    "Pulled",
    "pod/web-0",
    "spec.containers{web}",
    "kubelet, node-1",
    'Container image "nginx" already present on machine',
    "42s",
    1,
    "web-0.17d2a",
  ]);
  const legacy: EventsEvent = {
    ...e,
    deprecatedSource: { component: "scheduler" },
    deprecatedFirstTimestamp: daysAgo(3),
    deprecatedLastTimestamp: daysAgo(2),
    deprecatedCount: 4,
  };
  assert.deepEqual(print(legacy).slice(5), [
    "scheduler, node-1",
    'Container image "nginx" already present on machine',
    "3d",
    4,
    "web-0.17d2a",
  ]);
  assert.equal(print(legacy)[0], "2d");
});

test("columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE by default", () => {
  assert.deepEqual(
    eventPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name),
    ["Last Seen", "Type", "Reason", "Object", "Message"],
  );
  assert.deepEqual(
    eventPrinter.columns.filter((c) => c.priority === 1).map((c) => c.name),
    ["Subobject", "Source", "First Seen", "Count", "Name"],
  );
  assert.equal(eventPrinter.columns[9].format, "name");
});
