// The userspace proxier against real iptables (iptables-nft), with its rules in
// a network namespace of this test. Set-up, and why:
//   - The proxier runs in this process (host namespace), so the test can change
//     endpoints and watch its sockets. It listens on the host end of a veth pair
//     whose other end is in the namespace; both ends get a random /30 of
//     TEST-NET-2 or -3 that no host route covers (a CI machine may itself live
//     on a documentation range: one did on 192.0.2.0/24, its gateway at .1).
//     Service and pod CIDRs never appear on the host.
//   - The endpoint servers run here too, on the host end's address.
//   - The clients must be in the namespace (its nat OUTPUT holds the portals):
//     a helper node process there takes commands on stdin. ClusterIPs are routed,
//     inside the namespace only, to a veth pair that never leaves it; the DNAT in
//     KUBE-PORTALS-HOST re-routes the packets to the proxy over the first veth.
// Deleting the namespace in after() deletes both veth pairs and every rule.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import { formatIPv4, ipv4Block } from "../../src/kubelet/runtime/ip-allocator.ts";
import { ExecIptables } from "../../src/proxy/iptables/iptables.ts";
import { makeTestEndpointSlice, makeTestService } from "../../src/proxy/testing/fixtures.ts";
import { LoadBalancerRR } from "../../src/proxy/userspace/load-balancer-rr.ts";
import { cleanupLeftovers } from "../../src/proxy/userspace/portals.ts";
import { UserspaceProxier } from "../../src/proxy/userspace/proxier.ts";

const id = randomBytes(3).toString("hex");
const NS = `k8ts-test-${id}`;
const inNs = ["ip", "netns", "exec", NS];
const HOST_IF = `k8tsu${id}`;
const NS_IF = `k8tsu${id}p`;
const [HOST_IP, NS_IP] = freeSlash30();
const NODE_PORT = 30000 + randomInt(0, 2768);

function sh(...argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: "utf8" });
}

/** The first two hosts of a random /30 in 198.51.100.0/24 or 203.0.113.0/24 that overlaps no route of the host's. */
function freeSlash30(): [string, string] {
  const routes = (JSON.parse(sh("ip", "-4", "-j", "route", "show", "table", "all")) as { dst: string }[])
    .map((r) => ipv4Block(r.dst))
    .filter((b) => b !== undefined);
  for (let tries = 0; tries < 100; tries++) {
    const [start] = ipv4Block(`${randomInt(0, 2) ? "198.51.100" : "203.0.113"}.${4 * randomInt(0, 64)}/30`)!;
    if (routes.every(([from, to]) => to <= start || from >= start + 4)) {
      return [formatIPv4(start + 1), formatIPv4(start + 2)];
    }
  }
  throw new Error("no /30 of 198.51.100.0/24 or 203.0.113.0/24 is free of this host's routes");
}
const save = (table: string) => sh(...inNs, "iptables-save", "-t", table);
const chainRules = (dump: string, chain: string) =>
  dump.split("\n").filter((l) => l.startsWith(`-A ${chain} `));

/** The client helper in the namespace: one JSON command per line, one JSON answer per line. */
const HELPER = `
const net = require('net'), dgram = require('dgram'), rl = require('readline');
const keep = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
rl.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.op === 'tcp') {
    const c = net.connect(m.port, m.host); let done = false;
    const reply = (r) => { if (!done) { done = true; out({ id: m.id, ...r }); } };
    c.on('connect', () => c.write(m.send));
    c.once('data', (d) => { reply({ data: String(d) }); if (m.keep) keep.set(m.id, c); else c.end(); });
    c.on('error', (e) => reply({ error: e.code }));
    c.on('close', () => { reply({ error: 'closed' }); if (keep.has(m.id)) out({ id: m.id + ':closed' }); });
  } else if (m.op === 'udp') {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { out({ id: m.id, error: 'timeout' }); s.close(); }, 2000);
    s.on('message', (d) => { clearTimeout(t); out({ id: m.id, data: String(d) }); s.close(); });
    s.send(m.send, m.port, m.host);
  }
});
console.log(JSON.stringify({ id: 'ready' }));
`;

class Client {
  private readonly waiting = new Map<string, (v: { data?: string; error?: string }) => void>();
  private n = 0;
  private diagnosed = false;
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const m = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      }
    });
  }
  wait(id: string, ms = 5000): Promise<{ data?: string; error?: string }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer for ${id}`)), ms);
      this.waiting.set(id, (v) => {
        clearTimeout(t);
        resolve(v);
      });
    });
  }
  async send(op: "tcp" | "udp", host: string, port: number, keep = false) {
    const id = String(++this.n);
    const p = this.wait(id);
    this.child.stdin.write(`${JSON.stringify({ op, host, port, send: "hello", id, keep })}\n`);
    const answer = { id, ...(await p) };
    // No test here expects a failed exchange: say once what the network looked like when one failed.
    if (answer.error && !this.diagnosed) {
      this.diagnosed = true;
      process.stderr.write(
        `${op} ${host}:${port} failed (${answer.error}); the network then:\n${diagnostics()}\n`,
      );
    }
    return answer;
  }
}

/** Addresses, routes, listeners and nat rules on both sides of the veth pair, for a failure's report. */
function diagnostics(): string {
  const show = (...argv: string[]) => {
    try {
      return `$ ${argv.join(" ")}\n${sh(...argv)}`;
    } catch (e) {
      return `$ ${argv.join(" ")}\n(failed: ${(e as Error).message.split("\n")[0]})\n`;
    }
  };
  return [
    show(...inNs, "ip", "-4", "addr"),
    show(...inNs, "ip", "route"),
    show(...inNs, "iptables-save", "-t", "nat"),
    show("ip", "-4", "addr", "show", "dev", HOST_IF),
    show("ip", "route", "get", NS_IP),
    show("ss", "-ltnu", "src", HOST_IP),
    show("iptables", "-t", "nat", "-S", "PREROUTING"),
    show("iptables", "-S", "INPUT"),
  ].join("");
}

const listen = (s: Server) =>
  new Promise<number>((r) => s.listen(0, HOST_IP, () => r((s.address() as { port: number }).port)));

describe("userspace proxier in a network namespace", () => {
  const ipt = new ExecIptables(inNs);
  const servers: Server[] = [];
  let udpBackend: UdpSocket | undefined;
  let helper: ChildProcessWithoutNullStreams | undefined;
  let client: Client;
  let proxier: UserspaceProxier;
  const ports: Record<string, number> = {};
  let deadPort = 0;
  let webSvc: Service;

  /** All endpoints share HOST_IP and differ by port, so each gets a slice of its own. */
  const slicesFor = (svc: string, eps: number[], protocol = "TCP") =>
    eps.map((port, i) =>
      makeTestEndpointSlice("default", svc, i + 1, (e) => {
        e.endpoints = [{ addresses: [HOST_IP], nodeName: "node-a", conditions: { ready: true } }];
        e.ports = [{ name: "p", port, protocol }];
      }),
    );

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error("this test makes a network namespace: run it as root");
    sh("ip", "netns", "add", NS);
    sh(...inNs, "ip", "link", "set", "lo", "up");
    sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF, "netns", NS);
    sh("ip", "addr", "add", `${HOST_IP}/30`, "dev", HOST_IF);
    sh("ip", "link", "set", HOST_IF, "up");
    sh(...inNs, "ip", "addr", "add", `${NS_IP}/30`, "dev", NS_IF);
    sh(...inNs, "ip", "link", "set", NS_IF, "up");
    sh(...inNs, "ip", "link", "add", "svc0", "type", "veth", "peer", "name", "svc1");
    sh(...inNs, "ip", "link", "set", "svc0", "up");
    sh(...inNs, "ip", "link", "set", "svc1", "up");
    sh(...inNs, "ip", "route", "add", "10.96.0.0/16", "dev", "svc0");

    for (const name of ["a", "b"]) {
      const s = createServer((c) => c.on("data", () => c.write(name)).on("error", () => {}));
      servers.push(s);
      ports[name] = await listen(s);
    }
    const dead = createServer();
    deadPort = await listen(dead);
    await new Promise((r) => dead.close(r));
    udpBackend = createSocket("udp4");
    udpBackend.on("message", (m, r) => udpBackend?.send(`pong ${m}`, r.port, r.address));
    await new Promise<void>((r) => udpBackend?.bind(0, HOST_IP, () => r()));
    ports.udp = udpBackend.address().port;

    helper = spawn(inNs[0], [...inNs.slice(1), process.execPath, "-e", HELPER], { stdio: "pipe" });
    client = new Client(helper);
    await client.wait("ready");

    proxier = new UserspaceProxier({
      iptables: ipt,
      hostname: "node-a",
      listenIP: HOST_IP,
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      // Endpoints in the order given, so that the round robin is predictable.
      loadBalancer: new LoadBalancerRR({ shuffle: (s) => [...s] }),
    });
    const svc = (
      name: string,
      ip: string,
      o: { nodePort?: number; protocol?: string; sticky?: boolean } = {},
    ) =>
      makeTestService("default", name, (s) => {
        s.spec = {
          type: o.nodePort ? "NodePort" : "ClusterIP",
          clusterIP: ip,
          ports: [{ name: "p", port: 80, protocol: o.protocol ?? "TCP", nodePort: o.nodePort }],
          sessionAffinity: o.sticky ? "ClientIP" : "None",
          ...(o.sticky ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } : {}),
        };
      });
    webSvc = svc("web", "10.96.0.20", { nodePort: NODE_PORT });
    proxier.onServiceAdd(webSvc);
    proxier.onServiceAdd(svc("sticky", "10.96.0.21", { sticky: true }));
    proxier.onServiceAdd(svc("retry", "10.96.0.22"));
    proxier.onServiceAdd(svc("dns", "10.96.0.23", { protocol: "UDP" }));
    for (const s of slicesFor("web", [ports.a, ports.b])) proxier.onEndpointSliceAdd(s);
    for (const s of slicesFor("sticky", [ports.a, ports.b])) proxier.onEndpointSliceAdd(s);
    // The dead endpoint sorts first ("ip:port" order is kept by the identity shuffle) only if its port is lower.
    for (const s of slicesFor("retry", [deadPort, ports.b])) proxier.onEndpointSliceAdd(s);
    for (const s of slicesFor("dns", [ports.udp], "UDP")) proxier.onEndpointSliceAdd(s);
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();
    await proxier.syncProxyRules();
  });

  after(async () => {
    helper?.kill("SIGKILL");
    await proxier?.stop().catch(() => {});
    for (const s of servers) s.close();
    udpBackend?.close();
    try {
      sh("ip", "netns", "del", NS);
    } catch {
      // already gone
    }
    try {
      execFileSync("ip", ["link", "del", HOST_IF], { stdio: "ignore" });
    } catch {
      // went with the namespace, as it should
    }
  });

  it("writes upstream's portal chains: jumps, DNAT to the proxy port, NodePort rules", () => {
    const nat = save("nat");
    const filter = save("filter");
    const web = proxier.proxyPort("default/web:p/TCP");
    assert.ok(web);
    assert.deepEqual(chainRules(nat, "PREROUTING"), [
      '-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER',
      '-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-CONTAINER',
    ]);
    assert.deepEqual(chainRules(nat, "OUTPUT"), [
      '-A OUTPUT -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-HOST',
      '-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-HOST',
    ]);
    assert.ok(
      chainRules(nat, "KUBE-PORTALS-HOST").includes(
        `-A KUBE-PORTALS-HOST -d 10.96.0.20/32 -p tcp -m comment --comment "default/web:p" -m tcp --dport 80 -j DNAT --to-destination ${HOST_IP}:${web}`,
      ),
    );
    assert.equal(chainRules(nat, "KUBE-PORTALS-CONTAINER").length, 4);
    assert.equal(chainRules(nat, "KUBE-PORTALS-HOST").length, 4);
    assert.deepEqual(chainRules(nat, "KUBE-NODEPORT-HOST"), [
      `-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/web:p" -m tcp --dport ${NODE_PORT} -j DNAT --to-destination ${HOST_IP}:${web}`,
    ]);
    assert.equal(chainRules(nat, "KUBE-NODEPORT-CONTAINER").length, 1);
    assert.deepEqual(chainRules(filter, "INPUT"), [
      '-A INPUT -m comment --comment "Ensure that non-local NodePort traffic can flow" -j KUBE-NODEPORT-NON-LOCAL',
    ]);
    assert.equal(chainRules(filter, "KUBE-NODEPORT-NON-LOCAL").length, 1);
    assert.match(chainRules(filter, "KUBE-NODEPORT-NON-LOCAL")[0], new RegExp(`--dport ${web} .*-j ACCEPT`));
  });

  it("connections to the ClusterIP reach both endpoints in turn (TCP)", async () => {
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await client.send("tcp", "10.96.0.20", 80)).data ?? "error");
    const first = ports.a < ports.b ? "a" : "b";
    const second = first === "a" ? "b" : "a";
    assert.deepEqual(got, [first, second, first, second]);
  });

  it("the NodePort on the node's address reaches the service", async () => {
    const r = await client.send("tcp", NS_IP, NODE_PORT);
    assert.ok(r.data === "a" || r.data === "b", JSON.stringify(r));
  });

  it("UDP: a datagram to the ClusterIP is answered through the proxy", async () => {
    const r = await client.send("udp", "10.96.0.23", 80);
    assert.equal(r.data, "pong hello");
    assert.equal(proxier.connections("default/dns:p/UDP").get(`${HOST_IP}:${ports.udp}`), 1);
    // The client's session ends after the idle timeout (250 ms).
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(proxier.connections("default/dns:p/UDP").size, 0);
  });

  it("sessionAffinity ClientIP sticks to one endpoint", async () => {
    const got = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) got.add((await client.send("tcp", "10.96.0.21", 80)).data);
    assert.equal(got.size, 1, [...got].join(","));
    assert.ok(got.has("a") || got.has("b"), "the answers come from an endpoint");
  });

  it("a dead endpoint is skipped: the dial is retried on the next one", async () => {
    for (let i = 0; i < 4; i++) assert.equal((await client.send("tcp", "10.96.0.22", 80)).data, "b");
  });

  it("removing an endpoint closes its open connections", async () => {
    const r = await client.send("tcp", "10.96.0.20", 80, true);
    assert.ok(r.data === "a" || r.data === "b");
    const keepPort = r.data === "a" ? ports.a : ports.b;
    const otherPort = r.data === "a" ? ports.b : ports.a;
    const key = "default/web:p/TCP";
    assert.equal(proxier.connections(key).get(`${HOST_IP}:${keepPort}`), 1);
    const closed = client.wait(`${r.id}:closed`);
    // Its slice goes: the endpoint leaves the service.
    const idx = keepPort === ports.a ? 1 : 2;
    proxier.onEndpointSliceDelete(makeTestEndpointSlice("default", "web", idx, () => {}));
    await proxier.syncProxyRules();
    await closed;
    assert.equal(proxier.connections(key).size, 0);
    assert.equal((await client.send("tcp", "10.96.0.20", 80)).data, otherPort === ports.a ? "a" : "b");
  });

  it("deleting a service closes its socket and removes its rules", async () => {
    proxier.onServiceDelete(webSvc);
    await proxier.syncProxyRules();
    assert.equal(proxier.proxyPort("default/web:p/TCP"), undefined);
    const nat = save("nat");
    assert.equal(chainRules(nat, "KUBE-NODEPORT-HOST").length, 0);
    assert.ok(!nat.includes("default/web:p"));
  });

  it("--cleanup leaves no userspace chain or jump", async () => {
    await proxier.stop();
    assert.equal(await cleanupLeftovers(ipt), false);
    for (const t of ["nat", "filter"]) assert.doesNotMatch(save(t), /KUBE-(PORTALS|NODEPORT)/, t);
  });
});
