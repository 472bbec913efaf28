import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./backoff.ts";
import { formatDuration } from "./format.ts";

function containerBackoff(clock: FakeClock): Backoff {
  return new Backoff({ clock, initialMs: CONTAINER_BACKOFF_INITIAL_MS, maxMs: CONTAINER_BACKOFF_MAX_MS });
}

test("backoff doubles from 10s to the 5m cap (flowcontrol.Backoff.Next)", () => {
  const clock = new FakeClock(1_000_000);
  const b = containerBackoff(clock);
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) {
    b.next("c", clock.now());
    seen.push(formatDuration(b.get("c")));
    clock.step(1000);
  }
  assert.deepEqual(seen, ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s", "5m0s"]);
});

test("isInBackOffSince counts from the event (the container's finish time)", () => {
  const clock = new FakeClock(1_000_000);
  const b = containerBackoff(clock);
  const finishedAt = clock.now();
  assert.equal(b.isInBackOffSince("c", finishedAt), false, "no entry: not in backoff");
  b.next("c", finishedAt);
  assert.equal(b.isInBackOffSince("c", finishedAt), true);
  assert.equal(b.remainingSince("c", finishedAt), 10_000);
  clock.step(9_999);
  assert.equal(b.isInBackOffSince("c", finishedAt), true);
  clock.step(1);
  assert.equal(b.isInBackOffSince("c", finishedAt), false);
  assert.equal(b.remainingSince("c", finishedAt), 0);
});

test("an event more than twice the maximum after the last update resets the backoff (10 minutes running)", () => {
  const clock = new FakeClock(0);
  const b = containerBackoff(clock);
  for (let i = 0; i < 5; i++) b.next("c", clock.now());
  assert.equal(b.get("c"), 160_000);
  // The container then ran for just over 10 minutes before it exited again.
  clock.step(600_001);
  const exitedAt = clock.now();
  assert.equal(b.isInBackOffSince("c", exitedAt), false, "expired entries do not hold the container back");
  b.next("c", exitedAt);
  assert.equal(b.get("c"), 10_000, "starts again at 10s");
});

test("within 10 minutes the backoff keeps doubling", () => {
  const clock = new FakeClock(0);
  const b = containerBackoff(clock);
  b.next("c", clock.now());
  clock.step(600_000);
  b.next("c", clock.now());
  assert.equal(b.get("c"), 20_000);
});

test("isInBackOffSinceUpdate (image pulls) counts from the last failure", () => {
  const clock = new FakeClock(5_000);
  const b = containerBackoff(clock);
  b.next("uid_busybox", clock.now());
  assert.equal(b.isInBackOffSinceUpdate("uid_busybox", clock.now()), true);
  clock.step(10_000);
  assert.equal(b.isInBackOffSinceUpdate("uid_busybox", clock.now()), false);
});

test("gc forgets entries idle for twice the maximum", () => {
  const clock = new FakeClock(0);
  const b = containerBackoff(clock);
  b.next("a", 0);
  clock.step(300_000);
  b.next("b", clock.now());
  clock.step(300_001);
  b.gc();
  assert.equal(b.get("a"), 0);
  assert.equal(b.get("b"), 10_000);
  assert.equal(b.size, 1);
});

test("formatDuration prints as Go's time.Duration", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(523), "523ms");
  assert.equal(formatDuration(2_500), "2.5s");
  assert.equal(formatDuration(10_000), "10s");
  assert.equal(formatDuration(300_000), "5m0s");
  assert.equal(formatDuration(3_600_000), "1h0m0s");
  assert.equal(formatDuration(62_050), "1m2.05s");
});
