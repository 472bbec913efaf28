// pods/{name}/proxy[/path] (upstream's pod ProxyREST and the pod strategy's
// ResourceLocation): any method, proxied to the pod's IP as
// http://<pod IP>:<port>/<path>?<query>, upgrade-aware. "name:port" or
// "scheme:name:port" picks the port (and https); without a port, the first
// port a container declares, else the scheme's own.
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { newBadRequest } from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import { proxiedPath, proxyUpgradeAware, splitSchemeNamePort } from "./upgrade-aware-proxy.ts";

/** Go's net.IP.IsGlobalUnicast: no unspecified, loopback, multicast, link-local or broadcast address. */
export function isGlobalUnicast(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  if (isIP(v) === 4) {
    const [a, b] = v.split(".").map(Number) as [number, number];
    return !(a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254));
  }
  if (isIP(v) !== 6) return false;
  return !(v === "::" || v === "::1" || /^ff/.test(v) || /^fe[89ab]/.test(v));
}

/** A port given as text: a number from 1 to 65535, or a BadRequest naming the request. */
export function proxyPort(port: string, id: string, kind: string): number {
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
    throw newBadRequest(`invalid ${kind} request ${JSON.stringify(id)}`);
  }
  return n;
}

/** The pods/proxy handler for RestOptions.subresources ("/pods/proxy"). */
export function podProxyHandler(): SubresourceHandler {
  return async (req, res, ctx) => {
    const id = ctx.info.name;
    const parsed = splitSchemeNamePort(id);
    if (!parsed) throw newBadRequest(`invalid pod request ${JSON.stringify(id)}`);
    const pod = (await ctx.store.get(ctx.info.namespace, parsed.name)) as Pod;
    const declared = pod.spec?.containers?.find((c) => (c.ports?.length ?? 0) > 0)?.ports?.[0];
    const port = parsed.port || (declared ? String(declared.containerPort) : "");
    const ip = pod.status?.podIPs?.[0]?.ip ?? "";
    if (!isGlobalUnicast(ip)) throw newBadRequest("address not allowed");
    const scheme = parsed.scheme === "https" ? "https" : "http";
    const portNumber = port ? proxyPort(port, id, "pod") : scheme === "https" ? 443 : 80;
    await proxyToAddress(req, res, ctx.info.parts, scheme, ip, portNumber);
  };
}

/** Proxies to a pod's address, http or https; upstream's proxy transport does not verify a pod's certificate. */
export async function proxyToAddress(
  req: IncomingMessage,
  res: ServerResponse,
  parts: readonly string[],
  scheme: "http" | "https",
  host: string,
  port: number,
): Promise<void> {
  const path = proxiedPath(req, res, parts);
  if (path === undefined) return;
  const loc = { scheme, host, port, path, insecure: scheme === "https" };
  await proxyUpgradeAware(req, res, loc, { upgradeRequired: false });
}
