// The node's service plumbing in `k8ts up`: kube-proxy for this machine and the
// cluster DNS behind the kube-dns Service (10.96.0.10), each with its own
// identity as kubeadm sets them up (system:kube-proxy; the coredns service
// account with kubeadm's system:coredns role).
import type { ClusterRole, ClusterRoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import type { CertificateAuthority } from "../apiserver/certs.ts";
import { Resources } from "../client/resources.ts";
import { type ResourceRef, RestClient } from "../client/rest-client.ts";
import { readResolvConf, type Upstream } from "../dns/resolv-conf.ts";
import { startDns } from "../dns/run.ts";
import { ensureKubeDnsService } from "../dns/service.ts";
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

async function ensure(
  client: RestClient,
  resource: ResourceRef,
  obj: ClusterRole | ClusterRoleBinding,
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
    const client = await clientAs("system:kube-proxy", [], "k8ts-proxy");
    clients.push(client);
    tasks.push(
      runProxy({
        client,
        mode: o.proxyMode,
        iptables,
        hostname: o.nodeName,
        clusterCIDR: "10.244.0.0/16",
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

  await ensure(o.admin, Resources.clusterroles, COREDNS_ROLE);
  await ensure(o.admin, Resources.clusterrolebindings, COREDNS_BINDING);
  const dnsClient = await clientAs(
    "system:serviceaccount:kube-system:coredns",
    ["system:serviceaccounts", "system:serviceaccounts:kube-system"],
    "k8ts-dns",
  );
  clients.push(dnsClient);
  const dns = await startDns({
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
  await ensureKubeDnsService({ client: o.admin, hostIP: o.nodeIP, dnsPort: dns.port, nodeName: o.nodeName });
  o.progress(`cluster DNS serving ${o.nodeIP}:${dns.port} behind kube-system/kube-dns (10.96.0.10)`);

  return {
    async stop() {
      abort.abort();
      await Promise.all(tasks);
      await dns.stop();
      for (const c of clients) c.close();
      // Like the pods, the node's service rules go with k8ts up.
      if (o.proxyMode !== "none") {
        await cleanupLeftovers(iptables);
        await cleanupUserspaceLeftovers(iptables);
      }
    },
  };
}
