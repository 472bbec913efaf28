// ComputeZoneState's thresholds, the reduced eviction rates and GetZoneKey.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeCondition } from "kubernetes-types/core/v1.d.ts";
import { computeZoneState, DEFAULT_EVICTION_SETTINGS, getZoneKey, healthyQPS, reducedQPS } from "./zones.ts";

const ready = (status: string): NodeCondition => ({ type: "Ready", status });

test("computeZoneState: full, partial and normal disruption", () => {
  const t = DEFAULT_EVICTION_SETTINGS.unhealthyZoneThreshold;
  assert.deepEqual(computeZoneState([ready("Unknown"), ready("False")], t), {
    notReady: 2,
    state: "FullDisruption",
  });
  assert.deepEqual(computeZoneState([undefined], t), { notReady: 1, state: "FullDisruption" });
  // Two of three down is above the threshold, but partial disruption needs more than two nodes down.
  assert.deepEqual(computeZoneState([ready("True"), ready("Unknown"), ready("Unknown")], t), {
    notReady: 2,
    state: "Normal",
  });
  assert.deepEqual(computeZoneState([ready("True"), ready("Unknown"), ready("Unknown"), ready("False")], t), {
    notReady: 3,
    state: "PartialDisruption",
  });
  // 3 of 6 = 0.5 < 0.55.
  const half = [...Array(3)].map(() => ready("True")).concat([...Array(3)].map(() => ready("Unknown")));
  assert.deepEqual(computeZoneState(half, t), { notReady: 3, state: "Normal" });
  assert.deepEqual(computeZoneState([], t), { notReady: 0, state: "Normal" });
});

test("reducedQPS: the secondary rate above the large-cluster threshold, none below", () => {
  assert.equal(reducedQPS(DEFAULT_EVICTION_SETTINGS, 51), 0.01);
  assert.equal(reducedQPS(DEFAULT_EVICTION_SETTINGS, 50), 0);
  assert.equal(healthyQPS(DEFAULT_EVICTION_SETTINGS, 3), 0.1);
});

test("getZoneKey: region and zone, stable labels before beta ones", () => {
  assert.equal(getZoneKey({ metadata: {} }), "");
  assert.equal(
    getZoneKey({
      metadata: { labels: { "topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z" } },
    }),
    "r:\x00:z",
  );
  assert.equal(
    getZoneKey({
      metadata: {
        labels: { "failure-domain.beta.kubernetes.io/zone": "old", "topology.kubernetes.io/zone": "new" },
      },
    }),
    ":\x00:new",
  );
});
