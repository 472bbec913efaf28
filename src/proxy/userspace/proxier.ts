// The userspace proxier: a port of pkg/proxy/userspace/proxier.go (last in
// release-1.25). Each service port gets a TCP or UDP proxy socket on a free
// local port, and "portal" rules (portals.ts) send its clusterIP:port,
// external IPs, load-balancer IPs and NodePort there. Endpoints come from the
// same EndpointSlice tracking as the iptables mode, and only the endpoints
// CategorizeEndpoints picks (ready ones; serving-terminating ones only when
// none is ready) are handed to the round-robin load balancer.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { BoundedFrequencyRunner } from "../bounded-frequency-runner.ts";
import type { Iptables } from "../iptables/iptables.ts";
import type { ProxyMetrics } from "../metrics.ts";
import { ProxierBase } from "../proxier-base.ts";
import { endpointString, type ServicePortInfo, servicePortNameString } from "../service-port.ts";
import { categorizeEndpoints } from "../topology.ts";
import { LoadBalancerRR } from "./load-balancer-rr.ts";
import {
  containerPortalArgs,
  hostNodePortArgs,
  hostPortalArgs,
  iptablesFlush,
  iptablesInit,
  KUBE_NODEPORT_CONTAINER,
  KUBE_NODEPORT_HOST,
  KUBE_NODEPORT_NON_LOCAL,
  KUBE_PORTALS_CONTAINER,
  KUBE_PORTALS_HOST,
  nonLocalNodePortArgs,
  type PortalTarget,
} from "./portals.ts";
import { type Log, newProxySocket, type ProxySocket } from "./proxy-socket.ts";

/** upstream's --udp-timeout default. */
export const DEFAULT_UDP_IDLE_TIMEOUT_MS = 250;

export interface UserspaceProxierOptions {
  iptables: Iptables;
  hostname: string;
  /** Where proxy sockets listen (kube-proxy's --bind-address); "0.0.0.0" by default. */
  listenIP?: string;
  /** The node IP, which host traffic is DNATed to when listening on 0.0.0.0. */
  hostIP?: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  udpIdleTimeoutMs?: number;
  /** Hold NodePorts (and local portal IPs' ports) open with a socket, as upstream does; default true. */
  claimPorts?: boolean;
  loadBalancer?: LoadBalancerRR;
  /** The node's addresses (upstream's GetLocalAddrs); default: os.networkInterfaces(). */
  localAddrs?: () => Set<string>;
  metrics?: ProxyMetrics;
  log?: Log;
  onQueued?: () => void;
  onSynced?: () => void;
}

interface Portal {
  ip: string;
  port: number;
  isExternal: boolean;
}

/** What one service port has running: its socket and the config its portals were opened with. */
interface ServiceInfo {
  key: string;
  /** The comment on its rules: upstream's ServicePortName.String(). */
  name: string;
  config: ServicePortInfo;
  socket: ProxySocket;
}

type Claim = Server | UdpSocket;

function defaultLocalAddrs(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** utilnet.ChooseHostInterface, roughly: the first non-loopback IPv4 address. */
function chooseHostIP(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("failed to select a host interface");
}

/** sameConfig: a change to any of these means a new socket and new portals. */
function sameConfig(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return (
    a.protocol === b.protocol &&
    a.port === b.port &&
    a.nodePort === b.nodePort &&
    a.clusterIP === b.clusterIP &&
    a.externalIPs.join(",") === b.externalIPs.join(",") &&
    a.loadBalancerVIPs.join(",") === b.loadBalancerVIPs.join(",") &&
    a.sessionAffinityClientIP === b.sessionAffinityClientIP &&
    a.stickyMaxAgeSeconds === b.stickyMaxAgeSeconds
  );
}

export class UserspaceProxier extends ProxierBase {
  /** upstream's serviceMap: the running proxies. */
  private readonly serviceMap = new Map<string, ServiceInfo>();
  /** upstream's portMap: ports held open so that nothing else takes them ("ip:port/proto"). */
  private readonly portMap = new Map<string, { owner: string; socket: Claim }>();
  readonly loadBalancer: LoadBalancerRR;
  protected readonly runner: BoundedFrequencyRunner;
  private readonly target: PortalTarget;
  private localAddrs = new Set<string>();
  private flushed = false;

  constructor(private readonly opts: UserspaceProxierOptions) {
    super(opts.hostname, opts.onQueued, opts.log);
    const listenIP = opts.listenIP ?? "0.0.0.0";
    if (listenIP === "127.0.0.1") throw new Error("cannot proxy on localhost");
    this.target = { listenIP, hostIP: opts.hostIP ?? (listenIP === "0.0.0.0" ? chooseHostIP() : listenIP) };
    this.loadBalancer = opts.loadBalancer ?? new LoadBalancerRR();
    this.runner = new BoundedFrequencyRunner({
      name: "userspace-proxy-sync-runner",
      fn: () => this.syncProxyRules(),
      minIntervalMs: opts.minSyncPeriodMs,
      maxIntervalMs: opts.syncPeriodMs,
      burstRuns: 2,
    });
  }

  start(): void {
    this.runner.start();
  }

  /** Stops syncing and closes every proxy socket and held port (upstream's shutdown). */
  async stop(): Promise<void> {
    await this.runner.stop();
    for (const info of [...this.serviceMap.values()]) await this.stopProxy(info);
    for (const key of [...this.portMap.keys()]) this.releasePort(key);
  }

  /** The local port of a service port's proxy ("ns/name:port/PROTO" key), if it runs. */
  proxyPort(key: string): number | undefined {
    return this.serviceMap.get(key)?.socket.port;
  }

  /** Open connections per endpoint of one service port. */
  connections(key: string): Map<string, number> {
    return this.serviceMap.get(key)?.socket.connections() ?? new Map();
  }

  async syncProxyRules(): Promise<void> {
    if (!this.initialized) return;
    const start = performance.now();
    const ipt = this.opts.iptables;
    const log = this.opts.log;
    try {
      await iptablesInit(ipt);
      if (!this.flushed) {
        await iptablesFlush(ipt);
        this.flushed = true;
      }
    } catch (e) {
      log?.("Failed to ensure iptables", { err: (e as Error).message });
    }
    this.svcPortMap.apply(this.serviceChanges);
    this.endpointsMap.apply(this.endpointsChanges);
    this.localAddrs = (this.opts.localAddrs ?? defaultLocalAddrs)();

    // mergeService / unmergeService over the whole map: stop what went or changed, start what is new.
    for (const [key, info] of [...this.serviceMap]) {
      const now = this.svcPortMap.get(key);
      if (now && sameConfig(info.config, now)) continue;
      log?.(now ? "Something changed for service: stopping it" : "Stopping service", { service: info.name });
      await this.closePortal(info);
      await this.stopProxy(info);
      if (!now) this.loadBalancer.deleteService(key);
    }
    for (const [key, config] of this.svcPortMap) {
      if (this.serviceMap.has(key)) continue;
      const name = servicePortNameString(config.name);
      try {
        const socket = await newProxySocket(config.protocol, {
          service: key,
          loadBalancer: this.loadBalancer,
          listenIP: this.target.listenIP,
          udpIdleTimeoutMs: this.opts.udpIdleTimeoutMs ?? DEFAULT_UDP_IDLE_TIMEOUT_MS,
          log,
        });
        this.serviceMap.set(key, { key, name, config, socket });
        log?.("Adding new service", {
          service: name,
          address: `${config.clusterIP}:${config.port}/${config.protocol}`,
          proxyPort: socket.port,
        });
        this.loadBalancer.newService(
          key,
          config.sessionAffinityClientIP ? "ClientIP" : "None",
          config.stickyMaxAgeSeconds,
        );
      } catch (e) {
        log?.("Failed to start proxy", { service: name, err: (e as Error).message });
      }
    }

    for (const [key, info] of this.serviceMap) {
      const c = categorizeEndpoints(this.endpointsMap.get(key) ?? [], info.config, this.topologyLabels);
      // One socket serves ClusterIP and NodePort traffic alike, so the internal policy decides.
      const eps = (info.config.internalPolicyLocal ? c.localEndpoints : c.clusterEndpoints).map(
        endpointString,
      );
      this.loadBalancer.setEndpoints(key, eps);
      const closed = info.socket.closeStale(new Set(eps));
      if (closed > 0) log?.("Closed connections to removed endpoints", { service: info.name, closed });
    }

    // ensurePortals: re-checked on every sync, which puts back rules removed by hand.
    for (const info of this.serviceMap.values()) {
      try {
        await this.openPortal(info);
      } catch (e) {
        log?.("Failed to ensure portal", { service: info.name, err: (e as Error).message });
      }
    }
    for (const key of this.serviceMap.keys()) this.loadBalancer.cleanupStaleStickySessions(key);

    const family = { ip_family: "IPv4" };
    this.opts.metrics?.syncProxyRulesLatency.observe(family, (performance.now() - start) / 1000);
    this.opts.metrics?.syncProxyRulesLastTimestamp.set(family, Date.now() / 1000);
    this.opts.onSynced?.();
  }

  private async stopProxy(info: ServiceInfo): Promise<void> {
    this.serviceMap.delete(info.key);
    await info.socket.close();
  }

  private portals(info: ServiceInfo): Portal[] {
    const c = info.config;
    return [
      { ip: c.clusterIP, port: c.port, isExternal: false },
      ...c.externalIPs.map((ip) => ({ ip, port: c.port, isExternal: true })),
      ...c.loadBalancerVIPs.map((ip) => ({ ip, port: c.port, isExternal: false })),
    ];
  }

  /** The rules of one service port, as (table, chain, args) in upstream's order. */
  portalRules(info: ServiceInfo): Array<{ table: "nat" | "filter"; chain: string; args: string[] }> {
    const t = this.target;
    const { protocol } = info.config;
    const port = info.socket.port;
    const out: Array<{ table: "nat" | "filter"; chain: string; args: string[] }> = [];
    for (const p of this.portals(info)) {
      out.push({
        table: "nat",
        chain: KUBE_PORTALS_CONTAINER,
        args: containerPortalArgs(t, p.ip, p.isExternal, false, p.port, protocol, port, info.name),
      });
      if (p.isExternal) {
        out.push({
          table: "nat",
          chain: KUBE_PORTALS_CONTAINER,
          args: containerPortalArgs(t, p.ip, false, true, p.port, protocol, port, info.name),
        });
        out.push({
          table: "nat",
          chain: KUBE_PORTALS_HOST,
          args: hostPortalArgs(t, p.ip, true, p.port, protocol, port, info.name),
        });
      } else {
        out.push({
          table: "nat",
          chain: KUBE_PORTALS_HOST,
          args: hostPortalArgs(t, p.ip, false, p.port, protocol, port, info.name),
        });
      }
    }
    const np = info.config.nodePort;
    if (np) {
      out.push({
        table: "nat",
        chain: KUBE_NODEPORT_CONTAINER,
        args: containerPortalArgs(t, undefined, false, false, np, protocol, port, info.name),
      });
      out.push({
        table: "nat",
        chain: KUBE_NODEPORT_HOST,
        args: hostNodePortArgs(t, np, protocol, port, info.name),
      });
      out.push({
        table: "filter",
        chain: KUBE_NODEPORT_NON_LOCAL,
        args: nonLocalNodePortArgs(port, protocol, info.name),
      });
    }
    return out;
  }

  private async openPortal(info: ServiceInfo): Promise<void> {
    const { protocol } = info.config;
    for (const p of this.portals(info)) {
      if (this.localAddrs.has(p.ip)) await this.claimPort(p.ip, p.port, protocol, info.key);
    }
    if (info.config.nodePort) await this.claimPort(undefined, info.config.nodePort, protocol, info.key);
    for (const r of this.portalRules(info)) {
      const existed = await this.opts.iptables.ensureRule("append", r.table, r.chain, r.args);
      if (!existed) this.opts.log?.("Opened iptables portal", { service: info.name, chain: r.chain });
    }
  }

  private async closePortal(info: ServiceInfo): Promise<void> {
    for (const r of this.portalRules(info)) {
      try {
        await this.opts.iptables.deleteRule(r.table, r.chain, r.args);
      } catch (e) {
        this.opts.log?.("Failed to delete iptables rule", {
          service: info.name,
          chain: r.chain,
          err: (e as Error).message,
        });
      }
    }
    for (const [k, v] of [...this.portMap]) if (v.owner === info.key) this.releasePort(k);
  }

  /** claimNodePort: hold the real port open, so that it is safe to take and stays so. */
  private async claimPort(
    ip: string | undefined,
    port: number,
    protocol: string,
    owner: string,
  ): Promise<void> {
    if (this.opts.claimPorts === false) return;
    const key = `${ip ?? ""}:${port}/${protocol}`;
    const existing = this.portMap.get(key);
    if (existing) {
      if (existing.owner === owner) return;
      throw new Error(`Port conflict detected on port ${key}.  ${owner} vs ${existing.owner}`);
    }
    const socket = await holdPort(ip, port, protocol);
    this.portMap.set(key, { owner, socket });
    this.opts.log?.("Claimed local port", { port: key });
  }

  private releasePort(key: string): void {
    const v = this.portMap.get(key);
    if (!v) return;
    this.portMap.delete(key);
    v.socket.close();
  }
}

function holdPort(ip: string | undefined, port: number, protocol: string): Promise<Claim> {
  return new Promise((resolve, reject) => {
    if (protocol.toUpperCase() === "UDP") {
      const s = createSocket("udp4");
      s.once("error", reject);
      s.bind({ address: ip, port }, () => resolve(s));
    } else {
      // Nothing should arrive here (the rules redirect first); anything that does is refused.
      const s = createServer((c) => c.destroy());
      s.once("error", reject);
      s.listen({ host: ip ?? "0.0.0.0", port }, () => resolve(s));
    }
  });
}
