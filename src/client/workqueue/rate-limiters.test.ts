import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../fake-clock.ts";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "./rate-limiters.ts";

// Upstream's TestItemExponentialFailureRateLimiter (default_rate_limiters_test.go), in ms.
test("per-item exponential backoff doubles from the base and forgets", () => {
  const l = new ItemExponentialFailureRateLimiter<string>(1, 1000);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => l.when("one")),
    [1, 2, 4, 8, 16],
  );
  assert.equal(l.numRequeues("one"), 5);
  assert.deepEqual([l.when("two"), l.when("two")], [1, 2]);
  assert.equal(l.numRequeues("two"), 2);
  l.forget("one");
  assert.equal(l.numRequeues("one"), 0);
  assert.equal(l.when("one"), 1);
});

test("per-item backoff is capped at the maximum, even after overflow", () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
  let last = 0;
  for (let i = 0; i < 2000; i++) last = l.when("x");
  assert.equal(last, 1000 * 1000);
});

test("token bucket: burst passes, then one token per 1/qps", () => {
  const clock = new FakeClock();
  const l = new BucketRateLimiter<string>(10, 3, clock);
  assert.deepEqual([l.when("a"), l.when("b"), l.when("c")], [0, 0, 0]);
  assert.equal(Math.round(l.when("d")), 100);
  assert.equal(Math.round(l.when("e")), 200);
  clock.step(1000);
  // 10 tokens refilled but capped at the burst; the debt of 2 was paid first.
  assert.equal(l.when("f"), 0);
});

test("MaxOf takes the longest delay and every limiter counts the failure", () => {
  const l = new MaxOfRateLimiter<string>(
    new ItemExponentialFailureRateLimiter<string>(1, 1000),
    new ItemExponentialFailureRateLimiter<string>(2, 1000),
  );
  assert.deepEqual([l.when("a"), l.when("a"), l.when("a")], [2, 4, 8]);
  assert.equal(l.numRequeues("a"), 3);
  l.forget("a");
  assert.equal(l.numRequeues("a"), 0);
});

test("DefaultControllerRateLimiter: 5 ms first retry; the bucket bites after 100 fast retries", () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter<string>(clock);
  assert.equal(l.when("a"), 5);
  assert.equal(l.when("a"), 10);
  for (let i = 0; i < 98; i++) assert.equal(l.when(`item-${i}`), 5);
  // The 101st call in the same instant owes one token at 10 qps.
  assert.equal(Math.round(l.when("b")), 100);
});
