// networking.k8s.io/v1 defaults (pkg/apis/networking/v1/defaults.go).
// Ingress has none in v1: pathType is required there.

import type { IngressClass, NetworkPolicy } from "kubernetes-types/networking/v1.d.ts";
import { defaultPointer, type JsonObject, objectAt, objectsAt, sliceLen, structAt } from "./json.ts";

export function defaultNetworkPolicy(policy: NetworkPolicy | JsonObject): void {
  const spec = structAt(policy as JsonObject, "spec");
  if (!spec) return;
  for (const rule of objectsAt(spec, "ingress")) {
    for (const port of objectsAt(rule, "ports")) defaultPointer(port, "protocol", "TCP");
  }
  for (const rule of objectsAt(spec, "egress")) {
    for (const port of objectsAt(rule, "ports")) defaultPointer(port, "protocol", "TCP");
  }
  // A policy that names no types is at least an ingress policy, and an egress one if it has egress rules.
  if (sliceLen(spec.policyTypes) === 0) {
    spec.policyTypes = sliceLen(spec.egress) !== 0 ? ["Ingress", "Egress"] : ["Ingress"];
  }
}

export function defaultIngressClass(ingressClass: IngressClass | JsonObject): void {
  const spec = objectAt(ingressClass as JsonObject, "spec");
  const parameters = spec ? objectAt(spec, "parameters") : undefined;
  if (parameters) defaultPointer(parameters, "scope", "Cluster");
}
