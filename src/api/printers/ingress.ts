// Ingress printer: port of printIngress (formatHosts, ingressLoadBalancerStatusStringer, formatPorts).
import type { Ingress, IngressRule } from "kubernetes-types/networking/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { loadBalancerStatusStringer } from "./service.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** formatHosts: up to three hosts, "+ N more..." counting every rule, "*" when none has a host. */
function formatHosts(rules: IngressRule[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  const ret = list.join(",");
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

function printIngress(obj: Ingress, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.ingressClassName ?? "<none>",
      formatHosts(obj.spec?.rules ?? []),
      loadBalancerStatusStringer(obj.status?.loadBalancer, true),
      (obj.spec?.tls ?? []).length !== 0 ? "80, 443" : "80",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const ingressPrinter: TablePrinter<Ingress> = {
  columns: [
    nameColumn(),
    column(
      "Class",
      "string",
      "The name of the IngressClass resource that should be used for additional configuration",
    ),
    column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "string", "Ports of TLS configurations that open"),
    ageColumn(),
  ],
  print: printIngress,
};
