import assert from "node:assert/strict";
import { test } from "node:test";
import type { Event, ObjectReference } from "kubernetes-types/core/v1.d.ts";
import {
  type EventCorrelateResult,
  EventCorrelator,
  EventSourceObjectSpamFilter,
  eventAggregatorByReasonFunc,
  eventName,
  getEventKey,
} from "./event-correlator.ts";
import { FakeClock } from "./fake-clock.ts";

const T0 = Date.parse("2026-11-26T10:00:00Z");

function pod(name: string, fieldPath?: string): ObjectReference {
  return { kind: "Pod", namespace: "default", name, uid: `uid-${name}`, apiVersion: "v1", fieldPath };
}

// As upstream's recorder makeEvent builds it.
function makeEvent(
  ref: ObjectReference,
  reason: string,
  message: string,
  now: number,
  component = "kubelet",
): Event {
  const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: eventName(ref.name, now), namespace: "default" },
    involvedObject: ref,
    reason,
    message,
    source: { component, host: "node-1" },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type: "Warning",
    reportingComponent: component,
    reportingInstance: "node-1",
  };
}

function recorded(r: EventCorrelateResult) {
  assert.equal(r.dropped, false);
  if (r.dropped) throw new Error("unreachable");
  return r;
}

test("an exact repeat is a patch of count, lastTimestamp and message on the first Event", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  const first = recorded(c.eventCorrelate(makeEvent(pod("web-0"), "BackOff", "Back-off pulling image", T0)));
  assert.equal(first.patch, undefined);
  assert.equal(first.event.count, 1);
  clock.step(30_000);
  const again = recorded(
    c.eventCorrelate(makeEvent(pod("web-0"), "BackOff", "Back-off pulling image", clock.now())),
  );
  assert.deepEqual(again.patch, {
    count: 2,
    lastTimestamp: "2026-11-26T10:00:30Z",
    message: "Back-off pulling image",
  });
  assert.equal(again.event.metadata?.name, first.event.metadata?.name);
  assert.equal(again.event.firstTimestamp, "2026-11-26T10:00:00Z");
});

test("the same event only counts, even past the aggregation threshold", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  let last: EventCorrelateResult | undefined;
  for (let i = 0; i < 11; i++) {
    last = c.eventCorrelate(makeEvent(pod("web-0"), "BackOff", "Back-off", clock.now()));
    clock.step(30_000);
  }
  const r = recorded(last!);
  assert.equal(r.event.count, 11);
  assert.equal(r.event.message, "Back-off");
});

test("the 10th similar event within 600 s becomes the combined Event; further ones count on it", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  const msg = (i: number) => `0/3 nodes are available: ${i} Insufficient cpu.`;
  for (let i = 1; i <= 9; i++) {
    const r = recorded(c.eventCorrelate(makeEvent(pod("web-0"), "FailedScheduling", msg(i), clock.now())));
    assert.equal(r.event.message, msg(i));
    assert.equal(r.event.count, 1);
    assert.equal(r.patch, undefined);
    clock.step(1000);
  }
  const at = clock.now();
  const agg = recorded(c.eventCorrelate(makeEvent(pod("web-0"), "FailedScheduling", msg(10), at)));
  assert.equal(agg.patch, undefined);
  assert.deepEqual(agg.event, {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: eventName("web-0", at), namespace: "default" },
    count: 1,
    firstTimestamp: "2026-11-26T10:00:09Z",
    involvedObject: pod("web-0"),
    lastTimestamp: "2026-11-26T10:00:09Z",
    message: "(combined from similar events): 0/3 nodes are available: 10 Insufficient cpu.",
    type: "Warning",
    reason: "FailedScheduling",
    source: { component: "kubelet", host: "node-1" },
  });

  clock.step(1000);
  const more = recorded(c.eventCorrelate(makeEvent(pod("web-0"), "FailedScheduling", msg(11), clock.now())));
  assert.equal(more.event.metadata?.name, agg.event.metadata?.name);
  assert.equal(more.event.count, 2);
  assert.deepEqual(more.patch, {
    count: 2,
    lastTimestamp: "2026-11-26T10:00:10Z",
    message: "(combined from similar events): 0/3 nodes are available: 11 Insufficient cpu.",
  });
  clock.step(1000);
  const third = recorded(c.eventCorrelate(makeEvent(pod("web-0"), "FailedScheduling", msg(12), clock.now())));
  assert.equal(third.event.count, 3);
  assert.equal(third.event.firstTimestamp, "2026-11-26T10:00:09Z");

  // Another reason or another object is not similar.
  const other = recorded(c.eventCorrelate(makeEvent(pod("web-1"), "FailedScheduling", msg(13), clock.now())));
  assert.equal(other.event.message, msg(13));
});

test("a gap of more than 600 s since the last similar event starts aggregation over", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  const send = (i: number) =>
    recorded(c.eventCorrelate(makeEvent(pod("web-0"), "Unhealthy", `probe failed #${i}`, clock.now())));
  for (let i = 1; i <= 9; i++) send(i);
  clock.step(600_000 + 1);
  assert.equal(send(10).event.message, "probe failed #10");
  for (let i = 11; i <= 18; i++) send(i);
  assert.equal(send(19).event.message, "(combined from similar events): probe failed #19");
});

test("exactly 600 s is still inside the window, and it slides with each similar event", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  let last: EventCorrelateResult | undefined;
  for (let i = 1; i <= 10; i++) {
    last = c.eventCorrelate(makeEvent(pod("web-0"), "Unhealthy", `probe failed #${i}`, clock.now()));
    clock.step(600_000);
  }
  assert.equal(recorded(last!).event.message, "(combined from similar events): probe failed #10");
});

test("events about different containers of one pod are distinct repeats", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  recorded(c.eventCorrelate(makeEvent(pod("web-0", "spec.containers{a}"), "Pulled", "pulled", T0)));
  const b = recorded(c.eventCorrelate(makeEvent(pod("web-0", "spec.containers{b}"), "Pulled", "pulled", T0)));
  assert.equal(b.event.count, 1);
  assert.equal(b.patch, undefined);
  // ...but they are similar for aggregation.
  const [ka] = eventAggregatorByReasonFunc(makeEvent(pod("web-0", "spec.containers{a}"), "Pulled", "x", T0));
  const [kb, lb] = eventAggregatorByReasonFunc(
    makeEvent(pod("web-0", "spec.containers{b}"), "Pulled", "y", T0),
  );
  assert.equal(ka, kb);
  assert.equal(lb, "y");
});

test("the spam filter drops the 26th event from one source about one object and allows one more after 300 s", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  // Distinct reasons so nothing aggregates or counts.
  const send = (reason: string, ref = pod("web-0"), component = "kubelet") =>
    c.eventCorrelate(makeEvent(ref, reason, "m", clock.now(), component));
  for (let i = 1; i <= 25; i++) assert.equal(send(`R${i}`).dropped, false, `event ${i}`);
  assert.equal(send("R26").dropped, true);
  // Other objects and other sources have their own buckets.
  assert.equal(send("R26", pod("web-1")).dropped, false);
  assert.equal(send("R26", pod("web-0"), "default-scheduler").dropped, false);
  clock.step(299_999);
  assert.equal(send("R27").dropped, true);
  clock.step(1);
  assert.equal(send("R28").dropped, false);
  assert.equal(send("R29").dropped, true);
  clock.step(300_000);
  assert.equal(send("R30").dropped, false);
});

test("a dropped repeat still counts: the next accepted one carries it", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock });
  const send = () => c.eventCorrelate(makeEvent(pod("web-0"), "BackOff", "Back-off", clock.now()));
  for (let i = 1; i <= 25; i++) assert.equal(send().dropped, false);
  assert.equal(send().dropped, true);
  clock.step(300_000);
  assert.equal(recorded(send()).event.count, 27);
});

test("the spam filter forgets the least recently used key beyond its LRU size", () => {
  const clock = new FakeClock(T0);
  const f = new EventSourceObjectSpamFilter({ lruCacheSize: 2, burst: 1, clock });
  const ev = (name: string) => makeEvent(pod(name), "R", "m", clock.now());
  assert.equal(f.filter(ev("a")), false);
  assert.equal(f.filter(ev("a")), true);
  assert.equal(f.filter(ev("b")), false);
  assert.equal(f.filter(ev("a")), true); // a is now the most recent
  assert.equal(f.filter(ev("c")), false); // evicts b
  assert.equal(f.filter(ev("b")), false); // a fresh bucket; evicts a
  assert.equal(f.filter(ev("a")), false);
});

test("the correlator's caches hold 4096 keys by default", () => {
  const exhaust = (c: EventCorrelator) => {
    for (let i = 0; i < 25; i++) c.eventCorrelate(makeEvent(pod("noisy"), `R${i}`, "m", T0));
    assert.equal(c.eventCorrelate(makeEvent(pod("noisy"), "R", "m", T0)).dropped, true);
  };
  const others = (c: EventCorrelator, n: number) => {
    for (let i = 0; i < n; i++) c.eventCorrelate(makeEvent(pod(`p${i}`), "R", "m", T0));
  };
  const kept = new EventCorrelator({ clock: new FakeClock(T0) });
  exhaust(kept);
  others(kept, 4095);
  assert.equal(kept.eventCorrelate(makeEvent(pod("noisy"), "R", "m", T0)).dropped, true);

  const evicted = new EventCorrelator({ clock: new FakeClock(T0) });
  exhaust(evicted);
  others(evicted, 4096);
  assert.equal(evicted.eventCorrelate(makeEvent(pod("noisy"), "R", "m", T0)).dropped, false);
});

test("an evicted event key starts a new Event; a looked-up one stays", () => {
  const clock = new FakeClock(T0);
  const c = new EventCorrelator({ clock, lruCacheSize: 2 });
  const send = (reason: string) =>
    recorded(c.eventCorrelate(makeEvent(pod("web-0"), reason, "m", clock.now())));
  send("A");
  send("B");
  assert.equal(send("A").event.count, 2);
  send("C"); // evicts B
  assert.equal(send("A").event.count, 3);
  assert.equal(send("B").event.count, 1);
});

test("updateState takes the server's name and count", () => {
  const c = new EventCorrelator({ clock: new FakeClock(T0) });
  const ev = makeEvent(pod("web-0"), "BackOff", "Back-off", T0);
  recorded(c.eventCorrelate(ev));
  c.updateState({
    ...ev,
    metadata: { name: "web-0.server", namespace: "default", resourceVersion: "42" },
    count: 7,
  });
  const r = recorded(c.eventCorrelate(ev));
  assert.equal(r.event.metadata?.name, "web-0.server");
  assert.equal(r.event.count, 8);
  assert.equal(getEventKey(r.event), getEventKey(ev));
});
