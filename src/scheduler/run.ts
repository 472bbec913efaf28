// `k8ts scheduler` as a process part: campaign for the kube-scheduler Lease,
// run a Scheduler while leading (a lost lease stops it at once; a new term
// starts from fresh caches), and serve /healthz, /metrics and /debug/explain
// over HTTPS as kube-scheduler's secure port does: health is public; anything
// else needs a client certificate of the cluster CA and a SubjectAccessReview
// allowing its path (delegated authorization).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { hostname } from "node:os";
import type { TLSSocket } from "node:tls";
import { LeaderElector } from "../client/leader-election.ts";
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

export interface SecureServing {
  host: string;
  port: number;
  /** The serving certificate and key (PEM). */
  cert: string;
  key: string;
  /** The CA whose client certificates identify callers. */
  ca: string;
}

/**
 * Delegated authentication and authorization: the caller's client
 * certificate names the user (CN) and groups (O); a SubjectAccessReview asks
 * the apiserver whether they may GET this path. undefined means allowed.
 */
async function authorizeRequest(
  o: RunSchedulerOptions,
  req: IncomingMessage,
  path: string,
): Promise<{ code: number; message: string } | undefined> {
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate();
  if (!socket.authorized || !cert?.subject) return { code: 401, message: "Unauthorized" };
  const user = String(cert.subject.CN ?? "");
  const o_ = cert.subject.O as string | string[] | undefined;
  const groups = [...(Array.isArray(o_) ? o_ : o_ ? [o_] : []), "system:authenticated"];
  const review = await o.client.create(
    { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews", namespaced: false },
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      metadata: {},
      spec: { user, groups, nonResourceAttributes: { path, verb: (req.method ?? "GET").toLowerCase() } },
    },
  );
  if ((review as { status?: { allowed?: boolean } }).status?.allowed) return undefined;
  return {
    code: 403,
    message: `forbidden: User "${user}" cannot ${(req.method ?? "GET").toLowerCase()} path "${path}"`,
  };
}

export async function runScheduler(o: RunSchedulerOptions): Promise<void> {
  const config = o.config ?? defaultConfiguration();
  const log = o.log ?? ((m: string) => process.stderr.write(`scheduler: ${m}\n`));
  let current: Scheduler | undefined;
  let server: Server | undefined;
  if (o.serving) {
    const serving = o.serving;
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "https://x");
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { "Content-Type": type });
        res.end(body);
      };
      if (url.pathname === "/healthz" || url.pathname === "/livez" || url.pathname === "/readyz") {
        return send(200, "text/plain", "ok");
      }
      const denied = await authorizeRequest(o, req, url.pathname).catch((e: Error) => ({
        code: 500,
        message: `authorization failed: ${e.message}`,
      }));
      if (denied) return send(denied.code, "text/plain", `${denied.message}\n`);
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
    };
    server = createServer(
      { cert: serving.cert, key: serving.key, ca: serving.ca, requestCert: true, rejectUnauthorized: false },
      (req, res) => void handle(req, res),
    );
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(serving.port, serving.host, () => resolve());
    });
    const addr = srv.address();
    if (addr && typeof addr === "object") o.onListening?.(`https://${serving.host}:${addr.port}`);
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
