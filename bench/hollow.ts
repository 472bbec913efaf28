// npm run bench -- hollow [NODES]
// Many hollow kubelets (the real kubelet over the fake runtime) in this one
// process against `k8ts apiserver` on SQLite (its own process, store on
// tmpfs): start them, let them settle, then measure this process's RSS per
// node, whether every node Lease was renewed within the last 40 s, and the
// apiserver's CPU while they idle. One JSON line.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import type { Kubelet } from "../src/kubelet/index.ts";
import { freePort } from "../test/support/ports.ts";
import { cpuSeconds, loadClusterCA, rssMb, startApiserver, stopProcess } from "./_apiserver.ts";
import { startHollowKubelets } from "./_hollow-nodes.ts";

const NODES = Number(process.argv[2] ?? process.env.BENCH_NODES ?? 1000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 60_000);

const dataDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "k8ts-bench-hollow-"));
const port = await freePort();
const server = await startApiserver(dataDir, port);
const ca = await loadClusterCA(dataDir);
const url = `https://127.0.0.1:${port}`;
const kubelets: Kubelet[] = [];
const clients: RestClient[] = [];
try {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  process.stderr.write(`bench hollow: starting ${NODES} hollow kubelets…\n`);
  const t0 = performance.now();
  const started = await startHollowKubelets(ca, port, NODES, {
    maxConnections: 1,
    onProgress: (n) => {
      if (n % 200 === 0 || n === NODES) process.stderr.write(`bench hollow: ${n}/${NODES} started\n`);
    },
  });
  kubelets.push(...started.kubelets);
  clients.push(...started.clients);
  const startSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(
    `bench hollow: all started in ${startSeconds.toFixed(1)} s; settling ${SETTLE_MS / 1000} s…\n`,
  );
  await new Promise((r) => setTimeout(r, SETTLE_MS / 2));
  const cpu0 = cpuSeconds(server.pid!);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, SETTLE_MS / 2));
  const apiserverCpuPct = Math.round(
    ((cpuSeconds(server.pid!) - cpu0) / ((performance.now() - w0) / 1000)) * 100,
  );
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const admin = await ca.issueClient("bench-admin", ["system:masters"]);
  const adminClient = new RestClient({
    server: url,
    ca: ca.certPem,
    cert: admin.cert,
    key: admin.key,
    namespace: "default",
  });
  const leases = await adminClient.list<{ spec?: { renewTime?: string } }>(Resources.leases, {
    namespace: "kube-node-lease",
  });
  const now = Date.now();
  const staleLeases =
    NODES -
    leases.items.filter((l) => now - Date.parse(l.spec?.renewTime ?? "1970-01-01T00:00:00Z") <= 40_000)
      .length;
  const nodes = await adminClient.list<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
    Resources.nodes,
  );
  const ready = nodes.items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
  adminClient.close();
  process.stdout.write(
    `${JSON.stringify({
      bench: "hollow",
      nodes: NODES,
      readyNodes: ready,
      rssMbPerNode: Number(((rss - baseRss) / 1024 / 1024 / NODES).toFixed(2)),
      staleLeases,
      apiserverCpuPct,
      apiserverRssMb: rssMb(server.pid!),
      startSeconds: Number(startSeconds.toFixed(1)),
    })}\n`,
  );
} finally {
  await Promise.all(kubelets.map((k) => k.stop()));
  for (const c of clients) c.close();
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
}
