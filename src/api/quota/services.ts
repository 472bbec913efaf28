// The service evaluator (pkg/quota/v1/evaluator/core/services.go): every
// service counts, NodePort and LoadBalancer services also count their node
// ports, and LoadBalancer services count as load balancers.
import { Format, Quantity } from "../../machinery/quantity.ts";
import type { Obj } from "../registry.ts";
import type { GroupResource, QuotaAttributes, QuotaEvaluator } from "./evaluator.ts";
import { intersection, type ResourceList, zero } from "./resources.ts";

const SERVICE_RESOURCES = ["count/services", "services", "services.nodeports", "services.loadbalancers"];

function count(n: number): Quantity {
  return Quantity.fromInt(n, Format.DecimalSI);
}

/** GetQuotaServiceType: the type when it is one quota counts, else "". */
export function quotaServiceType(svc: Obj): string {
  const type = svc.spec?.type;
  return type === "NodePort" || type === "LoadBalancer" ? type : "";
}

export function serviceUsage(svc: Obj): ResourceList {
  const ports: Obj[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  const out: ResourceList = new Map([
    ["count/services", count(1)],
    ["services", count(1)],
    ["services.loadbalancers", zero()],
    ["services.nodeports", zero()],
  ]);
  switch (svc.spec?.type) {
    case "NodePort":
      out.set("services.nodeports", count(ports.length));
      break;
    case "LoadBalancer":
      // Node ports are not allocated yet: count the intent. Without allocation only explicit ones count.
      out.set(
        "services.nodeports",
        count(
          svc.spec?.allocateLoadBalancerNodePorts === false
            ? ports.filter((p) => p.nodePort && p.nodePort !== 0).length
            : ports.length,
        ),
      );
      out.set("services.loadbalancers", count(1));
      break;
  }
  return out;
}

export class ServiceEvaluator implements QuotaEvaluator {
  readonly groupResource: GroupResource = { group: "", resource: "services" };

  /** Create and update: a service's type can change. */
  handles(a: QuotaAttributes): boolean {
    return a.operation === "CREATE" || a.operation === "UPDATE";
  }

  matchingResources(names: string[]): string[] {
    return intersection(names, SERVICE_RESOURCES);
  }

  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(svc: Obj): ResourceList {
    return serviceUsage(svc);
  }
}
