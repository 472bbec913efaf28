// The over-capacity rule against upstream's TestTruncateEndpoints table and
// capacityAnnotationSetCorrectly.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EndpointSubset, Endpoints } from "kubernetes-types/core/v1.d.ts";
import {
  capacityAnnotationSetCorrectly,
  ENDPOINTS_OVER_CAPACITY,
  MAX_CAPACITY,
  truncateEndpoints,
} from "./capacity.ts";

const addrs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ip: `10.0.${Math.floor(i / 250)}.${i % 250}` }));

const cases = [
  { desc: "empty", ready: [], notReady: [], expReady: [], expNotReady: [] },
  {
    desc: "total endpoints < max capacity",
    ready: [50, 100, 100, 100, 100],
    notReady: [50, 100, 100, 100, 100],
    expReady: [50, 100, 100, 100, 100],
    expNotReady: [50, 100, 100, 100, 100],
  },
  {
    desc: "total endpoints = max capacity",
    ready: [100, 100, 100, 100, 100],
    notReady: [100, 100, 100, 100, 100],
    expReady: [100, 100, 100, 100, 100],
    expNotReady: [100, 100, 100, 100, 100],
  },
  {
    desc: "total ready endpoints < max capacity, but total endpoints > max capacity",
    ready: [90, 110, 50, 10, 20],
    notReady: [101, 200, 200, 201, 298],
    expReady: [90, 110, 50, 10, 20],
    expNotReady: [73, 144, 144, 145, 214],
  },
  {
    desc: "total ready endpoints > max capacity",
    ready: [205, 400, 402, 400, 693],
    notReady: [100, 200, 200, 200, 300],
    expReady: [98, 191, 192, 191, 328],
    expNotReady: [0, 0, 0, 0, 0],
  },
];

for (const tc of cases) {
  test(`truncateEndpoints: ${tc.desc}`, () => {
    const subsets: EndpointSubset[] = tc.ready.map((n, i) => ({
      addresses: addrs(n),
      notReadyAddresses: addrs(tc.notReady[i]),
    }));
    const ep: Endpoints = { subsets };
    const total = tc.ready.reduce((a, b) => a + b, 0) + tc.notReady.reduce((a, b) => a + b, 0);
    assert.equal(truncateEndpoints(ep), total > MAX_CAPACITY);
    assert.deepEqual(
      (ep.subsets ?? []).map((s) => s.addresses?.length ?? 0),
      tc.expReady,
    );
    assert.deepEqual(
      (ep.subsets ?? []).map((s) => s.notReadyAddresses?.length ?? 0),
      tc.expNotReady,
    );
  });
}

test("1001 addresses in one subset: the first 1000 stay", () => {
  const ep: Endpoints = { subsets: [{ addresses: addrs(1001) }] };
  assert.equal(truncateEndpoints(ep), true);
  assert.equal(ep.subsets?.[0].addresses?.length, 1000);
  assert.deepEqual(ep.subsets?.[0].addresses?.[0], { ip: "10.0.0.0" });
});

test("capacityAnnotationSetCorrectly", () => {
  const under = [{ addresses: addrs(10) }];
  const over = [{ addresses: addrs(600), notReadyAddresses: addrs(401) }];
  assert.equal(capacityAnnotationSetCorrectly(undefined, under), true);
  assert.equal(capacityAnnotationSetCorrectly({ [ENDPOINTS_OVER_CAPACITY]: "truncated" }, under), false);
  // Over capacity: a truncation is due whatever the annotation says.
  assert.equal(capacityAnnotationSetCorrectly({ [ENDPOINTS_OVER_CAPACITY]: "truncated" }, over), false);
  assert.equal(capacityAnnotationSetCorrectly(undefined, over), false);
});
