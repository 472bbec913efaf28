// services/{name}/proxy[/path] (upstream's service ProxyREST and
// ResourceLocation): any method, proxied to one ready endpoint of the service,
// picked at random, upgrade-aware. "name:port" names the service port (by name,
// or by number, turned into its name); "scheme:name:port" may ask for https.
// Only endpoints that are pods, with the address the pod has, are used.
import type { EndpointAddress, Endpoints, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import { isStatusError, newBadRequest, newServiceUnavailable } from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import type { Registry } from "./index.ts";
import { proxyPort, proxyToAddress, splitSchemeNamePort } from "./upgrade-aware-proxy.ts";

/** isValidAddress: the address is a pod of this namespace that has this IP. */
async function isValidAddress(
  registry: Registry,
  namespace: string,
  addr: EndpointAddress,
): Promise<boolean> {
  const ref = addr.targetRef;
  if (!ref || ref.namespace !== namespace || !ref.name) return false;
  const pods = registry.byResource("", "v1", "pods")!;
  try {
    const pod = (await pods.get(namespace, ref.name)) as Pod;
    return (pod.status?.podIPs ?? []).some((p) => p.ip === addr.ip);
  } catch (e) {
    if (isStatusError(e)) return false;
    throw e;
  }
}

/** Starting at a random index, as upstream spreads requests over subsets and addresses. */
function fromRandom<T>(items: readonly T[]): T[] {
  const start = Math.floor(Math.random() * items.length);
  return items.map((_, i) => items[(start + i) % items.length]!);
}

/** The services/proxy handler for RestOptions.subresources ("/services/proxy"). */
export function serviceProxyHandler(o: { registry: Registry }): SubresourceHandler {
  return async (req, res, ctx) => {
    const id = ctx.info.name;
    const namespace = ctx.info.namespace;
    const parsed = splitSchemeNamePort(id);
    if (!parsed) throw newBadRequest(`invalid service request ${JSON.stringify(id)}`);
    let portName = parsed.port;
    // A port number means the service port with that number, by its name.
    if (/^-?\d+$/.test(portName)) {
      const svc = (await ctx.store.get(namespace, parsed.name)) as Service;
      const match = svc.spec?.ports?.find((p) => p.port === Number(portName));
      if (!match) {
        throw newServiceUnavailable(
          `no service port ${portName} found for service ${JSON.stringify(parsed.name)}`,
        );
      }
      portName = match.name ?? "";
    }
    const endpoints = o.registry.byResource("", "v1", "endpoints")!;
    const eps = (await endpoints.get(namespace, parsed.name)) as Endpoints;
    if ((eps.subsets ?? []).length === 0) {
      throw newServiceUnavailable(`no endpoints available for service ${JSON.stringify(parsed.name)}`);
    }
    for (const subset of fromRandom(eps.subsets ?? [])) {
      const port = subset.ports?.find((p) => (p.name ?? "") === portName);
      if (!port || (subset.addresses ?? []).length === 0) continue;
      for (const addr of fromRandom(subset.addresses ?? [])) {
        if (!(await isValidAddress(o.registry, namespace ?? "", addr))) continue;
        const scheme = parsed.scheme === "https" ? "https" : "http";
        const portNumber = proxyPort(String(port.port), id, "service");
        await proxyToAddress(req, res, ctx.info.parts, scheme, addr.ip, portNumber);
        return;
      }
    }
    throw newServiceUnavailable(`no endpoints available for service ${JSON.stringify(id)}`);
  };
}
