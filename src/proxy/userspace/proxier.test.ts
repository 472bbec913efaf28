// The userspace proxier's endpoint choice: what categorizeEndpoints gives for the
// node's zone reaches the round robin. iptables is a fake (no host rules); the
// proxy sockets listen on 127.0.0.2 with kernel-picked ports.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { FakeIptables, makeTestEndpointSlice, makeTestService } from "../testing/fixtures.ts";
import { LoadBalancerRR } from "./load-balancer-rr.ts";
import { UserspaceProxier } from "./proxier.ts";

describe("userspace proxier: zone hints", () => {
  const proxier = new UserspaceProxier({
    iptables: new FakeIptables(),
    hostname: "node-a",
    listenIP: "127.0.0.2",
    hostIP: "127.0.0.2",
    localAddrs: () => new Set(["127.0.0.2"]),
    syncPeriodMs: 30_000,
    minSyncPeriodMs: 0,
    loadBalancer: new LoadBalancerRR({ shuffle: (s) => [...s] }),
  });
  after(() => proxier.stop());
  const node = (zone?: string): Node => ({
    metadata: { name: "node-a", labels: zone ? { "topology.kubernetes.io/zone": zone } : {} },
  });
  const key = "default/near:http/TCP";

  it("balances over the endpoints hinted for the node's zone, and all of them without a zone", async () => {
    proxier.onNodeAdd(node("zone-a"));
    proxier.onServiceAdd(
      makeTestService("default", "near", (s) => {
        s.spec = {
          clusterIP: "10.96.0.30",
          ports: [{ name: "http", port: 80, protocol: "TCP" }],
          trafficDistribution: "PreferClose",
        };
      }),
    );
    proxier.onEndpointSliceAdd(
      makeTestEndpointSlice("default", "near", 1, (e) => {
        e.endpoints = [
          { addresses: ["10.244.1.10"], hints: { forZones: [{ name: "zone-a" }] } },
          { addresses: ["10.244.1.11"], hints: { forZones: [{ name: "zone-b" }] } },
          { addresses: ["10.244.1.12"], hints: { forZones: [{ name: "zone-a" }] } },
        ];
        e.ports = [{ name: "http", port: 8080, protocol: "TCP" }];
      }),
    );
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();
    await proxier.syncProxyRules();
    assert.deepEqual(proxier.loadBalancer.endpoints(key), ["10.244.1.10:8080", "10.244.1.12:8080"]);

    proxier.onNodeUpdate(node("zone-a"), node("zone-b"));
    await proxier.syncProxyRules();
    assert.deepEqual(proxier.loadBalancer.endpoints(key), ["10.244.1.11:8080"]);

    proxier.onNodeUpdate(node("zone-b"), node());
    await proxier.syncProxyRules();
    assert.deepEqual(proxier.loadBalancer.endpoints(key), [
      "10.244.1.10:8080",
      "10.244.1.11:8080",
      "10.244.1.12:8080",
    ]);
  });
});
