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

describe("stale UDP conntrack entries (detectStaleConntrackEntries)", () => {
  const udp = { name: "dns", port: 53, protocol: "UDP" };
  const key = "ns1/svc1:dns/UDP";
  const slice = (eps: Array<{ ip: string; ready?: boolean; serving?: boolean }>, ports = [udp]) =>
    makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.endpoints = eps.map((ep) => ({
        addresses: [ep.ip],
        conditions: { ready: ep.ready ?? true, serving: ep.serving ?? ep.ready ?? true },
      }));
      e.ports = ports;
    });

  it("a UDP port going from no serving endpoint to some is newly active; removed endpoints are deleted", () => {
    const t = new EndpointsChangeTracker("node-a");
    const m = new EndpointsMap();
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.1", ready: false, serving: false }]), false);
    let r = m.update(t);
    assert.deepEqual(r.newlyActiveUDPServices, []);
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }]), false);
    r = m.update(t);
    assert.deepEqual([...r.updatedServices], ["ns1/svc1"]);
    assert.deepEqual(r.newlyActiveUDPServices, [key]);
    assert.deepEqual(r.deletedUDPEndpoints, []);
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.2" }]), false);
    r = m.update(t);
    assert.deepEqual(r.newlyActiveUDPServices, []);
    assert.deepEqual(r.deletedUDPEndpoints, [{ endpoint: "10.0.0.1:53", servicePortName: key }]);
    // Deleting the slice deletes the last endpoint.
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.2" }]), true);
    r = m.update(t);
    assert.deepEqual(r.deletedUDPEndpoints, [{ endpoint: "10.0.0.2:53", servicePortName: key }]);
  });

  it("an endpoint that stops being ready is stale; one that was not serving is not; TCP is ignored", () => {
    const t = new EndpointsChangeTracker("node-a");
    const m = new EndpointsMap();
    t.endpointSliceUpdate(
      slice([{ ip: "10.0.0.1" }, { ip: "10.0.0.2", ready: false, serving: false }]),
      false,
    );
    m.update(t);
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.1", ready: false, serving: true }]), false);
    const r = m.update(t);
    assert.deepEqual(r.deletedUDPEndpoints, [{ endpoint: "10.0.0.1:53", servicePortName: key }]);
    const tcp = { name: "dns", port: 53, protocol: "TCP" };
    t.endpointSliceUpdate(slice([{ ip: "10.0.0.3" }], [tcp]), false);
    const r2 = m.update(t);
    assert.deepEqual(r2.newlyActiveUDPServices, []);
    // The UDP port vanished from the slice: its endpoint went with it.
    assert.deepEqual(r2.deletedUDPEndpoints, [{ endpoint: "10.0.0.1:53", servicePortName: key }]);
  });
});

describe("ServicePortMap.update", () => {
  it("reports the ClusterIPs of deleted UDP ports (upstream's DeletedUDPClusterIPs)", () => {
    const t = new ServiceChangeTracker();
    const m = new ServicePortMap();
    const both = makeTestService("ns1", "svc1", (s) => {
      s.spec = { clusterIP: "172.30.0.41", ports: [port, { name: "dns", port: 53, protocol: "UDP" }] };
    });
    t.update(undefined, both);
    assert.equal(m.update(t).deletedUDPClusterIPs.size, 0);
    // The UDP port goes, the TCP one stays.
    const tcpOnly = makeTestService("ns1", "svc1", (s) => {
      s.spec = { clusterIP: "172.30.0.41", ports: [port] };
    });
    t.update(both, tcpOnly);
    let r = m.update(t);
    assert.deepEqual([...r.deletedUDPClusterIPs], ["172.30.0.41"]);
    assert.deepEqual([...m.keys()], ["ns1/svc1:p80/TCP"]);
    // A deleted TCP-only service has no UDP entries.
    t.update(tcpOnly, undefined);
    r = m.update(t);
    assert.equal(r.deletedUDPClusterIPs.size, 0);
    assert.deepEqual([...r.updatedServices], ["ns1/svc1"]);
    assert.equal(m.size, 0);
  });
});
