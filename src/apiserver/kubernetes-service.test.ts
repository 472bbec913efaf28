// The kubernetes Service's Endpoints and EndpointSlice on a registry over
// in-memory SQLite: their exact shape, several apiservers sharing them through
// leases, an expired lease dropped, no write without a change, and a stop
// that removes only a non-last apiserver.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SqliteStore } from "../storage/sqlite.ts";
import { startKubernetesServiceEndpoints } from "./kubernetes-service.ts";
import { Registry } from "./registry/index.ts";

const store = new SqliteStore({ path: ":memory:" });
const registry = new Registry(store);
after(() => store.close());

const endpoints = () => registry.byResource("", "v1", "endpoints")!.get("default", "kubernetes");
const slice = () =>
  registry.byResource("discovery.k8s.io", "v1", "endpointslices")!.get("default", "kubernetes");
const ports = [{ name: "https", port: 6443, protocol: "TCP" }];

let clock = Date.parse("2025-01-01T00:00:00Z");
const now = () => clock;

test("one apiserver: its address and port in the Endpoints and the EndpointSlice", async () => {
  const a = await startKubernetesServiceEndpoints({
    registry,
    advertiseAddress: "10.0.0.2",
    port: 6443,
    now,
  });
  const e = await endpoints();
  assert.deepEqual(e.metadata.labels, { "endpointslice.kubernetes.io/skip-mirror": "true" });
  assert.deepEqual(e.subsets, [{ addresses: [{ ip: "10.0.0.2" }], ports }]);
  const s = await slice();
  assert.deepEqual(s.metadata.labels, { "kubernetes.io/service-name": "kubernetes" });
  assert.equal(s.addressType, "IPv4");
  assert.deepEqual(s.endpoints, [{ addresses: ["10.0.0.2"], conditions: { ready: true } }]);
  assert.deepEqual(s.ports, ports);

  // Nothing changed: nothing written.
  await a.reconcile();
  assert.equal((await endpoints()).metadata.resourceVersion, e.metadata.resourceVersion);
  assert.equal((await slice()).metadata.resourceVersion, s.metadata.resourceVersion);

  // A second apiserver: both, in order; then it stops and only the first stays.
  const b = await startKubernetesServiceEndpoints({
    registry,
    advertiseAddress: "10.0.0.1",
    port: 6443,
    now,
  });
  assert.deepEqual((await endpoints()).subsets, [
    { addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports },
  ]);
  assert.deepEqual(
    (await slice()).endpoints.map((x: { addresses: string[] }) => x.addresses[0]),
    ["10.0.0.1", "10.0.0.2"],
  );
  await b.stop();
  assert.deepEqual((await endpoints()).subsets, [{ addresses: [{ ip: "10.0.0.2" }], ports }]);
  assert.deepEqual((await slice()).endpoints, [{ addresses: ["10.0.0.2"], conditions: { ready: true } }]);

  // The last one stopping leaves its address: erasing all would only break clients.
  await a.stop();
  assert.deepEqual((await endpoints()).subsets, [{ addresses: [{ ip: "10.0.0.2" }], ports }]);
});

test("an apiserver that stops renewing drops out once its lease expires; a wrong port is put right", async () => {
  let clockB = clock;
  const b = await startKubernetesServiceEndpoints({
    registry,
    advertiseAddress: "10.0.0.3",
    port: 6443,
    now: () => clockB,
  });
  const a = await startKubernetesServiceEndpoints({
    registry,
    advertiseAddress: "10.0.0.2",
    port: 7443,
    now,
  });
  const both = await endpoints();
  assert.deepEqual(both.subsets[0].addresses, [{ ip: "10.0.0.2" }, { ip: "10.0.0.3" }]);
  assert.deepEqual(both.subsets[0].ports, [{ name: "https", port: 7443, protocol: "TCP" }]);
  // b hangs (its clock stands still, it renews no more); 16 s later its lease is over.
  clockB = clock;
  clock += 16_000;
  await a.reconcile();
  assert.deepEqual((await endpoints()).subsets[0].addresses, [{ ip: "10.0.0.2" }]);
  assert.deepEqual((await slice()).endpoints, [{ addresses: ["10.0.0.2"], conditions: { ready: true } }]);
  await a.stop();
  await b.stop();
});
