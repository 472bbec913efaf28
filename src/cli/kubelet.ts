// `k8ts kubelet`: the node agent alone, and the kubelets `k8ts up` runs (this
// machine's, plus --nodes hollow ones in the same process).
import { mkdirSync, readFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import type { CertificateAuthority } from "../apiserver/index.ts";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import { bootstrapKubeconfig } from "../kubelet/certificate/bootstrap.ts";
import { hollowAddressBlocks, hollowNodeIP, hollowPodCIDR, hostIP, startKubelet } from "../kubelet/index.ts";
import { CONTAINERD_PACKAGES } from "../kubelet/runtime/containerd.ts";
import { CLUSTER_CIDR, ensureUnreachableRoutes } from "../kubelet/runtime/containerd-runtime.ts";
import type { Command, FlagSpec } from "./flags.ts";
import { untilSignal } from "./signals.ts";
import { aptGetInstallCommand, containerdPackageFacts, planContainerdPackages } from "./system-packages.ts";

/** --runtime: `k8ts up` runs containers by default, a standalone `k8ts kubelet` is hollow unless told. */
export function runtimeFlag(defaultRuntime: "fake" | "containerd"): FlagSpec {
  return {
    name: "runtime",
    type: "string",
    default: defaultRuntime,
    help: `Container runtime: containerd (k8ts's own, under the data dir; needs root and the Debian packages ${CONTAINERD_PACKAGES.join(" ")}) or fake (no containers, KWOK-style)`,
  };
}

export const kubeletFlags: FlagSpec[] = [
  { name: "node-labels", type: "string", default: "", help: "Labels for the Node: key=value,…" },
  {
    name: "register-with-taints",
    type: "string",
    default: "",
    help: "Taints for the Node: key=value:Effect,…",
  },
  { name: "max-pods", type: "number", default: 110, help: "Pods this node runs at most" },
  {
    name: "node-lease-duration-seconds",
    type: "number",
    default: 40,
    help: "Duration of the node's Lease; it is renewed every quarter of it",
  },
  { name: "pod-cidr", type: "string", help: "The node's pod CIDR (until node IPAM assigns one)" },
  {
    name: "cluster-dns",
    type: "string",
    default: "10.96.0.10",
    help: "Comma-separated DNS server IPs for pods with dnsPolicy ClusterFirst (the cluster DNS service's IP)",
  },
  {
    name: "cluster-domain",
    type: "string",
    default: "cluster.local",
    help: "The cluster's DNS domain: pods search <namespace>.svc.<domain>, svc.<domain> and <domain>",
  },
  {
    name: "kubelet-port",
    type: "number",
    help: "Port of the kubelet's HTTPS server (logs); 0 picks a free one (`k8ts up`'s default)",
  },
];

/** --cluster-dns (comma-separated; "" disables cluster DNS) and --cluster-domain. */
function clusterDNSOptions(flags: Record<string, unknown>): { clusterDNS: string[]; clusterDomain: string } {
  return {
    clusterDNS: String(flags["cluster-dns"] ?? "10.96.0.10")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    clusterDomain: String(flags["cluster-domain"] ?? "cluster.local"),
  };
}

function checkRuntime(flags: Record<string, unknown>): "fake" | "containerd" {
  const runtime = flags.runtime;
  if (runtime !== "fake" && runtime !== "containerd") {
    throw new Error(
      `--runtime ${runtime}: unknown container runtime; use --runtime fake or --runtime containerd`,
    );
  }
  if (runtime === "containerd") {
    // `k8ts up` has installed what was missing by now; a standalone kubelet installs nothing.
    const plan = planContainerdPackages(containerdPackageFacts());
    if (plan.type === "fail") throw new Error(plan.message);
    if (plan.type === "install") {
      throw new Error(
        `--runtime containerd needs the Debian packages ${plan.packages.join(" ")}: install them with \`${aptGetInstallCommand(plan.packages)}\` (k8ts up does this itself), or use --runtime fake`,
      );
    }
  }
  return runtime;
}

export const kubeletCommand: Command = {
  name: "kubelet",
  summary: "Run a kubelet: register a Node and run the pods bound to it",
  description:
    "Run the node agent for --node-name against the cluster of --kubeconfig (whose user should be\nsystem:node:<name> in group system:nodes). Static pods come from --manifest-dir.\nWith --runtime containerd, containerd runs as its own service under --data-dir: stopping the kubelet\nleaves it and the pods running, and a kubelet started again on the same data dir adopts them.\nTo join from another machine, give --token (from `k8ts token create`), --server and\n--certificate-authority instead: the kubelet requests its client certificate (a CSR the\ncontroller-manager approves and signs) and writes its kubeconfig (default <data-dir>/kubelet.conf).",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required unless --token)" },
    { name: "token", type: "string", help: "A bootstrap token <id>.<secret> to join with (TLS bootstrap)" },
    { name: "server", type: "string", help: "The apiserver's URL, with --token" },
    { name: "certificate-authority", type: "string", help: "The cluster CA (PEM file), with --token" },
    { name: "node-name", type: "string", default: hostname().toLowerCase(), help: "Name of the Node" },
    {
      name: "data-dir",
      type: "string",
      default: join(homedir(), ".k8ts", "kubelet"),
      help: "The kubelet's state",
    },
    { name: "manifest-dir", type: "string", help: "Directory of static pod manifests" },
    runtimeFlag("fake"),
    {
      name: "stop-containerd-on-exit",
      type: "boolean",
      default: false,
      help: "With --runtime containerd: on SIGTERM/SIGINT remove this node's pods and stop containerd, as `k8ts up` does. By default containerd and the pods keep running, and the next kubelet on the same --data-dir adopts them (same containers, no restart)",
    },
    ...kubeletFlags,
  ],
  async run(flags) {
    const runtime = checkRuntime(flags);
    if (flags.token) {
      if (!flags.server || !flags["certificate-authority"]) {
        throw new Error("--token needs --server and --certificate-authority (the cluster CA's PEM file)");
      }
      flags.kubeconfig = await bootstrapKubeconfig({
        kubeconfigPath: String(flags.kubeconfig ?? join(String(flags["data-dir"]), "kubelet.conf")),
        server: String(flags.server),
        caPem: readFileSync(String(flags["certificate-authority"]), "utf8"),
        token: String(flags.token),
        nodeName: String(flags["node-name"]),
        progress: (m) => process.stderr.write(`kubelet: ${m}\n`),
      });
    }
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required (or join with --token)");
    const client = new RestClient(loadClientConfig({ kubeconfig: String(flags.kubeconfig) }), {
      userAgent: "kubelet",
    });
    const { kubelet, stop } = await startKubelet({
      client,
      nodeName: String(flags["node-name"]),
      runtime,
      hollow: false,
      dataDir: String(flags["data-dir"]),
      manifestDir: flags["manifest-dir"] ? String(flags["manifest-dir"]) : undefined,
      nodeLabels: String(flags["node-labels"]),
      registerWithTaints: String(flags["register-with-taints"]),
      maxPods: Number(flags["max-pods"]),
      podCIDR: flags["pod-cidr"] ? String(flags["pod-cidr"]) : undefined,
      nodeLeaseDurationSeconds: Number(flags["node-lease-duration-seconds"]),
      ...clusterDNSOptions(flags),
      keepRuntimeRunning: flags["stop-containerd-on-exit"] !== true,
      log: (msg, fields) =>
        process.stderr.write(`kubelet: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}\n`),
    });
    const signalled = untilSignal();
    process.stderr.write(`kubelet: node ${kubelet.nodeName} registered\n`);
    await signalled;
    await stop();
    client.close();
    return 0;
  },
};

export interface UpKubeletsOptions {
  apiUrl: string;
  ca: CertificateAuthority;
  caPem: string;
  dataDir: string;
  flags: Record<string, unknown>;
  progress(msg: string): void;
}

/**
 * A second guard besides their Port 0: unreachable routes for the addresses
 * of n hollow nodes and of their pods, so that nothing sent to them (through
 * a Service, say) leaves the machine (DESIGN.md, Network safety). Only root
 * can add them; a block that would cut this host off from its own network is
 * left out, and said so.
 */
function guardHollowAddresses(n: number, progress: (msg: string) => void): void {
  if (process.getuid?.() !== 0) return;
  for (const cidr of [CLUSTER_CIDR, ...hollowAddressBlocks(n)]) {
    try {
      ensureUnreachableRoutes([cidr]);
    } catch (e) {
      progress(`hollow nodes: no unreachable route for ${cidr}: ${(e as Error).message}`);
    }
  }
}

/** This machine's kubelet and --nodes hollow ones, each with its own system:node identity. */
export async function startUpKubelets(o: UpKubeletsOptions): Promise<{ stop(): Promise<void> }> {
  const runtime = checkRuntime(o.flags);
  const kubelets: { stop(): Promise<void> }[] = [];
  const clients: RestClient[] = [];
  const clientFor = async (node: string, maxConnections: number) => {
    const cred = await o.ca.issueClient(`system:node:${node}`, ["system:nodes"]);
    const c = new RestClient(
      { server: o.apiUrl, ca: o.caPem, cert: cred.cert, key: cred.key, namespace: "default" },
      { userAgent: "kubelet", maxConnections },
    );
    clients.push(c);
    return c;
  };
  const log = (msg: string, fields?: Record<string, unknown>) =>
    o.progress(`kubelet: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  const local = hostname().toLowerCase();
  mkdirSync(join(o.dataDir, "manifests"), { recursive: true });
  // The kubelet server's certificate, from the cluster CA: the apiserver verifies it when it proxies logs.
  const serving = await o.ca.issueServing(`system:node:${local}`, [
    hostIP(),
    "127.0.0.1",
    "localhost",
    local,
  ]);
  const localKubelet = await startKubelet({
    server: {
      port: o.flags["kubelet-port"] !== undefined ? Number(o.flags["kubelet-port"]) : 0,
      cert: serving.cert,
      key: serving.key,
      ca: o.caPem,
    },
    client: await clientFor(local, 8),
    nodeName: local,
    runtime,
    hollow: false,
    dataDir: o.dataDir,
    manifestDir: join(o.dataDir, "manifests"),
    nodeLabels: String(o.flags["node-labels"] ?? ""),
    registerWithTaints: String(o.flags["register-with-taints"] ?? ""),
    maxPods: Number(o.flags["max-pods"] ?? 110),
    podCIDR: o.flags["pod-cidr"] ? String(o.flags["pod-cidr"]) : "10.244.0.0/24",
    nodeLeaseDurationSeconds: Number(o.flags["node-lease-duration-seconds"] ?? 40),
    ...clusterDNSOptions(o.flags),
    log,
  });
  kubelets.push(localKubelet);
  const n = Number(o.flags.nodes ?? 0);
  if (n > 0) {
    o.progress(`starting ${n} hollow node(s)…`);
    guardHollowAddresses(n, o.progress);
  }
  for (let i = 0; i < n; i++) {
    const name = `hollow-node-${i}`;
    const started = await startKubelet({
      client: await clientFor(name, 2),
      nodeName: name,
      runtime: "fake",
      hollow: true,
      podCIDR: hollowPodCIDR(i),
      nodeIP: hollowNodeIP(i),
      nodeLeaseDurationSeconds: Number(o.flags["node-lease-duration-seconds"] ?? 40),
      log,
    });
    kubelets.push(started);
  }
  return {
    async stop() {
      await Promise.all(kubelets.map((k) => k.stop()));
      for (const c of clients) c.close();
    },
  };
}
