import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { nsControllerRateLimiter, remainingContentDelayMs } from "./namespace-controller.ts";
import { ResourcesRemainingError } from "./resources-deleter.ts";

test("content still going comes back after half the estimate plus a second, in whole seconds", () => {
  assert.equal(remainingContentDelayMs(30), 16_000);
  assert.equal(remainingContentDelayMs(15), 8_000);
  assert.equal(remainingContentDelayMs(1), 1_000);
  assert.equal(remainingContentDelayMs(0), 1_000);
});

test("ResourcesRemainingError says what upstream says", () => {
  assert.equal(
    new ResourcesRemainingError(15).message,
    "some content remains in the namespace, estimate 15 seconds before it is removed",
  );
});

test("failures back off from 5 ms, doubling, never beyond a minute", () => {
  const limiter = nsControllerRateLimiter(new FakeClock(0));
  const delays = Array.from({ length: 20 }, () => limiter.when("ns"));
  assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
  assert.equal(Math.max(...delays), 60_000);
  limiter.forget("ns");
  assert.equal(limiter.when("ns"), 5);
});
