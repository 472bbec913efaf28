import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../fake-clock.ts";
import { WorkQueue } from "./queue.ts";

test("de-duplicates items not yet processed", async () => {
  const q = new WorkQueue<string>();
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.len(), 2);
  const first = await q.get();
  assert.deepEqual(first, { shutdown: false, item: "a" });
  assert.equal(q.metrics.adds, 2);
});

test("an item is never handed to two workers at once; re-added while processing it comes back after done", async () => {
  const q = new WorkQueue<string>();
  q.add("a");
  const r = await q.get();
  assert.equal(r.shutdown, false);
  q.add("a");
  assert.equal(q.len(), 0, "held back while processing");
  let second: string | undefined;
  void q.get().then((x) => {
    if (!x.shutdown) second = x.item;
  });
  await Promise.resolve();
  assert.equal(second, undefined);
  q.done("a");
  await Promise.resolve();
  assert.equal(second, "a");
});

test("a waiting get receives the next add; shutDown releases waiters", async () => {
  const q = new WorkQueue<string>();
  const p = q.get();
  q.add("x");
  assert.deepEqual(await p, { shutdown: false, item: "x" });
  const p2 = q.get();
  q.shutDown();
  assert.deepEqual(await p2, { shutdown: true });
  q.add("y");
  assert.equal(q.len(), 0, "adds after shutdown are ignored");
});

test("shutDownWithDrain waits for items in flight", async () => {
  const q = new WorkQueue<string>();
  q.add("a");
  await q.get();
  let drained = false;
  const d = q.shutDownWithDrain().then(() => {
    drained = true;
  });
  await Promise.resolve();
  assert.equal(drained, false);
  q.done("a");
  await d;
  assert.equal(drained, true);
});

test("metrics: depth, queue latency and work duration follow the clock", async () => {
  const clock = new FakeClock(1000);
  const q = new WorkQueue<string>({ name: "test", clock });
  q.add("a");
  q.add("b");
  assert.equal(q.metrics.depth, 2);
  clock.step(250);
  await q.get();
  assert.equal(q.metrics.depth, 1);
  assert.equal(q.metrics.latency.count, 1);
  assert.equal(q.metrics.latency.sumSeconds, 0.25);
  clock.step(500);
  q.done("a");
  assert.equal(q.metrics.workDuration.sumSeconds, 0.5);
  assert.match(q.metrics.render(), /^workqueue_depth\{name="test"\} 1$/m);
  assert.match(q.metrics.render(), /^workqueue_adds_total\{name="test"\} 2$/m);
});
