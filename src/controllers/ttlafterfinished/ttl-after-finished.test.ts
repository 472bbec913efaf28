// upstream's TestTimeLeft (ttlafterfinished_controller_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import { needsCleanup, timeLeft } from "./ttl-after-finished.ts";

const now = Date.parse("2024-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function job(o: { ttl?: number; finished?: "Complete" | "Failed"; at?: number | null }): Job {
  const conditions = o.finished
    ? [{ type: o.finished, status: "True", lastTransitionTime: o.at === null ? undefined : iso(o.at ?? now) }]
    : [];
  return {
    metadata: { name: "test", namespace: "default" },
    spec: { ttlSecondsAfterFinished: o.ttl, template: {} },
    status: { conditions },
  };
}

test("unfinished Job: not to be cleaned up", () => {
  assert.equal(needsCleanup(job({ ttl: 10 })), false);
  assert.throws(() => timeLeft(job({ ttl: 10 }), now), {
    message: "job default/test should not be cleaned up",
  });
});

test("finished Job without a TTL: not to be cleaned up", () => {
  assert.equal(needsCleanup(job({ finished: "Complete" })), false);
  assert.throws(() => timeLeft(job({ finished: "Complete" }), now), {
    message: "job default/test should not be cleaned up",
  });
});

test("finished Job without a finish time: upstream's error", () => {
  assert.throws(() => timeLeft(job({ ttl: 10, finished: "Complete", at: null }), now), {
    message: "unable to find the time when the Job default/test finished",
  });
});

test("completed now, TTL 0: expires now", () => {
  assert.equal(timeLeft(job({ ttl: 0, finished: "Complete" }), now).remainingMs, 0);
});

test("completed now, TTL 10: 10 s left", () => {
  const t = timeLeft(job({ ttl: 10, finished: "Complete" }), now);
  assert.equal(t.remainingMs, 10_000);
  assert.equal(t.expireAt, now + 10_000);
});

test("failed 10 s ago, TTL 10: expired", () => {
  assert.equal(timeLeft(job({ ttl: 10, finished: "Failed", at: now - 10_000 }), now).remainingMs, 0);
});

test("finished in the future (clock skew): more than the TTL left", () => {
  assert.equal(timeLeft(job({ ttl: 10, finished: "Complete", at: now + 5000 }), now).remainingMs, 15_000);
});
