// node --import tsx bench/_apiprocs.ts (N=1|2): the create throughput of N independent apiservers (own data dirs),
// 32 clients split between them: an upper bound for several API processes in front of one store.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/ports.ts";
import {
  type BenchClient,
  httpsClient,
  loadClusterCA,
  startApiserver,
  stopProcess,
  timedCreates,
} from "./_apiserver.ts";

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
const r = await timedCreates(
  servers.map((s) => ({ api: s.api, pid: s.child.pid! })),
  CLIENTS,
);
console.log(
  JSON.stringify({
    N,
    createPerSec: Math.round(r.ops / r.seconds),
    serverCpu: r.serverCpu.map((cpu) => Math.round((cpu / r.seconds) * 100)),
    clientCpu: Math.round((r.clientCpu / r.seconds) * 100),
  }),
);
await Promise.all(servers.map(({ child }) => stopProcess(child)));
for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
process.exit(0);
