// `k8ts scheduler` as a process part: campaign for the kube-scheduler Lease,
// run a Scheduler while leading (a lost lease stops it at once; a new term
// starts from fresh caches), and serve /healthz, /metrics and /debug/explain
// over HTTPS as kube-scheduler's secure port does: health is public; anything
// else needs a client certificate of the cluster CA and a SubjectAccessReview
// allowing its path (delegated authorization).
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { LeaderElector } from "../client/leader-election.ts";
import { type SecureServer, type SecureServing, startSecureServer } from "../client/secure-serving.ts";
import { defaultConfiguration } from "./config.ts";
import { Scheduler, type SchedulerOptions } from "./index.ts";

export interface RunSchedulerOptions extends SchedulerOptions {
  signal: AbortSignal;
  /** Where and how to serve /healthz, /metrics and /debug/explain; port 0 picks one; undefined serves nothing. */
  serving?: SecureServing;
  /** Called with the address once serving. */
  onListening?(url: string): void;
  identity?: string;
}

export async function runScheduler(o: RunSchedulerOptions): Promise<void> {
  const config = o.config ?? defaultConfiguration();
  const log = o.log ?? ((m: string) => process.stderr.write(`scheduler: ${m}\n`));
  /** The leading term's scheduler, for /metrics and /debug/explain. */
  let current: Scheduler | undefined;
  /** Every term not done stopping: the caller closes the client once this returns, and a term's last events need it. */
  const terms = new Set<Scheduler>();
  let server: SecureServer | undefined;
  if (o.serving) {
    server = await startSecureServer({
      serving: o.serving,
      client: o.client,
      handle(url) {
        if (url.pathname === "/metrics") {
          return { code: 200, type: "text/plain; version=0.0.4", body: current?.metricsText() ?? "" };
        }
        if (url.pathname === "/debug/explain") {
          const ns = url.searchParams.get("namespace") ?? "default";
          const name = url.searchParams.get("name") ?? "";
          if (!current) return { code: 503, type: "text/plain", body: "this scheduler is not the leader\n" };
          const e = current.explain(ns, name);
          if (!e) {
            return {
              code: 404,
              type: "text/plain",
              body: `no scheduling attempt recorded for pod ${ns}/${name}\n`,
            };
          }
          return { code: 200, type: "application/json", body: JSON.stringify(e) };
        }
        return undefined;
      },
    });
    o.onListening?.(server.url);
  }

  const startTerm = async (signal: AbortSignal) => {
    if (signal.aborted) return;
    const s = new Scheduler({ ...o, config, log });
    current = s;
    terms.add(s);
    // The term ends with its signal: the lease lost or given up, or o.signal without leader election.
    signal.addEventListener("abort", () => void s.stop().finally(() => terms.delete(s)), { once: true });
    await s.start();
  };
  try {
    if (!config.leaderElection.leaderElect) {
      await startTerm(o.signal);
      await new Promise<void>((r) => o.signal.addEventListener("abort", () => r(), { once: true }));
      return;
    }
    const le = config.leaderElection;
    const identity = o.identity ?? `${hostname()}_${randomUUID()}`;
    while (!o.signal.aborted) {
      const elector = new LeaderElector({
        client: o.client,
        namespace: le.resourceNamespace,
        name: le.resourceName,
        identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        releaseOnCancel: true,
        clock: o.clock,
        callbacks: {
          onStartedLeading: (signal) => {
            log(`${identity} became the leader`);
            startTerm(signal).catch((e) => log(`scheduler failed: ${(e as Error).message}`));
          },
          onStoppedLeading: () => {
            if (!o.signal.aborted) log("leader lease lost: stopped scheduling");
            current = undefined;
          },
        },
      });
      await elector.run(o.signal);
    }
  } finally {
    await Promise.all([...terms].map((s) => s.stop()));
    await server?.close();
  }
}
