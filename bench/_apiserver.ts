// The apiserver as users run it, for benchmarks: ./k8ts (the bundle, on
// jemalloc when installed) in its own process (so it has a core of its own),
// on SQLite in a data dir.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { root } from "../scripts/setup.mjs";
import { CertificateAuthority } from "../src/apiserver/certs.ts";
import { isAlreadyExists } from "../src/client/api-error.ts";
import type { ClientConfig } from "../src/client/kubeconfig.ts";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { runPhase } from "./_load.ts";

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function startApiserver(
  dataDir: string,
  port: number,
  args: readonly string[] = [],
): Promise<ChildProcess> {
  // The apiserver as users run it, through ./k8ts (which builds the bundle first, and preloads jemalloc);
  // BENCH_NODE_ARGS (e.g. --cpu-prof) go to node, BENCH_APISERVER_ARGS (e.g. --max-mutating-requests-inflight=1000)
  // to the apiserver, after the bench's own `args`.
  const child = await spawnReady(
    "apiserver",
    join(root, "k8ts"),
    ["apiserver", "--data-dir", dataDir, "--port", String(port), ...args, ...envArgs("BENCH_APISERVER_ARGS")],
    "stderr",
    "serving on",
    { K8TS_NODE_ARGS: process.env.BENCH_NODE_ARGS ?? "" },
  );
  // A benchmark stopped from outside (Ctrl-C, a timeout's SIGTERM) exits, which kills its children.
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
  await createDefaultServiceAccount(dataDir, port);
  return child;
}

/**
 * A process for a benchmark: killed if the benchmark exits first, ready once `stream` has
 * printed `marker` (the other stream is ignored for stderr's marker, shown for stdout's).
 */
export async function spawnReady(
  what: string,
  command: string,
  args: string[],
  stream: "stdout" | "stderr",
  marker: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: stream === "stdout" ? ["ignore", "pipe", "inherit"] : ["ignore", "ignore", "pipe"],
  });
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  child.once("exit", () => process.off("exit", killChild));
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const read = (d: Buffer) => {
      out += d;
      if (!out.includes(marker)) return;
      // Ready: what it prints from now on is read and dropped (kept, it would grow without end).
      child[stream]!.off("data", read);
      child[stream]!.resume();
      resolve();
    };
    child[stream]!.on("data", read);
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}: ${out}`)));
  });
  return child;
}

/** The words of an environment variable that holds extra command-line arguments. */
export function envArgs(name: string): string[] {
  return (process.env[name] ?? "").split(" ").filter(Boolean);
}

/** Stops a process the bench started (SIGTERM) and waits for its exit; one that has exited already is left be. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** The cluster CA that `k8ts apiserver` made in its data dir. */
export function loadClusterCA(dataDir: string): Promise<CertificateAuthority> {
  return CertificateAuthority.load(
    readFileSync(join(dataDir, "pki/ca.crt"), "utf8"),
    readFileSync(join(dataDir, "pki/ca.key"), "utf8"),
  );
}

/** A client of the bench's apiserver on port, as user, with a certificate from its CA. */
export async function clientConfigFor(
  ca: CertificateAuthority,
  port: number,
  user: string,
  groups: string[],
): Promise<ClientConfig> {
  const cred = await ca.issueClient(user, groups);
  return {
    server: `https://127.0.0.1:${port}`,
    ca: ca.certPem,
    cert: cred.cert,
    key: cred.key,
    namespace: "default",
  };
}

/**
 * What the ServiceAccount controller does in a cluster: default/default, which
 * ServiceAccount admission needs before it admits a pod there.
 */
async function createDefaultServiceAccount(dataDir: string, port: number): Promise<void> {
  const ca = await loadClusterCA(dataDir);
  const client = new RestClient(await clientConfigFor(ca, port, "bench-setup", ["system:masters"]));
  try {
    await client.create(Resources.serviceaccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "default" },
    });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  } finally {
    client.close();
  }
}

/** The small pod the request-cost benchmarks write (one container, requests set). */
export function benchPod(i: number) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${i}`, namespace: "default", labels: { app: "x" } },
    spec: {
      containers: [
        {
          name: "c",
          image: "k8ts.local/pause:3.10",
          resources: { requests: { cpu: "100m", memory: "500Mi" } },
        },
      ],
    },
  };
}

/** op(0) … op(n-1), from 32 concurrent clients (the request-cost benchmarks' load). */
export async function inParallel(n: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) await op(next++);
    }),
  );
}

/** The pod of `bench api` (about 1.5 KiB of JSON), named. */
export function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      labels: { app: "bench", tier: "web", "pod-template-hash": "5d4f8c7b9" },
    },
    spec: {
      containers: [
        {
          name: "app",
          image: "k8ts.local/busybox:latest",
          command: ["sh", "-c", "httpd -f -p 8080"],
          ports: [{ containerPort: 8080, name: "http" }],
          env: [
            { name: "MODE", value: "bench" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
          readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 5 },
        },
      ],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
  });
}

/** A keep-alive HTTPS client for load: plain strings in and out, nothing decoded. */
export interface BenchClient {
  call(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  stream(path: string, onEvent: () => void): () => void;
}

export function httpsClient(
  port: number,
  tls: { cert: string; key: string; ca: string },
  clients: number,
): BenchClient {
  const agent = new Agent({ keepAlive: true, maxSockets: clients + 4, ...tls });
  return {
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            method,
            path,
            agent,
            headers: body
              ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }
              : {},
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
    // Counts events (lines) without decoding them: the client shares the cores with the server.
    stream: (path, onEvent) => {
      const req = request({ host: "127.0.0.1", port, method: "GET", path, ...tls }, (res) => {
        res.on("data", (c: Buffer) => {
          for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) onEvent();
        });
      });
      req.on("error", () => {});
      req.end();
      return () => req.destroy();
    },
  };
}

/**
 * bench api's pod creates from `clients` loops spread over the servers: 2 s of warm-up, then 10 s
 * timed. The creates, the seconds, and the CPU seconds each server's process and this one used.
 */
export async function timedCreates(
  servers: { api: BenchClient; pid: number }[],
  clients: number,
): Promise<{ ops: number; seconds: number; serverCpu: number[]; clientCpu: number }> {
  const phase = (ms: number) =>
    runPhase({ clients, ms }, undefined, async (c, i) => {
      const r = await servers[c % servers.length].api.call(
        "POST",
        "/api/v1/namespaces/default/pods",
        podBody(`p-${c}-${i}-${ms}`),
      );
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
    });
  await phase(2000);
  const server0 = servers.map((s) => cpuSeconds(s.pid));
  const client0 = process.cpuUsage();
  const r = await phase(10_000);
  const client = process.cpuUsage(client0);
  return {
    ...r,
    serverCpu: servers.map((s, i) => cpuSeconds(s.pid) - server0[i]),
    clientCpu: (client.user + client.system) / 1e6,
  };
}
