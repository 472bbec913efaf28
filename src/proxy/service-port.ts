// What kube-proxy keeps of one service port and one endpoint
// (pkg/proxy/serviceport.go BaseServicePortInfo, endpoint.go BaseEndpointInfo).
// k8ts's cluster is IPv4 only, so only IPv4 addresses are taken.
import { isIPv4 } from "node:net";
import type { Service, ServicePort } from "kubernetes-types/core/v1.d.ts";

/** upstream's ServicePortName: namespace/name:port (the port name part is left out when empty). */
export interface ServicePortName {
  namespace: string;
  name: string;
  port: string;
  protocol: string;
}

export function servicePortNameString(spn: ServicePortName): string {
  return `${spn.namespace}/${spn.name}${spn.port ? `:${spn.port}` : ""}`;
}

/** Map key: the name and the protocol (a TCP and a UDP port may share a name-less key otherwise). */
export function servicePortKey(spn: ServicePortName): string {
  return `${servicePortNameString(spn)}/${spn.protocol}`;
}

export const serviceKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export interface ServicePortInfo {
  name: ServicePortName;
  clusterIP: string;
  port: number;
  protocol: string;
  nodePort: number;
  sessionAffinityClientIP: boolean;
  stickyMaxAgeSeconds: number;
  externalIPs: string[];
  loadBalancerVIPs: string[];
  loadBalancerSourceRanges: string[];
  healthCheckNodePort: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
}

/** upstream's DefaultClientIPServiceAffinitySeconds. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** ShouldSkipService: headless services and ExternalNames have nothing to proxy. */
export function shouldSkipService(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === "None" || svc.spec?.type === "ExternalName";
}

/** apiservice.ExternallyAccessible / ExternalPolicyLocal of pkg/api/v1/service. */
function externalPolicyLocal(svc: Service): boolean {
  const t = svc.spec?.type;
  const accessible = t === "NodePort" || t === "LoadBalancer" || (svc.spec?.externalIPs?.length ?? 0) > 0;
  return accessible && svc.spec?.externalTrafficPolicy === "Local";
}

/** newBaseServiceInfo for one port of a service (IPv4 addresses only). */
export function newServicePortInfo(svc: Service, port: ServicePort): ServicePortInfo {
  const spec = svc.spec ?? {};
  const protocol = port.protocol ?? "TCP";
  const affinity = spec.sessionAffinity === "ClientIP";
  const clusterIP =
    (spec.clusterIPs ?? [spec.clusterIP ?? ""]).find((ip) => isIPv4(ip)) ?? spec.clusterIP ?? "";
  const vips: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    // ipMode Proxy: the load balancer delivers to the node, not to the VIP.
    if (ing.ip && isIPv4(ing.ip) && ing.ipMode !== "Proxy") vips.push(ing.ip);
  }
  const extLocal = externalPolicyLocal(svc);
  return {
    name: {
      namespace: svc.metadata?.namespace ?? "",
      name: svc.metadata?.name ?? "",
      port: port.name ?? "",
      protocol,
    },
    clusterIP,
    port: port.port,
    protocol,
    nodePort: port.nodePort ?? 0,
    sessionAffinityClientIP: affinity,
    stickyMaxAgeSeconds: affinity
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS)
      : 0,
    externalIPs: (spec.externalIPs ?? []).filter((ip) => isIPv4(ip)),
    loadBalancerVIPs: vips,
    // Upstream trims and drops unparsable ranges rather than failing the service.
    loadBalancerSourceRanges: (spec.loadBalancerSourceRanges ?? [])
      .map((r) => r.trim())
      .filter((r) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(r)),
    healthCheckNodePort: spec.type === "LoadBalancer" && extLocal ? (spec.healthCheckNodePort ?? 0) : 0,
    externalPolicyLocal: extLocal,
    internalPolicyLocal: spec.internalTrafficPolicy === "Local",
  };
}

export function externallyAccessible(s: ServicePortInfo): boolean {
  return s.nodePort > 0 || s.loadBalancerVIPs.length > 0 || s.externalIPs.length > 0;
}

/** Whether some traffic to this port goes to endpoints on any node. */
export function usesClusterEndpoints(s: ServicePortInfo): boolean {
  return !s.internalPolicyLocal || (externallyAccessible(s) && !s.externalPolicyLocal);
}

/** Whether some traffic to this port goes only to this node's endpoints. */
export function usesLocalEndpoints(s: ServicePortInfo): boolean {
  return s.internalPolicyLocal || (externallyAccessible(s) && s.externalPolicyLocal);
}

export interface EndpointInfo {
  ip: string;
  port: number;
  /** On this node (nodeName equals the proxy's hostname). */
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  zoneHints: string[];
}

/** "ip:port", the endpoint's identity in chain names and comments. */
export const endpointString = (ep: EndpointInfo): string => `${ep.ip}:${ep.port}`;
