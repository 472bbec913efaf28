// The cluster zone's answers, as CoreDNS's kubernetes plugin gives them for
// the same Services and EndpointSlices (plugin/kubernetes/handler_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { answerFromZone, RCODE, soaRecord } from "./answer.ts";
import { addressFromReverse, ClusterZone, reverseName } from "./zone.ts";

const svc = (ns: string, name: string, spec: Service["spec"]): Service => ({
  metadata: { namespace: ns, name },
  spec,
});

const slice = (
  ns: string,
  svcName: string,
  name: string,
  body: Omit<EndpointSlice, "metadata">,
): EndpointSlice => ({
  metadata: { namespace: ns, name, labels: { "kubernetes.io/service-name": svcName } },
  ...body,
});

function fixture(): ClusterZone {
  const z = new ClusterZone({ zone: "cluster.local", now: () => 1_700_000_000 });
  z.setService(
    svc("default", "web", {
      clusterIP: "10.96.1.1",
      clusterIPs: ["10.96.1.1"],
      ports: [
        { name: "http", port: 80, protocol: "TCP" },
        { name: "dns", port: 53, protocol: "UDP" },
      ],
    }),
  );
  z.setEndpointSlice(
    slice("default", "web", "web-abc", {
      addressType: "IPv4",
      endpoints: [
        { addresses: ["10.244.0.5"], conditions: { ready: true } },
        { addresses: ["10.244.0.6"], conditions: { ready: false } },
      ],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    }),
  );
  z.setService(
    svc("default", "db", { clusterIP: "None", ports: [{ name: "pg", port: 5432, protocol: "TCP" }] }),
  );
  z.setEndpointSlice(
    slice("default", "db", "db-1", {
      addressType: "IPv4",
      endpoints: [
        { addresses: ["10.244.1.10"], hostname: "db-0", conditions: { ready: true } },
        { addresses: ["10.244.1.11"], conditions: {} },
        { addresses: ["10.244.1.12"], hostname: "db-2", conditions: { ready: false } },
      ],
      ports: [{ name: "pg", port: 5432, protocol: "TCP" }],
    }),
  );
  z.setService(svc("default", "empty", { clusterIP: "None" }));
  z.setService(svc("ext", "search", { type: "ExternalName", externalName: "www.example.com" }));
  z.setService(svc("ext", "alias", { type: "ExternalName", externalName: "web.default.svc.cluster.local" }));
  return z;
}

const ask = (z: ClusterZone, name: string, type: string) => answerFromZone(z, { name, type: type as "A" });
const data = (z: ClusterZone, name: string, type: string) =>
  ask(z, name, type)?.answers.map((a) => ("data" in a ? a.data : undefined));

test("A: a ClusterIP service answers its ClusterIP, TTL 30, authoritative NOERROR", () => {
  const a = ask(fixture(), "web.default.svc.cluster.local", "A");
  assert.equal(a?.rcode, RCODE.NOERROR);
  assert.deepEqual(a?.answers, [
    { name: "web.default.svc.cluster.local", type: "A", class: "IN", ttl: 30, data: "10.96.1.1" },
  ]);
  assert.deepEqual(a?.authorities, []);
});

test("names are case-insensitive and the answer keeps the query's spelling", () => {
  const a = ask(fixture(), "Web.Default.SVC.cluster.local.", "A");
  assert.equal(a?.answers[0].name, "Web.Default.SVC.cluster.local");
  assert.equal(a?.answers[0].type === "A" && a.answers[0].data, "10.96.1.1");
});

test("headless: the ready endpoints' addresses, unready ones left out (ready unset counts as ready)", () => {
  assert.deepEqual(data(fixture(), "db.default.svc.cluster.local", "A"), ["10.244.1.10", "10.244.1.11"]);
});

test("headless without ready endpoints: NXDOMAIN, as CoreDNS (no records at all)", () => {
  const a = ask(fixture(), "empty.default.svc.cluster.local", "A");
  assert.equal(a?.rcode, RCODE.NXDOMAIN);
});

test("SRV on a ClusterIP service: one per port, target the service name, its A in the additional section", () => {
  const z = fixture();
  const a = ask(z, "_http._tcp.web.default.svc.cluster.local", "SRV");
  assert.deepEqual(a?.answers, [
    {
      name: "_http._tcp.web.default.svc.cluster.local",
      type: "SRV",
      class: "IN",
      ttl: 30,
      data: { priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" },
    },
  ]);
  assert.deepEqual(a?.additionals, [
    { name: "web.default.svc.cluster.local", type: "A", class: "IN", ttl: 30, data: "10.96.1.1" },
  ]);
  // The protocol must match: dns is UDP.
  assert.equal(ask(z, "_dns._tcp.web.default.svc.cluster.local", "SRV")?.rcode, RCODE.NXDOMAIN);
  assert.equal(ask(z, "_dns._udp.web.default.svc.cluster.local", "SRV")?.answers.length, 1);
  // The bare service name answers every port, weight 100/n.
  const all = ask(z, "web.default.svc.cluster.local", "SRV")?.answers ?? [];
  assert.deepEqual(
    all.map((r) => r.type === "SRV" && [r.data.port, r.data.weight]),
    [
      [80, 50],
      [53, 50],
    ],
  );
});

test("SRV on a headless service: one per ready endpoint, target <hostname or a-b-c-d>.<svc>.<ns>.svc.<zone>, weight 100/n", () => {
  const a = ask(fixture(), "_pg._tcp.db.default.svc.cluster.local", "SRV");
  assert.deepEqual(
    a?.answers.map((r) => r.type === "SRV" && r.data),
    [
      { priority: 0, weight: 50, port: 5432, target: "db-0.db.default.svc.cluster.local" },
      { priority: 0, weight: 50, port: 5432, target: "10-244-1-11.db.default.svc.cluster.local" },
    ],
  );
  assert.deepEqual(
    a?.additionals.map((r) => [r.name, r.type === "A" && r.data]),
    [
      ["db-0.db.default.svc.cluster.local", "10.244.1.10"],
      ["10-244-1-11.db.default.svc.cluster.local", "10.244.1.11"],
    ],
  );
});

test("StatefulSet pods: <hostname>.<subdomain>.<ns>.svc.<zone> and the dashed address of a nameless endpoint", () => {
  const z = fixture();
  assert.deepEqual(data(z, "db-0.db.default.svc.cluster.local", "A"), ["10.244.1.10"]);
  assert.deepEqual(data(z, "10-244-1-11.db.default.svc.cluster.local", "A"), ["10.244.1.11"]);
  // An unready endpoint has no name.
  assert.equal(ask(z, "db-2.db.default.svc.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
  // Endpoint names of a ClusterIP service exist too (CoreDNS answers them).
  assert.deepEqual(data(z, "10-244-0-5.web.default.svc.cluster.local", "A"), ["10.244.0.5"]);
});

test("pod records (pods insecure): a-b-c-d.<ns>.pod.<zone> answers the address it spells", () => {
  const z = fixture();
  assert.deepEqual(data(z, "10-244-3-7.any.pod.cluster.local", "A"), ["10.244.3.7"]);
  assert.deepEqual(data(z, "fd00--1.any.pod.cluster.local", "AAAA"), ["fd00::1"]);
  assert.equal(ask(z, "not-an-ip.default.pod.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
  // The A exists, so AAAA is NODATA.
  assert.equal(ask(z, "10-244-3-7.any.pod.cluster.local", "AAAA")?.rcode, RCODE.NOERROR);
});

test("ExternalName: a CNAME; outside the zone the caller chases it upstream, inside it is resolved here", () => {
  const z = fixture();
  const a = ask(z, "search.ext.svc.cluster.local", "A");
  assert.deepEqual(a?.answers, [
    { name: "search.ext.svc.cluster.local", type: "CNAME", class: "IN", ttl: 30, data: "www.example.com" },
  ]);
  assert.deepEqual(a?.chase, { name: "www.example.com", type: "A" });
  const inner = ask(z, "alias.ext.svc.cluster.local", "A");
  assert.deepEqual(
    inner?.answers.map((r) => [r.type, "data" in r && r.data]),
    [
      ["CNAME", "web.default.svc.cluster.local"],
      ["A", "10.96.1.1"],
    ],
  );
  assert.equal(inner?.chase, undefined);
});

test("NXDOMAIN with the SOA: ns.dns.<zone> hostmaster.<zone> serial 7200 1800 86400 30", () => {
  const z = fixture();
  const a = ask(z, "nope.default.svc.cluster.local", "A");
  assert.equal(a?.rcode, RCODE.NXDOMAIN);
  assert.deepEqual(a?.answers, []);
  assert.deepEqual(a?.authorities, [
    {
      name: "cluster.local",
      type: "SOA",
      class: "IN",
      ttl: 30,
      data: {
        mname: "ns.dns.cluster.local",
        rname: "hostmaster.cluster.local",
        serial: 1_700_000_000,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: 30,
      },
    },
  ]);
  // parseRequest: neither svc nor pod, or too many labels.
  assert.equal(ask(z, "foo.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
  assert.equal(ask(z, "a.b._http._tcp.web.default.svc.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
  // A namespace without services.
  assert.equal(ask(z, "nons.svc.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
});

test("NODATA with the SOA: an existing name without that type, the apex, svc.<zone>, a namespace with services", () => {
  const z = fixture();
  for (const [name, type] of [
    ["web.default.svc.cluster.local", "AAAA"],
    ["web.default.svc.cluster.local", "MX"],
    ["cluster.local", "A"],
    ["svc.cluster.local", "A"],
    ["default.svc.cluster.local", "A"],
  ]) {
    const a = ask(z, name, type);
    assert.equal(a?.rcode, RCODE.NOERROR, `${name} ${type}`);
    assert.deepEqual(a?.answers, [], `${name} ${type}`);
    assert.deepEqual(a?.authorities, [soaRecord(z)], `${name} ${type}`);
  }
});

test("SOA at the apex, dns-version TXT 1.1.0 with TTL 28800", () => {
  const z = fixture();
  assert.deepEqual(ask(z, "cluster.local", "SOA")?.answers, [soaRecord(z)]);
  assert.deepEqual(ask(z, "dns-version.cluster.local", "TXT")?.answers, [
    { name: "dns-version.cluster.local", type: "TXT", class: "IN", ttl: 28800, data: "1.1.0" },
  ]);
});

test("PTR: a ClusterIP names its service, an endpoint address its endpoint name; unknown addresses are forwarded", () => {
  const z = fixture();
  assert.equal(reverseName("10.96.1.1"), "1.1.96.10.in-addr.arpa");
  assert.deepEqual(data(z, "1.1.96.10.in-addr.arpa", "PTR"), ["web.default.svc.cluster.local"]);
  assert.deepEqual(data(z, "10.1.244.10.in-addr.arpa", "PTR"), ["db-0.db.default.svc.cluster.local"]);
  assert.deepEqual(data(z, "11.1.244.10.in-addr.arpa", "PTR"), ["10-244-1-11.db.default.svc.cluster.local"]);
  assert.equal(ask(z, "99.99.96.10.in-addr.arpa", "PTR"), undefined);
  assert.equal(ask(z, "www.example.com", "A"), undefined);
  assert.equal(addressFromReverse(reverseName("fd00::1")), "fd00::1");
});

test("changes: a deleted service and endpoint leave no names or PTRs behind; the serial and generation move", () => {
  let now = 1_700_000_000;
  const z = new ClusterZone({ now: () => now });
  const s = svc("default", "web", { clusterIP: "10.96.1.1", ports: [{ port: 80 }] });
  z.setService(s);
  const gen = z.generation;
  now += 5;
  z.deleteService(s);
  assert.ok(z.generation > gen);
  assert.equal(z.serial, now);
  assert.equal(ask(z, "web.default.svc.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
  assert.equal(ask(z, "1.1.96.10.in-addr.arpa", "PTR"), undefined);
  assert.equal(ask(z, "default.svc.cluster.local", "A")?.rcode, RCODE.NXDOMAIN);
});

test("before the caches are synced an in-zone name error is SERVFAIL, as CoreDNS", () => {
  const z = new ClusterZone();
  assert.equal(
    answerFromZone(z, { name: "web.default.svc.cluster.local", type: "A" }, false)?.rcode,
    RCODE.SERVFAIL,
  );
});
