import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../fake-clock.ts";
import { DelayingQueue } from "./delaying-queue.ts";

// After upstream's TestSimpleQueue / TestDeduping / TestAddTwoFireEarly (delaying_queue_test.go).
test("addAfter holds the item until its time", () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>({ clock });
  q.addAfter("foo", 50);
  assert.equal(q.len(), 0);
  clock.step(49);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(q.len(), 1);
  assert.equal(q.waitingLen(), 0);
});

test("a second addAfter of a waiting item only moves it earlier", () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>({ clock });
  q.addAfter("foo", 50);
  q.addAfter("foo", 70);
  clock.step(50);
  assert.equal(q.len(), 1);

  const q2 = new DelayingQueue<string>({ clock });
  q2.addAfter("foo", 50);
  q2.addAfter("foo", 20);
  clock.step(20);
  assert.equal(q2.len(), 1);
  clock.step(100);
  assert.equal(q2.len(), 1, "fires once");
});

test("items fire in time order; zero delay adds at once", async () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>({ clock });
  q.addAfter("late", 100);
  q.addAfter("early", 10);
  q.addAfter("now", 0);
  assert.equal(q.len(), 1);
  clock.step(200);
  const got: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await q.get();
    if (!r.shutdown) got.push(r.item);
  }
  assert.deepEqual(got, ["now", "early", "late"]);
});

test("shutDown drops waiting items and their timer", () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>({ clock });
  q.addAfter("a", 10);
  q.shutDown();
  assert.equal(clock.pending, 0);
  clock.step(20);
  assert.equal(q.len(), 0);
});
