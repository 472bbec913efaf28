// Where kube-apiserver dials a webhook service by default (the aggregator's
// ClusterIP service resolver, ResolveCluster): the service's ClusterIP and
// the port asked for, or an ExternalName's host. Reaching a ClusterIP from
// the apiserver's host needs kube-proxy's rules there.
import { goQuote } from "../../../../machinery/field-errors.ts";
import { isNotFound } from "../../../../machinery/status.ts";
import type { Obj } from "../../admission.ts";
import type { ServiceResolver } from "./client.ts";

/** The Service object; throws a NotFound StatusError when there is none. */
export type ServiceGetter = (namespace: string, name: string) => Promise<Obj>;

export function clusterIPServiceResolver(getService: ServiceGetter): ServiceResolver {
  return async (namespace, name, port) => {
    let svc: Obj;
    try {
      svc = await getService(namespace, name);
    } catch (e) {
      // The lister's NotFound names the resource in the singular.
      if (isNotFound(e)) throw new Error(`service ${goQuote(name)} not found`);
      throw e;
    }
    const spec = svc.spec ?? {};
    const type = spec.type ?? "ClusterIP";
    if (type === "ClusterIP" && spec.clusterIP === "None") {
      throw new Error(`cannot route to service with ClusterIP "None"`);
    }
    switch (type) {
      case "ClusterIP":
      case "LoadBalancer":
      case "NodePort": {
        const p = (spec.ports ?? []).find((sp: Obj) => sp.port === port);
        if (!p) throw new Error(`no service port ${port} found for service ${goQuote(name)}`);
        return { host: spec.clusterIP, port: p.port };
      }
      case "ExternalName":
        return { host: spec.externalName, port };
      default:
        throw new Error(`unsupported service type ${goQuote(type)}`);
    }
  };
}
