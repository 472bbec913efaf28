// What a proxier hands the ServiceHealthServer after a sync: upstream's
// ServicePortMap.HealthCheckNodePorts (serviceport tracker) and
// EndpointsMap.LocalReadyEndpoints (endpointschangetracker.go).
import { type EndpointInfo, type ServicePortInfo, serviceKey } from "../service-port.ts";

/** HealthCheckNodePorts: "namespace/name" → spec.healthCheckNodePort, for services that have one. */
export function healthCheckNodePorts(svcPortMap: ReadonlyMap<string, ServicePortInfo>): Map<string, number> {
  const ports = new Map<string, number>();
  for (const info of svcPortMap.values()) {
    if (info.healthCheckNodePort !== 0)
      ports.set(serviceKey(info.name.namespace, info.name.name), info.healthCheckNodePort);
  }
  return ports;
}

/** The "namespace/name" of a servicePortKey ("ns/name:port/TCP" or "ns/name/TCP"). */
export function serviceOfPortKey(key: string): string {
  const slash = key.indexOf("/");
  const rest = key.slice(slash + 1);
  // Names and port names are DNS labels: the name ends at the first ':' or '/'.
  const end = rest.search(/[:/]/);
  return `${key.slice(0, slash)}/${end < 0 ? rest : rest.slice(0, end)}`;
}

/**
 * LocalReadyEndpoints: "namespace/name" → the number of distinct IPs of its ready endpoints on
 * this node, over all its ports (10.0.0.1:80 and 10.0.0.1:443 are one endpoint). Terminating
 * endpoints may still serve, but the health check fails when a node has only those.
 */
export function localReadyEndpoints(endpointsMap: ReadonlyMap<string, EndpointInfo[]>): Map<string, number> {
  const localIPs = new Map<string, Set<string>>();
  for (const [key, eps] of endpointsMap) {
    for (const ep of eps) {
      if (!ep.ready || !ep.isLocal) continue;
      const nsn = serviceOfPortKey(key);
      const ips = localIPs.get(nsn) ?? new Set<string>();
      ips.add(ep.ip);
      localIPs.set(nsn, ips);
    }
  }
  return new Map([...localIPs].map(([nsn, ips]) => [nsn, ips.size]));
}
