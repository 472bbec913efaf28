// node --import tsx bench/_apiprocs.ts (N=1|2): the create throughput of N independent apiservers (own data dirs),
// 32 clients split between them: an upper bound for several API processes in front of one store.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/ports.ts";
import { cpuSeconds, loadClusterCA, podBody, startApiserver } from "./_apiserver.ts";
import { runPhase } from "./_load.ts";

const N = Number(process.env.N ?? 2);
const CLIENTS = 32;
const children: ChildProcess[] = [];
const dataDirs: string[] = [];
const servers: { port: number; pid: number; agent: Agent }[] = [];
for (let s = 0; s < N; s++) {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-bench-apiprocs-"));
  dataDirs.push(dataDir);
  const port = await freePort();
  const child = await startApiserver(dataDir, port);
  children.push(child);
  const ca = await loadClusterCA(dataDir);
  const admin = await ca.issueClient("bench-admin", ["system:masters"]);
  servers.push({
    port,
    pid: child.pid!,
    agent: new Agent({ keepAlive: true, maxSockets: 40, cert: admin.cert, key: admin.key, ca: ca.certPem }),
  });
}
const call = (s: (typeof servers)[number], body: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: s.port,
        method: "POST",
        path: "/api/v1/namespaces/default/pods",
        agent: s.agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
const phase = (ms: number) =>
  runPhase({ clients: CLIENTS, ms }, undefined, async (c, i) => {
    const st = await call(servers[c % N], podBody(`p-${c}-${i}-${ms}`));
    if (st !== 201) throw new Error(String(st));
  });
await phase(2000);
const cpu0 = servers.map((s) => cpuSeconds(s.pid));
const cc = process.cpuUsage();
const r = await phase(10000);
const cl = process.cpuUsage(cc);
console.log(
  JSON.stringify({
    N,
    createPerSec: Math.round(r.ops / r.seconds),
    serverCpu: servers.map((s, i) => Math.round(((cpuSeconds(s.pid) - cpu0[i]) / r.seconds) * 100)),
    clientCpu: Math.round(((cl.user + cl.system) / 1e6 / r.seconds) * 100),
  }),
);
await Promise.all(
  children.map(
    (ch) =>
      new Promise((r) => {
        ch.once("exit", r);
        ch.kill("SIGTERM");
      }),
  ),
);
for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
process.exit(0);
