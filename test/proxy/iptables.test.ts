// The iptables proxier against real iptables (iptables-nft), inside a network
// namespace of this test: the host's tables are never touched, and service and
// pod addresses exist only inside the namespace (it has no way out).
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { ExecConntrack } from "../../src/proxy/conntrack/conntrack.ts";
import { ExecIptables } from "../../src/proxy/iptables/iptables.ts";
import { cleanupLeftovers, Proxier } from "../../src/proxy/iptables/proxier.ts";
import { makeTestEndpointSlice, makeTestService } from "../../src/proxy/testing/fixtures.ts";

const NS = `k8ts-test-${randomBytes(4).toString("hex")}`;
const inNs = ["ip", "netns", "exec", NS];

function sh(...argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: "utf8" });
}

function save(table: string): string {
  return sh(...inNs, "iptables-save", "-t", table);
}

/** The -A rules of one chain in an iptables-save. */
function chainRules(dump: string, chain: string): string[] {
  return dump.split("\n").filter((l) => l.startsWith(`-A ${chain} `));
}

function chains(dump: string): string[] {
  return dump
    .split("\n")
    .filter((l) => l.startsWith(":"))
    .map((l) => l.slice(1).split(" ")[0]);
}

const port80 = { name: "http", port: 80, protocol: "TCP" };
const svc1 = makeTestService("default", "web", (s) => {
  s.spec = { type: "ClusterIP", clusterIP: "10.96.0.11", ports: [port80] };
});
const svc2 = makeTestService("default", "api", (s) => {
  s.spec = { type: "NodePort", clusterIP: "10.96.0.12", ports: [{ ...port80, nodePort: 30080 }] };
});
const svc3 = makeTestService("default", "empty", (s) => {
  s.spec = { type: "ClusterIP", clusterIP: "10.96.0.13", ports: [port80] };
});
const svc4 = makeTestService("default", "sticky", (s) => {
  s.spec = {
    type: "ClusterIP",
    clusterIP: "10.96.0.14",
    ports: [port80],
    sessionAffinity: "ClientIP",
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
  };
});
const slice = (svc: string, ips: string[]): EndpointSlice =>
  makeTestEndpointSlice("default", svc, 1, (e) => {
    e.endpoints = ips.map((ip) => ({ addresses: [ip], nodeName: "node-a", conditions: { ready: true } }));
    e.ports = [{ name: "http", port: 8080, protocol: "TCP" }];
  });

describe("iptables proxier in a network namespace", () => {
  let now = 1_000_000;
  const ipt = new ExecIptables(inNs);
  let proxier: Proxier;
  let server: ChildProcess | undefined;
  const services: Service[] = [svc1, svc2, svc3, svc4];

  before(async () => {
    // npm test runs as root with iptables installed (scripts/setup.mjs); anything else is a set-up error.
    if (process.getuid?.() !== 0) throw new Error("this test makes a network namespace: run it as root");
    sh("ip", "netns", "add", NS);
    sh(...inNs, "ip", "link", "set", "lo", "up");
    // Two "pods": addresses on the namespace's loopback. The service CIDR is routed to a veth whose
    // peer stays in the namespace (routed via lo, a REJECT's ICMP would not reach the socket).
    sh(...inNs, "ip", "addr", "add", "10.244.1.10/32", "dev", "lo");
    sh(...inNs, "ip", "addr", "add", "10.244.1.11/32", "dev", "lo");
    sh(...inNs, "ip", "link", "add", "svc0", "type", "veth", "peer", "name", "svc1");
    sh(...inNs, "ip", "link", "set", "svc0", "up");
    sh(...inNs, "ip", "link", "set", "svc1", "up");
    sh(...inNs, "ip", "route", "add", "10.96.0.0/16", "dev", "svc0");
    proxier = new Proxier({
      iptables: ipt,
      hostname: "node-a",
      clusterCIDR: "10.244.0.0/16",
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      now: () => now,
    });
    for (const s of services) proxier.onServiceAdd(s);
    proxier.onEndpointSliceAdd(slice("web", ["10.244.1.10", "10.244.1.11"]));
    proxier.onEndpointSliceAdd(slice("api", ["10.244.1.10"]));
    proxier.onEndpointSliceAdd(slice("sticky", ["10.244.1.10", "10.244.1.11"]));
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();
  });

  after(() => {
    server?.kill("SIGKILL");
    try {
      sh("ip", "netns", "del", NS);
    } catch {
      // already gone
    }
  });

  it("writes upstream's chains and jumps with one iptables-restore", async () => {
    const r = await proxier.syncProxyRules();
    assert.ok(r?.full);
    const nat = save("nat");
    const filter = save("filter");
    for (const c of [
      "KUBE-SERVICES",
      "KUBE-NODEPORTS",
      "KUBE-POSTROUTING",
      "KUBE-MARK-MASQ",
      "KUBE-PROXY-CANARY",
    ]) {
      assert.ok(chains(nat).includes(c), `nat has ${c}`);
    }
    for (const c of [
      "KUBE-SERVICES",
      "KUBE-EXTERNAL-SERVICES",
      "KUBE-FORWARD",
      "KUBE-NODEPORTS",
      "KUBE-PROXY-FIREWALL",
    ]) {
      assert.ok(chains(filter).includes(c), `filter has ${c}`);
    }
    assert.ok(chains(save("mangle")).includes("KUBE-PROXY-CANARY"));
    assert.deepEqual(chainRules(nat, "PREROUTING"), [
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ]);
    assert.deepEqual(chainRules(nat, "POSTROUTING"), [
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ]);
    // web: 2 endpoints; api: 1 endpoint + NodePort (KUBE-EXT); empty: filter REJECT only.
    assert.equal(chains(nat).filter((c) => c.startsWith("KUBE-SVC-")).length, 3);
    assert.equal(chains(nat).filter((c) => c.startsWith("KUBE-SEP-")).length, 5);
    assert.equal(chains(nat).filter((c) => c.startsWith("KUBE-EXT-")).length, 1);
    // web, api and sticky + the nodeports tail call.
    assert.equal(chainRules(nat, "KUBE-SERVICES").length, 4);
    assert.equal(chainRules(nat, "KUBE-NODEPORTS").length, 1);
    assert.match(chainRules(nat, "KUBE-NODEPORTS")[0], /--dport 30080 -j KUBE-EXT-/);
    assert.deepEqual(chainRules(filter, "KUBE-SERVICES"), [
      '-A KUBE-SERVICES -d 10.96.0.13/32 -p tcp -m comment --comment "default/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });

  it("connects through the ClusterIP to every endpoint, sticks with ClientIP affinity, is refused without endpoints", async () => {
    server = spawn(
      inNs[0],
      [
        ...inNs.slice(1),
        process.execPath,
        "-e",
        "require('net').createServer(s => s.end(s.localAddress)).listen(8080, '0.0.0.0', () => console.log('up'))",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => server!.stdout!.once("data", () => resolve()));
    const client = `
      const net = require('net');
      const one = (host) => new Promise((res) => {
        const c = net.connect(80, host); let d = '';
        c.on('data', (b) => (d += b)); c.on('end', () => res(d)); c.on('error', (e) => res(e.code));
      });
      (async () => { const out = []; for (let i = 0; i < 30; i++) out.push(await one('10.96.0.11'));
        for (let i = 0; i < 20; i++) out.push(await one('10.96.0.14'));
        out.push(await one('10.96.0.13')); console.log(JSON.stringify(out)); })();`;
    const out: string[] = JSON.parse(sh(...inNs, "timeout", "20", process.execPath, "-e", client));
    const refused = out.pop();
    const sticky = out.splice(30);
    assert.deepEqual(new Set(out), new Set(["10.244.1.10", "10.244.1.11"]));
    assert.equal(new Set(sticky).size, 1, `affinity: ${sticky.join(",")}`);
    assert.equal(refused, "ECONNREFUSED");
  });

  it("a partial sync rewrites only the changed service's chains", async () => {
    const before = save("nat");
    proxier.onEndpointSliceUpdate(
      slice("api", ["10.244.1.10"]),
      slice("api", ["10.244.1.10", "10.244.1.11"]),
    );
    const r = await proxier.syncProxyRules();
    assert.equal(r?.full, false);
    const perService = r!.natChainsWritten.filter((c) => /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(c));
    // api: SVC, EXT and two SEPs; nothing of web.
    assert.equal(perService.length, 4);
    const webChains = chains(before).filter((c) =>
      chainRules(before, c).some((l) => l.includes("default/web:http")),
    );
    for (const c of webChains.filter((c) => c !== "KUBE-SERVICES")) assert.ok(!perService.includes(c), c);
    const after = save("nat");
    for (const c of webChains)
      assert.deepEqual(
        chainRules(after, c),
        chainRules(before, c).filter((l) => l.startsWith(`-A ${c} `)),
      );
    assert.equal(chains(after).filter((c) => c.startsWith("KUBE-SEP-")).length, 6);
  });

  it("a rule deleted by hand comes back on the periodic full resync", async () => {
    const nat = save("nat");
    const webSvc = chains(nat).find(
      (c) =>
        c.startsWith("KUBE-SVC-") &&
        nat.includes(`-j ${c}`) &&
        chainRules(nat, c).some((l) => l.includes("default/web:http")),
    )!;
    const count = chainRules(nat, webSvc).length;
    sh(...inNs, "iptables", "-t", "nat", "-D", webSvc, "2");
    assert.equal(chainRules(save("nat"), webSvc).length, count - 1);
    // Nothing changed: a partial sync leaves web's chain alone.
    let r = await proxier.syncProxyRules();
    assert.equal(r?.full, false);
    assert.equal(chainRules(save("nat"), webSvc).length, count - 1);
    // Once a full sync is due, it repairs it. Due after syncPeriod (30 s), or later where full syncs
    // are slow (20 times their length: a loaded machine's full sync may take over 1.5 s), and at
    // most an hour.
    now += 60 * 60_000;
    r = await proxier.syncProxyRules();
    assert.equal(r?.full, true);
    assert.deepEqual(chainRules(save("nat"), webSvc), chainRules(nat, webSvc));
  });

  it("deleting a service deletes its chains with -X", async () => {
    proxier.onServiceDelete(svc2);
    const r = await proxier.syncProxyRules();
    assert.equal(r!.deletedChains.length, 4);
    const nat = save("nat");
    for (const c of r!.deletedChains) assert.ok(!chains(nat).includes(c));
    assert.equal(chainRules(nat, "KUBE-NODEPORTS").length, 0);
  });

  it("--cleanup leaves no KUBE-* chain or jump", async () => {
    assert.equal(await cleanupLeftovers(ipt), false);
    for (const t of ["nat", "filter", "mangle"]) assert.doesNotMatch(save(t), /KUBE-/, t);
  });

  it("--cleanup succeeds where there is nothing to clean up", async () => {
    // The jumps' targets are gone: `iptables -C INPUT ... -j KUBE-EXTERNAL-SERVICES` would exit 2.
    assert.equal(await cleanupLeftovers(ipt), false);
    // A namespace where kube-proxy never ran (no nat table at all).
    const fresh = `k8ts-test-${randomBytes(4).toString("hex")}`;
    sh("ip", "netns", "add", fresh);
    try {
      assert.equal(await cleanupLeftovers(new ExecIptables(["ip", "netns", "exec", fresh])), false);
    } finally {
      sh("ip", "netns", "del", fresh);
    }
  });
});

describe("stale UDP conntrack entries, with the conntrack binary in a network namespace", () => {
  // A namespace of its own: the host's conntrack table is never read or changed.
  const CT_NS = `k8ts-test-${randomBytes(4).toString("hex")}`;
  const inCtNs = ["ip", "netns", "exec", CT_NS];
  const logs: string[] = [];
  let proxier: Proxier;
  const dns = { name: "dns", port: 53, protocol: "UDP" };
  const udpService = (name: string, ip: string) =>
    makeTestService("default", name, (s) => {
      s.spec = { type: "ClusterIP", clusterIP: ip, ports: [dns] };
    });
  const udpSlice = (name: string, ips: string[]): EndpointSlice =>
    makeTestEndpointSlice("default", name, 1, (e) => {
      e.endpoints = ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } }));
      e.ports = [{ ...dns, port: 5353 }];
    });
  const moving = udpService("moving", "10.96.0.20");
  const steady = udpService("steady", "10.96.0.21");
  const idle = udpService("idle", "10.96.0.22");

  /** The namespace's UDP entries whose original destination is the IP. */
  const flows = (ip: string): string[] =>
    sh(...inCtNs, "conntrack", "-L", "-p", "udp", "--orig-dst", ip)
      .split("\n")
      .filter((l) => l.startsWith("udp"));
  /** A datagram from inside the namespace: it goes through the nat rules like a pod's would. */
  const send = (ip: string) => sh(...inCtNs, "bash", "-c", `echo hi > /dev/udp/${ip}/53`);

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error("this test makes a network namespace: run it as root");
    sh("conntrack", "--version"); // set-up error if missing: apt-get install conntrack
    sh("ip", "netns", "add", CT_NS);
    sh(...inCtNs, "ip", "link", "set", "lo", "up");
    sh(...inCtNs, "ip", "addr", "add", "10.244.1.10/32", "dev", "lo");
    sh(...inCtNs, "ip", "addr", "add", "10.244.1.11/32", "dev", "lo");
    sh(...inCtNs, "ip", "link", "add", "svc0", "type", "veth", "peer", "name", "svc1");
    sh(...inCtNs, "ip", "link", "set", "svc0", "up");
    sh(...inCtNs, "ip", "link", "set", "svc1", "up");
    sh(...inCtNs, "ip", "route", "add", "10.96.0.0/16", "dev", "svc0");
    proxier = new Proxier({
      iptables: new ExecIptables(inCtNs),
      conntrack: new ExecConntrack(inCtNs),
      hostname: "node-a",
      clusterCIDR: "10.244.0.0/16",
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      log: (msg) => logs.push(msg),
    });
    for (const s of [moving, steady, idle]) proxier.onServiceAdd(s);
    proxier.onEndpointSliceAdd(udpSlice("moving", ["10.244.1.10"]));
    proxier.onEndpointSliceAdd(udpSlice("steady", ["10.244.1.11"]));
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();
    assert.ok((await proxier.syncProxyRules())?.full);
  });

  after(async () => {
    await proxier?.stop();
    try {
      sh("ip", "netns", "del", CT_NS);
    } catch {
      // already gone
    }
  });

  it("a replaced UDP endpoint's flows are deleted; other services' flows stay", async () => {
    send("10.96.0.20");
    send("10.96.0.21");
    assert.match(flows("10.96.0.20").join("\n"), /src=10\.244\.1\.10 dst=\S+ sport=5353/);
    assert.equal(flows("10.96.0.21").length, 1);
    proxier.onEndpointSliceUpdate(udpSlice("moving", ["10.244.1.10"]), udpSlice("moving", ["10.244.1.11"]));
    assert.equal((await proxier.syncProxyRules())?.full, false);
    assert.deepEqual(flows("10.96.0.20"), []);
    assert.equal(flows("10.96.0.21").length, 1);
    // The next datagram from the same client goes to the new endpoint.
    send("10.96.0.20");
    assert.match(flows("10.96.0.20").join("\n"), /src=10\.244\.1\.11 dst=\S+ sport=5353/);
    assert.deepEqual(
      logs.filter((l) => l.startsWith("Failed")),
      [],
    );
  });

  it("a service that gets its first endpoint loses the entries made while it had none", async () => {
    // What a blackholed flow leaves behind: an entry to the ClusterIP without DNAT.
    sh(
      ...inCtNs,
      "conntrack",
      "-I",
      "-p",
      "udp",
      "-s",
      "10.244.1.10",
      "-d",
      "10.96.0.22",
      "--sport",
      "4000",
      "--dport",
      "53",
      "-r",
      "10.96.0.22",
      "-q",
      "10.244.1.10",
      "--reply-port-src",
      "53",
      "--reply-port-dst",
      "4000",
      "-t",
      "120",
      "-u",
      "SEEN_REPLY",
    );
    assert.equal(flows("10.96.0.22").length, 1);
    proxier.onEndpointSliceAdd(udpSlice("idle", ["10.244.1.10"]));
    await proxier.syncProxyRules();
    assert.deepEqual(flows("10.96.0.22"), []);
  });

  it("a deleted UDP service's flows are deleted", async () => {
    // Another client port: a second entry next to the first test's.
    send("10.96.0.21");
    assert.equal(flows("10.96.0.21").length, 2);
    proxier.onServiceDelete(steady);
    await proxier.syncProxyRules();
    assert.deepEqual(flows("10.96.0.21"), []);
    assert.ok(flows("10.96.0.20").length > 0, "the other service's flow stays");
  });
});

describe("topology-aware routing (zone hints) in a network namespace", () => {
  const TOPO_NS = `k8ts-test-${randomBytes(4).toString("hex")}`;
  const inTopoNs = ["ip", "netns", "exec", TOPO_NS];
  let proxier: Proxier;
  let server: ChildProcess | undefined;
  const near = makeTestService("default", "near", (s) => {
    s.spec = {
      type: "ClusterIP",
      clusterIP: "10.96.0.30",
      ports: [port80],
      trafficDistribution: "PreferClose",
    };
  });
  // What the EndpointSlice controller writes for PreferClose: one zone hint per endpoint.
  const hintedSlice = makeTestEndpointSlice("default", "near", 1, (e) => {
    e.endpoints = [
      { addresses: ["10.244.1.10"], zone: "zone-a", hints: { forZones: [{ name: "zone-a" }] } },
      { addresses: ["10.244.1.11"], zone: "zone-b", hints: { forZones: [{ name: "zone-b" }] } },
    ];
    e.ports = [{ name: "http", port: 8080, protocol: "TCP" }];
  });
  const node = (zone: string) => ({
    metadata: { name: "node-a", labels: { "topology.kubernetes.io/zone": zone } },
  });
  /** Which endpoint answered each of n connections to the ClusterIP. */
  const answers = (n: number): string[] => {
    const client = `
      const net = require('net');
      const one = () => new Promise((res) => {
        const c = net.connect(80, '10.96.0.30'); let d = '';
        c.on('data', (b) => (d += b)); c.on('end', () => res(d)); c.on('error', (e) => res(e.code));
      });
      (async () => { const out = []; for (let i = 0; i < ${n}; i++) out.push(await one());
        console.log(JSON.stringify(out)); })();`;
    return JSON.parse(sh(...inTopoNs, "timeout", "20", process.execPath, "-e", client));
  };
  const svcChainRules = (): string[] => {
    const nat = sh(...inTopoNs, "iptables-save", "-t", "nat");
    const svcChain = chainRules(nat, "KUBE-SERVICES")
      .find((l) => l.includes("-d 10.96.0.30/32"))
      ?.split(" -j ")[1];
    assert.ok(svcChain, "KUBE-SERVICES jumps to the service's chain");
    return chainRules(nat, svcChain).filter((l) => l.includes("-j KUBE-SEP-"));
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error("this test makes a network namespace: run it as root");
    sh("ip", "netns", "add", TOPO_NS);
    sh(...inTopoNs, "ip", "link", "set", "lo", "up");
    sh(...inTopoNs, "ip", "addr", "add", "10.244.1.10/32", "dev", "lo");
    sh(...inTopoNs, "ip", "addr", "add", "10.244.1.11/32", "dev", "lo");
    sh(...inTopoNs, "ip", "link", "add", "svc0", "type", "veth", "peer", "name", "svc1");
    sh(...inTopoNs, "ip", "link", "set", "svc0", "up");
    sh(...inTopoNs, "ip", "link", "set", "svc1", "up");
    sh(...inTopoNs, "ip", "route", "add", "10.96.0.0/16", "dev", "svc0");
    server = spawn(
      inTopoNs[0],
      [
        ...inTopoNs.slice(1),
        process.execPath,
        "-e",
        "require('net').createServer(s => s.end(s.localAddress)).listen(8080, '0.0.0.0', () => console.log('up'))",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => server!.stdout!.once("data", () => resolve()));
    proxier = new Proxier({
      iptables: new ExecIptables(inTopoNs),
      hostname: "node-a",
      clusterCIDR: "10.244.0.0/16",
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
    });
    proxier.onNodeAdd(node("zone-a"));
    proxier.onServiceAdd(near);
    proxier.onEndpointSliceAdd(hintedSlice);
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();
  });

  after(() => {
    server?.kill("SIGKILL");
    try {
      sh("ip", "netns", "del", TOPO_NS);
    } catch {
      // already gone
    }
  });

  it("writes only the node's zone's endpoints into KUBE-SVC, and connections reach only them", async () => {
    assert.ok((await proxier.syncProxyRules())?.full);
    const rules = svcChainRules();
    assert.equal(rules.length, 1);
    assert.match(rules[0], /default\/near:http -> 10\.244\.1\.10:8080/);
    assert.deepEqual(new Set(answers(10)), new Set(["10.244.1.10"]));
  });

  it("follows the Node's zone label with a full sync", async () => {
    proxier.onNodeUpdate(node("zone-a"), node("zone-b"));
    assert.equal((await proxier.syncProxyRules())?.full, true);
    const rules = svcChainRules();
    assert.equal(rules.length, 1);
    assert.match(rules[0], /default\/near:http -> 10\.244\.1\.11:8080/);
    assert.deepEqual(new Set(answers(10)), new Set(["10.244.1.11"]));
  });

  it("uses every endpoint on a node without a zone label", async () => {
    proxier.onNodeUpdate(node("zone-b"), { metadata: { name: "node-a", labels: {} } });
    await proxier.syncProxyRules();
    assert.equal(svcChainRules().length, 2);
    assert.deepEqual(new Set(answers(30)), new Set(["10.244.1.10", "10.244.1.11"]));
  });
});
