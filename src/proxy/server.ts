// kube-proxy's plain-HTTP endpoints: /healthz and /livez (healthz-bind-address,
// 10256) and /metrics (metrics-bind-address, 10249; also on the healthz port).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseTarget } from "../machinery/request-target.ts";
import type { ProxierHealth } from "./healthz.ts";
import type { ProxyMetrics } from "./metrics.ts";

export interface ProxyServer {
  url: string;
  close(): Promise<void>;
}

/** Parses "host:port" (port 0 picks a free one). */
export function parseBindAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  if (i < 0) throw new Error(`bind address ${JSON.stringify(addr)} is not host:port`);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad port in ${JSON.stringify(addr)}`);
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, "") || "0.0.0.0", port };
}

export async function startProxyServer(opts: {
  bindAddress: string;
  health: ProxierHealth;
  metrics: ProxyMetrics;
}): Promise<ProxyServer> {
  const { host, port } = parseBindAddress(opts.bindAddress);
  const server: Server = createServer((req, res) => {
    const path = parseTarget(req.url)?.pathname;
    if (path === "/healthz" || path === "/livez") {
      res.writeHead(opts.health.isHealthy() ? 200 : 503, {
        "Content-Type": "application/json",
        "X-Content-Type-Options": "nosniff",
      });
      res.end(opts.health.body());
    } else if (path === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(opts.metrics.render());
    } else {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("404 page not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
