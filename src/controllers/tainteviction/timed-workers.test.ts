// upstream's timed_workers_test.go on a FakeClock: work fires no earlier than
// its time, once per key, and a cancelled worker never fires.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { TimedWorkerQueue } from "./timed-workers.ts";

const tick = () => new Promise((r) => setImmediate(r));

function queue(clock: FakeClock) {
  const fired: Array<{ key: string; at: number }> = [];
  const q = new TimedWorkerQueue(async (key) => {
    fired.push({ key, at: clock.now() });
  }, clock);
  return { q, fired };
}

test("work due now runs at once; timed work at its fireAt", async () => {
  const clock = new FakeClock(1000);
  const { q, fired } = queue(clock);
  q.addWork("ns/now", 1000, 1000);
  q.addWork("ns/later", 1000, 3000);
  await tick();
  assert.deepEqual(fired, [{ key: "ns/now", at: 1000 }]);
  clock.step(1999);
  await tick();
  assert.equal(fired.length, 1);
  clock.step(1);
  await tick();
  assert.deepEqual(fired[1], { key: "ns/later", at: 3000 });
  // Finished work is forgotten: the key may be scheduled again.
  assert.deepEqual(q.keys(), []);
});

test("AddWork keeps the work already scheduled for a key", async () => {
  const clock = new FakeClock(0);
  const { q, fired } = queue(clock);
  q.addWork("ns/p", 0, 5000);
  q.addWork("ns/p", 0, 1000);
  assert.equal(q.getWorker("ns/p")?.fireAt, 5000);
  clock.step(1000);
  await tick();
  assert.equal(fired.length, 0);
  clock.step(4000);
  await tick();
  assert.equal(fired.length, 1);
});

test("CancelWork stops a timed worker; nothing to cancel is false", async () => {
  const clock = new FakeClock(0);
  const { q, fired } = queue(clock);
  q.addWork("ns/p", 0, 2000);
  assert.equal(q.cancelWork("ns/p"), true);
  assert.equal(q.cancelWork("ns/p"), false);
  clock.step(5000);
  await tick();
  assert.equal(fired.length, 0);
  assert.equal(clock.pending, 0);
});

test("cancelAndWait cancels every pending worker", async () => {
  const clock = new FakeClock(0);
  const { q, fired } = queue(clock);
  for (let i = 0; i < 5; i++) q.addWork(`ns/p${i}`, 0, 1000 * (i + 1));
  await q.cancelAndWait();
  clock.step(10_000);
  await tick();
  assert.equal(fired.length, 0);
});
