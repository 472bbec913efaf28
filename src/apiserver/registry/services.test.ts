// Service IP and node port allocation on a real (in-memory SQLite) store:
// upstream's static bands, "already allocated", and the repair pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { parseServiceNetwork, ServiceAllocator, staticBandSize } from "./services.ts";

function svc(name: string, spec: Obj = {}): Obj {
  return { metadata: { name, namespace: "default" }, spec: { ports: [{ port: 80 }], ...spec } };
}

function ipInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

test("static bands as upstream sizes them: /16 keeps 256 addresses, 30000-32767 keeps 86 ports", () => {
  assert.equal(staticBandSize(65536, 16, 256), 256);
  assert.equal(staticBandSize(256, 16, 256), 16);
  assert.equal(staticBandSize(2768, 32, 128), 86);
});

test("dynamic IPs and node ports stay above the static band; requested ones may be in it, once", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  const a = new ServiceAllocator(store, parseServiceNetwork("10.96.0.0/16", "30000-32767"));
  for (let i = 0; i < 40; i++) {
    const s = svc(`s${i}`, { type: "NodePort" });
    await a.allocate(s);
    assert.ok(ipInt(s.spec.clusterIP) >= ipInt("10.96.1.1"), s.spec.clusterIP);
    assert.ok(s.spec.ports[0].nodePort >= 30086, String(s.spec.ports[0].nodePort));
  }
  const dns = svc("kube-dns", { clusterIP: "10.96.0.10" });
  await a.allocate(dns);
  assert.equal(dns.spec.clusterIP, "10.96.0.10");
  await assert.rejects(
    a.allocate(svc("again", { clusterIP: "10.96.0.10" })),
    (e: Error & { status?: Obj }) => {
      assert.match(
        JSON.stringify(e.status ?? e.message),
        /failed to allocate IP 10.96.0.10: provided IP is already allocated/,
      );
      return true;
    },
  );
  await store.close();
});

test("repair restores the key of a service that holds an address, and releases a leak after three passes", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  const a = new ServiceAllocator(store, parseServiceNetwork());
  const kept = svc("kept", { type: "NodePort" });
  await a.allocate(kept);
  const leaked = svc("leaked");
  await a.allocate(leaked);
  // A crash lost kept's IP key; leaked's Service was never stored.
  await store.delete(`/registry/serviceips/${kept.spec.clusterIP}`);
  const first = await a.repair([kept]);
  assert.deepEqual(first.restored, [`/registry/serviceips/${kept.spec.clusterIP}`]);
  assert.deepEqual(first.released, []);
  assert.deepEqual((await a.repair([kept])).released, []);
  assert.deepEqual((await a.repair([kept])).released, [`/registry/serviceips/${leaked.spec.clusterIP}`]);
  const keys = (await store.range("/registry/serviceips/")).kvs.map((kv) => kv.key);
  assert.deepEqual(keys, [`/registry/serviceips/${kept.spec.clusterIP}`]);
  assert.equal((await store.range("/registry/servicenodeports/")).kvs.length, 1);
  await store.close();
});

test("bad ranges are refused with the flag's name", () => {
  assert.throws(() => parseServiceNetwork("10.96.0.0"), /--service-cluster-ip-range "10.96.0.0"/);
  assert.throws(() => parseServiceNetwork(undefined, "32767-30000"), /--service-node-port-range/);
});

test("a LoadBalancer with externalTrafficPolicy Local gets a health-check node port, kept, moved and released as upstream", async () => {
  const store = new SqliteStore({ path: ":memory:" });
  const a = new ServiceAllocator(store, parseServiceNetwork());
  const held = async () => (await store.range("/registry/servicenodeports/")).kvs.map((kv) => kv.key).sort();
  const lb = svc("lb", { type: "LoadBalancer", externalTrafficPolicy: "Local" });
  await a.allocate(lb);
  const hc = lb.spec.healthCheckNodePort;
  assert.ok(hc >= 30086 && hc <= 32767, String(hc));
  assert.notEqual(hc, lb.spec.ports[0].nodePort);
  assert.equal((await held()).length, 2);
  // A Cluster-policy LoadBalancer needs none.
  const cluster = svc("cluster", { type: "LoadBalancer", externalTrafficPolicy: "Cluster" });
  await a.allocate(cluster);
  assert.equal(cluster.spec.healthCheckNodePort, undefined);
  // A requested port that is taken: upstream's internal error.
  await assert.rejects(
    a.allocate(
      svc("clash", { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: hc }),
    ),
    (e: Error & { status?: Obj }) => {
      assert.equal(e.status?.code, 500);
      assert.match(
        String(e.status?.message),
        new RegExp(
          `failed to allocate requested HealthCheck NodePort ${hc}: provided port is already allocated`,
        ),
      );
      return true;
    },
  );
  // An update that leaves the field out keeps it; Cluster releases it; Local again allocates one.
  const same = { ...lb, spec: { ...lb.spec, healthCheckNodePort: undefined } };
  await a.reconcileUpdate(same, lb);
  assert.equal(same.spec.healthCheckNodePort, hc);
  const toCluster = { ...lb, spec: { ...lb.spec, externalTrafficPolicy: "Cluster" } };
  await a.reconcileUpdate(toCluster, lb);
  assert.equal(toCluster.spec.healthCheckNodePort, undefined);
  assert.ok(!(await held()).includes(`/registry/servicenodeports/${hc}`));
  const back = { ...toCluster, spec: { ...toCluster.spec, externalTrafficPolicy: "Local" } };
  await a.reconcileUpdate(back, toCluster);
  assert.ok(back.spec.healthCheckNodePort > 0);
  assert.ok((await held()).includes(`/registry/servicenodeports/${back.spec.healthCheckNodePort}`));
  // Deleting the Service releases it with the node ports.
  await a.releaseAll(back);
  assert.ok(!(await held()).includes(`/registry/servicenodeports/${back.spec.healthCheckNodePort}`));
  await store.close();
});
