// npm run bench -- api
// The whole API stack under load: `k8ts apiserver` on SQLite in its own
// process, 32 concurrent clients over HTTPS keep-alive, phases of about 10 s
// each (create, get, list, update, then a watch replaying the writes), after
// 2 s of creates that warm the fresh server up and are not timed. The
// same run measures raw etcd puts of the same payload at the same concurrency.
// rssMb is the apiserver's resident memory right after the update phase;
// rssIdleMb the same after it has been idle for 30 s (the etcd phase and a wait).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { startEtcd } from "../test/support/etcd.ts";
import { freePort } from "../test/support/ports.ts";
import {
  type BenchClient,
  cpuSeconds,
  httpsClient,
  loadClusterCA,
  podBody,
  rssMb,
  startApiserver,
  stopProcess,
} from "./_apiserver.ts";
import { percentile, runPhase } from "./_load.ts";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 10_000);
// Creates before the timed phase, for the JIT: a fresh apiserver's first creates take up to 0.8 s.
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2_000);
const MAX_PODS = Number(process.env.BENCH_MAX_PODS ?? 20_000);
const MIN_PODS = 10_000;
const IDLE_MS = 30_000;
const LIST_LIMIT = 100;

/** Prints the apiserver's memory as its /metrics gives it; returns the V8 heap used, in MB. */
async function memoryReport(api: BenchClient, rss: number, when: string): Promise<number> {
  const metrics = (await api.call("GET", "/metrics")).body;
  const metricMb = (name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1] ?? 0) / 1048576);
  const heapMb = metricMb("nodejs_heap_used_bytes");
  process.stderr.write(
    `bench api: memory ${when}: RSS ${rss} MB, V8 heap ${heapMb} MB used of ${metricMb("nodejs_heap_size_total_bytes")} MB, external ${metricMb("nodejs_external_memory_bytes")} MB\n`,
  );
  return heapMb;
}

function phase(
  latencies: number[] | undefined,
  op: (client: number, i: number) => Promise<boolean | undefined>,
  ms = PHASE_MS,
): Promise<{ ops: number; seconds: number }> {
  return runPhase({ clients: CLIENTS, ms }, latencies, op);
}

/**
 * The q-quantile of the apiserver's own apiserver_request_duration_seconds
 * for pod creates, interpolated within its bucket as Prometheus'
 * histogram_quantile does: how Kubernetes measures its API latency SLI
 * (server-side; the client-side figure adds the load generator's own queueing).
 */
function serverQuantileMs(metrics: string, q: number, before = ""): number {
  const earlier = createBuckets(before);
  const buckets = [...createBuckets(metrics)].map(([le, n]): [number, number] => [
    le,
    n - (earlier.get(le) ?? 0),
  ]);
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return Number((prevLe * 1000).toFixed(2));
      return Number(
        ((prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount)) * 1000).toFixed(2),
      );
    }
    prevLe = le;
    prevCount = count;
  }
  return 0;
}

/** The cumulative buckets (le → count) of pod creates in apiserver_request_duration_seconds. */
function createBuckets(metrics: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("apiserver_request_duration_seconds_bucket{")) continue;
    if (!line.includes('verb="POST"') || !line.includes('resource="pods"') || /subresource="[^"]/.test(line))
      continue;
    const le = /le="([^"]+)"/.exec(line)?.[1] ?? "";
    buckets.set(
      le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le),
      Number(line.slice(line.lastIndexOf(" ") + 1)),
    );
  }
  return buckets;
}

/** The client's own CPU is on the same 2 cores: read the resourceVersion without parsing the whole object. */
function resourceVersionOf(body: string): string {
  const m = /"resourceVersion":"(\d+)"/.exec(body);
  if (!m) throw new Error(`no resourceVersion in ${body.slice(0, 200)}`);
  return m[1];
}

async function etcdRawPuts(payload: string): Promise<number> {
  const etcd = await startEtcd();
  const c = new Etcd3({ hosts: etcd.endpoints.map((e) => `http://${e}`) });
  try {
    const value = Buffer.from(payload);
    const r = await phase(undefined, async (cl, i) => {
      await c.put(`/registry/pods/default/raw-${cl}-${i}`).value(value);
    });
    return Math.round(r.ops / r.seconds);
  } finally {
    c.close();
    await etcd.stop();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "k8ts-bench-api-"));
const port = await freePort();
process.stderr.write("bench api: starting the apiserver (SQLite)…\n");
const server = await startApiserver(dataDir, port);
try {
  const ca = await loadClusterCA(dataDir);
  const admin = await ca.issueClient("bench-admin", ["system:masters"]);
  const api = httpsClient(port, { cert: admin.cert, key: admin.key, ca: ca.certPem }, CLIENTS);
  const base = "/api/v1/namespaces/default/pods";

  const startRv = JSON.parse((await api.call("GET", `${base}?limit=1`)).body).metadata.resourceVersion;
  let liveEvents = 0;
  const stopLive = api.stream(`${base}?watch=1&resourceVersion=${startRv}`, () => {
    liveEvents++;
  });

  process.stderr.write(`bench api: create (${PHASE_MS / 1000} s or ${MAX_PODS} pods)…\n`);
  const rvs: string[][] = Array.from({ length: CLIENTS }, () => []);
  // The pod as created, for its spec as admission left it (the service-account token volume), which
  // updates may not change; parsed when the update phase needs it, not while creates are timed.
  const createdBodies: string[][] = Array.from({ length: CLIENTS }, () => []);
  const createLat: number[] = [];
  let created = 0;
  const name = (c: number, i: number) => `bench-${c}-${i}`;
  const createPhase = async (latencies: number[], ms?: number) =>
    phase(
      latencies,
      async (c) => {
        if (created >= MAX_PODS) return false;
        created++;
        const i = rvs[c].length;
        const r = await api.call("POST", base, podBody(name(c, i)));
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
        rvs[c].push(resourceVersionOf(r.body));
        createdBodies[c].push(r.body);
      },
      ms,
    );
  const warmLat: number[] = [];
  const warm = await createPhase(warmLat, WARMUP_MS);
  process.stderr.write(
    `bench api: warm-up: ${warm.ops} creates in ${warm.seconds.toFixed(1)} s, p99 ${percentile(warmLat, 0.99)} ms (not timed)\n`,
  );
  const metricsBefore = (await api.call("GET", "/metrics")).body;
  const cpu0 = { server: cpuSeconds(server.pid!), client: process.cpuUsage() };
  const create = await createPhase(createLat);
  const clientCpu = process.cpuUsage(cpu0.client);
  process.stderr.write(
    `bench api: create phase CPU: apiserver ${Math.round(((cpuSeconds(server.pid!) - cpu0.server) / create.seconds) * 100)} %, load generator ${Math.round(((clientCpu.user + clientCpu.system) / 1e6 / create.seconds) * 100)} %\n`,
  );
  const serverP99CreateMs = serverQuantileMs((await api.call("GET", "/metrics")).body, 0.99, metricsBefore);
  // The RSS target is for 10,000 stored pods: top up if the phase was short of it.
  while (created < MIN_PODS) await createPhase([]);

  process.stderr.write("bench api: get…\n");
  const getLat: number[] = [];
  const get = await phase(getLat, async (c, i) => {
    const n = rvs[c].length;
    const r = await api.call("GET", `${base}/${name(c, (i * 7919) % n)}`);
    if (r.status !== 200) throw new Error(`get: ${r.status} ${r.body}`);
  });

  process.stderr.write(`bench api: list (limit ${LIST_LIMIT})…\n`);
  const list = await phase(undefined, async () => {
    const r = await api.call("GET", `${base}?limit=${LIST_LIMIT}`);
    if (r.status !== 200) throw new Error(`list: ${r.status}`);
  });

  process.stderr.write("bench api: update…\n");
  const update = await phase(undefined, async (c, i) => {
    const n = rvs[c].length;
    const k = i % n;
    const obj = JSON.parse(podBody(name(c, k)));
    obj.spec = JSON.parse(createdBodies[c][k]).spec;
    obj.metadata.resourceVersion = rvs[c][k];
    obj.metadata.labels.round = String(i);
    const r = await api.call("PUT", `${base}/${name(c, k)}`, JSON.stringify(obj));
    if (r.status !== 200) throw new Error(`update: ${r.status} ${r.body}`);
    rvs[c][k] = resourceVersionOf(r.body);
  });
  const rss = rssMb(server.pid!);
  const heapMb = await memoryReport(api, rss, `with ${created} pods stored`);

  process.stderr.write("bench api: watch replay…\n");
  const expected = created + update.ops;
  const waitFor = async (count: () => number) => {
    const until = performance.now() + 30_000;
    while (count() < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  };
  await waitFor(() => liveEvents);
  stopLive();
  let replayed = 0;
  const t0 = performance.now();
  const stopReplay = api.stream(`${base}?watch=1&resourceVersion=${startRv}`, () => {
    replayed++;
  });
  await waitFor(() => replayed);
  const replaySeconds = (performance.now() - t0) / 1000;
  stopReplay();
  const idleSince = performance.now();

  process.stderr.write("bench api: raw etcd puts…\n");
  const etcdRawPutPerSec = await etcdRawPuts(podBody("raw"));
  // Its resident memory at rest, the pods stored: after collecting its garbage (it does when idle for
  // 5–10 s) and giving back what the allocator keeps for a while after a burst.
  await new Promise((r) => setTimeout(r, Math.max(0, idleSince + IDLE_MS - performance.now())));
  const rssIdle = rssMb(server.pid!);
  await memoryReport(api, rssIdle, "at rest");

  console.log(
    JSON.stringify({
      bench: "api",
      clients: CLIENTS,
      createPerSec: Math.round(create.ops / create.seconds),
      getPerSec: Math.round(get.ops / get.seconds),
      listPerSec: Math.round(list.ops / list.seconds),
      listLimit: LIST_LIMIT,
      updatePerSec: Math.round(update.ops / update.seconds),
      watchEventsPerSec: Math.round(replayed / replaySeconds),
      watchEventsMissing: expected - liveEvents,
      p50CreateMs: percentile(createLat, 0.5),
      p99CreateMs: percentile(createLat, 0.99),
      serverP99CreateMs,
      p99GetMs: percentile(getLat, 0.99),
      podsStored: created,
      rssMb: rss,
      rssIdleMb: rssIdle,
      heapUsedMb: heapMb,
      etcdRawPutPerSec,
    }),
  );
} finally {
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
}
