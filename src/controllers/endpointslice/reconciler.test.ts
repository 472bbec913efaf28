// The reconciler's minimal-churn plan (reconcileByPortMapping), as upstream's
// reconciler_test.go exercises it: fill to capacity, update in place, reuse
// the slice that fits best, follow the Service's labels.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Endpoint, EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { EndpointSet } from "./endpoint-set.ts";
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./labels.ts";
import { reconcileByPortMapping } from "./reconciler.ts";
import { testService } from "./testing.ts";
import type { EndpointMeta } from "./utils.ts";

const svc = testService({ name: "web", labels: { team: "a" } });
const meta: EndpointMeta = { addressType: "IPv4", ports: [{ name: "http", port: 8080, protocol: "TCP" }] };

function ep(i: number, ready = true): Endpoint {
  return {
    addresses: [`10.0.${Math.floor(i / 200)}.${i % 200}`],
    conditions: { ready, serving: ready, terminating: false },
    nodeName: "node-0",
    targetRef: { kind: "Pod", namespace: "ns", name: `p${i}`, uid: `u${i}` },
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ep(from + k));

function existing(
  name: string,
  eps: Endpoint[],
  labels: Record<string, string> = { team: "a" },
): EndpointSlice {
  return {
    metadata: {
      name,
      namespace: "ns",
      resourceVersion: "5",
      labels: { ...labels, [LABEL_SERVICE_NAME]: "web", [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: "uid-web", controller: true }],
    },
    addressType: "IPv4",
    ports: meta.ports,
    endpoints: eps,
  };
}

const plan = (slices: EndpointSlice[], desired: Endpoint[], max = 100) =>
  reconcileByPortMapping(
    svc,
    slices,
    new EndpointSet().insert(...desired),
    meta,
    max,
    ENDPOINTSLICE_CONTROLLER_NAME,
  );

test("105 new endpoints: two new slices, 100 and 5, named by generateName and owned by the Service", () => {
  const p = plan([], range(0, 105));
  assert.equal(p.toCreate.length, 2);
  assert.deepEqual(
    p.toCreate.map((s) => s.endpoints?.length),
    [100, 5],
  );
  const s = p.toCreate[0];
  assert.equal(s.metadata?.generateName, "web-");
  assert.deepEqual(s.metadata?.labels, {
    team: "a",
    [LABEL_SERVICE_NAME]: "web",
    [LABEL_MANAGED_BY]: "endpointslice-controller.k8s.io",
  });
  assert.deepEqual(s.metadata?.ownerReferences, [
    {
      apiVersion: "v1",
      kind: "Service",
      name: "web",
      uid: "uid-web",
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(p.added, 105);
});

test("nothing changed: no writes", () => {
  const p = plan([existing("web-a", range(0, 3))], range(0, 3));
  assert.deepEqual([p.toCreate.length, p.toUpdate.length, p.toDelete.length], [0, 0, 0]);
});

test("a pod gone and one new: the slice is updated in place, not recreated", () => {
  const p = plan([existing("web-a", range(0, 3))], [ep(0), ep(2), ep(7)]);
  assert.equal(p.toCreate.length, 0);
  assert.equal(p.toDelete.length, 0);
  assert.equal(p.toUpdate.length, 1);
  assert.equal(p.toUpdate[0].metadata?.name, "web-a");
  assert.deepEqual(
    p.toUpdate[0].endpoints?.map((e) => e.targetRef?.name),
    ["p0", "p2", "p7"],
  );
  assert.equal(p.removed, 1);
  assert.equal(p.added, 1);
});

test("a readiness change is an in-place update of that endpoint", () => {
  const p = plan([existing("web-a", range(0, 2))], [ep(0), ep(1, false)]);
  assert.equal(p.toUpdate.length, 1);
  assert.deepEqual(p.toUpdate[0].endpoints?.[1].conditions, {
    ready: false,
    serving: false,
    terminating: false,
  });
});

test("every endpoint gone: the slice is deleted", () => {
  const p = plan([existing("web-a", range(0, 2)), existing("web-b", range(2, 4))], range(0, 2));
  assert.deepEqual(
    p.toDelete.map((s) => s.metadata?.name),
    ["web-b"],
  );
  assert.equal(p.toUpdate.length, 0);
});

test("leftovers go to the unchanged slice that ends closest to full, not a new one", () => {
  const p = plan(
    [existing("web-a", range(0, 90)), existing("web-b", range(90, 95))],
    [...range(0, 95), ...range(95, 100)],
  );
  assert.equal(p.toCreate.length, 0);
  assert.deepEqual(
    p.toUpdate.map((s) => [s.metadata?.name, s.endpoints?.length]),
    [["web-a", 95]],
  );
});

test("slices already being updated are filled first, the fullest first", () => {
  // web-a loses p0 (so it is updated anyway) and takes the 3 new endpoints.
  const p = plan(
    [existing("web-a", range(0, 50)), existing("web-b", range(50, 60))],
    [...range(1, 60), ...range(60, 63)],
  );
  assert.equal(p.toCreate.length, 0);
  assert.deepEqual(
    p.toUpdate.map((s) => [s.metadata?.name, s.endpoints?.length]),
    [["web-a", 52]],
  );
});

test("the Service's labels changed: slices follow, keeping the reserved labels", () => {
  const p = plan([existing("web-a", range(0, 2), { team: "b" })], range(0, 2));
  assert.equal(p.toUpdate.length, 1);
  assert.deepEqual(p.toUpdate[0].metadata?.labels, {
    team: "a",
    [LABEL_SERVICE_NAME]: "web",
    [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER_NAME,
  });
});

test("the cache's slices are never modified", () => {
  const slices = [existing("web-a", range(0, 90))];
  const before = structuredClone(slices);
  plan(slices, range(1, 99));
  assert.deepEqual(slices, before);
});
