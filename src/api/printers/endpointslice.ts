// EndpointSlice printer: port of printEndpointSlice (formatDiscoveryPorts, formatDiscoveryEndpoints).
import type { Endpoint, EndpointPort, EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { ageColumn, listWithMoreString, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

const MAX = 3;

function formatDiscoveryPorts(ports: EndpointPort[]): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of ports) {
    if (list.length < MAX) {
      let portNum = "*";
      if (port.port !== undefined && port.port !== null) portNum = String(port.port);
      else if (port.name !== undefined && port.name !== null) portNum = port.name;
      list.push(portNum);
    } else if (list.length === MAX) {
      more = true;
    }
    count++;
  }
  return listWithMoreString(list, more, count, MAX);
}

function formatDiscoveryEndpoints(endpoints: Endpoint[]): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const endpoint of endpoints) {
    for (const address of endpoint.addresses ?? []) {
      if (list.length < MAX) list.push(address);
      else if (list.length === MAX) more = true;
      count++;
    }
  }
  return listWithMoreString(list, more, count, MAX);
}

function printEndpointSlice(obj: EndpointSlice, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.addressType ?? "",
      formatDiscoveryPorts(obj.ports ?? []),
      formatDiscoveryEndpoints(obj.endpoints ?? []),
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

const slice = swaggerDoc["discoveryv1beta1.EndpointSlice"];

export const endpointSlicePrinter: TablePrinter<EndpointSlice> = {
  columns: [
    nameColumn(),
    column("AddressType", "string", slice.addressType),
    column("Ports", "string", slice.ports),
    column("Endpoints", "string", slice.endpoints),
    ageColumn(),
  ],
  print: printEndpointSlice,
};
