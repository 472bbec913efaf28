// `k8ts scheduler`: the scheduler alone, against any apiserver.
import { readFileSync } from "node:fs";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest-client.ts";
import type { SecureServing } from "../client/secure-serving.ts";
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
    default: 10259,
    help: "HTTPS port of /healthz, /metrics and /debug/explain (0 picks a free one, -1 serves none)",
  },
];

/** The serving certificate flags of `k8ts scheduler` alone (`k8ts up` issues one from the cluster CA). */
export const tlsFlags: FlagSpec[] = [
  { name: "tls-cert-file", type: "string", help: "Serving certificate (PEM) of the secure port" },
  { name: "tls-private-key-file", type: "string", help: "Its private key (PEM)" },
  { name: "client-ca-file", type: "string", help: "CA whose client certificates may call the secure port" },
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

/** The secure port's address and TLS material; undefined when it is turned off (-1) or has no certificate. */
export function schedulerServing(
  flags: Record<string, unknown>,
  tls: { cert: string; key: string; ca: string } | undefined,
): SecureServing | undefined {
  const port = Number(flags["scheduler-port"]);
  if (port < 0 || !tls) return undefined;
  return { host: String(flags["scheduler-bind-address"]), port, ...tls };
}

export function tlsFromFiles(
  flags: Record<string, unknown>,
): { cert: string; key: string; ca: string } | undefined {
  const [cert, key, ca] = ["tls-cert-file", "tls-private-key-file", "client-ca-file"].map((f) => flags[f]);
  if (!cert && !key && !ca) return undefined;
  if (!cert || !key || !ca) {
    throw new Error("--tls-cert-file, --tls-private-key-file and --client-ca-file go together");
  }
  return {
    cert: readFileSync(String(cert), "utf8"),
    key: readFileSync(String(key), "utf8"),
    ca: readFileSync(String(ca), "utf8"),
  };
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
    ...tlsFlags,
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
      serving: schedulerServing(flags, tlsFromFiles(flags)),
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
