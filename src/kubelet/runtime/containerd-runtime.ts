// The start-up glue of `--runtime containerd`: k8ts's own containerd under the
// data dir, its CNI config for the node's podCIDR, the local images, and the
// host routes that keep pod and service traffic on this machine (DESIGN.md
// "Network safety"). The CNI config follows the podCIDR the way upstream's
// kubelet hands it to the runtime (UpdateRuntimeConfig): until there is one,
// containerd reports NetworkReady=false and no sandbox is made.
// containerd outlives a kubelet that detaches from it (a node's containerd is
// its own service): the next kubelet on the data dir reuses it, and the pod
// workers adopt the running sandboxes and containers by their labels.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildImages, IMAGES, importImages } from "../images/index.ts";
import { CNI_BRIDGE, writeCniConfig } from "../network/cni-config.ts";
import { parseResolvConf } from "../network/dns.ts";
import { checkContainerdInstalled, type RunningContainerd, startContainerd } from "./containerd.ts";
import { CriRuntime } from "./cri.ts";
import type { PodSandboxConfig, RuntimeStatus } from "./interface.ts";
import { ipv4Block } from "./ip-allocator.ts";

/** The cluster CIDR (every node's podCIDR is inside it) and the service CIDR, as `up` runs them. */
export const CLUSTER_CIDR = "10.244.0.0/16";
export const SERVICE_CIDR = "10.96.0.0/16";
/** Never routed off this machine. */
export const UNREACHABLE_CIDRS = [CLUSTER_CIDR, SERVICE_CIDR];

type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** A route as `ip -4 -j route show table all` prints it (no table: the main one). */
export interface HostRoute {
  dst: string;
  dev?: string;
  type?: string;
  table?: string;
  gateway?: string;
}

/**
 * The host's routes and addresses inside cidr, other than k8ts's own (the pod
 * bridge, unreachable routes): being as specific as the unreachable route or
 * more, they would win over it and take traffic to those addresses off the
 * machine. A wider network around cidr (10.0.0.0/8) is fine: the unreachable
 * route is the more specific one there.
 */
export function hostRoutesInside(cidr: string, routes: readonly HostRoute[]): HostRoute[] {
  const [from, to] = ipv4Block(cidr) ?? [0, 0];
  return routes.filter((r) => {
    if (r.dst === "default" || r.dev === CNI_BRIDGE) return false;
    if (r.type === "unreachable" || r.type === "blackhole" || r.type === "prohibit") return false;
    const block = ipv4Block(r.dst);
    return block !== undefined && block[0] >= from && block[1] <= to;
  });
}

/**
 * What this host reaches inside cidr through a wider route (the default one,
 * most often): its nameservers and its routes' gateways. An unreachable route
 * would cut it off from them.
 */
export function hostDependenciesInside(
  cidr: string,
  routes: readonly HostRoute[],
  nameservers: readonly string[],
): string[] {
  const [from, to] = ipv4Block(cidr) ?? [0, 0];
  const inside = (ip: string) => {
    const block = ipv4Block(ip);
    return block !== undefined && block[0] >= from && block[0] < to;
  };
  return [
    ...nameservers.filter(inside).map((ip) => `nameserver ${ip}`),
    ...routes.filter((r) => r.gateway && inside(r.gateway)).map((r) => `gateway ${r.gateway} of ${r.dst}`),
  ];
}

function hostNameservers(): string[] {
  try {
    return parseResolvConf(readFileSync("/etc/resolv.conf", "utf8")).servers;
  } catch {
    return [];
  }
}

/**
 * Adds `ip route add unreachable <cidr>` for each CIDR that has no such route
 * yet; idempotent. Refuses when the host's own network reaches into one of
 * them: a more specific route would win, so pod or service traffic would
 * leave the machine (DESIGN.md, Network safety); and a nameserver or gateway
 * there would be cut off.
 */
export function ensureUnreachableRoutes(cidrs: readonly string[], log: Log = () => {}): void {
  const routes = JSON.parse(
    execFileSync("ip", ["-4", "-j", "route", "show", "table", "all"], { encoding: "utf8" }) || "[]",
  ) as HostRoute[];
  const nameservers = hostNameservers();
  for (const cidr of cidrs) {
    const seen = [
      ...hostRoutesInside(cidr, routes).map(
        (r) => `${r.type ? `${r.type} ` : ""}${r.dst}${r.dev ? ` dev ${r.dev}` : ""}`,
      ),
      ...hostDependenciesInside(cidr, routes, nameservers),
    ];
    if (seen.length > 0) {
      throw new Error(`this host's network overlaps ${cidr} (${seen.join(", ")})`);
    }
  }
  for (const cidr of cidrs) {
    if (routes.some((r) => r.type === "unreachable" && r.dst === cidr && r.table === undefined)) continue;
    execFileSync("ip", ["route", "add", "unreachable", cidr], { stdio: ["ignore", "ignore", "pipe"] });
    log("added unreachable route", { cidr });
  }
}

/** The CRI client whose CNI config follows the node's podCIDR. */
export class ContainerdCriRuntime extends CriRuntime {
  private writtenCIDR: string | undefined;

  constructor(
    socket: string,
    private readonly dataDir: string,
    private readonly podCIDR: () => string | undefined,
    private readonly log: Log,
  ) {
    super({ socket });
  }

  /** Writes the CNI config when the podCIDR is new; true when it did. */
  syncPodCIDR(): boolean {
    const cidr = this.podCIDR();
    if (!cidr || cidr === this.writtenCIDR) return false;
    writeCniConfig(this.dataDir, cidr);
    this.writtenCIDR = cidr;
    this.log("wrote the CNI config", { podCIDR: cidr });
    return true;
  }

  override async status(): Promise<RuntimeStatus> {
    this.syncPodCIDR();
    return super.status();
  }

  override async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    if (this.syncPodCIDR()) await this.waitNetworkReady(5_000);
    // Upstream's kuberuntime makes the pod's log directory before RunPodSandbox; containerd does not.
    if (config.logDirectory) mkdirSync(config.logDirectory, { recursive: true });
    return super.runPodSandbox(config, runtimeHandler);
  }

  /** containerd's conf watcher loads a new CNI config asynchronously. */
  private async waitNetworkReady(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const st = await super.status();
      if (st.conditions.some((c) => c.type === "NetworkReady" && c.status)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops and removes every sandbox (CNI then releases its IP and netns; containerd unmounts). */
  async removeAllPods(): Promise<void> {
    for (const sb of await this.listPodSandbox()) {
      await this.stopPodSandbox(sb.id).catch((e) =>
        this.log("stopping a sandbox failed", { id: sb.id, err: String(e) }),
      );
      await this.removePodSandbox(sb.id).catch((e) =>
        this.log("removing a sandbox failed", { id: sb.id, err: String(e) }),
      );
    }
  }
}

export interface StartContainerdRuntimeOptions {
  dataDir: string;
  /** The node's podCIDR, asked again until there is one. */
  podCIDR: () => string | undefined;
  log?: Log;
}

export interface ContainerdRuntime {
  cri: ContainerdCriRuntime;
  containerd: RunningContainerd;
  /** Removes the pods, stops containerd (`k8ts up`'s stop); the unreachable routes stay. */
  stop(): Promise<void>;
  /** Closes the CRI client and leaves containerd and the pods running, for the next kubelet to adopt. */
  detach(): void;
}

/**
 * Starts k8ts's containerd, or reuses the one a previous kubelet left running
 * with its pods, and makes the node ready for pods; throws a clear error when
 * containerd or runc is missing.
 */
export async function startContainerdRuntime(o: StartContainerdRuntimeOptions): Promise<ContainerdRuntime> {
  const log = o.log ?? (() => {});
  checkContainerdInstalled();
  try {
    ensureUnreachableRoutes(UNREACHABLE_CIDRS, log);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}: pod and service addresses must never leave the machine, so the containerd runtime will not start here; move that network, or run with --runtime fake`,
    );
  }
  const containerd = await startContainerd({ dataDir: o.dataDir, log });
  const cri = new ContainerdCriRuntime(containerd.socket, o.dataDir, o.podCIDR, log);
  try {
    cri.syncPodCIDR();
    const missing: (keyof typeof IMAGES)[] = [];
    for (const key of Object.keys(IMAGES) as (keyof typeof IMAGES)[]) {
      if ((await cri.imageStatus(IMAGES[key])) === undefined) missing.push(key);
    }
    if (missing.length > 0) {
      const archives = await buildImages(join(o.dataDir, "images"));
      await importImages(
        missing.map((k) => archives[k]),
        { address: containerd.socket, namespace: "k8s.io" },
      );
      log("imported the local images", { images: missing.map((k) => IMAGES[k]) });
    }
  } catch (e) {
    cri.close();
    // A reused containerd runs pods: it stays.
    if (containerd.reused) containerd.detach();
    else await containerd.stop();
    throw e;
  }
  return {
    cri,
    containerd,
    async stop() {
      await cri.removeAllPods().catch((e) => log("removing pods failed", { err: String(e) }));
      cri.close();
      await containerd.stop();
    },
    detach() {
      cri.close();
      containerd.detach();
      log("containerd keeps running with its pods", { pid: containerd.pid });
    },
  };
}
