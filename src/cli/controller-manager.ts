// `k8ts controller-manager`: the controllers alone, against any apiserver.
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import type { SecureServing } from "../client/secure-serving.ts";
import { controllerDescriptors } from "../controllers/registry.ts";
import { runControllerManager } from "../controllers/run.ts";
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
  ...concurrencyFlags,
];

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
