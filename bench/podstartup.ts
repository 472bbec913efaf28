// npm run bench -- podstartup [PODS]
// Pod start-up latency on one real node: `k8ts up --runtime containerd` (its own
// data dir and port), PODS busybox pods (`sleep 3600`, k8ts.local/busybox:latest,
// IfNotPresent) created at once; each pod's latency runs from its create
// request to the watch event that shows it Running (the pod-startup SLO, with
// the image already present). The physical baseline, rawCtrRunP50Ms, is
// `ctr run -d` of the same image on the same containerd: create and start of
// one container, until its task runs. rawCriPodP50Ms/P99Ms are the floor any
// kubelet has on this machine: PODS pods started at once straight over CRI
// (RunPodSandbox with CNI, CreateContainer, StartContainer) on a containerd of
// the same configuration, with no apiserver, scheduler or kubelet; it runs
// first, on a containerd of its own, since a kubelet removes sandboxes that
// belong to no pod. One JSON line.
//
// It takes the containerd test lock (test/support/containerd.ts), so it never
// runs beside a containerd test, and cleans up the same way.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { loadKubeconfigFile } from "../src/client/kubeconfig.ts";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { buildImages } from "../src/kubelet/images/build.ts";
import { importImages } from "../src/kubelet/images/import.ts";
import { type Cluster, startCluster } from "../test/e2e/harness.ts";
import {
  BUSYBOX_IMAGE,
  cleanUpNode,
  lockContainerd,
  requireContainerd,
  startTestContainerd,
} from "../test/support/containerd.ts";
import { percentile } from "./_load.ts";

const PODS = Number(process.argv[2] ?? process.env.BENCH_PODS ?? 50);
const CTR_RUNS = Number(process.env.BENCH_CTR_RUNS ?? 10);
const IMAGE = BUSYBOX_IMAGE;
const NS = "default";

function pod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { bench: "podstartup" } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: "main", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] },
      ],
    },
  };
}

/** The pods' latencies: create request sent → watch shows phase Running. */
async function podStartup(client: RestClient): Promise<number[]> {
  const abort = new AbortController();
  const list = await client.list<Pod>(Resources.pods, { namespace: NS });
  const sentAt = new Map<string, number>();
  const latency = new Map<string, number>();
  // For the breakdown on stderr: when the watch first showed the pod bound, and with a pod IP (sandbox up).
  const boundAt = new Map<string, number>();
  const ipAt = new Map<string, number>();
  const allRunning = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${latency.size}/${PODS} Running after 300 s`)),
      300_000,
    );
    void (async () => {
      try {
        for await (const ev of client.watch<Pod>(Resources.pods, {
          namespace: NS,
          labelSelector: "bench=podstartup",
          resourceVersion: list.metadata.resourceVersion,
          signal: abort.signal,
        })) {
          if (ev.type !== "ADDED" && ev.type !== "MODIFIED") continue;
          const name = ev.object.metadata?.name ?? "";
          const t0 = sentAt.get(name);
          if (t0 === undefined || latency.has(name)) continue;
          const now = performance.now() - t0;
          if (ev.object.spec?.nodeName && !boundAt.has(name)) boundAt.set(name, now);
          if (ev.object.status?.podIP && !ipAt.has(name)) ipAt.set(name, now);
          if (ev.object.status?.phase !== "Running") continue;
          latency.set(name, performance.now() - t0);
          if (latency.size === PODS) {
            clearTimeout(timer);
            resolve();
            return;
          }
        }
      } catch (e) {
        reject(e);
      }
    })();
  });
  await Promise.all(
    Array.from({ length: PODS }, async (_, i) => {
      const name = `startup-${i}`;
      sentAt.set(name, performance.now());
      await client.create(Resources.pods, pod(name), { namespace: NS });
    }),
  );
  try {
    await allRunning;
  } finally {
    abort.abort();
  }
  const q = (m: Map<string, number>) =>
    `p50 ${percentile([...m.values()], 0.5)} ms, p99 ${percentile([...m.values()], 0.99)} ms`;
  process.stderr.write(
    `bench podstartup: bound ${q(boundAt)}; pod IP (in the same status as Running unless earlier) ${q(ipAt)}; Running ${q(latency)}\n`,
  );
  return [...latency.values()];
}

/** `ctr run -d` of the image: containerd creates and starts the task; it returns once the task runs. */
function rawCtrRun(dataDir: string): number[] {
  const ctr = ["--address", join(dataDir, "containerd", "containerd.sock"), "-n", "k8s.io"];
  const out: number[] = [];
  for (let i = 0; i < CTR_RUNS + 1; i++) {
    const id = `bench-ctr-${process.pid}-${i}`;
    const t = performance.now();
    execFileSync("ctr", [...ctr, "run", "-d", "--null-io", IMAGE, id, "sleep", "3600"], { stdio: "ignore" });
    const ms = performance.now() - t;
    if (i > 0) out.push(ms); // the first run warms the snapshotter and the binaries' page cache
    execFileSync("ctr", [...ctr, "task", "kill", "-s", "SIGKILL", id], { stdio: "ignore" });
    for (let k = 0; k < 50; k++) {
      try {
        execFileSync("ctr", [...ctr, "task", "delete", id], { stdio: "ignore" });
        break;
      } catch {
        execFileSync("sleep", ["0.05"]);
      }
    }
    execFileSync("ctr", [...ctr, "container", "delete", id], { stdio: "ignore" });
  }
  return out;
}

/** PODS pods at once straight over CRI: each one's latency from RunPodSandbox to its container started. */
async function rawCriPods(): Promise<number[]> {
  const node = await startTestContainerd("k8ts-bench-raw-cri-", "10.250.0.0/24");
  const { cri, dataDir } = node;
  try {
    const archives = await buildImages(join(dataDir, "images"));
    await importImages([archives.busybox, archives.pause], {
      address: node.containerd.socket,
      namespace: "k8s.io",
    });
    const cpu0 = machineCpu();
    const t0 = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: PODS }, async (_, i) => {
        const name = `raw-cri-${i}`;
        const uid = randomUUID();
        const logDirectory = join(dataDir, "bench-raw-cri", uid);
        mkdirSync(logDirectory, { recursive: true });
        const sandbox = {
          metadata: { name, uid, namespace: "bench-raw-cri", attempt: 0 },
          hostname: name,
          logDirectory,
          portMappings: [],
          labels: {},
          annotations: {},
          linux: {},
        };
        const t = performance.now();
        const id = await cri.runPodSandbox(sandbox);
        const ctr = await cri.createContainer(
          id,
          {
            metadata: { name: "main", attempt: 0 },
            image: { image: IMAGE },
            command: ["sleep", "3600"],
            args: [],
            workingDir: "",
            envs: [],
            mounts: [],
            labels: {},
            annotations: {},
            logPath: "main/0.log",
            stdin: false,
            stdinOnce: false,
            tty: false,
          },
          sandbox,
        );
        await cri.startContainer(ctr);
        return performance.now() - t;
      }),
    );
    // The machine's CPU over the burst: what containerd, its shims, runc and CNI need per pod here.
    const cpu1 = machineCpu();
    const used = cpu1.user - cpu0.user + cpu1.system - cpu0.system;
    process.stderr.write(
      `bench podstartup: raw CRI: ${PODS} pods in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
        `${used.toFixed(1)} s of CPU on all cores (user ${(cpu1.user - cpu0.user).toFixed(1)}, ` +
        `system ${(cpu1.system - cpu0.system).toFixed(1)}): ${Math.round((used * 1000) / PODS)} ms a pod\n`,
    );
    return latencies;
  } finally {
    await node.stop();
  }
}

/** CPU seconds the whole machine has spent so far (from /proc/stat, in clock ticks of 10 ms). */
function machineCpu(): { user: number; system: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  // cpu user nice system idle iowait irq softirq
  return { user: (f[1] + f[2]) / 100, system: (f[3] + f[6] + f[7]) / 100 };
}

requireContainerd();
process.stderr.write(`bench podstartup: ${PODS} pods at once straight over CRI…\n`);
const rawCri = await rawCriPods();
const release = await lockContainerd();
let cluster: Cluster | undefined;
try {
  cleanUpNode("");
  process.stderr.write("bench podstartup: starting k8ts up --runtime containerd…\n");
  cluster = await startCluster({ args: ["--runtime", "containerd"], readyTimeoutMs: 180_000 });
  const client = new RestClient(loadKubeconfigFile(cluster.kubeconfig), { userAgent: "bench-podstartup" });
  // The service account the admission plugin needs exists once the controllers ran.
  for (let i = 0; i < 100; i++) {
    try {
      await client.get(Resources.serviceaccounts, "default", { namespace: NS });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const rawMs = rawCtrRun(cluster.dataDir);
  process.stderr.write(`bench podstartup: creating ${PODS} pods at once…\n`);
  const lat = await podStartup(client);
  client.close();
  process.stdout.write(
    `${JSON.stringify({
      bench: "podstartup",
      pods: PODS,
      p50Ms: percentile(lat, 0.5),
      p99Ms: percentile(lat, 0.99),
      rawCtrRunP50Ms: percentile(rawMs, 0.5),
      rawCriPodP50Ms: percentile(rawCri, 0.5),
      rawCriPodP99Ms: percentile(rawCri, 0.99),
    })}\n`,
  );
} finally {
  if (cluster) {
    const dir = cluster.dataDir;
    // BENCH_LOG=<file> keeps k8ts up's output (the kubelet's log lines) for the breakdown.
    if (process.env.BENCH_LOG) writeFileSync(process.env.BENCH_LOG, cluster.output());
    await cluster
      .kubectl(["delete", "pods", "-l", "bench=podstartup", "--timeout=120s", "--wait"], {
        timeoutMs: 130_000,
      })
      .catch(() => {});
    await cluster.stop().catch(() => {});
    cleanUpNode(dir);
  }
  release();
}
