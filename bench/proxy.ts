// npm run bench -- proxy
// Issue 10's three figures in one JSON line:
// - iptables: the iptables Proxier with 10,000 ClusterIP Services × 5 ready
//   endpoints, against real iptables (iptables-nft) in a network namespace
//   made for the run; a full syncProxyRules (rule generation + the one
//   iptables-restore), then a one-service change (an endpoint added) synced;
//   each with the time of its iptables-restore alone (…RestoreMs), which is
//   iptables' share whatever the proxier generates.
// - userspace: proxied / direct throughput (src/proxy/userspace/throughput-bench.ts).
// - DNS: a DnsServer answering 1,000 services from a ClusterZone fed directly,
//   loaded over UDP on loopback by a child process with a fixed window of
//   outstanding queries.
// Progress goes to stderr; the result line to stdout.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Forwarder } from "../src/dns/forward.ts";
import { DnsMetrics } from "../src/dns/metrics.ts";
import { DnsServer } from "../src/dns/server.ts";
import { ClusterZone } from "../src/dns/zone.ts";
import { ExecIptables } from "../src/proxy/iptables/iptables.ts";
import { Proxier } from "../src/proxy/iptables/proxier.ts";
import { makeTestEndpointSlice, makeTestService } from "../src/proxy/testing/fixtures.ts";
import { measureUserspaceThroughput } from "../src/proxy/userspace/throughput-bench.ts";

const SERVICES = Number(process.env.BENCH_PROXY_SERVICES ?? 10_000);
const ENDPOINTS_PER_SERVICE = 5;
// One full sync of 10,000 services takes minutes with iptables-nft 1.8.9 (see docs/benchmarks.md): measured once.
const FULL_SYNC_RUNS = Number(process.env.BENCH_PROXY_FULL_RUNS ?? 1);
const ONE_SERVICE_RUNS = 5;
const DNS_SERVICES = 1_000;
const DNS_WINDOW = 128;
const DNS_MS = 3_000;

const progress = (msg: string) => process.stderr.write(`proxy: ${msg}\n`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The i-th address of a /16 (base "10.96"), from .0.1 on. */
const ipInSlash16 = (base: string, i: number) => `${base}.${((i + 1) >> 8) & 255}.${(i + 1) & 255}`;

function benchService(i: number): Service {
  // 10.96.0.1 is the kubernetes Service and 10.96.0.10 kube-dns: start above both.
  return makeTestService(`ns-${i % 100}`, `svc-${i}`, (s) => {
    s.spec = {
      type: "ClusterIP",
      clusterIP: ipInSlash16("10.96", 255 + i),
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
    };
  });
}

function benchSlice(i: number, endpoints: number): EndpointSlice {
  return makeTestEndpointSlice(`ns-${i % 100}`, `svc-${i}`, 1, (e) => {
    e.endpoints = Array.from({ length: endpoints }, (_, k) => ({
      addresses: [ipInSlash16("10.244", i * (ENDPOINTS_PER_SERVICE + 1) + k)],
      nodeName: `node-${k}`,
      conditions: { ready: true, serving: true, terminating: false },
    }));
    e.ports = [{ name: "http", port: 8080, protocol: "TCP" }];
  });
}

/** Network namespaces this run made, deleted on exit whatever happens. */
const namespaces = new Set<string>();

function deleteNamespaces(): void {
  for (const ns of namespaces) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    } catch {
      // already gone
    }
    namespaces.delete(ns);
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    deleteNamespaces();
    process.exit(130);
  });
}
process.once("exit", deleteNamespaces);

async function benchIptables(): Promise<{
  fullMs: number;
  fullRestoreMs: number;
  oneServiceMs: number;
  oneServiceRestoreMs: number;
}> {
  const ns = `k8ts-bench-${randomBytes(4).toString("hex")}`;
  execFileSync("ip", ["netns", "add", ns]);
  namespaces.add(ns);
  try {
    execFileSync("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    let now = 1_000_000;
    const proxier = new Proxier({
      iptables: new ExecIptables(["ip", "netns", "exec", ns]),
      hostname: "node-0",
      clusterCIDR: "10.244.0.0/16",
      syncPeriodMs: 3_600_000,
      minSyncPeriodMs: 1_000,
      now: () => now,
      log: (msg, fields) => {
        if (msg.startsWith("Failed")) progress(`${msg} ${JSON.stringify(fields)}`);
      },
    });
    // The bench calls syncProxyRules itself: the stopped runner leaves the handlers' syncs to it.
    await proxier.stop();
    for (let i = 0; i < SERVICES; i++) {
      proxier.onServiceAdd(benchService(i));
      proxier.onEndpointSliceAdd(benchSlice(i, ENDPOINTS_PER_SERVICE));
    }
    proxier.onServiceSynced();
    proxier.onEndpointSlicesSynced();

    const full: number[] = [];
    const fullRestore: number[] = [];
    for (let r = 0; r < FULL_SYNC_RUNS; r++) {
      proxier.forceFullSync();
      // Each full sync also looks for stale chains (iptables-save of nat), as once per syncPeriod in large clusters.
      now += 3_600_000;
      const t0 = performance.now();
      const res = await proxier.syncProxyRules();
      const ms = performance.now() - t0;
      if (!res?.full) throw new Error("full sync failed");
      full.push(ms);
      fullRestore.push(res.restoreMs);
      progress(
        `full sync ${r + 1}: ${ms.toFixed(0)} ms, iptables-restore ${res.restoreMs.toFixed(0)} ms (${(res.data.length / 2 ** 20).toFixed(1)} MiB, ${res.natRules} nat rules)`,
      );
    }

    const one: number[] = [];
    const oneRestore: number[] = [];
    for (let r = 0; r < ONE_SERVICE_RUNS; r++) {
      const i = (r * 997) % SERVICES;
      now += 1_000;
      proxier.onEndpointSliceUpdate(
        benchSlice(i, ENDPOINTS_PER_SERVICE),
        benchSlice(i, ENDPOINTS_PER_SERVICE + 1),
      );
      const t0 = performance.now();
      const res = await proxier.syncProxyRules();
      const ms = performance.now() - t0;
      if (!res || res.full) throw new Error("partial sync failed");
      one.push(ms);
      oneRestore.push(res.restoreMs);
      progress(
        `one-service sync ${r + 1}: ${ms.toFixed(1)} ms, iptables-restore ${res.restoreMs.toFixed(1)} ms (${(res.data.length / 1024).toFixed(0)} KiB)`,
      );
    }
    const check = execFileSync("ip", ["netns", "exec", ns, "iptables-save", "-t", "nat"], {
      encoding: "utf8",
      maxBuffer: 256 * 2 ** 20,
    });
    const seps = check.split("\n").filter((l) => l.startsWith(":KUBE-SEP-")).length;
    const expected = SERVICES * ENDPOINTS_PER_SERVICE + ONE_SERVICE_RUNS;
    if (seps !== expected) throw new Error(`nat holds ${seps} KUBE-SEP chains, expected ${expected}`);
    return {
      fullMs: round1(median(full)),
      fullRestoreMs: round1(median(fullRestore)),
      oneServiceMs: round1(median(one)),
      oneServiceRestoreMs: round1(median(oneRestore)),
    };
  } finally {
    try {
      execFileSync("ip", ["netns", "del", ns]);
    } finally {
      namespaces.delete(ns);
    }
  }
}

/**
 * The load generator (a child process): one UDP socket, WINDOW queries in
 * flight, each answer sends the next query. Queries are A questions for the
 * names argv lists by count; a query unanswered for 500 ms is sent again.
 * Prints the answers per second of the measured span (after a warm-up).
 */
const DNS_LOAD = `
const dgram = require('dgram');
const [port, services, window, ms] = process.argv.slice(1).map(Number);
const enc = (name, id) => {
  const labels = name.split('.');
  const len = 12 + labels.reduce((n, l) => n + 1 + l.length, 0) + 5;
  const b = Buffer.alloc(len);
  b.writeUInt16BE(id, 0); b.writeUInt16BE(0x0100, 2); b.writeUInt16BE(1, 4);
  let o = 12;
  for (const l of labels) { b[o++] = l.length; o += b.write(l, o, 'latin1'); }
  b[o++] = 0; b.writeUInt16BE(1, o); b.writeUInt16BE(1, o + 2);
  return b;
};
const names = Array.from({ length: services }, (_, i) => 'svc-' + i + '.ns-' + (i % 100) + '.svc.cluster.local');
const sock = dgram.createSocket('udp4');
const sentAt = new Float64Array(window);
let next = 0, answered = 0, errors = 0, counting = false, counted = 0;
const send = (slot) => {
  const q = enc(names[next++ % names.length], slot);
  sentAt[slot] = performance.now();
  sock.send(q, port, '127.0.0.1');
};
sock.on('message', (m) => {
  const slot = m.readUInt16BE(0);
  if (slot >= window || sentAt[slot] === 0) return;
  if ((m[3] & 0xf) !== 0 || m.readUInt16BE(6) === 0) errors++;
  answered++;
  if (counting) counted++;
  send(slot);
});
sock.bind(0, '127.0.0.1', () => {
  for (let s = 0; s < window; s++) send(s);
  const resend = setInterval(() => {
    const t = performance.now();
    for (let s = 0; s < window; s++) if (t - sentAt[s] > 500) send(s);
  }, 100);
  setTimeout(() => {
    counting = true;
    const t0 = performance.now();
    setTimeout(() => {
      const secs = (performance.now() - t0) / 1000;
      clearInterval(resend);
      console.log(JSON.stringify({ qps: Math.round(counted / secs), answered, errors }));
      sock.close();
    }, ms);
  }, 500);
});
`;

async function benchDns(): Promise<number> {
  const zone = new ClusterZone({ zone: "cluster.local" });
  for (let i = 0; i < DNS_SERVICES; i++) {
    zone.setService(benchService(i));
    zone.setEndpointSlice(benchSlice(i, ENDPOINTS_PER_SERVICE));
  }
  const forwarder = new Forwarder({ upstreams: [] });
  const metrics = new DnsMetrics("dns://127.0.0.1:0");
  const server = new DnsServer({ zone, forwarder, metrics, synced: () => true, host: "127.0.0.1", port: 0 });
  await server.start();
  try {
    const child = spawn(
      process.execPath,
      ["-e", DNS_LOAD, String(server.port), String(DNS_SERVICES), String(DNS_WINDOW), String(DNS_MS)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), DNS_MS + 30_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`DNS load generator exited with ${code}`);
    const r = JSON.parse(out.trim()) as { qps: number; answered: number; errors: number };
    progress(`dns: ${r.qps} queries/s (${r.answered} answered, ${r.errors} errors)`);
    if (r.errors > 0) throw new Error(`${r.errors} DNS answers were errors or empty`);
    return r.qps;
  } finally {
    await server.stop();
    forwarder.close();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the proxy bench makes network namespaces: run it as root");
  progress(`iptables: ${SERVICES} services × ${ENDPOINTS_PER_SERVICE} endpoints`);
  const ipt = await benchIptables();
  progress("userspace throughput");
  const us = await measureUserspaceThroughput();
  progress(
    `userspace: direct ${(us.directBytesPerSec / 2 ** 20).toFixed(0)} MiB/s, proxied ${(us.proxiedBytesPerSec / 2 ** 20).toFixed(0)} MiB/s`,
  );
  progress(`dns: ${DNS_SERVICES} services, ${DNS_WINDOW} queries in flight, ${DNS_MS} ms`);
  const dnsQps = await benchDns();
  console.log(
    JSON.stringify({
      bench: "proxy",
      services: SERVICES,
      endpointsPerService: ENDPOINTS_PER_SERVICE,
      iptablesFullSyncMs: ipt.fullMs,
      iptablesFullSyncRestoreMs: ipt.fullRestoreMs,
      iptablesOneServiceSyncMs: ipt.oneServiceMs,
      iptablesOneServiceRestoreMs: ipt.oneServiceRestoreMs,
      userspaceThroughputRatio: Math.round(us.ratio * 100) / 100,
      dnsQps,
    }),
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`proxy bench failed: ${(e as Error).stack ?? e}\n`);
    deleteNamespaces();
    process.exit(1);
  },
);
