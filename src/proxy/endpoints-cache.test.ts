import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EndpointsChangeTracker, EndpointsMap } from "./endpoints-cache.ts";
import { ServiceChangeTracker, ServicePortMap } from "./service-change-tracker.ts";
import { makeTestEndpointSlice, makeTestService } from "./testing/fixtures.ts";

const port = { name: "p80", port: 80, protocol: "TCP" };

describe("EndpointsChangeTracker", () => {
  it("merges slices, prefers the local copy of an endpoint, sorts by ip:port", () => {
    const t = new EndpointsChangeTracker("node-a");
    const m = new EndpointsMap();
    t.endpointSliceUpdate(
      makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
        e.endpoints = [{ addresses: ["10.0.0.10"] }, { addresses: ["10.0.0.2"] }];
        e.ports = [port];
      }),
      false,
    );
    t.endpointSliceUpdate(
      makeTestEndpointSlice("ns1", "svc1", 2, (e) => {
        e.endpoints = [{ addresses: ["10.0.0.2"], nodeName: "node-a" }];
        e.ports = [port];
      }),
      false,
    );
    assert.deepEqual([...m.apply(t)], ["ns1/svc1"]);
    const eps = m.get("ns1/svc1:p80/TCP")!;
    // String order, as upstream's byEndpoint sort: "10.0.0.10:80" < "10.0.0.2:80".
    assert.deepEqual(
      eps.map((e) => [e.ip, e.isLocal]),
      [
        ["10.0.0.10", false],
        ["10.0.0.2", true],
      ],
    );
  });

  it("a change that is undone before the sync is no change; deletes remove the endpoints", () => {
    const t = new EndpointsChangeTracker("node-a");
    const m = new EndpointsMap();
    const s1 = makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.endpoints = [{ addresses: ["10.0.0.1"] }];
      e.ports = [port];
    });
    t.endpointSliceUpdate(s1, false);
    m.apply(t);
    const s2 = structuredClone(s1);
    s2.endpoints[0].addresses = ["10.0.0.9"];
    assert.equal(t.endpointSliceUpdate(s2, false), true);
    assert.equal(t.endpointSliceUpdate(s1, false), false);
    assert.equal(m.apply(t).size, 0);
    t.endpointSliceUpdate(s1, true);
    assert.deepEqual([...m.apply(t)], ["ns1/svc1"]);
    assert.equal(m.size, 0);
  });

  it("ignores slices of other address types and without the service-name label", () => {
    const t = new EndpointsChangeTracker("node-a");
    const v6 = makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.addressType = "IPv6";
    });
    const unlabelled = makeTestEndpointSlice("ns1", "svc1", 2, (e) => {
      e.metadata!.labels = {};
    });
    assert.equal(t.endpointSliceUpdate(v6, false), false);
    assert.equal(t.endpointSliceUpdate(unlabelled, false), false);
  });
});

describe("ServiceChangeTracker", () => {
  it("skips headless and ExternalName services and reports changed services", () => {
    const t = new ServiceChangeTracker();
    const m = new ServicePortMap();
    assert.equal(
      t.update(
        undefined,
        makeTestService("ns1", "headless", (s) => (s.spec = { clusterIP: "None", ports: [port] })),
      ),
      false,
    );
    assert.equal(
      t.update(
        undefined,
        makeTestService("ns1", "ext", (s) => (s.spec = { type: "ExternalName", externalName: "x" })),
      ),
      false,
    );
    const svc = makeTestService("ns1", "svc1", (s) => {
      s.spec = { clusterIP: "172.30.0.41", ports: [port, { name: "dns", port: 53, protocol: "UDP" }] };
    });
    assert.equal(t.update(undefined, svc), true);
    assert.deepEqual([...m.apply(t)], ["ns1/svc1"]);
    assert.deepEqual([...m.keys()].sort(), ["ns1/svc1:dns/UDP", "ns1/svc1:p80/TCP"]);
    assert.equal(m.get("ns1/svc1:p80/TCP")?.stickyMaxAgeSeconds, 0);
    t.update(svc, undefined);
    m.apply(t);
    assert.equal(m.size, 0);
  });
});
