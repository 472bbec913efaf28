// Hollow kubelets in a process of their own, for benchmarks: as KWOK and
// kubemark run simulated nodes apart from the scheduler and the
// controller-manager. Run by startHollowNodes; prints "ready" once every node
// has started, stops them all on SIGTERM. As kubemark's HollowKubelet, each
// records its events to a FakeRecorder: the kubelets' Pulled, Created and
// Started events do not reach the API (BENCH_HOLLOW_EVENTS=1 sends them).
import { join } from "node:path";
import { nodeFlags } from "../scripts/setup.mjs";
import type { CertificateAuthority } from "../src/apiserver/certs.ts";
import { FakeRecorder } from "../src/client/event-recorder.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { hollowNodeIP, hollowPodCIDR, type Kubelet, startKubelet } from "../src/kubelet/index.ts";
import { clientConfigFor, envArgs, loadClusterCA, spawnReady, stopProcess } from "./_apiserver.ts";

const STARTS_AT_ONCE = 25;

/** Starts `count` hollow kubelets (hollow-node-0…) in a child process against the bench's apiserver. */
export async function startHollowNodes(
  dataDir: string,
  port: number,
  count: number,
): Promise<{ pid: number; stop(): Promise<void> }> {
  // k8ts' V8 flags, as ./k8ts runs a kubelet; then BENCH_HOLLOW_NODE_ARGS (e.g. --cpu-prof), as BENCH_NODE_ARGS for the apiserver.
  const nodeArgs = [...nodeFlags(), ...envArgs("BENCH_HOLLOW_NODE_ARGS")];
  // This file's sibling in the bench's bundle (npm run bench), or this source through tsx.
  const script = import.meta.url.endsWith(".mjs")
    ? [join(import.meta.dirname, "_hollow-nodes.mjs")]
    : ["--import", "tsx", join(import.meta.dirname, "_hollow-nodes.ts")];
  // At the lowest CPU priority (BENCH_HOLLOW_NICE, default 19): the simulated nodes give way to the control
  // plane they load, as kubemark's, on machines of their own, never take its CPU.
  const nice = process.env.BENCH_HOLLOW_NICE ?? "19";
  const child = await spawnReady(
    "hollow nodes",
    "nice",
    ["-n", nice, process.execPath, ...nodeArgs, ...script, dataDir, String(port), String(count)],
    "stdout",
    "ready",
  );
  return {
    pid: child.pid!,
    stop: () => stopProcess(child),
  };
}

/** Starts hollow-node-0… in this process, 25 at a time, each with its own system:node identity. */
export async function startHollowKubelets(
  ca: CertificateAuthority,
  port: number,
  count: number,
  opts: { maxConnections: number; onProgress?: (started: number) => void },
): Promise<{ kubelets: Kubelet[]; clients: RestClient[] }> {
  const kubelets: Kubelet[] = [];
  const clients: RestClient[] = [];
  for (let i = 0; i < count; i += STARTS_AT_ONCE) {
    await Promise.all(
      Array.from({ length: Math.min(STARTS_AT_ONCE, count - i) }, async (_, k) => {
        const n = i + k;
        const name = `hollow-node-${n}`;
        const client = new RestClient(
          await clientConfigFor(ca, port, `system:node:${name}`, ["system:nodes"]),
          { userAgent: "kubelet", maxConnections: opts.maxConnections },
        );
        clients.push(client);
        const { kubelet } = await startKubelet({
          client,
          nodeName: name,
          runtime: "fake",
          hollow: true,
          podCIDR: hollowPodCIDR(n),
          nodeIP: hollowNodeIP(n),
          recorder: process.env.BENCH_HOLLOW_EVENTS === "1" ? undefined : new FakeRecorder(),
          log: () => {},
        });
        kubelets.push(kubelet);
      }),
    );
    opts.onProgress?.(kubelets.length);
  }
  return { kubelets, clients };
}

// The process startHollowNodes spawns. (Not import.meta.url: bundled, this code lives in a chunk both entries share.)
if (/\/_hollow-nodes\.(ts|mjs)$/.test(process.argv[1] ?? "")) {
  const [dataDir, port, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const ca = await loadClusterCA(dataDir);
  const { kubelets, clients } = await startHollowKubelets(ca, port, count, { maxConnections: 2 });
  process.stdout.write("ready\n");
  process.once("SIGTERM", async () => {
    await Promise.all(kubelets.map((k) => k.stop()));
    for (const c of clients) c.close();
    process.exit(0);
  });
}
