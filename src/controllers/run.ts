// `k8ts controller-manager` as a process part: campaign for the
// kube-system/kube-controller-manager Lease; while leading, run the enabled
// controllers (a lost lease stops them at once: a new term starts from fresh
// caches and expectations); serve /healthz and /metrics (work-queue depth,
// adds, retries and latencies per controller) on the secure port.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../client/clock.ts";
import type { SharedInformerFactory } from "../client/informer-factory.ts";
import { LeaderElector } from "../client/leader-election.ts";
import type { RestClient } from "../client/rest-client.ts";
import { type SecureServer, type SecureServing, startSecureServer } from "../client/secure-serving.ts";
import { processMetrics } from "../machinery/metrics.ts";
import { ServiceAccountClientBuilder } from "./client-builder.ts";
import type { ControllerDescriptor, ControllerManagerConfig } from "./context.ts";
import { type StartedControllers, startControllers, validateControllers } from "./manager.ts";

export interface RunControllerManagerOptions {
  /** The manager's identity (system:kube-controller-manager). */
  client: RestClient;
  descriptors: ControllerDescriptor[];
  /** --controllers */
  controllers?: string[];
  config?: ControllerManagerConfig;
  /** --concurrent-*-syncs */
  concurrency?: Record<string, number>;
  /** Each controller as its own kube-system service account (upstream's --use-service-account-credentials). */
  useServiceAccountCredentials?: boolean;
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  identity?: string;
  /** The secure port; undefined serves nothing. */
  serving?: SecureServing;
  onListening?(url: string): void;
  /** Informers the process keeps running, which each term joins (see startControllers). */
  informers?: SharedInformerFactory;
  signal: AbortSignal;
  clock?: Clock;
  log?(msg: string): void;
}

export const LEASE_NAMESPACE = "kube-system";
export const LEASE_NAME = "kube-controller-manager";

/** Prometheus text of the running controllers' queues. */
function queueMetrics(running: StartedControllers | undefined): string {
  const lines = [
    "# HELP workqueue_depth Current depth of workqueue",
    "# TYPE workqueue_depth gauge",
    "# HELP workqueue_adds_total Total number of adds handled by workqueue",
    "# TYPE workqueue_adds_total counter",
    "# HELP workqueue_retries_total Total number of retries handled by workqueue",
    "# TYPE workqueue_retries_total counter",
    "# HELP workqueue_queue_duration_seconds How long in seconds an item stays in workqueue before being requested.",
    "# TYPE workqueue_queue_duration_seconds summary",
    "# HELP workqueue_work_duration_seconds How long in seconds processing an item from workqueue takes.",
    "# TYPE workqueue_work_duration_seconds summary",
  ];
  for (const c of running?.initialized.values() ?? []) {
    for (const ctl of c.controllers) lines.push(ctl.queue.metrics.render().trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

export async function runControllerManager(o: RunControllerManagerOptions): Promise<void> {
  const log = o.log ?? ((m: string) => process.stderr.write(`controller-manager: ${m}\n`));
  validateControllers(o.controllers ?? ["*"], o.descriptors);
  let running: StartedControllers | undefined;
  let leading = false;
  let server: SecureServer | undefined;
  if (o.serving) {
    server = await startSecureServer({
      serving: o.serving,
      client: o.client,
      handle(url) {
        if (url.pathname !== "/metrics") return undefined;
        const body = [
          queueMetrics(running),
          "# HELP leader_election_master_status Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.",
          "# TYPE leader_election_master_status gauge",
          `leader_election_master_status{name="${LEASE_NAME}"} ${leading ? 1 : 0}`,
          processMetrics(),
          "",
        ].join("\n");
        return { code: 200, type: "text/plain; version=0.0.4", body };
      },
    });
    o.onListening?.(server.url);
  }

  /** One term of leadership: fresh informers (or a fresh scope of the process's), queues and expectations. */
  const startTerm = async (signal: AbortSignal) => {
    const builder = o.useServiceAccountCredentials
      ? new ServiceAccountClientBuilder({ client: o.client, clock: o.clock, signal, log })
      : undefined;
    try {
      running = await startControllers({
        client: o.client,
        descriptors: o.descriptors,
        controllers: o.controllers,
        concurrency: o.concurrency,
        config: o.config,
        clientFor: builder ? (d) => builder.clientFor(d.serviceAccount) : undefined,
        signal,
        clock: o.clock,
        informers: o.informers,
        log,
      });
      await running.done;
    } finally {
      builder?.close();
    }
  };

  try {
    if (o.leaderElect === false) {
      leading = true;
      await startTerm(o.signal);
      return;
    }
    const identity = o.identity ?? `${hostname()}_${randomUUID()}`;
    let term: Promise<void> | undefined;
    while (!o.signal.aborted) {
      const elector = new LeaderElector({
        client: o.client,
        namespace: LEASE_NAMESPACE,
        name: LEASE_NAME,
        identity,
        leaseDurationMs: o.leaseDurationMs,
        renewDeadlineMs: o.renewDeadlineMs,
        retryPeriodMs: o.retryPeriodMs,
        releaseOnCancel: true,
        clock: o.clock,
        callbacks: {
          onStartedLeading: (signal) => {
            leading = true;
            log(`${identity} became the leader`);
            term = startTerm(signal).catch((e) => log(`controllers failed: ${(e as Error).message}`));
          },
          onStoppedLeading: () => {
            leading = false;
            if (!o.signal.aborted) log("leader lease lost: stopped every controller");
          },
        },
      });
      await elector.run(o.signal);
      await term;
    }
  } finally {
    await server?.close();
  }
}
