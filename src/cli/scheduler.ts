// `k8ts scheduler`: the scheduler alone, against any apiserver.
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import { defaultConfiguration, loadConfiguration, type SchedulerConfiguration } from "../scheduler/index.ts";
import { runScheduler } from "../scheduler/run.ts";
import type { Command, FlagSpec } from "./flags.ts";
import { untilSignal } from "./signals.ts";

export const schedulerFlags: FlagSpec[] = [
  {
    name: "config",
    type: "string",
    help: "A KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1): profiles, plugins, weights",
  },
  {
    name: "scheduler-bind-address",
    type: "string",
    default: "127.0.0.1",
    help: "Address of the scheduler's /healthz, /metrics and /debug/explain",
  },
  {
    name: "scheduler-port",
    type: "number",
    default: 10251,
    help: "Port of /healthz, /metrics and /debug/explain (0 picks a free one, -1 serves none)",
  },
];

/** The configuration from --config, with --leader-elect applied. */
export function schedulerConfig(
  flags: Record<string, unknown>,
  leaderElect?: boolean,
): SchedulerConfiguration {
  const cfg = flags.config ? loadConfiguration(String(flags.config)) : defaultConfiguration();
  if (leaderElect !== undefined) cfg.leaderElection.leaderElect = leaderElect;
  return cfg;
}

export function schedulerHttp(flags: Record<string, unknown>): { host: string; port: number } | undefined {
  const port = Number(flags["scheduler-port"]);
  return port < 0 ? undefined : { host: String(flags["scheduler-bind-address"]), port };
}

export const schedulerCommand: Command = {
  name: "scheduler",
  summary: "Run the scheduler: assign pending pods to nodes",
  description:
    "Run the scheduler against the cluster of --kubeconfig. It is leader-elected on the\nkube-system/kube-scheduler Lease, so several may run; one schedules at a time.",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required)" },
    {
      name: "leader-elect",
      type: "boolean",
      default: true,
      help: "Campaign for the Lease before scheduling",
    },
    ...schedulerFlags,
  ],
  async run(flags) {
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required");
    const config = schedulerConfig(flags, flags["leader-elect"] !== false);
    const client = new RestClient(loadClientConfig({ kubeconfig: String(flags.kubeconfig) }), {
      userAgent: "k8ts-scheduler",
    });
    const abort = new AbortController();
    const running = runScheduler({
      client,
      config,
      signal: abort.signal,
      http: schedulerHttp(flags),
      onListening: (url) =>
        process.stderr.write(`scheduler: serving ${url}/healthz, /metrics, /debug/explain\n`),
    });
    const sig = await Promise.race([untilSignal(), running.then(() => undefined)]);
    if (sig) process.stderr.write(`scheduler: ${sig}: stopping…\n`);
    abort.abort();
    await running;
    client.close();
    return 0;
  },
};
