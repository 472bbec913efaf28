// The add-ons of `k8ts up`: kube-proxy for this machine, the cluster DNS behind
// the kube-dns Service (10.96.0.10), metrics-server behind the
// v1beta1.metrics.k8s.io APIService, and the web dashboard, each with its own
// identity as kubeadm and the add-ons' manifests set them up (system:kube-proxy;
// the coredns service account with kubeadm's system:coredns role; the
// metrics-server service account with its manifest's RBAC; the
// kubernetes-dashboard service account, with no rights of its own, since every
// user signs in with a token of their own).
import { hostname } from "node:os";
import type { ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import type { ClusterRole, ClusterRoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import type { CertificateAuthority } from "../apiserver/certs.ts";
import { Resources } from "../client/resources.ts";
import { type ResourceRef, RestClient } from "../client/rest-client.ts";
import { startDashboard } from "../dashboard/server.ts";
import { readResolvConf, type Upstream } from "../dns/resolv-conf.ts";
import { startDns } from "../dns/run.ts";
import { ensureKubeDnsService } from "../dns/service.ts";
import {
  CLUSTER_CIDR,
  ensureUnreachableRoutes,
  UNREACHABLE_CIDRS,
} from "../kubelet/runtime/containerd-runtime.ts";
import * as metricsServer from "../metrics-server/install.ts";
import { runMetricsServer } from "../metrics-server/run.ts";
import { ExecIptables } from "../proxy/iptables/iptables.ts";
import { cleanupLeftovers } from "../proxy/iptables/proxier.ts";
import { runProxy } from "../proxy/run.ts";
import { cleanupLeftovers as cleanupUserspaceLeftovers } from "../proxy/userspace/portals.ts";
import type { FlagSpec } from "./flags.ts";

export const addonFlags: FlagSpec[] = [
  {
    name: "proxy-mode",
    type: "string",
    help: "kube-proxy's mode for this machine: iptables, userspace or none (default iptables; none with --runtime fake, whose pods have no network)",
  },
  {
    name: "dns-port",
    type: "number",
    default: 53,
    help: "Port of the cluster DNS on the node IP (the kube-dns Service's endpoint); 0 picks a free one",
  },
  {
    name: "metric-resolution",
    type: "string",
    default: "15s",
    help: "How often metrics-server scrapes the kubelets (kubectl top); 0 runs no metrics-server",
  },
  {
    name: "dashboard-port",
    type: "number",
    default: 8443,
    help: "HTTPS port of the web dashboard on 127.0.0.1; 0 picks a free one, -1 runs none",
  },
];

export type ProxyMode = "iptables" | "userspace" | "none";

export function proxyModeOf(flags: Record<string, unknown>): ProxyMode {
  const mode = flags["proxy-mode"]
    ? String(flags["proxy-mode"])
    : flags.runtime === "fake"
      ? "none"
      : "iptables";
  if (mode !== "iptables" && mode !== "userspace" && mode !== "none")
    throw new Error(`unknown --proxy-mode ${JSON.stringify(mode)}; valid: iptables, userspace, none`);
  return mode;
}

/** kubeadm's CoreDNS RBAC (its add-on manifests): what the DNS server reads. */
const COREDNS_ROLE: ClusterRole = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name: "system:coredns" },
  rules: [
    { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
  ],
};
const COREDNS_BINDING: ClusterRoleBinding = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name: "system:coredns" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
  subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: "kube-system" }],
};

/**
 * The dashboard's "sample user" of its documentation: a service account bound
 * to cluster-admin, whose tokens (`kubectl -n kube-system create token
 * dashboard-admin`) sign an administrator in.
 */
export const DASHBOARD_ADMIN = "dashboard-admin";
const DASHBOARD_ADMIN_ACCOUNT: ServiceAccount = {
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { name: DASHBOARD_ADMIN, namespace: "kube-system" },
};
const DASHBOARD_ADMIN_BINDING: ClusterRoleBinding = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name: DASHBOARD_ADMIN },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
  subjects: [{ kind: "ServiceAccount", name: DASHBOARD_ADMIN, namespace: "kube-system" }],
};

async function ensure(
  client: RestClient,
  resource: ResourceRef,
  obj: ClusterRole | ClusterRoleBinding | ServiceAccount,
): Promise<void> {
  try {
    await client.create(resource, obj);
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
}

/** The host's resolvers, for names outside the cluster; none when there is no readable resolv.conf. */
function hostResolvers(): Upstream[] {
  try {
    return readResolvConf("/etc/resolv.conf");
  } catch {
    return [];
  }
}

export interface NodeAddons {
  stop(): Promise<void>;
}

export interface StartAddonsOptions {
  apiUrl: string;
  ca: CertificateAuthority;
  caPem: string;
  /** An admin client: it installs the DNS RBAC and the kube-dns Service, as kubeadm's add-on phase does. */
  admin: RestClient;
  nodeName: string;
  nodeIP: string;
  proxyMode: ProxyMode;
  dnsPort: number;
  /** -1: no dashboard. */
  dashboardPort: number;
  /** ms; 0: no metrics-server. */
  metricResolutionMs: number;
  progress(msg: string): void;
}

export async function startNodeAddons(o: StartAddonsOptions): Promise<NodeAddons> {
  const clientAs = async (user: string, groups: string[], agent: string) => {
    const cred = await o.ca.issueClient(user, groups);
    return new RestClient(
      { server: o.apiUrl, ca: o.caPem, cert: cred.cert, key: cred.key, namespace: "default" },
      { userAgent: agent },
    );
  };
  const abort = new AbortController();
  const clients: RestClient[] = [];
  const tasks: Promise<void>[] = [];
  const iptables = new ExecIptables();

  if (o.proxyMode !== "none") {
    // The containerd runtime has added them already; a fake runtime's pods have addresses too.
    try {
      ensureUnreachableRoutes(UNREACHABLE_CIDRS);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}: service traffic must never leave the machine, so kube-proxy will not start here; move that network, or run with --proxy-mode none`,
      );
    }
    const client = await clientAs("system:kube-proxy", [], "k8ts-proxy");
    clients.push(client);
    tasks.push(
      runProxy({
        client,
        mode: o.proxyMode,
        iptables,
        hostname: o.nodeName,
        clusterCIDR: CLUSTER_CIDR,
        syncPeriodMs: 30_000,
        minSyncPeriodMs: 1_000,
        signal: abort.signal,
        log: (msg, fields) => {
          if (/error|fail/i.test(msg))
            o.progress(`kube-proxy: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
        },
      }).catch((e) => o.progress(`kube-proxy stopped: ${(e as Error).message}`)),
    );
    o.progress(`kube-proxy started (mode ${o.proxyMode})`);
  }

  let dns: Awaited<ReturnType<typeof startDns>> | undefined;
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let metrics: Awaited<ReturnType<typeof runMetricsServer>> | undefined;
  const stop = async () => {
    abort.abort();
    await Promise.all(tasks);
    await dashboard?.stop();
    await metrics?.stop();
    await dns?.stop();
    for (const c of clients) c.close();
    // Like the pods, the node's service rules go with k8ts up.
    if (o.proxyMode !== "none") {
      await cleanupLeftovers(iptables);
      await cleanupUserspaceLeftovers(iptables);
    }
  };

  const startClusterDns = async () => {
    await ensure(o.admin, Resources.clusterroles, COREDNS_ROLE);
    await ensure(o.admin, Resources.clusterrolebindings, COREDNS_BINDING);
    const dnsClient = await clientAs(
      "system:serviceaccount:kube-system:coredns",
      ["system:serviceaccounts", "system:serviceaccounts:kube-system"],
      "k8ts-dns",
    );
    clients.push(dnsClient);
    dns = await startDns({
      client: dnsClient,
      bindAddress: o.nodeIP,
      port: o.dnsPort,
      upstreams: hostResolvers(),
      healthBindAddress: "127.0.0.1",
      healthPort: 0,
      log: (m) => {
        if (/error|fail/i.test(m)) o.progress(`dns: ${m}`);
      },
    });
    await ensureKubeDnsService({
      client: o.admin,
      hostIP: o.nodeIP,
      dnsPort: dns.port,
      nodeName: o.nodeName,
    });
    o.progress(`cluster DNS serving ${o.nodeIP}:${dns.port} behind kube-system/kube-dns (10.96.0.10)`);
  };

  const startMetricsServer = async () => {
    if (o.metricResolutionMs <= 0) return;
    try {
      await metricsServer.installMetricsServerRbac(o.admin);
      const cred = await o.ca.issueClient(metricsServer.USER, [
        "system:serviceaccounts",
        "system:serviceaccounts:kube-system",
      ]);
      const client = new RestClient(
        { server: o.apiUrl, ca: o.caPem, ...cred, namespace: "kube-system" },
        { userAgent: "k8ts-metrics-server" },
      );
      clients.push(client);
      const serving = await o.ca.issueServing(metricsServer.NAME, [...metricsServer.SERVING_HOSTS, o.nodeIP]);
      metrics = await runMetricsServer({
        client,
        // The kubelets' serving certificates come from the cluster CA, as this client's does.
        kubelet: { ca: o.caPem, cert: cred.cert, key: cred.key },
        bindAddress: o.nodeIP,
        port: 0,
        ...serving,
        resolutionMs: o.metricResolutionMs,
        log: (m) => o.progress(`metrics-server: ${m}`),
      });
      await metricsServer.registerMetricsServer({
        client: o.admin,
        hostIP: o.nodeIP,
        port: metrics.port,
        nodeName: o.nodeName,
        caPem: o.caPem,
      });
    } catch (e) {
      throw new Error(`metrics-server did not start: ${(e as Error).message}`);
    }
    o.progress(
      `metrics-server serving ${metrics.url} behind the v1beta1.metrics.k8s.io APIService (kubectl top)`,
    );
  };

  const startDashboardAddon = async () => {
    if (o.dashboardPort < 0) return;
    await ensure(o.admin, Resources.serviceaccounts, DASHBOARD_ADMIN_ACCOUNT);
    await ensure(o.admin, Resources.clusterrolebindings, DASHBOARD_ADMIN_BINDING);
    const own = await o.ca.issueClient("system:serviceaccount:kube-system:kubernetes-dashboard", [
      "system:serviceaccounts",
      "system:serviceaccounts:kube-system",
    ]);
    const tls = await o.ca.issueServing("kubernetes-dashboard", ["127.0.0.1", "localhost", hostname()]);
    try {
      dashboard = await startDashboard({
        config: { server: o.apiUrl, ca: o.caPem, cert: own.cert, key: own.key, namespace: "default" },
        bindAddress: "127.0.0.1",
        port: o.dashboardPort,
        tls,
      });
    } catch (e) {
      throw new Error(
        `the dashboard cannot serve on 127.0.0.1:${o.dashboardPort}: ${(e as Error).message} (choose another --dashboard-port, or -1 for none)`,
      );
    }
    o.progress(
      `dashboard serving ${dashboard.url} (sign in with: kubectl -n kube-system create token ${DASHBOARD_ADMIN})`,
    );
  };

  // The three wait on the apiserver, not on each other. One that fails stops those that started.
  const results = await Promise.allSettled([startClusterDns(), startMetricsServer(), startDashboardAddon()]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { stop };
}
