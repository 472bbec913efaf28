import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProxierHealth } from "./healthz.ts";

describe("ProxierHealth", () => {
  it("is unhealthy only when a queued update waited longer than the timeout", () => {
    let now = Date.parse("2026-01-02T03:04:05.5Z");
    const h = new ProxierHealth(60_000, () => now);
    assert.equal(h.isHealthy(), true);
    h.queuedUpdate();
    now += 59_000;
    assert.equal(h.isHealthy(), true);
    now += 2_000;
    assert.equal(h.isHealthy(), false);
    h.updated();
    assert.equal(h.isHealthy(), true);
    assert.equal(
      h.body(),
      '{"lastUpdated": "2026-01-02 03:05:06.5 +0000 UTC","currentTime": "2026-01-02 03:05:06.5 +0000 UTC", "nodeEligible": true}',
    );
  });
});
