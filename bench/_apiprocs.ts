// node --import tsx bench/_apiprocs.ts (N=1|2): the create throughput of N independent apiservers (own data dirs),
// 32 clients split between them: an upper bound for several API processes in front of one store.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/ports.ts";
import {
  type BenchClient,
  cpuSeconds,
  httpsClient,
  loadClusterCA,
  podBody,
  startApiserver,
  stopProcess,
} from "./_apiserver.ts";
import { runPhase } from "./_load.ts";

const N = Number(process.env.N ?? 2);
const CLIENTS = 32;
const dataDirs: string[] = [];
const servers: { child: ChildProcess; api: BenchClient }[] = [];
for (let s = 0; s < N; s++) {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-bench-apiprocs-"));
  dataDirs.push(dataDir);
  const port = await freePort();
  const child = await startApiserver(dataDir, port);
  const ca = await loadClusterCA(dataDir);
  const admin = await ca.issueClient("bench-admin", ["system:masters"]);
  servers.push({
    child,
    api: httpsClient(port, { cert: admin.cert, key: admin.key, ca: ca.certPem }, CLIENTS),
  });
}
const phase = (ms: number) =>
  runPhase({ clients: CLIENTS, ms }, undefined, async (c, i) => {
    const r = await servers[c % N].api.call(
      "POST",
      "/api/v1/namespaces/default/pods",
      podBody(`p-${c}-${i}-${ms}`),
    );
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
  });
await phase(2000);
const cpu0 = servers.map((s) => cpuSeconds(s.child.pid!));
const cc = process.cpuUsage();
const r = await phase(10000);
const cl = process.cpuUsage(cc);
console.log(
  JSON.stringify({
    N,
    createPerSec: Math.round(r.ops / r.seconds),
    serverCpu: servers.map((s, i) => Math.round(((cpuSeconds(s.child.pid!) - cpu0[i]) / r.seconds) * 100)),
    clientCpu: Math.round(((cl.user + cl.system) / 1e6 / r.seconds) * 100),
  }),
);
await Promise.all(servers.map(({ child }) => stopProcess(child)));
for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
process.exit(0);
