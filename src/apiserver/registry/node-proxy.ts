// nodes/{name}/proxy[/path] (upstream's pkg/registry/core/node/rest/proxy.go
// and the node strategy's ResourceLocation): any method, proxied to the
// node's kubelet as https://<address>:<kubelet port>/<path>?<query> with the
// apiserver's kubelet client certificate, upgrade-aware. "name:port" or
// "scheme:name:port" reaches another port of the node, without the kubelet
// credentials.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { newBadRequest, newInternalError } from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import type { Registry } from "./index.ts";
import { type KubeletClientConfig, nodeConnectionInfo } from "./kubelet-connection.ts";
import {
  type ProxyLocation,
  proxiedPath,
  proxyUpgradeAware,
  splitSchemeNamePort,
} from "./upgrade-aware-proxy.ts";

export interface NodeProxyOptions {
  registry: Registry;
  kubeletClient: Promise<KubeletClientConfig>;
}

/** proxyutil.IsProxyableIP: never loopback, link-local or interface-local addresses. */
function isProxyableIP(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  if (isIP(v) === 4) {
    const [a, b, c] = v.split(".").map(Number) as [number, number, number];
    if (a === 127) return false;
    if (a === 169 && b === 254) return false;
    if (a === 224 && b === 0 && c === 0) return false;
    return true;
  }
  if (v === "::1") return false;
  return !/^(fe[89ab][0-9a-f]:|ff0[12]:)/.test(v);
}

/** isProxyableHostname: every address the node's host name resolves to must be proxyable. */
async function ensureProxyableHostname(host: string): Promise<void> {
  let ips: string[];
  if (isIP(host)) ips = [host];
  else {
    try {
      ips = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (e) {
      throw newBadRequest(`lookup ${host}: ${(e as Error).message}`);
    }
  }
  if (ips.some((ip) => !isProxyableIP(ip))) throw newBadRequest("address not allowed");
}

/** The nodes/proxy handler for RestOptions.subresources ("/nodes/proxy"). */
export function nodeProxyHandler(o: NodeProxyOptions): SubresourceHandler {
  return async (req, res, ctx) => {
    const id = ctx.info.name;
    const parsed = splitSchemeNamePort(id);
    if (!parsed) throw newBadRequest(`invalid node request ${JSON.stringify(id)}`);
    const info = await nodeConnectionInfo(o.registry, parsed.name);
    await ensureProxyableHostname(info.host);
    const target = proxiedPath(req, res, ctx.info.parts);
    if (target === undefined) return;
    let loc: ProxyLocation;
    if (parsed.port === "" || parsed.port === String(info.port)) {
      const tls = await o.kubeletClient.catch((e) => {
        throw newInternalError(e);
      });
      loc = { scheme: "https", host: info.host, port: info.port, path: target, tls };
    } else {
      const port = Number(parsed.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw newBadRequest(`invalid node request ${JSON.stringify(id)}`);
      // upstream's proxy transport for other ports does not verify the node's certificate.
      loc =
        parsed.scheme === "https"
          ? { scheme: "https", host: info.host, port, path: target, insecure: true }
          : { scheme: "http", host: info.host, port, path: target };
    }
    await proxyUpgradeAware(req, res, loc, { upgradeRequired: false });
  };
}
