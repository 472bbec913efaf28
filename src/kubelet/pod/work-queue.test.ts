import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { PodWorkQueue } from "./work-queue.ts";

test("due uids are handed out together on the next tick, from a single timer", () => {
  const clock = new FakeClock(0);
  const ready: string[][] = [];
  const q = new PodWorkQueue({ clock, onReady: (u) => ready.push(u) });
  for (let i = 0; i < 1000; i++) q.enqueue(`pod-${i}`, 5_100 + (i % 7) * 100);
  assert.equal(clock.pending, 1, "one timer, however many pods");
  clock.step(5_999);
  assert.equal(ready.length, 0);
  clock.step(1);
  assert.equal(ready.length, 1, "everything due by the 6 s tick in one batch");
  assert.equal(ready[0].length, 1000);
  assert.equal(q.length, 0);
  assert.equal(clock.pending, 0);
});

test("enqueue replaces the earlier time (upstream's Enqueue), remove forgets", () => {
  const clock = new FakeClock(0);
  const ready: string[] = [];
  const q = new PodWorkQueue({ clock, tickMs: 0, onReady: (u) => ready.push(...u) });
  q.enqueue("a", 1_000);
  q.enqueue("a", 10_000);
  q.enqueue("b", 2_000);
  q.remove("b");
  clock.step(5_000);
  assert.equal(ready.length, 0);
  clock.step(5_000);
  assert.deepEqual(ready, ["a"]);
  assert.equal(clock.pending, 0);
});

test("getWork returns only what is due", () => {
  const clock = new FakeClock(0);
  const q = new PodWorkQueue({ clock, onReady: () => {} });
  q.enqueue("now", 0);
  q.enqueue("later", 60_000);
  assert.deepEqual(q.getWork(), ["now"]);
  assert.deepEqual(q.getWork(), []);
  assert.equal(q.dueAt("later"), 60_000);
  q.stop();
  assert.equal(clock.pending, 0);
});
