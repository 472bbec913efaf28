// upstream's rate_limited_queue_test.go, on a FakeClock: values once each,
// in processAt order, as fast as the token bucket allows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { RateLimitedTimedQueue, type RateLimiter, TokenBucketRateLimiter } from "./rate-limited-queue.ts";

/** flowcontrol.NewFakeAlwaysRateLimiter, as upstream's tests use. */
const always: RateLimiter = { tryAccept: () => true, qps: () => 1 };

function newQueue(clock: FakeClock, qps?: number) {
  return new RateLimitedTimedQueue(qps ? new TokenBucketRateLimiter(qps, 1, clock) : always, clock);
}

test("token bucket: full at start, then qps per second", () => {
  const clock = new FakeClock(0);
  const b = new TokenBucketRateLimiter(0.1, 1, clock);
  assert.equal(b.tryAccept(), true);
  assert.equal(b.tryAccept(), false);
  clock.step(9_999);
  assert.equal(b.tryAccept(), false);
  clock.step(1);
  assert.equal(b.tryAccept(), true);
});

test("Add is unique; Try processes every value in order", async () => {
  const clock = new FakeClock(0);
  const q = newQueue(clock);
  assert.equal(q.add("first", "11111"), true);
  clock.step(1);
  assert.equal(q.add("second", "22222"), true);
  clock.step(1);
  assert.equal(q.add("third", "33333"), true);
  assert.equal(q.add("first", "11111"), false);
  const seen: string[] = [];
  clock.step(10);
  await q.try(async (v) => {
    seen.push(v.value);
    return { done: true };
  });
  assert.deepEqual(seen, ["first", "second", "third"]);
  // Processed values stay known until removed.
  assert.equal(q.add("first", "11111"), false);
  assert.equal(q.remove("first"), true);
  assert.equal(q.add("first", "11111"), true);
});

test("Try: a failed value comes back after its wait", async () => {
  const clock = new FakeClock(0);
  const q = newQueue(clock);
  q.add("first", "1");
  q.add("second", "2");
  let calls = 0;
  const fn = async (v: { value: string }) => {
    calls++;
    return v.value === "first" && calls === 1 ? { done: false, waitMs: 10_000 } : { done: true };
  };
  clock.step(1);
  await q.try(fn);
  assert.deepEqual(
    q.values().map((v) => v.value),
    ["first"],
  );
  clock.step(5_000);
  await q.try(fn);
  assert.equal(q.values().length, 1);
  clock.step(5_001);
  await q.try(fn);
  assert.equal(q.values().length, 0);
});

test("Try stops when the limiter says no; SwapLimiter(0) stops everything", async () => {
  const clock = new FakeClock(0);
  const q = newQueue(clock, 1);
  q.add("a", "a");
  q.add("b", "b");
  const seen: string[] = [];
  const fn = async (v: { value: string }) => {
    seen.push(v.value);
    return { done: true };
  };
  await q.try(fn);
  assert.deepEqual(seen, ["a"]);
  q.swapLimiter(0);
  assert.equal(q.qps(), 0);
  clock.step(5_000);
  await q.try(fn);
  assert.deepEqual(seen, ["a"]);
  q.swapLimiter(1);
  clock.step(1_000);
  await q.try(fn);
  assert.deepEqual(seen, ["a", "b"]);
});

test("Remove of an unknown value is false; Clear forgets everything", () => {
  const clock = new FakeClock(0);
  const q = newQueue(clock);
  assert.equal(q.remove("x"), false);
  q.add("x", "x");
  q.clear();
  assert.equal(q.add("x", "x"), true);
});
