// metadata.generation as upstream's strategies move it: spec changes for kinds
// with a spec; any change outside metadata (and, for EndpointSlices, labels)
// for kinds without one; never for a reordering of the same fields.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findResource, type Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

const strategy = (group: string, resource: string) =>
  new GenericStrategy(findResource(group, "v1", resource)!);

function nextGeneration(s: GenericStrategy, next: Obj, old: Obj): number {
  s.prepareForUpdate(next, old);
  return next.metadata.generation;
}

test("a Deployment's generation follows its spec, not the order of its keys", () => {
  const s = strategy("apps", "deployments");
  const old = { metadata: { name: "d", generation: 3 }, spec: { replicas: 1, paused: false } };
  assert.equal(nextGeneration(s, { metadata: { name: "d" }, spec: { paused: false, replicas: 1 } }, old), 3);
  assert.equal(nextGeneration(s, { metadata: { name: "d" }, spec: { paused: false, replicas: 2 } }, old), 4);
});

test("an EndpointSlice's generation follows its endpoints, ports and labels", () => {
  const s = strategy("discovery.k8s.io", "endpointslices");
  const old = {
    metadata: { name: "e", generation: 1, labels: { a: "1" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.244.1.2"] }],
  };
  const same = structuredClone(old) as Obj;
  same.metadata.annotations = { note: "x" };
  assert.equal(nextGeneration(s, same, old), 1);
  const moved = structuredClone(old) as Obj;
  moved.endpoints[0].addresses = ["10.244.1.3"];
  assert.equal(nextGeneration(s, moved, old), 2);
  const relabelled = structuredClone(old) as Obj;
  relabelled.metadata.labels = { a: "2" };
  assert.equal(nextGeneration(s, relabelled, old), 2);
});
