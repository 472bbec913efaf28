// kube-proxy's service health-check node-port servers (pkg/proxy/healthcheck/service_health.go,
// v1.32). Every Service of type LoadBalancer with externalTrafficPolicy Local has a
// spec.healthCheckNodePort; kube-proxy listens there on each node and tells the cloud load
// balancer whether to send the service's traffic to this node: 200 when the node has local
// ready endpoints (and the proxier is healthy), 503 otherwise.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { ObjectReference } from "kubernetes-types/core/v1.d.ts";

type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** What the handler needs of the ProxierHealthServer (healthz.ts's ProxierHealth fits). */
export interface ProxierHealthChecker {
  isHealthy(): boolean;
}

/** Where a failure to listen is reported (client/event-recorder.ts's EventRecorder fits). */
export interface ServiceHealthEventRecorder {
  event(ref: ObjectReference, type: "Normal" | "Warning", reason: string, message: string): void;
}

/** One answer of a health-check port; undefined: the service is gone (an empty 200, as Go's). */
export interface HealthCheckResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
export type HealthCheckHandler = () => HealthCheckResponse | undefined;

export interface HealthCheckListener {
  close(): Promise<void>;
}

/** Opens one listener (upstream's listener + httpServerFactory); rejects when the port is taken. */
export type HealthCheckListen = (
  host: string,
  port: number,
  handler: HealthCheckHandler,
) => Promise<HealthCheckListener>;

export interface ServiceHealthServerOptions {
  /** The node's name, for the FailedToStartServiceHealthcheck message. */
  hostname: string;
  health: ProxierHealthChecker;
  /**
   * The addresses each health-check port is opened on: 0.0.0.0 unless --nodeport-addresses
   * narrows them (k8ts has no --nodeport-addresses; tests pass 127.0.0.1).
   */
  nodeIPs?: string[];
  listen?: HealthCheckListen;
  recorder?: ServiceHealthEventRecorder;
  log?: Log;
}

/** The body upstream writes: dedent of its template, tabs kept, no trailing newline. */
export function healthCheckBody(
  namespace: string,
  name: string,
  localEndpoints: number,
  serviceProxyHealthy: boolean,
): string {
  // Go's %q; namespaces and names are DNS labels, where it equals JSON's quoting.
  return [
    "{",
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(namespace)},`,
    `\t\t"name": ${JSON.stringify(name)}`,
    "\t},",
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${serviceProxyHealthy}`,
    "}",
  ].join("\n");
}

/** stdNetListener + stdHTTPServerFactory: a plain HTTP server on host:port. */
export const listenHTTP: HealthCheckListen = (host, port, handler) =>
  new Promise((resolve, reject) => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      const r = handler();
      if (!r) {
        res.writeHead(200, { "Content-Length": "0" });
        res.end();
        return;
      }
      res.writeHead(r.statusCode, { ...r.headers, "Content-Length": String(Buffer.byteLength(r.body)) });
      res.end(r.body);
    });
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        // Go's http.Server.Close: the listener and every open connection at once.
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });

/** hcInstance: one service's health-check port and its local endpoint count. */
interface HealthCheckInstance {
  port: number;
  endpoints: number;
  listeners: HealthCheckListener[];
}

/** ServiceHealthServer. Services and endpoints are keyed by "namespace/name". */
export class ServiceHealthServer {
  private readonly services = new Map<string, HealthCheckInstance>();
  private readonly nodeIPs: string[];
  private readonly listen: HealthCheckListen;
  /** Syncs run one after another (upstream holds a lock across SyncServices). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ServiceHealthServerOptions) {
    this.nodeIPs = opts.nodeIPs ?? ["0.0.0.0"];
    this.listen = opts.listen ?? listenHTTP;
  }

  /**
   * SyncServices: the new set of services (key → healthCheckNodePort). Listeners of services no
   * longer in it, or whose port changed, are closed; new ones are opened; others are left alone.
   */
  syncServices(newServices: ReadonlyMap<string, number>): Promise<void> {
    const run = this.tail.then(() => this.doSyncServices(newServices));
    this.tail = run.catch(() => {});
    return run;
  }

  private async doSyncServices(newServices: ReadonlyMap<string, number>): Promise<void> {
    const log = this.opts.log;
    for (const [nsn, svc] of [...this.services]) {
      const port = newServices.get(nsn);
      if (port === undefined || port !== svc.port) {
        log?.("Closing healthcheck", { service: nsn, port: svc.port });
        this.services.delete(nsn);
        await this.closeAll(nsn, svc);
      }
    }
    for (const [nsn, port] of newServices) {
      if (this.services.has(nsn)) continue;
      log?.("Opening healthcheck", { service: nsn, port });
      const svc: HealthCheckInstance = { port, endpoints: 0, listeners: [] };
      // Visible at once: a probe that lands before the last listener is up gets a real answer
      // (upstream's handler waits on the lock SyncServices holds).
      this.services.set(nsn, svc);
      try {
        for (const ip of this.nodeIPs) svc.listeners.push(await this.listen(ip, port, this.handler(nsn)));
      } catch (e) {
        // Close what was opened, so that a retry or another service can take the port.
        this.services.delete(nsn);
        await this.closeAll(nsn, svc);
        const err = (e as Error).message;
        const msg = `node ${this.opts.hostname} failed to start healthcheck "${nsn}" on port ${port}: ${err}`;
        const [namespace, name] = splitKey(nsn);
        this.opts.recorder?.event(
          { kind: "Service", namespace, name, uid: nsn },
          "Warning",
          "FailedToStartServiceHealthcheck",
          msg,
        );
        log?.("Failed to start healthcheck", { err, node: this.opts.hostname, service: nsn, port });
      }
    }
  }

  /**
   * SyncEndpoints: key → number of local ready endpoints. Counts of services without a
   * health-check port are dropped; services missing from the map have none.
   */
  syncEndpoints(newEndpoints: ReadonlyMap<string, number>): void {
    for (const [nsn, svc] of this.services) svc.endpoints = newEndpoints.get(nsn) ?? 0;
  }

  /** Closes every listener (kube-proxy's shutdown). */
  close(): Promise<void> {
    return this.syncServices(new Map());
  }

  /** The open services and their ports, for tests and debugging. */
  ports(): Map<string, number> {
    return new Map([...this.services].map(([nsn, s]) => [nsn, s.port]));
  }

  /** Local endpoint count as the handler reports it; undefined when the service has no port open. */
  localEndpoints(nsn: string): number | undefined {
    return this.services.get(nsn)?.endpoints;
  }

  /** hcHandler.ServeHTTP */
  private handler(nsn: string): HealthCheckHandler {
    const [namespace, name] = splitKey(nsn);
    return () => {
      const svc = this.services.get(nsn);
      if (!svc) {
        this.opts.log?.("Received request for closed healthcheck", { service: nsn });
        return undefined;
      }
      const count = svc.endpoints;
      const kubeProxyHealthy = this.opts.health.isHealthy();
      return {
        statusCode: count !== 0 && kubeProxyHealthy ? 200 : 503,
        headers: {
          "Content-Type": "application/json",
          "X-Content-Type-Options": "nosniff",
          "X-Load-Balancing-Endpoint-Weight": String(count),
        },
        body: healthCheckBody(namespace, name, count, kubeProxyHealthy),
      };
    };
  }

  private async closeAll(nsn: string, svc: HealthCheckInstance): Promise<void> {
    for (const l of svc.listeners.splice(0)) {
      try {
        await l.close();
      } catch (e) {
        this.opts.log?.("Error closing server for health check service", {
          err: (e as Error).message,
          service: nsn,
        });
      }
    }
  }
}

function splitKey(nsn: string): [string, string] {
  const i = nsn.indexOf("/");
  return i < 0 ? ["", nsn] : [nsn.slice(0, i), nsn.slice(i + 1)];
}
