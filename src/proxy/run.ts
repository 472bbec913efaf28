// `k8ts proxy` as a process part (cmd/kube-proxy/app/server.go): watch
// Services and EndpointSlices through shared informers, and the proxy's own
// Node (for its topology zone) through one more, feed the proxier,
// serve /healthz and /metrics, and sync until the signal aborts.
import { readFileSync, writeFileSync } from "node:fs";
import type { Node, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { EventRecorder } from "../client/event-recorder.ts";
import { SharedInformerFactory } from "../client/informer-factory.ts";
import { listerWatcher } from "../client/reflector.ts";
import { Resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { SharedInformer } from "../client/shared-informer.ts";
import { type Conntrack, conntrackVersion, ExecConntrack } from "./conntrack/conntrack.ts";
import { ServiceHealthServer } from "./healthcheck/service-health.ts";
import { ProxierHealth } from "./healthz.ts";
import { ExecIptables, type Iptables } from "./iptables/iptables.ts";
import { Proxier } from "./iptables/proxier.ts";
import { ProxyMetrics } from "./metrics.ts";
import { type ProxyServer, startProxyServer } from "./server.ts";
import { UserspaceProxier } from "./userspace/proxier.ts";

/** Services and slices that another proxy implementation owns, and headless ones, are not ours. */
const SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
const HEADLESS_LABEL = "service.kubernetes.io/headless";

export interface RunProxyOptions {
  client: RestClient;
  /** kube-proxy's --proxy-mode; iptables by default. */
  mode?: "iptables" | "userspace";
  /** userspace: where proxy sockets listen (--bind-address), and the UDP session idle timeout (--udp-timeout). */
  bindAddress?: string;
  udpIdleTimeoutMs?: number;
  iptables: Iptables;
  hostname: string;
  clusterCIDR?: string;
  masqueradeAll?: boolean;
  masqueradeBit?: number;
  localhostNodePorts?: boolean;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  /** host:port; empty serves nothing. */
  healthzBindAddress?: string;
  metricsBindAddress?: string;
  signal: AbortSignal;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  onListening?: (what: string, url: string) => void;
  /** Set /proc/sys values (route_localnet); tests turn it off. */
  setSysctls?: boolean;
  /**
   * Deletes stale UDP conntrack entries (iptables mode). Unset: the host's `conntrack` binary when
   * `iptables` is an ExecIptables (real rules, real flows), none otherwise; null: none.
   */
  conntrack?: Conntrack | null;
  /**
   * iptables mode: the address the services' health-check node ports listen on (upstream: every
   * address, as k8ts has no --nodeport-addresses). Tests use 127.0.0.1.
   */
  healthCheckNodePortAddress?: string;
}

/** The conntrack CLI if it is installed; logs once that stale UDP flows stay when it is not. */
export async function detectConntrack(
  log: (msg: string, fields?: Record<string, unknown>) => void,
  prefix: string[] = [],
): Promise<Conntrack | undefined> {
  const version = await conntrackVersion(prefix);
  if (version) return new ExecConntrack(prefix);
  log(
    "conntrack binary not found: stale UDP conntrack entries will not be cleaned up (install the Debian package conntrack)",
  );
  return undefined;
}

/** The Node's InternalIP, as kube-proxy's detectNodeIPs reads it. */
export async function nodeInternalIP(client: RestClient, name: string): Promise<string | undefined> {
  try {
    const node = await client.get<Node>(Resources.nodes, name);
    return node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  } catch {
    return undefined;
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${path}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

export async function runProxy(o: RunProxyOptions): Promise<void> {
  const log =
    o.log ??
    ((msg: string, fields?: Record<string, unknown>) =>
      process.stderr.write(`${JSON.stringify({ component: "kube-proxy", msg, ...fields })}\n`));
  const localhostNodePorts = o.localhostNodePorts ?? true;
  if (o.mode !== "userspace" && localhostNodePorts && o.setSysctls !== false) {
    // NodePorts on 127.0.0.1 need route_localnet (upstream sets it too; KUBE-FIREWALL closes the hole it opens).
    try {
      writeFileSync("/proc/sys/net/ipv4/conf/all/route_localnet", "1");
    } catch (e) {
      log("can't set sysctl net/ipv4/conf/all/route_localnet", { err: (e as Error).message });
    }
  }
  const nodeIP = await nodeInternalIP(o.client, o.hostname);
  log("Using node IP", { nodeIP: nodeIP ?? "(unknown)", hostname: o.hostname });

  let conntrack: Conntrack | undefined;
  if (o.mode !== "userspace") {
    if (o.conntrack) conntrack = o.conntrack;
    else if (o.conntrack === undefined && o.iptables instanceof ExecIptables)
      conntrack = await detectConntrack(log);
  }

  const metrics = new ProxyMetrics();
  const health = new ProxierHealth(2 * o.syncPeriodMs);
  health.updated();
  const onQueued = () => health.queuedUpdate();
  const onSynced = () => health.updated();
  // Events about health-check ports that could not be opened (FailedToStartServiceHealthcheck).
  const recorder = new EventRecorder({
    client: o.client,
    component: "kube-proxy",
    host: o.hostname,
    onError: (e) => log("event not recorded", { err: (e as Error).message }),
  });
  // upstream's userspace proxier had no health-check node ports; the iptables one does.
  const serviceHealthServer =
    o.mode === "userspace"
      ? undefined
      : new ServiceHealthServer({
          hostname: o.hostname,
          health,
          nodeIPs: [o.healthCheckNodePortAddress ?? "0.0.0.0"],
          recorder,
          log,
        });
  const proxier =
    o.mode === "userspace"
      ? new UserspaceProxier({
          iptables: o.iptables,
          hostname: o.hostname,
          listenIP: o.bindAddress ?? "0.0.0.0",
          hostIP: nodeIP,
          syncPeriodMs: o.syncPeriodMs,
          minSyncPeriodMs: o.minSyncPeriodMs,
          udpIdleTimeoutMs: o.udpIdleTimeoutMs,
          metrics,
          log,
          onQueued,
          onSynced,
        })
      : new Proxier({
          iptables: o.iptables,
          hostname: o.hostname,
          nodeIP,
          clusterCIDR: o.clusterCIDR,
          masqueradeAll: o.masqueradeAll,
          masqueradeBit: o.masqueradeBit,
          localhostNodePorts,
          conntrackTCPLiberal: (readSysctl("net/netfilter/nf_conntrack_tcp_be_liberal") ?? "0") !== "0",
          conntrack,
          serviceHealthServer,
          syncPeriodMs: o.syncPeriodMs,
          minSyncPeriodMs: o.minSyncPeriodMs,
          metrics,
          log,
          onQueued,
          onSynced,
        });

  const servers: ProxyServer[] = [];
  try {
    if (o.healthzBindAddress) {
      const s = await startProxyServer({ bindAddress: o.healthzBindAddress, health, metrics });
      servers.push(s);
      o.onListening?.("healthz", s.url);
    }
    if (o.metricsBindAddress) {
      const s = await startProxyServer({ bindAddress: o.metricsBindAddress, health, metrics });
      servers.push(s);
      o.onListening?.("metrics", s.url);
    }

    const informers = new SharedInformerFactory({ client: o.client });
    const mine = (labels: Record<string, string> | undefined) => !labels?.[SERVICE_PROXY_NAME_LABEL];
    informers.forResource<Service & { metadata: { name: string } }>(Resources.services).addEventHandler({
      onAdd: (svc) => mine(svc.metadata.labels) && proxier.onServiceAdd(svc),
      onUpdate: (old, svc) => {
        // A service that gains the label leaves us, as a delete would.
        if (mine(svc.metadata.labels))
          proxier.onServiceUpdate(mine(old.metadata.labels) ? old : undefined, svc);
        else if (mine(old.metadata.labels)) proxier.onServiceDelete(old);
      },
      onDelete: (svc) => mine(svc.metadata.labels) && proxier.onServiceDelete(svc),
    });
    const ours = (s: EndpointSlice) =>
      mine(s.metadata?.labels) && s.metadata?.labels?.[HEADLESS_LABEL] === undefined;
    informers
      .forResource<EndpointSlice & { metadata: { name: string } }>(Resources.endpointslices)
      .addEventHandler({
        onAdd: (s) => ours(s) && proxier.onEndpointSliceAdd(s),
        onUpdate: (old, s) => {
          if (ours(s)) proxier.onEndpointSliceUpdate(old, s);
          else proxier.onEndpointSliceDelete(old);
        },
        onDelete: (s) => proxier.onEndpointSliceDelete(s),
      });
    // upstream's currentNodeInformerFactory: a separate informer for just this Node
    // (fieldSelector metadata.name=<hostname>), whose labels give the topology zone.
    const nodeInformer = new SharedInformer<Node & { metadata: { name: string } }>({
      name: "v1/nodes(self)",
      listerWatcher: listerWatcher(o.client, Resources.nodes, {
        fieldSelector: `metadata.name=${o.hostname}`,
      }),
    });
    nodeInformer.addEventHandler({
      onAdd: (n) => proxier.onNodeAdd(n),
      onUpdate: (old, n) => proxier.onNodeUpdate(old, n),
      onDelete: (n) => proxier.onNodeDelete(n),
    });
    informers.start();
    nodeInformer.start();
    proxier.start();
    // The node's zone is known before the first sync, so it does not program every endpoint first.
    await Promise.all([informers.waitForCacheSync(o.signal), nodeInformer.waitForSync(o.signal)]);
    if (!o.signal.aborted) {
      proxier.onNodeSynced();
      proxier.onServiceSynced();
      proxier.onEndpointSlicesSynced();
    }
    await new Promise<void>((resolve) => {
      if (o.signal.aborted) resolve();
      else o.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.all([informers.shutdown(), nodeInformer.stop()]);
    await proxier.stop();
  } finally {
    await Promise.all([...servers.map((s) => s.close()), serviceHealthServer?.close()]);
    await recorder.flush();
  }
}
