// pods/{name}/proxy[/path] (upstream's pod ProxyREST and the pod strategy's
// ResourceLocation): any method, proxied to the pod's IP as
// http://<pod IP>:<port>/<path>?<query>, upgrade-aware. "name:port" or
// "scheme:name:port" picks the port (and https); without a port, the first
// port a container declares, else the scheme's own.
import { isIP } from "node:net";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { newBadRequest } from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import { proxyPort, proxyToAddress, splitSchemeNamePort } from "./upgrade-aware-proxy.ts";

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
