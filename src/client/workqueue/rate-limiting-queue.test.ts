import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../fake-clock.ts";
import { ItemExponentialFailureRateLimiter } from "./rate-limiters.ts";
import { RateLimitingQueue } from "./rate-limiting-queue.ts";

// After upstream's TestRateLimitingQueue (rate_limiting_queue_test.go).
test("addRateLimited waits as the limiter says; forget resets it", () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({
    clock,
    rateLimiter: new ItemExponentialFailureRateLimiter<string>(1, 1000),
  });
  q.addRateLimited("one");
  q.addRateLimited("one");
  q.addRateLimited("two");
  assert.equal(q.len(), 0);
  assert.equal(q.numRequeues("one"), 2);
  assert.equal(q.metrics.retries, 3);
  clock.step(1);
  assert.equal(q.len(), 2, "both at their first (1 ms) delay; 'one' keeps its earlier time");
  q.forget("one");
  assert.equal(q.numRequeues("one"), 0);
  assert.equal(q.numRequeues("two"), 1);
});

test("the default limiter is per-item 5 ms then doubling", () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock });
  q.addRateLimited("a");
  clock.step(4);
  assert.equal(q.len(), 0);
  clock.step(1);
  assert.equal(q.len(), 1);
});
