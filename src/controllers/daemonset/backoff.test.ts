// flowcontrol.Backoff as the DaemonSet controller uses it (1 s doubling to 15 min).
import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { Backoff } from "./backoff.ts";

it("doubles up to the max, is in backoff only within the delay, and forgets after twice the max", () => {
  const clock = new FakeClock(1_000_000);
  const b = new Backoff(clock, 1000, 8000);
  assert.equal(b.isInBackOffSinceUpdate("k", clock.now()), false);
  b.next("k", clock.now());
  assert.equal(b.get("k"), 1000);
  assert.equal(b.isInBackOffSinceUpdate("k", clock.now() + 999), true);
  assert.equal(b.isInBackOffSinceUpdate("k", clock.now() + 1000), false);
  for (const want of [2000, 4000, 8000, 8000]) {
    clock.step(100);
    b.next("k", clock.now());
    assert.equal(b.get("k"), want);
  }
  clock.step(16_001);
  assert.equal(b.isInBackOffSinceUpdate("k", clock.now()), false);
  b.next("k", clock.now());
  assert.equal(b.get("k"), 1000, "expired entries start over");
  b.next("other", clock.now());
  clock.step(16_001);
  b.gc();
  assert.equal(b.size, 0);
});
