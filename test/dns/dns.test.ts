// `k8ts dns` end to end on loopback: an in-process apiserver, the DNS server
// fed by its informers, a stub upstream resolver, and a real DNS client
// (dns-packet over UDP and TCP).
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Socket } from "node:net";
import { after, before, test } from "node:test";
import dnsPacket, { type Answer, type DecodedPacket } from "dns-packet";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { type RunningDns, startDns } from "../../src/dns/run.ts";
import { ensureKubeDnsService, KUBE_DNS_CLUSTER_IP } from "../../src/dns/service.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;
let dns: RunningDns;
let stub: dgram.Socket;
let stubQueries = 0;
let webIP = "";
/** The node address the kube-dns endpoints name (the apiserver refuses loopback ones); nothing is sent to it. */
const HOST_IP = "192.0.2.10";

/** A stub upstream: www.example.com A 192.0.2.1 (TTL 300); slow.example.com never answers; anything else NXDOMAIN. */
async function startStub(): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  s.on("message", (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    stubQueries++;
    if (question.name === "slow.example.com") return;
    const found = question.name === "www.example.com" && question.type === "A";
    const soa: Answer = {
      name: "example.com",
      type: "SOA",
      ttl: 60,
      data: {
        mname: "ns.example.com",
        rname: "admin.example.com",
        serial: 1,
        refresh: 1,
        retry: 1,
        expire: 1,
        minimum: 60,
      },
    };
    const resp = dnsPacket.encode({
      id: q.id,
      type: "response",
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (found ? 0 : 3),
      questions: q.questions,
      answers: found ? [{ name: "www.example.com", type: "A", ttl: 300, data: "192.0.2.1" }] : [],
      authorities: found ? [] : [soa],
    });
    s.send(resp, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return s;
}

type Reply = DecodedPacket & { size: number };

function udpQuery(name: string, type: string, opts: { edns?: number } = {}): Promise<Reply> {
  const sock = dgram.createSocket("udp4");
  const id = Math.floor(Math.random() * 65536);
  const msg = dnsPacket.encode({
    id,
    type: "query",
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as "A", class: "IN" }],
    additionals: opts.edns
      ? [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: opts.edns,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            options: [],
          } as unknown as Answer,
        ]
      : [],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${name} ${type}`));
    }, 5000);
    sock.on("message", (buf) => {
      clearTimeout(timer);
      sock.close();
      const p = dnsPacket.decode(buf);
      assert.equal(p.id, id);
      resolve(Object.assign(p, { size: buf.length }));
    });
    sock.send(msg, dns.port, "127.0.0.1");
  });
}

function tcpQuery(name: string, type: string): Promise<DecodedPacket> {
  const msg = dnsPacket.encode({
    id: 7,
    type: "query",
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as "A" }],
  });
  return new Promise((resolve, reject) => {
    const c = new Socket();
    let buf = Buffer.alloc(0);
    c.setTimeout(5000, () => reject(new Error("tcp timeout")));
    c.on("error", reject);
    c.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        c.destroy();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    c.connect(dns.port, "127.0.0.1", () => {
      const frame = Buffer.alloc(2 + msg.length);
      frame.writeUInt16BE(msg.length, 0);
      msg.copy(frame, 2);
      c.write(frame);
    });
  });
}

const rcode = (p: DecodedPacket) => (p.flags ?? 0) & 0xf;
const values = (p: DecodedPacket, type: string) =>
  (p.answers ?? []).filter((a) => a.type === type).map((a) => ("data" in a ? a.data : undefined));

async function eventually<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function slice(
  name: string,
  svcName: string,
  endpoints: EndpointSlice["endpoints"],
  ports: EndpointSlice["ports"],
): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": svcName } },
    addressType: "IPv4",
    endpoints,
    ports,
  };
}

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
  const web = await client.create<Service>(
    Resources.services,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { ports: [{ name: "http", port: 80, protocol: "TCP" }] },
    },
    { namespace: "default" },
  );
  webIP = web.spec?.clusterIP ?? "";
  await client.create<Service>(
    Resources.services,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "default" },
      spec: { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] },
    },
    { namespace: "default" },
  );
  await client.create(
    Resources.endpointslices,
    slice(
      "db-x1",
      "db",
      [
        { addresses: ["10.244.0.10"], hostname: "db-0", conditions: { ready: true } },
        { addresses: ["10.244.0.11"], hostname: "db-1", conditions: { ready: true } },
        { addresses: ["10.244.0.12"], hostname: "db-2", conditions: { ready: false } },
      ],
      [{ name: "pg", port: 5432, protocol: "TCP" }],
    ),
    { namespace: "default" },
  );
  // 60 endpoints: more than 512 bytes of A records.
  await client.create<Service>(
    Resources.services,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "many", namespace: "default" },
      spec: { clusterIP: "None", ports: [{ name: "http", port: 80 }] },
    },
    { namespace: "default" },
  );
  await client.create(
    Resources.endpointslices,
    slice(
      "many-x1",
      "many",
      Array.from({ length: 60 }, (_, i) => ({
        addresses: [`10.244.1.${i + 1}`],
        conditions: { ready: true },
      })),
      [{ name: "http", port: 80, protocol: "TCP" }],
    ),
    { namespace: "default" },
  );
  await client.create<Service>(
    Resources.services,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "search", namespace: "default" },
      spec: { type: "ExternalName", externalName: "www.example.com" },
    },
    { namespace: "default" },
  );
  stub = await startStub();
  const addr = stub.address();
  dns = await startDns({
    client,
    bindAddress: "127.0.0.1",
    port: 0,
    upstreams: [{ host: "127.0.0.1", port: addr.port }],
    forwardTimeoutMs: 300,
    healthBindAddress: "127.0.0.1",
    healthPort: 0,
    log: () => {},
  });
  await dns.synced;
});

after(async () => {
  await dns?.stop();
  stub?.close();
  client?.close();
  await api?.stop();
});

test("A: a Service's ClusterIP, authoritative, TTL 30", async () => {
  const r = await udpQuery("web.default.svc.cluster.local", "A");
  assert.equal(rcode(r), 0);
  assert.ok(r.flag_aa);
  assert.deepEqual(values(r, "A"), [webIP]);
  assert.equal(r.answers?.[0].type === "A" && r.answers[0].ttl, 30);
});

test("SRV _http._tcp with the target's address in the additional section", async () => {
  const r = await udpQuery("_http._tcp.web.default.svc.cluster.local", "SRV");
  assert.deepEqual(values(r, "SRV"), [
    { priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" },
  ]);
  assert.deepEqual(
    r.additionals?.filter((a) => a.type === "A").map((a) => [a.name, "data" in a && a.data]),
    [["web.default.svc.cluster.local", webIP]],
  );
});

test("PTR of a ClusterIP and of a headless endpoint", async () => {
  const rev = `${webIP.split(".").reverse().join(".")}.in-addr.arpa`;
  assert.deepEqual(values(await udpQuery(rev, "PTR"), "PTR"), ["web.default.svc.cluster.local"]);
  assert.deepEqual(values(await udpQuery("10.0.244.10.in-addr.arpa", "PTR"), "PTR"), [
    "db-0.db.default.svc.cluster.local",
  ]);
});

test("headless: ready endpoints only; SRV per endpoint; StatefulSet pod names", async () => {
  assert.deepEqual(values(await udpQuery("db.default.svc.cluster.local", "A"), "A"), [
    "10.244.0.10",
    "10.244.0.11",
  ]);
  const srv = await udpQuery("_pg._tcp.db.default.svc.cluster.local", "SRV");
  assert.deepEqual(values(srv, "SRV"), [
    { priority: 0, weight: 50, port: 5432, target: "db-0.db.default.svc.cluster.local" },
    { priority: 0, weight: 50, port: 5432, target: "db-1.db.default.svc.cluster.local" },
  ]);
  assert.deepEqual(values(await udpQuery("db-1.db.default.svc.cluster.local", "A"), "A"), ["10.244.0.11"]);
  assert.deepEqual(values(await udpQuery("10-244-0-12.default.pod.cluster.local", "A"), "A"), [
    "10.244.0.12",
  ]);
});

test("ExternalName: the CNAME, then the upstream's answer for its target", async () => {
  const r = await udpQuery("search.default.svc.cluster.local", "A");
  assert.equal(rcode(r), 0);
  assert.deepEqual(
    r.answers?.map((a) => [a.name, a.type, "data" in a && a.data]),
    [
      ["search.default.svc.cluster.local", "CNAME", "www.example.com"],
      ["www.example.com", "A", "192.0.2.1"],
    ],
  );
});

test("NXDOMAIN with the zone's SOA in the authority section", async () => {
  const r = await udpQuery("nope.default.svc.cluster.local", "A");
  assert.equal(rcode(r), 3);
  assert.deepEqual(r.answers, []);
  const soa = r.authorities?.[0];
  assert.equal(soa?.type, "SOA");
  assert.equal(soa?.name, "cluster.local");
  assert.equal(soa?.type === "SOA" && soa.ttl, 30);
  assert.deepEqual(
    soa?.type === "SOA" && [
      soa.data.mname,
      soa.data.rname,
      soa.data.refresh,
      soa.data.retry,
      soa.data.expire,
      soa.data.minimum,
    ],
    ["ns.dns.cluster.local", "hostmaster.cluster.local", 7200, 1800, 86400, 30],
  );
});

test("a UDP answer over 512 bytes is truncated (TC); the same query over TCP returns everything; EDNS0 raises the limit", async () => {
  const udp = await udpQuery("many.default.svc.cluster.local", "A");
  assert.ok(udp.flag_tc, "TC set");
  assert.ok(udp.size <= 512);
  assert.ok((udp.answers?.length ?? 0) < 60);
  const tcp = await tcpQuery("many.default.svc.cluster.local", "A");
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers?.length, 60);
  const edns = await udpQuery("many.default.svc.cluster.local", "A", { edns: 4096 });
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers?.length, 60);
});

test("names outside the zone go to the upstream, and the second answer comes from the cache", async () => {
  const before = stubQueries;
  const first = await udpQuery("www.example.com", "A");
  assert.deepEqual(values(first, "A"), ["192.0.2.1"]);
  assert.ok(first.flag_ra);
  const second = await udpQuery("WWW.example.com", "A");
  assert.deepEqual(values(second, "A"), ["192.0.2.1"]);
  assert.ok(second.answers?.[0].type === "A" && (second.answers[0].ttl ?? 0) <= 300);
  // The ExternalName test may have filled the cache already: at most one upstream query.
  assert.ok(stubQueries - before <= 1);
  const nx = await udpQuery("missing.example.com", "A");
  assert.equal(rcode(nx), 3);
  assert.equal(nx.authorities?.[0].name, "example.com");
});

test("an upstream that does not answer: SERVFAIL", async () => {
  const r = await udpQuery("slow.example.com", "A");
  assert.equal(rcode(r), 2);
});

test("a new Service becomes resolvable after its informer event; a deleted one goes NXDOMAIN", async () => {
  const created = await client.create<Service>(
    Resources.services,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "late", namespace: "default" },
      spec: { ports: [{ port: 81 }] },
    },
    { namespace: "default" },
  );
  const r = await eventually(async () => {
    const p = await udpQuery("late.default.svc.cluster.local", "A");
    return rcode(p) === 0 ? p : undefined;
  });
  assert.deepEqual(values(r, "A"), [created.spec?.clusterIP]);
  await client.delete(Resources.services, "late", { namespace: "default" });
  await eventually(async () =>
    rcode(await udpQuery("late.default.svc.cluster.local", "A")) === 3 ? true : undefined,
  );
});

test("ensureKubeDnsService: kube-system/kube-dns at 10.96.0.10 with an EndpointSlice on the host; idempotent", async () => {
  const svc = await ensureKubeDnsService({ client, hostIP: HOST_IP, dnsPort: dns.port });
  assert.equal(svc.spec?.clusterIP, KUBE_DNS_CLUSTER_IP);
  assert.deepEqual(
    svc.spec?.ports?.map((p) => [p.name, p.port, p.protocol]),
    [
      ["dns", 53, "UDP"],
      ["dns-tcp", 53, "TCP"],
      ["metrics", 9153, "TCP"],
    ],
  );
  const again = await ensureKubeDnsService({ client, hostIP: HOST_IP, dnsPort: dns.port });
  assert.equal(again.metadata?.resourceVersion, svc.metadata?.resourceVersion);
  const es = await client.get<EndpointSlice>(Resources.endpointslices, "kube-dns", {
    namespace: "kube-system",
  });
  assert.deepEqual(
    es.endpoints.map((e) => e.addresses),
    [[HOST_IP]],
  );
  assert.equal(es.ports?.[0].port, dns.port);
  const r = await eventually(async () => {
    const p = await udpQuery("kube-dns.kube-system.svc.cluster.local", "A");
    return rcode(p) === 0 ? p : undefined;
  });
  assert.deepEqual(values(r, "A"), [KUBE_DNS_CLUSTER_IP]);
  const ns = await udpQuery("cluster.local", "NS");
  assert.deepEqual(values(ns, "NS"), ["ns.dns.cluster.local"]);
});

test("/healthz, /ready and coredns-named /metrics", async () => {
  const url = dns.healthUrl ?? "";
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const ready = await fetch(`${url}/ready`);
  assert.equal(ready.status, 200);
  assert.equal(await ready.text(), "OK");
  const text = await (await fetch(`${url}/metrics`)).text();
  assert.ok(
    text.includes(
      `coredns_dns_requests_total{server="dns://127.0.0.1:${dns.port}",zone=".",view="",proto="udp",family="1",type="A"}`,
    ),
  );
  assert.match(text, /coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN",plugin="kubernetes"\} \d+/);
  assert.match(text, /coredns_dns_request_duration_seconds_bucket\{[^}]*type="A",le="0.00025"\} \d+/);
});
