// `k8ts dns` as a process part: informers on Services and EndpointSlices feed
// the ClusterZone; the DnsServer answers from it; an HTTP server on the health
// port serves /healthz, /ready (/readyz) and /metrics, as CoreDNS's health,
// ready and prometheus plugins do.
import { createServer, type Server } from "node:http";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { SharedInformerFactory } from "../client/informer-factory.ts";
import { Resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { Forwarder } from "./forward.ts";
import { DnsMetrics } from "./metrics.ts";
import type { Upstream } from "./resolv-conf.ts";
import { DnsServer } from "./server.ts";
import { ClusterZone } from "./zone.ts";

export interface RunDnsOptions {
  client: RestClient;
  clusterDomain?: string;
  bindAddress?: string;
  /** 0 picks a free port. */
  port?: number;
  upstreams: Upstream[];
  /** Per-upstream timeout of forwarded queries. */
  forwardTimeoutMs?: number;
  healthBindAddress?: string;
  /** 0 picks a free port; -1 serves none. */
  healthPort?: number;
  log?(msg: string): void;
}

export interface RunningDns {
  zone: ClusterZone;
  server: DnsServer;
  forwarder: Forwarder;
  metrics: DnsMetrics;
  /** The DNS port (UDP and TCP). */
  port: number;
  /** http://host:port of /healthz, /ready and /metrics, if served. */
  healthUrl?: string;
  /** Resolves once the informer caches are synced. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

export async function startDns(o: RunDnsOptions): Promise<RunningDns> {
  const log =
    o.log ?? ((m: string) => process.stderr.write(`${JSON.stringify({ component: "dns", msg: m })}\n`));
  const zone = new ClusterZone({ zone: o.clusterDomain ?? "cluster.local" });
  const factory = new SharedInformerFactory({ client: o.client });
  const services = factory.forResource<Service & { metadata: object }>(Resources.services);
  const slices = factory.forResource<EndpointSlice & { metadata: object }>(Resources.endpointslices);
  services.addEventHandler({
    onAdd: (s) => zone.setService(s),
    onUpdate: (_, s) => zone.setService(s),
    onDelete: (s) => zone.deleteService(s),
  });
  slices.addEventHandler({
    onAdd: (s) => zone.setEndpointSlice(s),
    onUpdate: (old, s) => {
      // A slice moved to another service (its label changed) leaves the old one.
      if (
        old.metadata?.labels?.["kubernetes.io/service-name"] !==
        s.metadata?.labels?.["kubernetes.io/service-name"]
      ) {
        zone.deleteEndpointSlice(old);
      }
      zone.setEndpointSlice(s);
    },
    onDelete: (s) => zone.deleteEndpointSlice(s),
  });
  let synced = false;
  const abort = new AbortController();
  factory.start();
  const syncedP = factory.waitForCacheSync(abort.signal).then(() => {
    if (!abort.signal.aborted) {
      synced = true;
      log("informer caches synced");
    }
  });

  const metrics = new DnsMetrics(`dns://${o.bindAddress ?? "0.0.0.0"}:${o.port ?? 53}`);
  const forwarder = new Forwarder({ upstreams: o.upstreams, timeoutMs: o.forwardTimeoutMs });
  const server = new DnsServer({
    zone,
    forwarder,
    metrics,
    synced: () => synced,
    host: o.bindAddress ?? "0.0.0.0",
    port: o.port ?? 53,
    log,
  });
  await server.start();
  metrics.setServer(`dns://${o.bindAddress ?? "0.0.0.0"}:${server.port}`);

  let http: Server | undefined;
  let healthUrl: string | undefined;
  if ((o.healthPort ?? 8080) >= 0) {
    http = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      const send = (code: number, body: string, type = "text/plain; charset=utf-8") => {
        res.writeHead(code, { "Content-Type": type });
        res.end(body);
      };
      if (path === "/healthz" || path === "/health") return send(200, "OK");
      if (path === "/ready" || path === "/readyz") return synced ? send(200, "OK") : send(503, "kubernetes");
      if (path === "/metrics") return send(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
      send(404, "404 page not found\n");
    });
    const h = http;
    await new Promise<void>((resolve, reject) => {
      h.once("error", reject);
      h.listen(o.healthPort ?? 8080, o.healthBindAddress ?? "127.0.0.1", () => resolve());
    });
    const addr = h.address();
    if (addr && typeof addr === "object") {
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      healthUrl = `http://${host}:${addr.port}`;
    }
  }

  return {
    zone,
    server,
    forwarder,
    metrics,
    port: server.port,
    healthUrl,
    synced: syncedP,
    async stop() {
      abort.abort();
      await server.stop();
      forwarder.close();
      await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
      http?.closeAllConnections();
      await factory.shutdown();
    },
  };
}
