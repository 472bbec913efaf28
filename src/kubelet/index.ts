// src/kubelet: the node agent. `startKubelet` runs one kubelet; hollow nodes
// are the same kubelet over the fake runtime, many to a process.
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { type Clock, realClock } from "../client/clock.ts";
import type { Recorder } from "../client/event-recorder.ts";
import type { RestClient } from "../client/rest-client.ts";
import { cleanupOrphanedPodCgroups, DEFAULT_CGROUP_ROOT } from "./cm/pod-cgroup.ts";
import { Kubelet } from "./kubelet.ts";
import { kubeletMetrics } from "./metrics.ts";
import { DEFAULT_CLUSTER_DNS } from "./network/dns.ts";
import { parseNodeLabels, parseRegisterWithTaints } from "./node/flags.ts";
import { hollowMachineInfo, hostMachineInfo } from "./node/machine-info.ts";
import { type ContainerdRuntime, startContainerdRuntime } from "./runtime/containerd-runtime.ts";
import { FakeRuntime } from "./runtime/fake.ts";
import { instrumentRuntime, RuntimeMetrics } from "./runtime/instrumented.ts";
import type { ImageService, RuntimeService } from "./runtime/interface.ts";
import { type KubeletServer, startKubeletServer } from "./server.ts";
import { CpuUsageCache } from "./stats/cpu-usage-cache.ts";
import { podsList } from "./stats/pods.ts";
import { resourceMetrics } from "./stats/resource-metrics.ts";
import { summary } from "./stats/summary.ts";
import { mountPointsUnder, unmount } from "./volume/mount-util.ts";

export { Kubelet, type KubeletOptions } from "./kubelet.ts";
export { FakeRuntime } from "./runtime/fake.ts";

export interface StartKubeletOptions {
  client: RestClient;
  nodeName: string;
  /** "containerd": k8ts's own containerd under dataDir (required), stopped with the kubelet. */
  runtime: "fake" | "containerd";
  /** Hollow nodes take made-up machine facts; the local node reads the host's. */
  hollow: boolean;
  dataDir?: string;
  manifestDir?: string;
  /** --node-labels and --register-with-taints, as on the command line. */
  nodeLabels?: string;
  registerWithTaints?: string;
  maxPods?: number;
  podCIDR?: string;
  nodeIP?: string;
  nodeLeaseDurationSeconds?: number;
  clock?: Clock;
  /**
   * The kubelet's HTTPS server (/containerLogs…) on the node IP: port 0 picks
   * one, reported in daemonEndpoints; absent, nothing is served (hollow nodes).
   */
  server?: { port: number; cert: string; key: string; ca: string };
  /** A runtime that outlives the kubelet (a restart adopts its pods). */
  fakeRuntime?: FakeRuntime;
  /**
   * containerd: stop() leaves containerd and the pods (and their volume mounts)
   * running for the next kubelet on this data dir to adopt, as a node's
   * containerd service outlives its kubelet. Otherwise stop() removes the pods
   * and stops containerd (`k8ts up`).
   */
  keepRuntimeRunning?: boolean;
  /** --cluster-dns and --cluster-domain, for the pods' resolv.conf (real containers only). */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Where the kubelet's events go instead of the API (kubemark's hollow kubelet: a FakeRecorder). */
  recorder?: Recorder;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

/** The first non-loopback IPv4 address of this host (the node's InternalIP). */
export function hostIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

export interface StartedKubelet<R> {
  kubelet: Kubelet;
  runtime: R;
  /** Stops the kubelet, then its runtime when it owns one (containerd). */
  stop(): Promise<void>;
}

export async function startKubelet(
  o: StartKubeletOptions & { runtime: "fake" },
): Promise<StartedKubelet<FakeRuntime>>;
export async function startKubelet(
  o: StartKubeletOptions,
): Promise<StartedKubelet<RuntimeService & ImageService>>;
export async function startKubelet(
  o: StartKubeletOptions,
): Promise<StartedKubelet<RuntimeService & ImageService>> {
  let kubelet: Kubelet | undefined;
  // The node's podCIDR may come later, from node IPAM.
  const podCIDR = () => o.podCIDR ?? kubelet?.podCIDR();
  let containerd: ContainerdRuntime | undefined;
  let runtime: RuntimeService & ImageService;
  const runtimeMetrics = new RuntimeMetrics();
  if (o.runtime === "containerd") {
    if (!o.dataDir) throw new Error("the containerd runtime needs a data dir");
    containerd = await startContainerdRuntime({ dataDir: o.dataDir, podCIDR, log: o.log });
    // The real node's runtime calls are counted and timed for /metrics; hollow nodes serve none.
    runtime = instrumentRuntime(containerd.cri, runtimeMetrics);
  } else {
    runtime = o.fakeRuntime ?? new FakeRuntime({ clock: o.clock ?? realClock, podCIDR });
  }
  const nodeIP = o.nodeIP ?? hostIP();
  let server: KubeletServer | undefined;
  // usageNanoCores comes from the difference of two samples, so one cache lives as long as the kubelet.
  const cpuCache = new CpuUsageCache();
  const statsSummary = (now?: number) =>
    summary({
      nodeName: o.nodeName,
      runtime,
      images: runtime,
      rootDir: o.dataDir ? join(o.dataDir, "kubelet") : "/",
      imageFsDir: o.dataDir && containerd ? join(o.dataDir, "containerd", "root") : undefined,
      cgroupRoot: containerd ? DEFAULT_CGROUP_ROOT : undefined,
      cpuCache,
      now: now === undefined ? undefined : () => now,
    });
  if (o.server) {
    try {
      server = await startKubeletServer({
        ...o.server,
        host: nodeIP,
        nodeName: o.nodeName,
        client: o.client,
        runtime,
        getPodByName: (ns, name) => kubelet?.getPodByName(ns, name),
        getPodStatus: (uid) => kubelet?.getPodStatus(uid),
        podList: () =>
          podsList({ pods: kubelet?.getPods() ?? [], statusOf: (uid) => kubelet?.getPodStatus(uid) }),
        statsSummary,
        resourceMetrics: async () => {
          const now = Date.now();
          return resourceMetrics(await statsSummary(now), now);
        },
        metrics: () => kubeletMetrics({ nodeName: o.nodeName, runtime, runtimeMetrics }),
      });
    } catch (e) {
      await containerd?.stop();
      throw e;
    }
  }
  kubelet = new Kubelet({
    client: o.client,
    nodeName: o.nodeName,
    runtime,
    images: runtime,
    runtimeName: o.runtime,
    machineInfo: o.hollow ? hollowMachineInfo(o.nodeName) : hostMachineInfo({ dataDir: o.dataDir ?? "/" }),
    nodeIP,
    // A kubelet without a server (a hollow node) says it serves nothing: Port 0, so that no apiserver
    // or metrics-server dials its address, which is not on this machine.
    kubeletPort: server?.port ?? 0,
    clock: o.clock,
    manifestDir: o.manifestDir,
    labels: o.nodeLabels ? parseNodeLabels(o.nodeLabels) : undefined,
    taints: o.registerWithTaints ? parseRegisterWithTaints(o.registerWithTaints) : undefined,
    maxPods: o.maxPods,
    podCIDR: o.podCIDR,
    nodeLeaseDurationSeconds: o.nodeLeaseDurationSeconds,
    fakeProbes: o.runtime === "fake",
    podLogsDirectory: o.runtime === "containerd" ? join(o.dataDir!, "pods") : undefined,
    rootDir: o.runtime === "containerd" ? join(o.dataDir!, "kubelet") : undefined,
    clusterDNS: o.runtime === "containerd" ? (o.clusterDNS ?? [DEFAULT_CLUSTER_DNS]) : undefined,
    clusterDomain: o.clusterDomain,
    cgroupRoot: o.runtime === "containerd" ? DEFAULT_CGROUP_ROOT : undefined,
    // A real node starts many pods at once: four writes in flight held each Running status back by seconds.
    statusConcurrency: o.runtime === "containerd" ? 32 : undefined,
    recorder: o.recorder,
    log: o.log,
  });
  const k = kubelet;
  const stop = async () => {
    await k.stop();
    await server?.close();
    if (o.keepRuntimeRunning) {
      containerd?.detach();
      return;
    }
    await containerd?.stop();
    // The pods went with k8ts's containerd: their cgroups (empty ones only: rmdir refuses others) go too.
    if (containerd) cleanupOrphanedPodCgroups(new Set(), DEFAULT_CGROUP_ROOT);
    // The pods went with k8ts's containerd: their volume mounts (tmpfs) go too.
    if (containerd && o.dataDir) {
      for (const m of mountPointsUnder(join(o.dataDir, "kubelet"))) await unmount(m).catch(() => {});
    }
  };
  try {
    await kubelet.start();
  } catch (e) {
    await server?.close();
    await containerd?.stop();
    throw e;
  }
  return { kubelet, runtime, stop };
}

/** The pod CIDR of hollow node i: 10.244.<i+1>.0/24 for the first 255, then /24s from 10.128.0.0/9. */
export function hollowPodCIDR(i: number): string {
  if (i < 255) return `10.244.${i + 1}.0/24`;
  const n = i - 255;
  return `10.${128 + (n >> 8)}.${n & 255}.0/24`;
}

/** The smallest CIDR block at `base` that holds `count` addresses from its start. */
function blockFrom(base: string, count: number): string {
  return `${base}/${32 - Math.ceil(Math.log2(Math.max(count, 1)))}`;
}

/**
 * The made-up addresses of n hollow nodes, and of their pods beyond the
 * cluster CIDR, as the fewest blocks: what their unreachable routes cover.
 */
export function hollowAddressBlocks(n: number): string[] {
  const blocks = [blockFrom("10.255.0.0", n + 1)];
  if (n > 255) blocks.push(blockFrom("10.128.0.0", (n - 255) * 256));
  return blocks;
}

/** A made-up InternalIP for hollow node i (never contacted: hollow nodes serve nothing). */
export function hollowNodeIP(i: number): string {
  const host = i + 1;
  return `10.255.${(host >> 8) & 255}.${host & 255}`;
}
