// Ports of upstream's pkg/proxy/userspace/roundrobin_test.go. Endpoints
// objects become setEndpoints calls per service port; the shuffle is Go's
// (random), so tests read the shuffled order back as upstream's tests do.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_CLIENT_IP_AFFINITY_SECONDS } from "../service-port.ts";
import { ErrMissingEndpoints, ErrMissingServiceEntry, LoadBalancerRR } from "./load-balancer-rr.ts";

const svc = "testnamespace/foo:p/TCP";
const svcQ = "testnamespace/foo:q/TCP";
const bar = "testnamespace/bar:p/TCP";

function expectEndpoint(lb: LoadBalancerRR, s: string, expected: string, client?: string, reset = false) {
  assert.equal(lb.nextEndpoint(s, client, reset), expected, `service ${s} client ${client}`);
}

function expectNoEndpoint(lb: LoadBalancerRR, s: string, message: string) {
  assert.throws(() => lb.nextEndpoint(s, undefined, false), { message });
}

describe("LoadBalancerRR (roundrobin_test.go)", () => {
  it("TestLoadBalanceFailsWithNoEndpoints", () => {
    const lb = new LoadBalancerRR();
    expectNoEndpoint(lb, "testnamespace/foo:does-not-exist/TCP", ErrMissingServiceEntry);
  });

  it("TestLoadBalanceWorksWithSingleEndpoint", () => {
    const lb = new LoadBalancerRR();
    expectNoEndpoint(lb, svc, ErrMissingServiceEntry);
    lb.setEndpoints(svc, ["endpoint1:40"]);
    for (let i = 0; i < 4; i++) expectEndpoint(lb, svc, "endpoint1:40");
  });

  it("TestLoadBalanceWorksWithMultipleEndpointsMultiplePorts", () => {
    const lb = new LoadBalancerRR();
    lb.setEndpoints(svc, ["endpoint1:1", "endpoint2:1", "endpoint3:3"]);
    lb.setEndpoints(svcQ, ["endpoint1:2", "endpoint2:2", "endpoint3:4"]);
    for (const [s, want] of [
      [svc, ["endpoint1:1", "endpoint2:1", "endpoint3:3"]],
      [svcQ, ["endpoint1:2", "endpoint2:2", "endpoint3:4"]],
    ] as const) {
      const shuffled = [...lb.endpoints(s)];
      assert.deepEqual([...shuffled].sort(), want);
      for (const i of [0, 1, 2, 0]) expectEndpoint(lb, s, shuffled[i]);
    }
  });

  it("TestLoadBalanceWorksWithMultipleEndpointsAndUpdates", () => {
    const lb = new LoadBalancerRR();
    lb.setEndpoints(svc, ["endpoint1:1", "endpoint2:2", "endpoint3:3"]);
    let shuffled = [...lb.endpoints(svc)];
    for (const i of [0, 1, 2, 0]) expectEndpoint(lb, svc, shuffled[i]);
    // One fewer endpoint: the round robin starts at the beginning again.
    lb.setEndpoints(svc, ["endpoint4:4", "endpoint5:5"]);
    shuffled = [...lb.endpoints(svc)];
    assert.deepEqual([...shuffled].sort(), ["endpoint4:4", "endpoint5:5"]);
    for (const i of [0, 1, 0, 1]) expectEndpoint(lb, svc, shuffled[i]);
    lb.setEndpoints(svc, []);
    expectNoEndpoint(lb, svc, ErrMissingEndpoints);
  });

  it("an unchanged endpoint set (in another order) keeps the round-robin position", () => {
    const lb = new LoadBalancerRR();
    lb.setEndpoints(svc, ["a:1", "b:1", "c:1"]);
    const shuffled = [...lb.endpoints(svc)];
    expectEndpoint(lb, svc, shuffled[0]);
    lb.setEndpoints(svc, ["c:1", "b:1", "a:1"]);
    expectEndpoint(lb, svc, shuffled[1]);
  });

  it("TestLoadBalanceWorksWithServiceRemoval", () => {
    const lb = new LoadBalancerRR();
    lb.setEndpoints(svc, ["endpoint1:123", "endpoint2:123", "endpoint3:123"]);
    lb.setEndpoints(bar, ["endpoint4:456", "endpoint5:456", "endpoint6:456"]);
    const foo = [...lb.endpoints(svc)];
    for (const i of [0, 1, 2, 0, 1]) expectEndpoint(lb, svc, foo[i]);
    const b = [...lb.endpoints(bar)];
    for (const i of [0, 1, 2, 0, 1]) expectEndpoint(lb, bar, b[i]);
    lb.resetService(svc);
    expectNoEndpoint(lb, svc, ErrMissingEndpoints);
    // bar is still there, and the round robin continues where it left off.
    for (const i of [2, 0, 1, 2]) expectEndpoint(lb, bar, b[i]);
  });

  it("TestStickyLoadBalanceWorksWithNewServiceCalledFirst / Second", () => {
    for (const newServiceFirst of [true, false]) {
      const lb = new LoadBalancerRR();
      if (newServiceFirst) lb.newService(svc, "ClientIP", DEFAULT_CLIENT_IP_AFFINITY_SECONDS);
      lb.setEndpoints(svc, ["endpoint1:1", "endpoint2:2", "endpoint3:3"]);
      if (!newServiceFirst) lb.newService(svc, "ClientIP", DEFAULT_CLIENT_IP_AFFINITY_SECONDS);
      const eps: string[] = [];
      for (const c of ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) {
        const ep = lb.nextEndpoint(svc, c, false);
        eps.push(ep);
        for (let i = 0; i < 3; i++) expectEndpoint(lb, svc, ep, c);
      }
      assert.equal(new Set(eps).size, 3);
      for (let r = 0; r < 2; r++)
        for (const [i, c] of ["127.0.0.1", "127.0.0.2", "127.0.0.3"].entries())
          expectEndpoint(lb, svc, eps[i], c);
    }
  });

  it("TestStickyLoadBalanaceWorksWithMultipleEndpointsRemoveOne", () => {
    const lb = new LoadBalancerRR();
    lb.newService(svc, "ClientIP", DEFAULT_CLIENT_IP_AFFINITY_SECONDS);
    lb.setEndpoints(svc, ["endpoint:1", "endpoint:2", "endpoint:3"]);
    let shuffled = [...lb.endpoints(svc)];
    expectEndpoint(lb, svc, shuffled[0], "127.0.0.1");
    expectEndpoint(lb, svc, shuffled[0], "127.0.0.1");
    expectEndpoint(lb, svc, shuffled[1], "127.0.0.2");
    expectEndpoint(lb, svc, shuffled[1], "127.0.0.2");
    expectEndpoint(lb, svc, shuffled[2], "127.0.0.3");
    const clientEp = [shuffled[0], shuffled[1], shuffled[2]];
    lb.setEndpoints(svc, ["endpoint:1", "endpoint:2"]);
    shuffled = [...lb.endpoints(svc)];
    // The client of the removed endpoint starts over at the head of the new order.
    const gone = clientEp.indexOf("endpoint:3");
    clientEp[gone] = shuffled[0];
    clientEp.forEach((ep, i) => {
      expectEndpoint(lb, svc, ep, `127.0.0.${i + 1}`);
    });
    lb.setEndpoints(svc, ["endpoint:1", "endpoint:2", "endpoint:4"]);
    shuffled = [...lb.endpoints(svc)];
    clientEp.forEach((ep, i) => {
      expectEndpoint(lb, svc, ep, `127.0.0.${i + 1}`);
    });
    expectEndpoint(lb, svc, shuffled[0], "127.0.0.4");
    expectEndpoint(lb, svc, shuffled[1], "127.0.0.5");
    expectEndpoint(lb, svc, shuffled[2], "127.0.0.6");
  });

  it("TestStickyLoadBalanceWorksWithEndpointFails", () => {
    const lb = new LoadBalancerRR();
    lb.newService(svc, "ClientIP", DEFAULT_CLIENT_IP_AFFINITY_SECONDS);
    lb.setEndpoints(svc, ["endpoint1:1", "endpoint2:2", "endpoint3:3"]);
    const ep1 = lb.nextEndpoint(svc, "127.0.0.1", false);
    const ep2 = lb.nextEndpoint(svc, "127.0.0.2", false);
    const ep3 = lb.nextEndpoint(svc, "127.0.0.3", false);
    // A reset (after a failed dial) moves on round robin and re-pins the client.
    expectEndpoint(lb, svc, ep1, "127.0.0.1", true);
    expectEndpoint(lb, svc, ep2, "127.0.0.1", true);
    expectEndpoint(lb, svc, ep3, "127.0.0.1", true);
    expectEndpoint(lb, svc, ep2, "127.0.0.2");
    expectEndpoint(lb, svc, ep1, "127.0.0.2", true);
    expectEndpoint(lb, svc, ep2, "127.0.0.3", true);
    expectEndpoint(lb, svc, ep3, "127.0.0.1", true);
    expectEndpoint(lb, svc, ep3, "127.0.0.1");
  });

  it("affinity expires after ttlSeconds (Go's truncated seconds) and stale sessions are cleaned up", () => {
    let now = 1_000_000;
    const lb = new LoadBalancerRR({ now: () => now, shuffle: (s) => [...s] });
    lb.newService(svc, "ClientIP", 10);
    lb.setEndpoints(svc, ["a:1", "b:1"]);
    expectEndpoint(lb, svc, "a:1", "10.0.0.1");
    now += 9_999;
    expectEndpoint(lb, svc, "a:1", "10.0.0.1");
    now += 10_000;
    // Expired: the next round-robin endpoint, and the client is pinned to it.
    expectEndpoint(lb, svc, "b:1", "10.0.0.1");
    expectEndpoint(lb, svc, "b:1", "10.0.0.1");
    now += 10_000;
    lb.cleanupStaleStickySessions(svc);
    expectEndpoint(lb, svc, "a:1", "10.0.0.1");
  });

  it("ttlSeconds 0 means upstream's default of 10800 s", () => {
    let now = 0;
    const lb = new LoadBalancerRR({ now: () => now, shuffle: (s) => [...s] });
    lb.newService(svc, "ClientIP", 0);
    lb.setEndpoints(svc, ["a:1", "b:1"]);
    expectEndpoint(lb, svc, "a:1", "10.0.0.1");
    now += 10_799_000;
    expectEndpoint(lb, svc, "a:1", "10.0.0.1");
  });
});
