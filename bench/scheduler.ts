// npm run bench -- scheduler [WORKLOAD...]
// Workloads modelled on kube-scheduler's scheduler_perf: `k8ts apiserver` on
// SQLite in its own process, N Node objects (no kubelets), and the scheduler
// in this process. The clock runs from the first pod's creation to the last
// pod's binding, both through the real API. One JSON line per workload.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { ClientConfig } from "../src/client/kubeconfig.ts";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { defaultConfiguration } from "../src/scheduler/config.ts";
import { Scheduler } from "../src/scheduler/index.ts";
import { freePort } from "../test/support/ports.ts";
import { clientConfigFor, loadClusterCA, startApiserver, stopProcess } from "./_apiserver.ts";
import { percentile } from "./_load.ts";

const CONCURRENCY = 32;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 180_000);
const scale = Number(process.env.BENCH_SCALE ?? 1);

interface Workload {
  name: string;
  nodes: number;
  /** Pods scheduled before the clock starts (e.g. preemption's victims). */
  initPods?: number;
  initPod?(i: number): Pod;
  pods: number;
  pod(i: number): Pod;
  node(i: number): Node;
  /** PriorityClasses the pods name (Priority admission refuses a bare spec.priority, as upstream). */
  priorityClasses?: { name: string; value: number }[];
}

const podBase = (
  name: string,
  spec: Partial<NonNullable<Pod["spec"]>> = {},
  labels?: Record<string, string>,
): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels },
  spec: {
    containers: [
      {
        name: "pause",
        image: "k8ts.local/pause:3.10",
        resources: { requests: { cpu: "100m", memory: "500Mi" }, limits: { cpu: "100m", memory: "500Mi" } },
      },
    ],
    ...spec,
  },
});

// upstream's node-default.yaml: 4 cpu, 32Gi, 110 pods.
const nodeBase = (i: number, labels: Record<string, string> = {}): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: `node-${i}`, labels: { "kubernetes.io/hostname": `node-${i}`, ...labels } },
  spec: {},
  status: {
    allocatable: { cpu: "4", memory: "32Gi", pods: "110" },
    capacity: { cpu: "4", memory: "32Gi", pods: "110" },
    conditions: [{ type: "Ready", status: "True" }],
  },
});

const zone = (i: number) => ({ "topology.kubernetes.io/zone": `zone-${i % 3}` });

const workloads: Workload[] = [
  {
    name: "SchedulingBasic",
    nodes: 5000,
    pods: 10_000,
    node: (i) => nodeBase(i),
    pod: (i) => podBase(`basic-${i}`),
  },
  {
    name: "TopologySpreading",
    nodes: 5000,
    pods: 5000,
    node: (i) => nodeBase(i, zone(i)),
    pod: (i) =>
      podBase(
        `spread-${i}`,
        {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "DoNotSchedule",
              labelSelector: { matchLabels: { color: "blue" } },
            },
          ],
        },
        { color: "blue" },
      ),
  },
  {
    name: "PodAntiAffinity",
    nodes: 5000,
    pods: 2000,
    node: (i) => nodeBase(i),
    pod: (i) =>
      podBase(
        `anti-${i}`,
        {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: { color: "green" } }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
        },
        { color: "green" },
      ),
  },
  {
    // upstream's PreemptionBasic: low-priority pods fill every node, then each high-priority pod must evict.
    name: "Preemption",
    nodes: 500,
    initPods: 2000,
    priorityClasses: [
      { name: "bench-low", value: 1 },
      { name: "bench-high", value: 10 },
    ],
    initPod: (i) => {
      const p = podBase(`low-${i}`, { priorityClassName: "bench-low", terminationGracePeriodSeconds: 0 });
      p.spec!.containers[0].resources = { requests: { cpu: "900m", memory: "500Mi" } };
      return p;
    },
    pods: 500,
    node: (i) => nodeBase(i),
    pod: (i) => {
      const p = podBase(`high-${i}`, { priorityClassName: "bench-high" });
      p.spec!.containers[0].resources = { requests: { cpu: "3000m", memory: "500Mi" } };
      return p;
    },
  },
];

async function createAll<T>(
  count: number,
  make: (i: number) => T,
  create: (o: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await create(make(next++));
    }),
  );
}

async function waitUntil(cond: () => boolean, what: string, deadline: number): Promise<boolean> {
  while (!cond()) {
    if (Date.now() > deadline) {
      process.stderr.write(`bench scheduler: timed out waiting for ${what}\n`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

interface CreatorData {
  client: ClientConfig;
  workload: string;
  initial: boolean;
  count: number;
}

/**
 * Pods are created from a worker thread, as another client would create them:
 * the creating client's CPU must not count against the scheduler's thread.
 */
function createPodsInWorker(data: CreatorData): Promise<void> {
  // A worker does not inherit tsx's loader: register it, then load this file.
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register(); await import(${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: data,
  });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`pod creator exited with ${code}`)),
    );
  });
}

async function creatorMain(d: CreatorData): Promise<void> {
  const w = workloads.find((x) => x.name === d.workload)!;
  const client = new RestClient(d.client);
  const make = d.initial ? w.initPod! : w.pod;
  await createAll(d.count, make, (p) => client.create(Resources.pods, p as Pod & { metadata: object }));
  client.close();
}

async function run(w: Workload): Promise<void> {
  const nodes = Math.max(1, Math.round(w.nodes * scale));
  const pods = Math.max(1, Math.round(w.pods * scale));
  const initPods = Math.round((w.initPods ?? 0) * scale);
  // The store on tmpfs: this measures the scheduler, not the disk's fsync (bench api measures that).
  const dataDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "k8ts-bench-sched-"));
  const port = await freePort();
  // No node lifecycle controller runs here to take TaintNodesByCondition's not-ready taint off the
  // nodes the bench creates: upstream's scheduler_perf turns that plugin off too.
  const server = await startApiserver(dataDir, port, ["--disable-admission-plugins=TaintNodesByCondition"]);
  const ca = await loadClusterCA(dataDir);
  const clientConfig = await clientConfigFor(ca, port, "bench-admin", ["system:masters"]);
  const client = new RestClient(clientConfig);
  const config = defaultConfiguration();
  config.leaderElection.leaderElect = false;
  const scheduler = new Scheduler({ client, config, log: (m) => process.stderr.write(`scheduler: ${m}\n`) });
  try {
    process.stderr.write(`bench scheduler: ${w.name}: creating ${nodes} nodes…\n`);
    await createAll(nodes, w.node, async (n) => {
      const created = await client.create(Resources.nodes, n as Node & { metadata: object });
      await client.update(Resources.nodes, { ...created, status: n.status }, { subresource: "status" });
    });
    for (const pc of w.priorityClasses ?? []) {
      await client.create(Resources.priorityclasses, {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name: pc.name },
        value: pc.value,
      });
    }
    await scheduler.start();
    const scheduled = () =>
      scheduler.metrics.attempts.get({ result: "scheduled", profile: "default-scheduler" });
    const deadline = Date.now() + TIMEOUT_MS;
    if (initPods > 0) {
      process.stderr.write(`bench scheduler: ${w.name}: scheduling ${initPods} initial pods…\n`);
      await createPodsInWorker({ client: clientConfig, workload: w.name, initial: true, count: initPods });
      if (!(await waitUntil(() => scheduled() >= initPods, "the initial pods", deadline))) return;
    }
    const before = scheduled();
    scheduler.metrics.samples = [];
    process.stderr.write(`bench scheduler: ${w.name}: creating and scheduling ${pods} pods…\n`);
    const start = performance.now();
    const creating = createPodsInWorker({
      client: clientConfig,
      workload: w.name,
      initial: false,
      count: pods,
    });
    const ok = await waitUntil(() => scheduled() - before >= pods, `${pods} bindings`, deadline);
    const seconds = (performance.now() - start) / 1000;
    await creating;
    const done = scheduled() - before;
    const attempts = scheduler.metrics.samples;
    process.stdout.write(
      `${JSON.stringify({
        bench: "scheduler",
        workload: w.name,
        nodes,
        pods,
        scheduled: done,
        podsPerSec: Math.round(done / seconds),
        p99AttemptMs: percentile(attempts, 0.99),
        seconds: Number(seconds.toFixed(2)),
        ...(ok ? {} : { timedOut: true }),
      })}\n`,
    );
  } finally {
    await scheduler.stop();
    client.close();
    await stopProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  const only = process.argv.slice(2);
  for (const w of workloads) if (only.length === 0 || only.includes(w.name)) await run(w);
} else {
  await creatorMain(workerData as CreatorData);
}
