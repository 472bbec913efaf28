// npm run bench -- controllers [NODES] [DEPLOYMENTS] [REPLICAS]
// The whole control loop at scale: `k8ts apiserver` on SQLite (tmpfs) in its
// own process; NODES hollow kubelets in another at the lowest CPU priority
// (as KWOK and kubemark run simulated nodes apart from the control plane;
// BENCH_HOLLOW_NICE=0 gives them the same priority); in this process the
// scheduler and the controller-manager (every default controller), sharing
// their informers as `k8ts up` runs them. The hollow kubelets record their events to a FakeRecorder, as
// kubemark's do (BENCH_HOLLOW_EVENTS=1 sends them to the API, about 3 more
// requests a pod). The clock runs from the first Deployment's creation until every pod is Running
// and every Deployment is Available, as the controller-manager's informers see them. One JSON line;
// steadyPodsPerSec is the rate from a tenth to nine tenths of the pods Running.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { SharedInformerFactory } from "../src/client/informer-factory.ts";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { ServiceAccountClientBuilder } from "../src/controllers/client-builder.ts";
import { controllerManagerInformers, startControllers } from "../src/controllers/manager.ts";
import { controllerDescriptors } from "../src/controllers/registry.ts";
import { defaultConfiguration } from "../src/scheduler/config.ts";
import { Scheduler } from "../src/scheduler/index.ts";
import { freePort } from "../test/support/ports.ts";
import {
  clientConfigFor,
  cpuSeconds as cpu,
  loadClusterCA,
  rssMb,
  startApiserver,
  stopProcess,
} from "./_apiserver.ts";
import { startHollowNodes } from "./_hollow-nodes.ts";

const NODES = Number(process.argv[2] ?? process.env.BENCH_NODES ?? 500);
const DEPLOYMENTS = Number(process.argv[3] ?? process.env.BENCH_DEPLOYMENTS ?? 100);
const REPLICAS = Number(process.argv[4] ?? process.env.BENCH_REPLICAS ?? 100);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const log = (m: string) => process.stderr.write(`bench controllers: ${m}\n`);

/** apiserver_request_total by "VERB resource[/subresource]", of the answers whose code passes `code`. */
function requestCounts(metrics: string, code: (c: string) => boolean = () => true): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const),
    );
    if (!code(labels.code)) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}
const succeeded = (c: string) => c.startsWith("2");
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const dataDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "k8ts-bench-controllers-"));
const port = await freePort();
const server = await startApiserver(dataDir, port);
const ca = await loadClusterCA(dataDir);
const _url = `https://127.0.0.1:${port}`;
const config = (user: string, groups: string[]) => clientConfigFor(ca, port, user, groups);

const abort = new AbortController();
const clients: RestClient[] = [];
let nodes: Awaited<ReturnType<typeof startHollowNodes>> | undefined;
let scheduler: Scheduler | undefined;
let controllersDone: Promise<void> | undefined;
let serviceAccounts: ServiceAccountClientBuilder | undefined;
let informers: SharedInformerFactory | undefined;
try {
  log(`starting ${NODES} hollow kubelets in their own process…`);
  nodes = await startHollowNodes(dataDir, port, NODES);
  const schedulerClient = new RestClient(await config("system:kube-scheduler", []), {
    userAgent: "scheduler",
  });
  clients.push(schedulerClient);
  // As `k8ts up` runs them: the manager as system:kube-controller-manager, each controller as its own
  // kube-system service account (--use-service-account-credentials), none of them in system:masters,
  // which the max-in-flight limit would let through; one informer a resource for both components.
  const cmClient = new RestClient(await config("system:kube-controller-manager", []), {
    userAgent: "controller-manager",
  });
  clients.push(cmClient);
  informers = controllerManagerInformers({ client: cmClient });
  const schedulerConfig = defaultConfiguration();
  schedulerConfig.leaderElection.leaderElect = false;
  scheduler = new Scheduler({ client: schedulerClient, config: schedulerConfig, informers, log: () => {} });
  await scheduler.start();
  const builder = new ServiceAccountClientBuilder({ client: cmClient, signal: abort.signal, log: () => {} });
  serviceAccounts = builder;
  const controllers = await startControllers({
    client: cmClient,
    descriptors: controllerDescriptors,
    clientFor: (d) => builder.clientFor(d.serviceAccount),
    informers,
    signal: abort.signal,
    log: () => {},
  });
  controllersDone = controllers.done;
  log(`nodes, scheduler and ${controllers.names.length} controllers up`);

  const admin = new RestClient(await config("bench-admin", ["system:masters"]), { userAgent: "bench" });
  clients.push(admin);
  const total = DEPLOYMENTS * REPLICAS;
  const running = new Set<string>();
  const available = new Set<string>();
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((r) => {
    resolveDone = r;
  });
  // When a tenth and nine tenths of the pods were Running: the rate between them leaves out the ramp-up
  // (JIT, the replica sets' slow-start batches) and the tail.
  const marks: { t10?: number; t90?: number } = {};
  const check = () => {
    if (marks.t10 === undefined && running.size >= total / 10) marks.t10 = performance.now();
    if (marks.t90 === undefined && running.size >= (total * 9) / 10) marks.t90 = performance.now();
    if (running.size >= total && available.size >= DEPLOYMENTS) resolveDone();
  };
  // Seen through the controller-manager's own informers: a watch of the bench's own would add to the
  // load it measures (every pod event written and decoded once more).
  const pods = controllers.informers.forResource<Pod>(Resources.pods);
  pods.addEventHandler({
    onAdd: (p) => {
      if (p.status?.phase === "Running") running.add(p.metadata!.uid!);
      check();
    },
    onUpdate: (_, p) => {
      if (p.status?.phase === "Running") running.add(p.metadata!.uid!);
      check();
    },
  });
  const onDeployment = (d: Deployment) => {
    const ok =
      d.status?.observedGeneration === d.metadata?.generation &&
      d.status?.availableReplicas === REPLICAS &&
      d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True");
    if (ok) available.add(d.metadata!.name!);
    check();
  };
  controllers.informers
    .forResource<Deployment>(Resources.deployments)
    .addEventHandler({ onAdd: onDeployment, onUpdate: (_, d) => onDeployment(d) });

  const metrics0 = await admin.raw("/metrics");
  const requests0 = requestCounts(metrics0, succeeded);
  const rejected0 = sum(requestCounts(metrics0, (c) => c === "429"));
  const apiCpu0 = cpu(server.pid!);
  const nodesCpu0 = cpu(nodes.pid);
  const selfCpu0 = process.cpuUsage();
  log(`creating ${DEPLOYMENTS} deployments × ${REPLICAS} replicas…`);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: DEPLOYMENTS }, (_, i) =>
      admin.create<Deployment & { metadata: object }>(Resources.deployments, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `bench-${i}`, namespace: "default" },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: { app: `bench-${i}` } },
          template: {
            metadata: { labels: { app: `bench-${i}` } },
            spec: { containers: [{ name: "pause", image: "k8ts.local/pause:3.10" }] },
          },
        },
      }),
    ),
  );
  // Each stage's progress: a stage that lags the one before it is where the pods wait.
  const progress = setInterval(() => {
    admin
      .raw("/metrics")
      .then((m) => {
        const done = requestCounts(m, succeeded);
        const n = (k: string) => (done.get(k) ?? 0) - (requests0.get(k) ?? 0);
        log(
          `${Math.round((performance.now() - t0) / 1000)} s: ${n("POST pods")} pods created, ${n("POST pods/binding")} bound, ${running.size}/${total} running, ${available.size}/${DEPLOYMENTS} deployments available`,
        );
      })
      .catch(() => {});
  }, 5000);
  const timedOut = await Promise.race([
    allDone.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), TIMEOUT_MS).unref()),
  ]);
  clearInterval(progress);
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(selfCpu0);
  const metrics = await admin.raw("/metrics");
  const requests = requestCounts(metrics, succeeded);
  // Requests the max-in-flight limit turned away (429): their clients retry after Retry-After (1 s).
  const rejected = sum(requestCounts(metrics, (c) => c === "429")) - rejected0;
  // CPU seconds of the three processes over the run, and per pod: the machine's speed drifts by ±15 % from
  // hour to hour, and what a change costs or saves shows in CPU a pod better than in pods a second.
  const used = {
    apiserver: cpu(server.pid!) - apiCpu0,
    components: (self.user + self.system) / 1e6,
    kubelets: cpu(nodes.pid) - nodesCpu0,
  };
  const perPod = [...requests]
    .map(([k, n]) => [k, (n - (requests0.get(k) ?? 0)) / total] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  log(`requests per pod: ${perPod.map(([k, n]) => `${k} ${n.toFixed(2)}`).join(", ")}`);
  process.stdout.write(
    `${JSON.stringify({
      bench: "controllers",
      nodes: NODES,
      pods: total,
      ...(timedOut
        ? { timedOut: true, podsRunning: running.size, deploymentsAvailable: available.size }
        : {}),
      secondsToAllRunning: Number(seconds.toFixed(1)),
      podsPerSec: Math.round(running.size / seconds),
      ...(marks.t10 !== undefined && marks.t90 !== undefined && marks.t90 > marks.t10
        ? { steadyPodsPerSec: Math.round(((total * 8) / 10 / (marks.t90 - marks.t10)) * 1000) }
        : {}),
      apiserverCpuPct: Math.round((used.apiserver / seconds) * 100),
      componentsCpuPct: Math.round((used.components / seconds) * 100),
      kubeletsCpuPct: Math.round((used.kubelets / seconds) * 100),
      cpuMsPerPod: Number((((used.apiserver + used.components + used.kubelets) / total) * 1000).toFixed(2)),
      apiserverRssMb: rssMb(server.pid!),
      tooManyRequests: rejected,
    })}\n`,
  );
} finally {
  abort.abort();
  await controllersDone?.catch(() => {});
  serviceAccounts?.close();
  await scheduler?.stop();
  await informers?.shutdown();
  await nodes?.stop();
  for (const c of clients) c.close();
  await stopProcess(server);
  rmSync(dataDir, { recursive: true, force: true });
}
