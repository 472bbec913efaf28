// `k8ts scheduler` as a process part: campaign for the kube-scheduler Lease,
// run a Scheduler while leading (a lost lease stops it at once; a new term
// starts from fresh caches), and serve /healthz, /metrics and /debug/explain.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { hostname } from "node:os";
import { LeaderElector } from "../client/leader-election.ts";
import { defaultConfiguration } from "./config.ts";
import { Scheduler, type SchedulerOptions } from "./index.ts";

export interface RunSchedulerOptions extends SchedulerOptions {
  signal: AbortSignal;
  /** Where to serve /healthz, /metrics and /debug/explain; port 0 picks one; undefined serves nothing. */
  http?: { host: string; port: number };
  /** Called with the address once serving. */
  onListening?(url: string): void;
  identity?: string;
}

export async function runScheduler(o: RunSchedulerOptions): Promise<void> {
  const config = o.config ?? defaultConfiguration();
  const log = o.log ?? ((m: string) => process.stderr.write(`scheduler: ${m}\n`));
  let current: Scheduler | undefined;
  let server: Server | undefined;
  if (o.http) {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { "Content-Type": type });
        res.end(body);
      };
      if (url.pathname === "/healthz" || url.pathname === "/livez" || url.pathname === "/readyz") {
        return send(200, "text/plain", "ok");
      }
      if (url.pathname === "/metrics") {
        return send(200, "text/plain; version=0.0.4", current?.metricsText() ?? "");
      }
      if (url.pathname === "/debug/explain") {
        const ns = url.searchParams.get("namespace") ?? "default";
        const name = url.searchParams.get("name") ?? "";
        if (!current) return send(503, "text/plain", "this scheduler is not the leader\n");
        const e = current.explain(ns, name);
        if (!e) return send(404, "text/plain", `no scheduling attempt recorded for pod ${ns}/${name}\n`);
        return send(200, "application/json", JSON.stringify(e));
      }
      send(404, "text/plain", "404 page not found\n");
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(o.http!.port, o.http!.host, () => resolve());
    });
    const addr = srv.address();
    if (addr && typeof addr === "object") o.onListening?.(`http://${o.http.host}:${addr.port}`);
  }

  const startTerm = async (signal: AbortSignal) => {
    const s = new Scheduler({ ...o, config, log });
    current = s;
    signal.addEventListener("abort", () => void s.stop(), { once: true });
    await s.start();
  };
  try {
    if (!config.leaderElection.leaderElect) {
      await startTerm(o.signal);
      await new Promise<void>((r) => o.signal.addEventListener("abort", () => r(), { once: true }));
      await current?.stop();
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
            const s = current;
            current = undefined;
            void s?.stop();
          },
        },
      });
      await elector.run(o.signal);
    }
  } finally {
    await current?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }
}
