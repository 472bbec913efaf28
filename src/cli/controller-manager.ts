// `k8ts controller-manager`: the controllers alone, against any apiserver.
import { readFileSync } from "node:fs";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import type { SecureServing } from "../client/secure-serving.ts";
import type { ControllerManagerConfig } from "../controllers/context.ts";
import { controllerDescriptors } from "../controllers/registry.ts";
import { runControllerManager } from "../controllers/run.ts";
import { parseDuration } from "../machinery/duration.ts";
import type { Command, FlagSpec } from "./flags.ts";
import { tlsFlags, tlsFromFiles } from "./scheduler.ts";
import { untilSignal } from "./signals.ts";

/** One --concurrent-*-syncs flag per controller that has one. */
const concurrencyFlags: FlagSpec[] = controllerDescriptors
  .filter((d) => d.concurrency)
  .map((d) => ({
    name: d.concurrency!.flag,
    type: "number" as const,
    default: d.concurrency!.default,
    help: `Objects the ${d.name} syncs at once`,
  }));

export const controllerManagerFlags: FlagSpec[] = [
  {
    name: "controllers",
    type: "list",
    default: ["*"],
    help: `Controllers to run: '*' runs the default set, 'foo' adds foo, '-foo' removes it. Known: ${controllerDescriptors
      .map((d) => d.name)
      .join(", ")}`,
  },
  {
    name: "use-service-account-credentials",
    type: "boolean",
    default: true,
    help: "Run each controller as its own kube-system service account (least privilege through RBAC)",
  },
  {
    name: "controller-manager-bind-address",
    type: "string",
    default: "127.0.0.1",
    help: "Address of the controller-manager's /healthz and /metrics",
  },
  {
    name: "controller-manager-port",
    type: "number",
    default: 10257,
    help: "HTTPS port of /healthz and /metrics (0 picks a free one, -1 serves none)",
  },
  {
    name: "cluster-cidr",
    type: "string",
    default: "10.244.0.0/16",
    help: "Pod addresses of the cluster; node IPAM gives each node a block of it",
  },
  { name: "node-cidr-mask-size", type: "number", default: 24, help: "Size of each node's pod CIDR" },
  {
    name: "allocate-node-cidrs",
    type: "boolean",
    default: true,
    help: "Give every node a spec.podCIDR from --cluster-cidr",
  },
  {
    name: "node-monitor-grace-period",
    type: "string",
    default: "40s",
    help: "How long a node may go without a heartbeat before it is marked Unknown",
  },
  {
    name: "node-monitor-period",
    type: "string",
    default: "5s",
    help: "How often node health is checked",
  },
  {
    name: "node-startup-grace-period",
    type: "string",
    default: "1m",
    help: "How long a starting node may be unresponsive before it is marked Unknown",
  },
  {
    name: "terminated-pod-gc-threshold",
    type: "number",
    default: 12500,
    help: "Terminated pods kept before the pod GC deletes the oldest",
  },
  {
    name: "horizontal-pod-autoscaler-sync-period",
    type: "string",
    default: "15s",
    help: "How often each HorizontalPodAutoscaler is reconciled",
  },
  {
    name: "cluster-signing-duration",
    type: "string",
    default: "8760h",
    help: "Longest validity of certificates the CSR signer issues",
  },
  ...concurrencyFlags,
];

/** The CA the CSR signer signs with: --cluster-signing-cert-file and --cluster-signing-key-file. */
const signingFlags: FlagSpec[] = [
  {
    name: "cluster-signing-cert-file",
    type: "string",
    help: "CA certificate (PEM) that signs approved CSRs",
  },
  { name: "cluster-signing-key-file", type: "string", help: "Its private key (PEM)" },
  { name: "root-ca-file", type: "string", help: "CA (PEM) published as kube-root-ca.crt in every namespace" },
  { name: "local-path-dir", type: "string", help: "Where the local-path provisioner keeps volumes on nodes" },
  {
    name: "service-account-private-key-file",
    type: "string",
    help: "Key (PEM) that signs the tokens of legacy service-account token Secrets",
  },
];

/** Controller settings from the flags; signing is the CA's PEMs (from files or, in k8ts up, the cluster's). */
export function controllerManagerConfig(
  flags: Record<string, unknown>,
  signing?: { certPem: string; keyPem: string },
): ControllerManagerConfig {
  const durationSeconds = parseDuration(String(flags["cluster-signing-duration"])) / 1000;
  return {
    clusterSigning: signing && { ...signing, durationSeconds },
    rootCAPem:
      signing?.certPem ??
      (flags["root-ca-file"] ? readFileSync(String(flags["root-ca-file"]), "utf8") : undefined),
    clusterCIDR: String(flags["cluster-cidr"]),
    nodeCIDRMaskSize: Number(flags["node-cidr-mask-size"]),
    allocateNodeCIDRs: flags["allocate-node-cidrs"] !== false,
    nodeMonitorGracePeriodMs: parseDuration(String(flags["node-monitor-grace-period"])),
    nodeMonitorPeriodMs: parseDuration(String(flags["node-monitor-period"])),
    nodeStartupGracePeriodMs: parseDuration(String(flags["node-startup-grace-period"])),
    terminatedPodGCThreshold: Number(flags["terminated-pod-gc-threshold"]),
    horizontalPodAutoscalerSyncPeriodMs: parseDuration(
      String(flags["horizontal-pod-autoscaler-sync-period"]),
    ),
    localPathDir: flags["local-path-dir"] ? String(flags["local-path-dir"]) : undefined,
    serviceAccountPrivateKeyPem: flags["service-account-private-key-file"]
      ? readFileSync(String(flags["service-account-private-key-file"]), "utf8")
      : undefined,
  };
}

function signingFromFiles(flags: Record<string, unknown>): { certPem: string; keyPem: string } | undefined {
  const cert = flags["cluster-signing-cert-file"];
  const key = flags["cluster-signing-key-file"];
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new Error("--cluster-signing-cert-file and --cluster-signing-key-file go together");
  return { certPem: readFileSync(String(cert), "utf8"), keyPem: readFileSync(String(key), "utf8") };
}

export function controllerManagerConcurrency(flags: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(concurrencyFlags.map((f) => [f.name, Number(flags[f.name])]));
}

export function controllerManagerServing(
  flags: Record<string, unknown>,
  tls: { cert: string; key: string; ca: string } | undefined,
): SecureServing | undefined {
  const port = Number(flags["controller-manager-port"]);
  if (port < 0 || !tls) return undefined;
  return { host: String(flags["controller-manager-bind-address"]), port, ...tls };
}

export const controllerManagerCommand: Command = {
  name: "controller-manager",
  summary: "Run the controllers: deployments, replica sets, jobs, garbage collection…",
  description:
    "Run the controller-manager against the cluster of --kubeconfig. It is leader-elected on the\nkube-system/kube-controller-manager Lease, so several may run; one reconciles at a time.",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required)" },
    {
      name: "leader-elect",
      type: "boolean",
      default: true,
      help: "Campaign for the Lease before reconciling",
    },
    ...controllerManagerFlags,
    ...signingFlags,
    ...tlsFlags,
  ],
  async run(flags) {
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required");
    const client = new RestClient(loadClientConfig({ kubeconfig: String(flags.kubeconfig) }), {
      userAgent: "k8ts-controller-manager",
    });
    const abort = new AbortController();
    const running = runControllerManager({
      client,
      descriptors: controllerDescriptors,
      controllers: flags.controllers as string[],
      concurrency: controllerManagerConcurrency(flags),
      config: controllerManagerConfig(flags, signingFromFiles(flags)),
      useServiceAccountCredentials: flags["use-service-account-credentials"] !== false,
      leaderElect: flags["leader-elect"] !== false,
      serving: controllerManagerServing(flags, tlsFromFiles(flags)),
      onListening: (url) => process.stderr.write(`controller-manager: serving ${url}/healthz, /metrics\n`),
      signal: abort.signal,
    });
    const sig = await Promise.race([untilSignal(), running.then(() => undefined)]);
    if (sig) process.stderr.write(`controller-manager: ${sig}: stopping…\n`);
    abort.abort();
    await running;
    client.close();
    return 0;
  },
};
