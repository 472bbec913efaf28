// /stats/summary's data: the node from /proc and statfs, each ready pod
// sandbox with its containers from the runtime's listings and their cgroups
// (upstream's summary provider over the CRI stats provider, with cadvisor's
// cgroup readings). With --cgroup-root (the containerd kubelet's /k8ts), a
// pod's cgroup is <root>/kubepods[/burstable|/besteffort]/pod<uid> (cm/) and
// containerd puts the sandbox and the containers in <pod cgroup>/<id>: the
// pod's figures are its cgroup's, as cadvisor reads them. Without one,
// containerd uses /k8s.io/<id> and a pod's figures are the sums of its
// containers' and its sandbox's.

import { qosCgroupNames } from "../cm/pod-cgroup.ts";
import type { Container, ImageService, RuntimeService } from "../runtime/interface.ts";
import { LABELS } from "../runtime/interface.ts";
import { CgroupReader } from "./cgroup.ts";
import { CpuUsageCache } from "./cpu-usage-cache.ts";
import { fsUsage, HostReader } from "./host.ts";
import type {
  ContainerStats,
  CPUStats,
  FsStats,
  MemoryStats,
  NetworkStats,
  PodStats,
  Summary,
} from "./types.ts";

/** The kubelet's default interface name (upstream's network.DefaultInterfaceName). */
export const DEFAULT_INTERFACE_NAME = "eth0";

export interface SummaryOptions {
  nodeName: string;
  runtime: Pick<RuntimeService, "listPodSandbox" | "listContainers">;
  /** For runtime.imageFs's usedBytes and inodesUsed. */
  images?: Pick<ImageService, "imageFsInfo">;
  /** The kubelet's root dir: node.fs is its file system. */
  rootDir: string;
  /** The runtime's root (containerd's <data-dir>/containerd/root): runtime.imageFs is its file system. */
  imageFsDir?: string;
  /** Keeps CPU samples between calls, for usageNanoCores; one per kubelet. */
  cpuCache?: CpuUsageCache;
  cgroups?: CgroupReader;
  host?: HostReader;
  /** The kubelet's --cgroup-root, under which pods have their cgroups; none: no pod cgroups. */
  cgroupRoot?: string;
  /** ms since the epoch; default Date.now. */
  now?(): number;
}

/** metav1.Time's JSON: RFC 3339 in UTC, whole seconds. */
export function metaTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * removeTerminatedContainers: of the containers sharing a pod and name, the
 * running ones, or else the newest; terminated ones would count usage twice.
 */
export function removeTerminatedContainers(containers: Container[]): Container[] {
  const sorted = [...containers].sort((a, b) => a.createdAt - b.createdAt);
  const byRef = new Map<string, Container[]>();
  for (const c of sorted) {
    const key = `${c.podSandboxId}/${c.labels[LABELS.containerName] ?? c.metadata.name}`;
    const refs = byRef.get(key);
    if (refs) refs.push(c);
    else byRef.set(key, [c]);
  }
  const out: Container[] = [];
  for (const refs of byRef.values()) {
    if (refs.length === 1) {
      out.push(refs[0]);
      continue;
    }
    const running = refs.filter((c) => c.state === "CONTAINER_RUNNING");
    if (running.length > 0) out.push(...running);
    else out.push(refs[refs.length - 1]);
  }
  return out;
}

function fsStats(time: string, u: Awaited<ReturnType<typeof fsUsage>>): FsStats | undefined {
  return u && { time, ...u };
}

/** Adds optional numbers; undefined when none is defined. */
function sum(values: Array<number | undefined>): number | undefined {
  let total: number | undefined;
  for (const v of values) if (v !== undefined) total = (total ?? 0) + v;
  return total;
}

/** The Summary API object of /stats/summary. */
export async function summary(opts: SummaryOptions): Promise<Summary> {
  const nowMs = (opts.now ?? Date.now)();
  const time = metaTime(nowMs);
  const atNs = nowMs * 1e6;
  const cpuCache = opts.cpuCache ?? new CpuUsageCache();
  const cgroups = opts.cgroups ?? new CgroupReader();
  const host = opts.host ?? new HostReader();
  const seen = new Set<string>(["/"]);

  const [sandboxes, allContainers] = await Promise.all([
    opts.runtime.listPodSandbox({ state: "SANDBOX_READY" }),
    opts.runtime.listContainers(),
  ]);
  const containers = removeTerminatedContainers(allContainers);

  /** The pod's cgroup: the first QoS parent that has pod<uid>. */
  const podCgroup = async (uid: string): Promise<string | undefined> => {
    if (opts.cgroupRoot === undefined) return undefined;
    for (const parent of Object.values(qosCgroupNames(opts.cgroupRoot))) {
      const path = `${parent}/pod${uid}`;
      if (await cgroups.exists(path)) return path;
    }
    return undefined;
  };

  /** The figures of a cgroup; `key` names its CPU samples. */
  const usageOf = async (key: string, path: string) => {
    seen.add(key);
    const u = await cgroups.usage(path);
    const cpu: CPUStats | undefined =
      u.cpuUsageNs === undefined
        ? undefined
        : {
            time,
            usageNanoCores: cpuCache.update(key, u.cpuUsageNs, atNs),
            usageCoreNanoSeconds: u.cpuUsageNs,
          };
    const m = u.memory;
    const memory: MemoryStats | undefined = m && {
      time,
      availableBytes: m.limitBytes === undefined ? undefined : Math.max(m.limitBytes - m.workingSetBytes, 0),
      usageBytes: m.usageBytes,
      workingSetBytes: m.workingSetBytes,
      rssBytes: m.rssBytes,
      pageFaults: m.pageFaults,
      majorPageFaults: m.majorPageFaults,
    };
    return { cpu, memory };
  };

  const pods: PodStats[] = await Promise.all(
    sandboxes.map(async (sb) => {
      const own = containers.filter((c) => c.podSandboxId === sb.id);
      const podPath = await podCgroup(sb.metadata.uid);
      const pathOf = (id: string) => (podPath ? `${podPath}/${id}` : `/k8s.io/${id}`);
      const [sandboxUsage, containerStats, podUsage] = await Promise.all([
        usageOf(sb.id, pathOf(sb.id)),
        Promise.all(
          own.map(async (c) => {
            const u = await usageOf(c.id, pathOf(c.id));
            const cs: ContainerStats = {
              name: c.labels[LABELS.containerName] ?? c.metadata.name,
              startTime: metaTime(c.createdAt / 1e6),
            };
            if (u.cpu) cs.cpu = u.cpu;
            if (u.memory) cs.memory = u.memory;
            return cs;
          }),
        ),
        podPath ? usageOf(`pod${sb.metadata.uid}`, podPath) : Promise.resolve(undefined),
      ]);
      const parts = [sandboxUsage, ...containerStats];
      const ps: PodStats = {
        podRef: { name: sb.metadata.name, namespace: sb.metadata.namespace, uid: sb.metadata.uid },
        startTime: metaTime(sb.createdAt / 1e6),
        containers: containerStats,
      };
      if (podUsage?.cpu) ps.cpu = podUsage.cpu;
      else if (parts.some((p) => p.cpu)) {
        ps.cpu = {
          time,
          usageNanoCores: sum(parts.map((p) => p.cpu?.usageNanoCores)),
          usageCoreNanoSeconds: sum(parts.map((p) => p.cpu?.usageCoreNanoSeconds)),
        };
      }
      if (podUsage?.memory) ps.memory = podUsage.memory;
      else if (parts.some((p) => p.memory)) {
        ps.memory = {
          time,
          usageBytes: sum(parts.map((p) => p.memory?.usageBytes)),
          workingSetBytes: sum(parts.map((p) => p.memory?.workingSetBytes)),
          rssBytes: sum(parts.map((p) => p.memory?.rssBytes)),
          pageFaults: sum(parts.map((p) => p.memory?.pageFaults)),
          majorPageFaults: sum(parts.map((p) => p.memory?.majorPageFaults)),
        };
      }
      // The sandbox's first process holds the pod's network namespace.
      const [pid] = await cgroups.pids(pathOf(sb.id));
      const network = pid === undefined ? undefined : networkStats(time, await host.interfaces(pid));
      if (network) ps.network = network;
      return ps;
    }),
  );

  const [cpuNs, boot, mem, ifaces, rlimit, rootFs, imageFs, imageInfo] = await Promise.all([
    host.cpuUsageNs(),
    host.bootTime(),
    host.memory(),
    host.interfaces(),
    host.rlimit(),
    fsUsage(opts.rootDir),
    opts.imageFsDir ? fsUsage(opts.imageFsDir) : Promise.resolve(undefined),
    opts.images?.imageFsInfo().catch(() => undefined),
  ]);
  cpuCache.retain(seen);

  const node: Summary["node"] = { nodeName: opts.nodeName, startTime: metaTime(boot ?? nowMs) };
  if (cpuNs !== undefined) {
    node.cpu = { time, usageNanoCores: cpuCache.update("/", cpuNs, atNs), usageCoreNanoSeconds: cpuNs };
  }
  if (mem) {
    node.memory = {
      time,
      availableBytes: Math.max(mem.capacityBytes - mem.workingSetBytes, 0),
      usageBytes: mem.usageBytes,
      workingSetBytes: mem.workingSetBytes,
      rssBytes: mem.rssBytes,
      pageFaults: mem.pageFaults,
      majorPageFaults: mem.majorPageFaults,
    };
  }
  const network = networkStats(time, ifaces);
  if (network) node.network = network;
  const fs = fsStats(time, rootFs);
  if (fs) node.fs = fs;
  const image = fsStats(time, imageFs);
  if (image && imageInfo) {
    image.usedBytes = imageInfo.usedBytes;
    image.inodesUsed = imageInfo.inodesUsed;
  }
  // One file system for images and containers: containerFs is imageFs, as upstream when not split.
  if (image) node.runtime = { imageFs: image, containerFs: image };
  node.rlimit = { time, ...rlimit };
  return { node, pods };
}

/** NetworkStats: the default interface's figures inline, then all of them. */
function networkStats(
  time: string,
  ifaces: Awaited<ReturnType<HostReader["interfaces"]>>,
): NetworkStats | undefined {
  if (!ifaces || ifaces.length === 0) return undefined;
  const def = ifaces.find((i) => i.name === DEFAULT_INTERFACE_NAME);
  return { time, ...(def ?? {}), interfaces: ifaces };
}
