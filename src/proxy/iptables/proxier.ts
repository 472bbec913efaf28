// The iptables proxier: a port of pkg/proxy/iptables/proxier.go (v1.32).
// Services and EndpointSlices become nat rules (ClusterIP → KUBE-SVC → one
// KUBE-SEP per endpoint, picked by `statistic --mode random`), written with
// one `iptables-restore --noflush --counters` per sync. A partial sync leaves
// out the chains of services that did not change; a full sync (at start, after
// a failure, and every syncPeriod) rewrites everything, which repairs rules
// someone else removed.

import { BoundedFrequencyRunner } from "../bounded-frequency-runner.ts";
import { cleanStaleEntries } from "../conntrack/cleanup.ts";
import type { Conntrack } from "../conntrack/conntrack.ts";
import type { ServiceHealthServer } from "../healthcheck/service-health.ts";
import { healthCheckNodePorts, localReadyEndpoints } from "../healthcheck/sync-input.ts";
import type { ProxyMetrics } from "../metrics.ts";
import { ProxierBase } from "../proxier-base.ts";
import {
  type EndpointInfo,
  endpointString,
  externallyAccessible,
  type ServicePortInfo,
  serviceKey,
  servicePortNameString,
  usesClusterEndpoints,
  usesLocalEndpoints,
} from "../service-port.ts";
import { categorizeEndpoints } from "../topology.ts";
import {
  isServiceChainName,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_CANARY,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  KUBELET_FIREWALL,
  serviceExternalChain,
  serviceFirewallChain,
  servicePortEndpointChain,
  servicePortPolicyClusterChain,
  servicePortPolicyLocalChain,
} from "./chains.ts";
import type { Iptables, Table } from "./iptables.ts";
import { getChainsFromTable, LIST_RULES, LineBuffer, makeChainLine } from "./save-restore.ts";

/** Above this many endpoints, comments on SEP rules are left out (upstream's large cluster mode). */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

/** proxyutil.FullSyncPeriod: the longest time between two full syncs. */
const FULL_SYNC_PERIOD_MAX_MS = 3_600_000;

/** The chain of an "-A CHAIN …" line. */
const ruleChain = (line: string): string => line.slice(3, line.indexOf(" ", 3));

/** The nat chains every sync fills, beside the per-service ones. */
const TOP_NAT_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ];

interface JumpChain {
  table: Table;
  dstChain: string;
  srcChain: string;
  comment: string;
  extraArgs: string[];
}

const NEW = ["-m", "conntrack", "--ctstate", "NEW"];

/** iptablesJumpChains: the rules in the built-in chains that lead into ours. */
export const JUMP_CHAINS: JumpChain[] = [
  {
    table: "filter",
    dstChain: KUBE_EXTERNAL_SERVICES,
    srcChain: "INPUT",
    comment: "kubernetes externally-visible service portals",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_EXTERNAL_SERVICES,
    srcChain: "FORWARD",
    comment: "kubernetes externally-visible service portals",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_NODEPORTS,
    srcChain: "INPUT",
    comment: "kubernetes health check service ports",
    extraArgs: [],
  },
  {
    table: "filter",
    dstChain: KUBE_SERVICES,
    srcChain: "FORWARD",
    comment: "kubernetes service portals",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_SERVICES,
    srcChain: "OUTPUT",
    comment: "kubernetes service portals",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_FORWARD,
    srcChain: "FORWARD",
    comment: "kubernetes forwarding rules",
    extraArgs: [],
  },
  {
    table: "filter",
    dstChain: KUBE_PROXY_FIREWALL,
    srcChain: "INPUT",
    comment: "kubernetes load balancer firewall",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_PROXY_FIREWALL,
    srcChain: "OUTPUT",
    comment: "kubernetes load balancer firewall",
    extraArgs: NEW,
  },
  {
    table: "filter",
    dstChain: KUBE_PROXY_FIREWALL,
    srcChain: "FORWARD",
    comment: "kubernetes load balancer firewall",
    extraArgs: NEW,
  },
  {
    table: "nat",
    dstChain: KUBE_SERVICES,
    srcChain: "OUTPUT",
    comment: "kubernetes service portals",
    extraArgs: [],
  },
  {
    table: "nat",
    dstChain: KUBE_SERVICES,
    srcChain: "PREROUTING",
    comment: "kubernetes service portals",
    extraArgs: [],
  },
  {
    table: "nat",
    dstChain: KUBE_POSTROUTING,
    srcChain: "POSTROUTING",
    comment: "kubernetes postrouting rules",
    extraArgs: [],
  },
];

/** iptablesKubeletJumpChains: the kubelet's anti-martian chain, which kube-proxy also ensures. */
export const KUBELET_JUMP_CHAINS: JumpChain[] = [
  { table: "filter", dstChain: KUBELET_FIREWALL, srcChain: "INPUT", comment: "", extraArgs: [] },
  { table: "filter", dstChain: KUBELET_FIREWALL, srcChain: "OUTPUT", comment: "", extraArgs: [] },
];

function jumpArgs(j: JumpChain): string[] {
  const args = [...j.extraArgs];
  if (j.comment) args.push("-m", "comment", "--comment", j.comment);
  args.push("-j", j.dstChain);
  return args;
}

/** One of a service port's capture rules: traffic to ip:port (protocol) in chain goes to target. */
function writeCapture(
  rules: LineBuffer,
  chain: string,
  comment: string,
  protocol: string,
  ip: string,
  port: string,
  target: string,
): void {
  rules.write(
    "-A",
    chain,
    "-m",
    "comment",
    "--comment",
    comment,
    "-m",
    protocol,
    "-p",
    protocol,
    "-d",
    ip,
    "--dport",
    port,
    "-j",
    target,
  );
}

/** `%0.10f` of 1/n, the statistic module's probability. */
export function computeProbability(n: number): string {
  return (1 / n).toFixed(10);
}

export interface ProxierOptions {
  iptables: Iptables;
  /** This node's name: endpoints with this nodeName are local. */
  hostname: string;
  /** The node's InternalIP (used for loadBalancerSourceRanges that include the node). */
  nodeIP?: string;
  /** Traffic from outside this CIDR to a ClusterIP is masqueraded (upstream's LocalTrafficDetector); none: never. */
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  /** Bit of the fwmark for SNAT (--iptables-masquerade-bit, default 14). */
  masqueradeBit?: number;
  /** The mark itself, instead of one computed from masqueradeBit (upstream's fake proxier sets "0x4000"). */
  masqueradeMark?: string;
  /** NodePorts also answer on 127.0.0.1 (--iptables-localhost-nodeports, default true). */
  localhostNodePorts?: boolean;
  /** nf_conntrack_tcp_be_liberal is set: no DROP of INVALID packets. */
  conntrackTCPLiberal?: boolean;
  /** Deletes stale UDP conntrack entries after each sync; none: they stay until they time out. */
  conntrack?: Conntrack;
  /** --iptables-sync-period: the longest time between full syncs. */
  syncPeriodMs: number;
  /** --iptables-min-sync-period */
  minSyncPeriodMs: number;
  metrics?: ProxyMetrics;
  now?: () => number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Called after every successful sync (the healthz server's "Updated"). */
  onSynced?: () => void;
  /** Called when a change is queued (the healthz server's "QueuedUpdate"). */
  onQueued?: () => void;
  /** Told the health-check node ports and local endpoint counts after each successful sync. */
  serviceHealthServer?: Pick<ServiceHealthServer, "syncServices" | "syncEndpoints">;
}

export interface SyncResult {
  full: boolean;
  /** The iptables-restore input of this sync. */
  data: string;
  filterRules: number;
  natRules: number;
  /** NAT chains this sync rewrote (declared in the restore input), without deletions. */
  natChainsWritten: string[];
  deletedChains: string[];
  /** How long iptables-restore took (ms): the part of the sync that is iptables' own. */
  restoreMs: number;
}

export class Proxier extends ProxierBase {
  private needFullSync = true;
  private lastFullSync = 0;
  /** How long after a full sync the next one is due: see syncProxyRules. */
  private fullSyncIntervalMs: number;
  private lastIPTablesCleanup = 0;
  private largeClusterMode = false;
  /**
   * Per service port, what its last full write produced: its lines in the top-level chains, its own
   * chains and their rule count. Valid while the service and its endpoints stay unchanged.
   */
  private readonly serviceCache = new Map<
    string,
    {
      natTop: string[];
      filterTop: string[];
      chains: string[];
      rules: number;
      noLocalInternal: number;
      noLocalExternal: number;
    }
  >();
  /**
   * What the last successful sync left in the shared chains (KUBE-SERVICES & co., keyed by chain) and
   * in the filter table. A partial sync leaves out those that would be written unchanged: rewriting
   * 10,000 KUBE-SERVICES rules costs iptables-nft a second, and a periodic full sync repairs them.
   */
  private lastTopNat = new Map<string, string>();
  private lastFilter = "";
  private readonly masqueradeMark: string;
  protected readonly runner: BoundedFrequencyRunner;
  private readonly probabilities: string[] = ["<bad value>"];
  private readonly now: () => number;
  private monitorTimer?: NodeJS.Timeout;
  /** The last sync's result, for tests and debugging. */
  lastSync?: SyncResult;

  constructor(private readonly opts: ProxierOptions) {
    super(opts.hostname, opts.onQueued, opts.log);
    // Go's fmt.Sprintf("%#08x", 1<<bit): the width counts the "0x", so bit 14 gives 0x004000.
    this.masqueradeMark =
      opts.masqueradeMark ?? `0x${(1 << (opts.masqueradeBit ?? 14)).toString(16).padStart(6, "0")}`;
    this.now = opts.now ?? Date.now;
    this.fullSyncIntervalMs = opts.syncPeriodMs;
    this.runner = new BoundedFrequencyRunner({
      name: "sync-runner",
      fn: () => this.syncProxyRules().then(() => undefined),
      minIntervalMs: opts.minSyncPeriodMs,
      // Each periodic run is a full sync when one is due (see syncProxyRules).
      maxIntervalMs: opts.syncPeriodMs,
      burstRuns: 2,
      now: this.now,
    });
  }

  private localhostNodePorts(): boolean {
    return this.opts.localhostNodePorts ?? true;
  }

  /** Starts the periodic syncs and the canary monitor (upstream's SyncLoop and iptables.Monitor). */
  start(): void {
    this.runner.start();
    this.monitorTimer = setInterval(() => {
      void this.checkCanary();
    }, this.opts.syncPeriodMs);
    this.monitorTimer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.monitorTimer);
    await this.runner.stop();
  }

  /** Forgets what iptables holds: the next sync rewrites everything. */
  override forceFullSync(): void {
    this.needFullSync = true;
  }

  /** utiliptables.Monitor: a canary chain that vanished means someone flushed the tables. */
  private async checkCanary(): Promise<void> {
    try {
      for (const table of ["mangle", "nat", "filter"] as const) {
        if (!(await this.opts.iptables.chainExists(table, KUBE_PROXY_CANARY))) {
          this.opts.log?.("iptables canary gone: full resync", { table });
          this.needFullSync = true;
          this.runner.run();
          return;
        }
      }
    } catch (e) {
      this.opts.log?.("iptables canary check failed", { err: (e as Error).message });
    }
  }

  private probability(n: number): string {
    for (let i = this.probabilities.length; i <= n; i++) this.probabilities.push(computeProbability(i));
    return this.probabilities[n];
  }

  private comment(args: string[], text: string): string[] {
    // Comments make up 40%+ of the restore input in large clusters; upstream drops them there.
    if (this.largeClusterMode) return args;
    return [...args, "-m", "comment", "--comment", text];
  }

  private ifNotLocal(): string[] | undefined {
    return this.opts.clusterCIDR ? ["!", "-s", this.opts.clusterCIDR] : undefined;
  }

  private ifLocal(): string[] | undefined {
    return this.opts.clusterCIDR ? ["-s", this.opts.clusterCIDR] : undefined;
  }

  /** syncProxyRules: one iptables-restore of the filter and nat tables. Resolves undefined if not initialized. */
  async syncProxyRules(): Promise<SyncResult | undefined> {
    if (!this.initialized) return undefined;
    const start = performance.now();
    const doFullSync = this.needFullSync || this.now() - this.lastFullSync >= this.fullSyncIntervalMs;
    const ipt = this.opts.iptables;
    const metrics = this.opts.metrics;
    const family = { ip_family: "IPv4" };
    const serviceUpdateResult = this.svcPortMap.update(this.serviceChanges);
    const endpointUpdateResult = this.endpointsMap.update(this.endpointsChanges);
    const updatedServices = new Set(serviceUpdateResult.updatedServices);
    for (const s of endpointUpdateResult.updatedServices) updatedServices.add(s);

    let success = false;
    try {
      if (doFullSync) {
        for (const jump of [...JUMP_CHAINS, ...KUBELET_JUMP_CHAINS]) {
          await ipt.ensureChain(jump.table, jump.dstChain);
          await ipt.ensureRule("prepend", jump.table, jump.srcChain, jumpArgs(jump));
        }
        for (const table of ["mangle", "nat", "filter"] as const)
          await ipt.ensureChain(table, KUBE_PROXY_CANARY);
      }
      const result = await this.writeRules(doFullSync, updatedServices);
      success = true;
      this.needFullSync = false;
      this.lastSync = result;
      const elapsed = (performance.now() - start) / 1000;
      if (doFullSync) {
        this.lastFullSync = this.now();
        // A full sync every syncPeriod repairs hand-made damage soon; where a full sync takes long
        // (iptables-nft with thousands of services) they are spaced to keep under 5 % of the time,
        // but at least hourly (upstream's FullSyncPeriod, which it uses whatever the size).
        this.fullSyncIntervalMs = Math.min(
          FULL_SYNC_PERIOD_MAX_MS,
          Math.max(this.opts.syncPeriodMs, 20 * elapsed * 1000),
        );
      }
      metrics?.syncProxyRulesLatency.observe(family, elapsed);
      (doFullSync ? metrics?.syncFullProxyRulesLatency : metrics?.syncPartialProxyRulesLatency)?.observe(
        family,
        elapsed,
      );
      metrics?.syncProxyRulesLastTimestamp.set(family, Date.now() / 1000);
      this.opts.onSynced?.();
      await this.syncServiceHealth();
      // Only now that the new rules are in place: a flow deleted earlier could be re-created the old way.
      if (this.opts.conntrack)
        await cleanStaleEntries(
          this.opts.conntrack,
          this.svcPortMap,
          serviceUpdateResult,
          endpointUpdateResult,
          this.opts.log,
        );
      this.opts.log?.("SyncProxyRules complete", { elapsed, fullSync: doFullSync });
      return result;
    } catch (e) {
      this.opts.log?.("Failed to execute iptables-restore", { err: (e as Error).message });
      metrics?.iptablesRestoreFailuresTotal.inc(family);
      if (!doFullSync) metrics?.iptablesPartialRestoreFailuresTotal.inc(family);
      return undefined;
    } finally {
      if (!success) {
        // The change trackers are drained: only a full sync knows the whole state again.
        this.needFullSync = true;
        this.runner.retryAfter(this.opts.syncPeriodMs);
      }
    }
  }

  /**
   * Upstream's "Update service healthchecks": the endpoint counts may include services that are
   * not externalTrafficPolicy Local; the health server drops those.
   */
  private async syncServiceHealth(): Promise<void> {
    const hcs = this.opts.serviceHealthServer;
    if (!hcs) return;
    try {
      await hcs.syncServices(healthCheckNodePorts(this.svcPortMap));
    } catch (e) {
      this.opts.log?.("Error syncing healthcheck services", { err: (e as Error).message });
    }
    try {
      hcs.syncEndpoints(localReadyEndpoints(this.endpointsMap));
    } catch (e) {
      this.opts.log?.("Error syncing healthcheck endpoints", { err: (e as Error).message });
    }
  }

  private async writeRules(doFullSync: boolean, updatedServices: Set<string>): Promise<SyncResult> {
    const ipt = this.opts.iptables;
    const mark = this.masqueradeMark;
    const filterChains = new LineBuffer();
    const filterRules = new LineBuffer();
    const natChains = new LineBuffer();
    const natRules = new LineBuffer();
    const skippedNatChains = new LineBuffer(true);
    const skippedNatRules = new LineBuffer(true);
    let skippedRuleCount = 0;
    const natChainsWritten: string[] = [];

    for (const c of [
      KUBE_SERVICES,
      KUBE_EXTERNAL_SERVICES,
      KUBE_FORWARD,
      KUBE_NODEPORTS,
      KUBE_PROXY_FIREWALL,
    ]) {
      filterChains.write(makeChainLine(c));
    }
    for (const c of TOP_NAT_CHAINS) {
      natChains.write(makeChainLine(c));
      natChainsWritten.push(c);
    }

    natRules.write("-A", KUBE_POSTROUTING, "-m", "mark", "!", "--mark", `${mark}/${mark}`, "-j", "RETURN");
    // Clear the mark so that a packet re-traversing the stack is not masqueraded twice.
    natRules.write("-A", KUBE_POSTROUTING, "-j", "MARK", "--xor-mark", mark);
    const masqRule = [
      "-A",
      KUBE_POSTROUTING,
      "-m",
      "comment",
      "--comment",
      '"kubernetes service traffic requiring SNAT"',
      "-j",
      "MASQUERADE",
    ];
    if (ipt.hasRandomFully()) masqRule.push("--random-fully");
    natRules.write(masqRule);
    natRules.write("-A", KUBE_MARK_MASQ, "-j", "MARK", "--or-mark", mark);

    if (this.localhostNodePorts()) {
      // route_localnet (for NodePorts on 127.0.0.1) opens a hole (issue 90259) this rule closes.
      filterChains.write(makeChainLine(KUBELET_FIREWALL));
      filterRules.write(
        "-A",
        KUBELET_FIREWALL,
        "-m",
        "comment",
        "--comment",
        '"block incoming localnet connections"',
        "-d",
        "127.0.0.0/8",
        "!",
        "-s",
        "127.0.0.0/8",
        "-m",
        "conntrack",
        "!",
        "--ctstate",
        "RELATED,ESTABLISHED,DNAT",
        "-j",
        "DROP",
      );
    }

    const activeNATChains = new Set<string>();
    const svcKeys = [...this.svcPortMap.keys()].sort();
    let totalEndpoints = 0;
    for (const k of svcKeys) totalEndpoints += this.endpointsMap.get(k)?.length ?? 0;
    this.largeClusterMode = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

    let noLocalInternal = 0;
    let noLocalExternal = 0;

    for (const key of svcKeys) {
      const svc = this.svcPortMap.get(key)!;
      const unchanged = !doFullSync && !updatedServices.has(serviceKey(svc.name.namespace, svc.name.name));
      const cached = unchanged ? this.serviceCache.get(key) : undefined;
      if (cached) {
        // An unchanged service writes what it wrote last time: replay the top-level rules, skip its chains.
        for (const l of cached.natTop) natRules.writeLine(l);
        for (const l of cached.filterTop) filterRules.writeLine(l);
        for (const c of cached.chains) activeNATChains.add(c);
        skippedRuleCount += cached.rules;
        noLocalInternal += cached.noLocalInternal;
        noLocalExternal += cached.noLocalExternal;
        continue;
      }
      const natMark = natRules.length;
      const filterMark = filterRules.length;
      const protocol = svc.protocol.toLowerCase();
      const name = servicePortNameString(svc.name);
      const port = String(svc.port);
      const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } =
        categorizeEndpoints(this.endpointsMap.get(key) ?? [], svc, this.topologyLabels);
      const hasEndpoints = hasAnyEndpoints;

      const clusterPolicyChain = servicePortPolicyClusterChain(name, protocol);
      const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(svc);
      const localPolicyChain = servicePortPolicyLocalChain(name, protocol);
      const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(svc);

      let internalTrafficChain = clusterPolicyChain;
      let hasInternalEndpoints = hasEndpoints;
      if (svc.internalPolicyLocal) {
        internalTrafficChain = localPolicyChain;
        if (localEndpoints.length === 0) hasInternalEndpoints = false;
      }
      let externalPolicyChain = clusterPolicyChain;
      let hasExternalEndpoints = hasEndpoints;
      if (svc.externalPolicyLocal) {
        externalPolicyChain = localPolicyChain;
        if (localEndpoints.length === 0) hasExternalEndpoints = false;
      }
      const externalTrafficChain = serviceExternalChain(name, protocol);
      // The short-circuit rules for local traffic are needed even without externally usable endpoints.
      const usesExternalTrafficChain = hasEndpoints && externallyAccessible(svc);

      const fwChain = serviceFirewallChain(name, protocol);
      const usesFWChain =
        hasEndpoints && svc.loadBalancerVIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
      const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

      let internalFilterTarget = "";
      let internalFilterComment = "";
      let externalFilterTarget = "";
      let externalFilterComment = "";
      if (!hasEndpoints) {
        internalFilterTarget = "REJECT";
        internalFilterComment = `"${name} has no endpoints"`;
        externalFilterTarget = "REJECT";
        externalFilterComment = internalFilterComment;
      } else {
        if (!hasInternalEndpoints) {
          internalFilterTarget = "DROP";
          internalFilterComment = `"${name} has no local endpoints"`;
          noLocalInternal++;
        }
        if (!hasExternalEndpoints) {
          externalFilterTarget = "DROP";
          externalFilterComment = `"${name} has no local endpoints"`;
          noLocalExternal++;
        }
      }

      // Capture the clusterIP.
      if (hasInternalEndpoints) {
        writeCapture(
          natRules,
          KUBE_SERVICES,
          `"${name} cluster IP"`,
          protocol,
          svc.clusterIP,
          port,
          internalTrafficChain,
        );
      } else {
        writeCapture(
          filterRules,
          KUBE_SERVICES,
          internalFilterComment,
          protocol,
          svc.clusterIP,
          port,
          internalFilterTarget,
        );
      }

      // Capture externalIPs.
      for (const ip of svc.externalIPs) {
        if (hasEndpoints) {
          writeCapture(
            natRules,
            KUBE_SERVICES,
            `"${name} external IP"`,
            protocol,
            ip,
            port,
            externalTrafficChain,
          );
        }
        if (!hasExternalEndpoints) {
          writeCapture(
            filterRules,
            KUBE_EXTERNAL_SERVICES,
            externalFilterComment,
            protocol,
            ip,
            port,
            externalFilterTarget,
          );
        }
      }

      // Capture load-balancer ingress.
      for (const ip of svc.loadBalancerVIPs) {
        if (hasEndpoints) {
          writeCapture(
            natRules,
            KUBE_SERVICES,
            `"${name} loadbalancer IP"`,
            protocol,
            ip,
            port,
            loadBalancerTrafficChain,
          );
        }
        if (usesFWChain) {
          writeCapture(
            filterRules,
            KUBE_PROXY_FIREWALL,
            `"${name} traffic not accepted by ${fwChain}"`,
            protocol,
            ip,
            port,
            "DROP",
          );
        }
      }
      if (!hasExternalEndpoints) {
        for (const ip of svc.loadBalancerVIPs) {
          writeCapture(
            filterRules,
            KUBE_EXTERNAL_SERVICES,
            externalFilterComment,
            protocol,
            ip,
            port,
            externalFilterTarget,
          );
        }
      }

      // Capture nodeports.
      if (svc.nodePort !== 0) {
        if (hasEndpoints) {
          // nfacct's localhost_nps_accepted_pkts counter rule is left out: k8ts does not use nfacct.
          natRules.write(
            "-A",
            KUBE_NODEPORTS,
            "-m",
            "comment",
            "--comment",
            name,
            "-m",
            protocol,
            "-p",
            protocol,
            "--dport",
            String(svc.nodePort),
            "-j",
            externalTrafficChain,
          );
        }
        if (!hasExternalEndpoints) {
          filterRules.write(
            "-A",
            KUBE_EXTERNAL_SERVICES,
            "-m",
            "comment",
            "--comment",
            externalFilterComment,
            "-m",
            "addrtype",
            "--dst-type",
            "LOCAL",
            "-m",
            protocol,
            "-p",
            protocol,
            "--dport",
            String(svc.nodePort),
            "-j",
            externalFilterTarget,
          );
        }
      }

      // Capture healthCheckNodePorts.
      if (svc.healthCheckNodePort !== 0) {
        filterRules.write(
          "-A",
          KUBE_NODEPORTS,
          "-m",
          "comment",
          "--comment",
          `"${name} health check node port"`,
          "-m",
          "tcp",
          "-p",
          "tcp",
          "--dport",
          String(svc.healthCheckNodePort),
          "-j",
          "ACCEPT",
        );
      }

      // Unchanged services' SVC/SVL/EXT/FW/SEP chains stay as they are in a partial sync.
      const skip = unchanged;
      const natTop = natRules.linesSince(natMark);
      const filterTop = filterRules.linesSince(filterMark);
      const chains = skip ? skippedNatChains : natChains;
      const rules = skip ? skippedNatRules : natRules;
      const rulesBefore = rules.length;
      const declared: string[] = [];
      const declare = (chain: string) => {
        chains.write(makeChainLine(chain));
        activeNATChains.add(chain);
        declared.push(chain);
        if (!skip) natChainsWritten.push(chain);
      };

      // Internal traffic handling.
      if (hasInternalEndpoints) {
        const args = [
          "-m",
          "comment",
          "--comment",
          `"${name} cluster IP"`,
          "-m",
          protocol,
          "-p",
          protocol,
          "-d",
          svc.clusterIP,
          "--dport",
          port,
        ];
        if (this.opts.masqueradeAll) {
          rules.write("-A", internalTrafficChain, args, "-j", KUBE_MARK_MASQ);
        } else if (this.ifNotLocal()) {
          // Off-cluster traffic to a VIP may bounce off-node: masquerade it.
          rules.write("-A", internalTrafficChain, args, this.ifNotLocal()!, "-j", KUBE_MARK_MASQ);
        }
      }

      // External traffic handling.
      if (usesExternalTrafficChain) {
        declare(externalTrafficChain);
        if (!svc.externalPolicyLocal) {
          rules.write(
            "-A",
            externalTrafficChain,
            "-m",
            "comment",
            "--comment",
            `"masquerade traffic for ${name} external destinations"`,
            "-j",
            KUBE_MARK_MASQ,
          );
        } else {
          if (this.ifLocal()) {
            // Pod → external destination is subject to neither policy (as if it went out to a load balancer).
            rules.write(
              "-A",
              externalTrafficChain,
              "-m",
              "comment",
              "--comment",
              `"pod traffic for ${name} external destinations"`,
              this.ifLocal()!,
              "-j",
              clusterPolicyChain,
            );
          }
          rules.write(
            "-A",
            externalTrafficChain,
            "-m",
            "comment",
            "--comment",
            `"masquerade LOCAL traffic for ${name} external destinations"`,
            "-m",
            "addrtype",
            "--src-type",
            "LOCAL",
            "-j",
            KUBE_MARK_MASQ,
          );
          rules.write(
            "-A",
            externalTrafficChain,
            "-m",
            "comment",
            "--comment",
            `"route LOCAL traffic for ${name} external destinations"`,
            "-m",
            "addrtype",
            "--src-type",
            "LOCAL",
            "-j",
            clusterPolicyChain,
          );
        }
        if (hasExternalEndpoints) rules.write("-A", externalTrafficChain, "-j", externalPolicyChain);
      }

      // Firewall chain (loadBalancerSourceRanges).
      if (usesFWChain) {
        declare(fwChain);
        const args = ["-A", fwChain, "-m", "comment", "--comment", `"${name} loadbalancer IP"`];
        let allowFromNode = false;
        for (const cidr of svc.loadBalancerSourceRanges) {
          rules.write(args, "-s", cidr, "-j", externalTrafficChain);
          if (this.opts.nodeIP && cidrContains(cidr, this.opts.nodeIP)) allowFromNode = true;
        }
        if (allowFromNode) {
          for (const ip of svc.loadBalancerVIPs) rules.write(args, "-s", ip, "-j", externalTrafficChain);
        }
        rules.write(
          "-A",
          fwChain,
          "-m",
          "comment",
          "--comment",
          `"other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL"`,
        );
      }

      if (usesClusterPolicyChain) {
        declare(clusterPolicyChain);
        this.writeServiceToEndpointRules(rules, name, svc, clusterPolicyChain, clusterEndpoints);
      }
      if (usesLocalPolicyChain) {
        declare(localPolicyChain);
        this.writeServiceToEndpointRules(rules, name, svc, localPolicyChain, localEndpoints);
      }

      for (const ep of allReachableEndpoints) {
        const epChain = servicePortEndpointChain(name, protocol, endpointString(ep));
        declare(epChain);
        let args = this.comment(["-A", epChain], name);
        // Hairpin: a pod reaching itself through the service must be SNATed.
        rules.write(args, "-s", ep.ip, "-j", KUBE_MARK_MASQ);
        if (svc.sessionAffinityClientIP) args = [...args, "-m", "recent", "--name", epChain, "--set"];
        rules.write(
          args,
          "-m",
          protocol,
          "-p",
          protocol,
          "-j",
          "DNAT",
          "--to-destination",
          endpointString(ep),
        );
      }
      this.serviceCache.set(key, {
        natTop,
        filterTop,
        chains: declared,
        rules: rules.length - rulesBefore,
        noLocalInternal: hasEndpoints && !hasInternalEndpoints ? 1 : 0,
        noLocalExternal: hasEndpoints && !hasExternalEndpoints ? 1 : 0,
      });
    }
    if (this.serviceCache.size > this.svcPortMap.size) {
      for (const k of this.serviceCache.keys()) if (!this.svcPortMap.has(k)) this.serviceCache.delete(k);
    }

    // Delete chains no longer in use (in large clusters at most once per syncPeriod: iptables-save is slow there).
    const deletedChains: string[] = [];
    let existingNatChains: number | undefined;
    if (!this.largeClusterMode || this.now() - this.lastIPTablesCleanup > this.opts.syncPeriodMs) {
      try {
        const existing = getChainsFromTable(await ipt.saveInto("nat"));
        existingNatChains = existing.size;
        for (const chain of [...existing].sort()) {
          if (activeNATChains.has(chain) || !isServiceChainName(chain)) continue;
          // A chain line flushes it; then it can go.
          natChains.write(makeChainLine(chain));
          natRules.write("-X", chain);
          deletedChains.push(chain);
        }
        this.lastIPTablesCleanup = this.now();
      } catch (e) {
        this.opts.log?.("Failed to execute iptables-save: stale chains will not be deleted", {
          err: (e as Error).message,
        });
      }
    }

    // The tail-call to the nodePorts chain must come after every service's rules.
    const destinations = ["-m", "addrtype", "--dst-type", "LOCAL"];
    if (!this.localhostNodePorts()) destinations.push("!", "-d", "127.0.0.0/8");
    natRules.write(
      "-A",
      KUBE_SERVICES,
      "-m",
      "comment",
      "--comment",
      '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"',
      destinations,
      "-j",
      KUBE_NODEPORTS,
    );

    if (!this.opts.conntrackTCPLiberal) {
      // INVALID packets would otherwise reset connections (kubernetes issues 74839, 117924).
      filterRules.write("-A", KUBE_FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
    }
    filterRules.write(
      "-A",
      KUBE_FORWARD,
      "-m",
      "comment",
      "--comment",
      '"kubernetes forwarding rules"',
      "-m",
      "mark",
      "--mark",
      `${mark}/${mark}`,
      "-j",
      "ACCEPT",
    );
    filterRules.write(
      "-A",
      KUBE_FORWARD,
      "-m",
      "comment",
      "--comment",
      '"kubernetes forwarding conntrack rule"',
      "-m",
      "conntrack",
      "--ctstate",
      "RELATED,ESTABLISHED",
      "-j",
      "ACCEPT",
    );

    // Shared chains and a filter table that a partial sync would write unchanged are left out.
    const topLines = new Map(TOP_NAT_CHAINS.map((c) => [c, [] as string[]]));
    for (const l of natRules.all) if (l.startsWith("-A ")) topLines.get(ruleChain(l))?.push(l);
    const topNat = new Map([...topLines].map(([c, lines]) => [c, lines.join("\n")]));
    const filterText = `${filterChains.text()}${filterRules.text()}`;
    const writeFilter = doFullSync || filterText !== this.lastFilter;
    let unwrittenTopRules = 0;
    if (!doFullSync) {
      const unchanged = new Set(
        [...topNat].filter(([c, text]) => this.lastTopNat.get(c) === text).map(([c]) => c),
      );
      if (unchanged.size) {
        const before = natRules.length;
        natChains.remove((l) => unchanged.has(l.slice(1, l.indexOf(" "))));
        natRules.remove((l) => l.startsWith("-A ") && unchanged.has(ruleChain(l)));
        unwrittenTopRules = before - natRules.length;
        for (const c of unchanged) natChainsWritten.splice(natChainsWritten.indexOf(c), 1);
      }
    }

    const filterCount = writeFilter ? filterRules.length : 0;
    const natCount = natRules.length - deletedChains.length;
    const metrics = this.opts.metrics;
    metrics?.iptablesRulesTotal.set({ table: "filter", ip_family: "IPv4" }, filterRules.length);
    metrics?.iptablesRulesLastSync.set({ table: "filter", ip_family: "IPv4" }, filterCount);
    metrics?.iptablesRulesTotal.set(
      { table: "nat", ip_family: "IPv4" },
      natCount + skippedNatRules.length + skippedRuleCount + unwrittenTopRules,
    );
    metrics?.iptablesRulesLastSync.set({ table: "nat", ip_family: "IPv4" }, natCount);
    metrics?.noLocalEndpointsTotal.set({ traffic_policy: "internal", ip_family: "IPv4" }, noLocalInternal);
    metrics?.noLocalEndpointsTotal.set({ traffic_policy: "external", ip_family: "IPv4" }, noLocalExternal);

    // Chain lines in descending order: iptables-nft-restore's chain cache then inserts each in O(1) (see textDescending).
    const filter = writeFilter ? `*filter\n${filterText}COMMIT\n` : "";
    // iptables-nft (1.8.9) keeps the name of every chain a command touches in a sorted list it
    // scans from the head: quadratic in the chains written, minutes for 10,000 services. A command
    // without a chain makes it fetch the whole table instead; -S (list) is one without side
    // effects, and cheap while the table is nearly empty (a first sync), so it goes in then.
    const listFirst =
      doFullSync && existingNatChains !== undefined && existingNatChains * 4 < natChainsWritten.length;
    const data = `${filter}*nat\n${listFirst ? `${LIST_RULES}\n` : ""}${natChains.textDescending()}${natRules.text()}COMMIT\n`;
    // NoFlushTables: chains that are not ours stay untouched.
    const restoreStart = performance.now();
    await ipt.restoreAll(data);
    const restoreMs = performance.now() - restoreStart;
    this.lastTopNat = topNat;
    this.lastFilter = filterText;
    return {
      full: doFullSync,
      data,
      filterRules: filterCount,
      natRules: natCount,
      natChainsWritten,
      deletedChains,
      restoreMs,
    };
  }

  private writeServiceToEndpointRules(
    rules: LineBuffer,
    name: string,
    svc: ServicePortInfo,
    svcChain: string,
    endpoints: EndpointInfo[],
  ): void {
    const protocol = svc.protocol.toLowerCase();
    if (svc.sessionAffinityClientIP) {
      for (const ep of endpoints) {
        const epChain = servicePortEndpointChain(name, protocol, endpointString(ep));
        rules.write(
          this.comment(["-A", svcChain], `"${name} -> ${endpointString(ep)}"`),
          "-m",
          "recent",
          "--name",
          epChain,
          "--rcheck",
          "--seconds",
          String(svc.stickyMaxAgeSeconds),
          "--reap",
          "-j",
          epChain,
        );
      }
    }
    const n = endpoints.length;
    endpoints.forEach((ep, i) => {
      const epChain = servicePortEndpointChain(name, protocol, endpointString(ep));
      let args = this.comment(["-A", svcChain], `"${name} -> ${endpointString(ep)}"`);
      // Each rule but the last matches with probability 1/(endpoints left): an even spread.
      if (i < n - 1)
        args = [...args, "-m", "statistic", "--mode", "random", "--probability", this.probability(n - i)];
      rules.write(args, "-j", epChain);
    });
  }
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsStr] = cidr.split("/");
  const bits = Number(bitsStr);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipToInt(base) & mask) === (ipToInt(ip) & mask);
}

/** Upstream's CleanupLeftovers, widened: every KUBE-* chain of nat and filter and the jumps to them go. */
export async function cleanupLeftovers(ipt: Iptables): Promise<boolean> {
  let encounteredError = false;
  for (const jump of [...JUMP_CHAINS, ...KUBELET_JUMP_CHAINS]) {
    try {
      // A jump to a missing chain cannot exist, and `iptables -C` fails (exit 2) on the unknown target.
      if (!(await ipt.chainExists(jump.table, jump.dstChain))) continue;
      await ipt.deleteRule(jump.table, jump.srcChain, jumpArgs(jump));
    } catch {
      encounteredError = true;
    }
  }
  for (const table of ["nat", "filter"] as const) {
    try {
      const existing = [...getChainsFromTable(await ipt.saveInto(table))].filter((c) =>
        c.startsWith("KUBE-"),
      );
      if (existing.length === 0) continue;
      // Flush every chain first, then delete: a chain still referenced by another cannot be deleted.
      const chains = existing.map((c) => makeChainLine(c));
      const rules = existing.map((c) => `-X ${c}`);
      await ipt.restoreAll(`*${table}\n${chains.join("\n")}\n${rules.join("\n")}\nCOMMIT\n`);
    } catch {
      encounteredError = true;
    }
  }
  try {
    if (await ipt.chainExists("mangle", KUBE_PROXY_CANARY)) {
      await ipt.restoreAll(`*mangle\n${makeChainLine(KUBE_PROXY_CANARY)}\n-X ${KUBE_PROXY_CANARY}\nCOMMIT\n`);
    }
  } catch {
    encounteredError = true;
  }
  return encounteredError;
}
