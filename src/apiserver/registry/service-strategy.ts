// Services: an update that changes the type drops the fields the new type does
// not use and the user did not touch (upstream's svcStrategy.PrepareForUpdate,
// dropTypeDependentFields), before validation forbids them; the allocator then
// releases what they held.
import type { Obj } from "../../api/registry.ts";
import { needsHealthCheck } from "../../api/validation/service.ts";
import { GenericStrategy } from "./strategy.ts";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const needsClusterIP = (spec: Obj) => spec.type !== "ExternalName";
const needsNodePort = (spec: Obj) => spec.type === "NodePort" || spec.type === "LoadBalancer";
const externallyAccessible = (spec: Obj) =>
  spec.type === "LoadBalancer" ||
  spec.type === "NodePort" ||
  (spec.type === "ClusterIP" && (spec.externalIPs ?? []).length > 0);

/** dropTypeDependentFields: only fields that no longer apply, may have been set automatically, and were not changed. */
export function dropTypeDependentFields(next: Obj, old: Obj): void {
  next.spec ??= {};
  const spec = next.spec;
  const prev = old.spec ?? {};
  if (needsClusterIP(prev) && !needsClusterIP(spec)) {
    if (same(prev.clusterIP, spec.clusterIP) && same(prev.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(prev.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(prev.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: Obj) => ((s.ports ?? []) as Obj[]).map((p) => p.nodePort ?? 0);
  if (needsNodePort(prev) && !needsNodePort(spec) && same(nodePorts(prev), nodePorts(spec))) {
    for (const p of (spec.ports ?? []) as Obj[]) delete p.nodePort;
  }
  if (
    needsHealthCheck(prev) &&
    !needsHealthCheck(spec) &&
    same(prev.healthCheckNodePort, spec.healthCheckNodePort)
  ) {
    delete spec.healthCheckNodePort;
  }
  if (prev.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    if (
      spec.allocateLoadBalancerNodePorts != null &&
      prev.allocateLoadBalancerNodePorts != null &&
      spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts
    ) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (same(prev.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (
    externallyAccessible(prev) &&
    !externallyAccessible(spec) &&
    same(prev.externalTrafficPolicy, spec.externalTrafficPolicy)
  ) {
    delete spec.externalTrafficPolicy;
  }
  // The load balancer is the LB controller's to tear down; its status no longer applies.
  // (A copy: the status may be the stored object's own.)
  if (prev.type === "LoadBalancer" && spec.type !== "LoadBalancer" && next.status)
    next.status = { ...next.status, loadBalancer: {} };
}

export class ServiceStrategy extends GenericStrategy {
  override prepareForUpdate(svc: Obj, old: Obj): void {
    super.prepareForUpdate(svc, old);
    dropTypeDependentFields(svc, old);
  }
}
