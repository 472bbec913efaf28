// Service printer: port of printService, getServiceExternalIP and makePortString. The apiserver prints with
// Wide set, so load-balancer addresses are never clipped to 16 characters.
import type { LoadBalancerStatus, Service, ServicePort } from "kubernetes-types/core/v1.d.ts";
import type { IngressLoadBalancerStatus } from "kubernetes-types/networking/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatLabels } from "./labels.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

const LOAD_BALANCER_WIDTH = 16;

/** loadBalancerStatusStringer: sorted unique IPs (or hostnames), clipped unless wide. */
export function loadBalancerStatusStringer(
  status: LoadBalancerStatus | IngressLoadBalancerStatus | undefined,
  wide: boolean,
): string {
  const result = new Set<string>();
  for (const ingress of status?.ingress ?? []) {
    if (ingress.ip) result.add(ingress.ip);
    else if (ingress.hostname) result.add(ingress.hostname);
  }
  let r = [...result].sort().join(",");
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
  return r;
}

function getServiceExternalIP(svc: Service, wide: boolean): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lbIps = loadBalancerStatusStringer(svc.status?.loadBalancer, wide);
      if (externalIPs.length > 0) {
        const results = lbIps.length > 0 ? lbIps.split(",") : [];
        return [...results, ...externalIPs].join(",");
      }
      return lbIps.length > 0 ? lbIps : "<pending>";
    }
    case "ExternalName":
      return svc.spec?.externalName ?? "";
  }
  return "<unknown>";
}

function makePortString(ports: ServicePort[]): string {
  return ports
    .map((p) => {
      const protocol = p.protocol ?? "";
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(",");
}

function printService(svc: Service, ctx: PrintContext): PrintedRow {
  // The internal ClusterIPs[0], which v1 clusterIP mirrors.
  const internalIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || "<none>";
  const ports = makePortString(svc.spec?.ports ?? []) || "<none>";
  return {
    cells: [
      svc.metadata?.name ?? "",
      svc.spec?.type ?? "",
      internalIP,
      getServiceExternalIP(svc, true),
      ports,
      translateTimestampSince(svc.metadata?.creationTimestamp, ctx.now),
      formatLabels(svc.spec?.selector),
    ],
  };
}

const serviceSpec = swaggerDoc["apiv1.ServiceSpec"];

export const servicePrinter: TablePrinter<Service> = {
  columns: [
    nameColumn(),
    column("Type", "string", serviceSpec.type),
    column("Cluster-IP", "string", serviceSpec.clusterIP),
    column("External-IP", "string", serviceSpec.externalIPs),
    column("Port(s)", "string", serviceSpec.ports),
    ageColumn(),
    column("Selector", "string", serviceSpec.selector, { priority: 1 }),
  ],
  print: printService,
};
