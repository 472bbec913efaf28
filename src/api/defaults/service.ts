// Service defaults (SetDefaults_Service in pkg/apis/core/v1/defaults.go).
// Cluster IPs, IP families and node ports are allocated by the registry, not here.

import type { Service } from "kubernetes-types/core/v1.d.ts";
import {
  defaultPointer,
  defaultString,
  isUnset,
  type JsonObject,
  objectAt,
  objectsAt,
  structAt,
} from "./json.ts";

// v1.DefaultClientIPServiceAffinitySeconds: three hours.
const defaultClientIPServiceAffinitySeconds = 10800;

export function defaultService(service: Service | JsonObject): void {
  const obj = service as JsonObject;
  const spec = structAt(obj, "spec");
  if (!spec) return;

  defaultString(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const clientIP = objectAt(objectAt(spec, "sessionAffinityConfig") ?? {}, "clientIP");
    if (!clientIP || isUnset(clientIP.timeoutSeconds)) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultClientIPServiceAffinitySeconds } };
    }
  }
  defaultString(spec, "type", "ClusterIP");

  for (const port of objectsAt(spec, "ports")) {
    defaultString(port, "protocol", "TCP");
    // An absent targetPort decodes to intstr 0, which means "the same as port".
    const target = port.targetPort;
    if (isUnset(target) || target === 0 || target === "") {
      port.targetPort = typeof port.port === "number" ? port.port : 0;
    }
  }

  if (externallyAccessible(spec)) defaultString(spec, "externalTrafficPolicy", "Cluster");

  if (spec.type === "NodePort" || spec.type === "LoadBalancer" || spec.type === "ClusterIP") {
    defaultPointer(spec, "internalTrafficPolicy", "Cluster");
  }

  if (spec.type === "LoadBalancer") {
    defaultPointer(spec, "allocateLoadBalancerNodePorts", true);
    const loadBalancer = objectAt(objectAt(obj, "status") ?? {}, "loadBalancer");
    for (const ingress of loadBalancer ? objectsAt(loadBalancer, "ingress") : []) {
      if (typeof ingress.ip === "string" && ingress.ip !== "") defaultPointer(ingress, "ipMode", "VIP");
    }
  }
}

/** pkg/api/v1/service.ExternallyAccessible. */
function externallyAccessible(spec: JsonObject): boolean {
  return (
    spec.type === "LoadBalancer" ||
    spec.type === "NodePort" ||
    (spec.type === "ClusterIP" && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0)
  );
}
