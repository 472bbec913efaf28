import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { TimerQueue } from "./timer-queue.ts";

test("items fire in due order on a single clock timer; rescheduling and cancelling replace the old slot", () => {
  const clock = new FakeClock(0);
  const fired: Array<[string, number]> = [];
  const q = new TimerQueue<string>(clock, (item) => fired.push([item, clock.now()]));
  q.schedule("c", 300);
  q.schedule("a", 100);
  q.schedule("b", 200);
  q.schedule("d", 400);
  assert.equal(clock.pending, 1);
  q.schedule("b", 250); // moved
  q.cancel("d");
  clock.step(1000);
  assert.deepEqual(fired, [
    ["a", 100],
    ["b", 250],
    ["c", 300],
  ]);
  assert.equal(q.size, 0);
  assert.equal(clock.pending, 0);
});

test("an item scheduled from inside onDue runs when due; many reschedules keep the heap small", () => {
  const clock = new FakeClock(0);
  let runs = 0;
  const q: TimerQueue<string> = new TimerQueue<string>(clock, () => {
    runs++;
    if (runs < 5) q.schedule("tick", clock.now() + 10);
  });
  q.schedule("tick", 10);
  clock.step(100);
  assert.equal(runs, 5);
  for (let i = 0; i < 10_000; i++) q.schedule("x", 1000 + i);
  assert.equal(q.size, 1);
  assert.equal(q.dueAt("x"), 10_999);
  assert.ok((q as unknown as { heap: unknown[] }).heap.length < 200);
  assert.equal(clock.pending, 1);
});
