// pkg/proxy/conntrack/cleanup.go (v1.29, before it moved to netlink filters):
// after the rules are in place, UDP flows that conntrack would keep sending
// the old way are deleted. UDP has no connection end, so without this a
// client that keeps sending keeps its stale entry for ever.
import { isIPv6 } from "node:net";
import type { UpdateEndpointsMapResult } from "../endpoints-cache.ts";
import type { ServicePortMap, UpdateServiceMapResult } from "../service-change-tracker.ts";
import type { Conntrack } from "./conntrack.ts";

export type Logger = (msg: string, fields?: Record<string, unknown>) => void;

/** upstream's proxyutil.IPPart: the IP of "ip:port". */
function ipPart(endpoint: string): string {
  const i = endpoint.lastIndexOf(":");
  return i < 0 ? endpoint : endpoint.slice(0, i);
}

/** CleanStaleEntries: flushes stale conntrack entries for services and endpoints. Errors are logged, not thrown. */
export async function cleanStaleEntries(
  ct: Conntrack,
  svcPortMap: ServicePortMap,
  serviceUpdateResult: UpdateServiceMapResult,
  endpointsUpdateResult: UpdateEndpointsMapResult,
  log: Logger = () => {},
): Promise<void> {
  await deleteStaleServiceConntrackEntries(ct, svcPortMap, serviceUpdateResult, endpointsUpdateResult, log);
  await deleteStaleEndpointConntrackEntries(ct, svcPortMap, endpointsUpdateResult, log);
}

/**
 * While a UDP service has no endpoints its traffic is rejected, and conntrack may keep a
 * "black hole" entry for that IP and port; once it has endpoints those entries must go.
 */
async function deleteStaleServiceConntrackEntries(
  ct: Conntrack,
  svcPortMap: ServicePortMap,
  serviceUpdateResult: UpdateServiceMapResult,
  endpointsUpdateResult: UpdateEndpointsMapResult,
  log: Logger,
): Promise<void> {
  const serviceIPs = new Set(serviceUpdateResult.deletedUDPClusterIPs);
  const nodePorts = new Set<number>();
  let ipv6 = false;
  // A UDP service that went from 0 to some endpoints is newly active.
  for (const svcPortName of endpointsUpdateResult.newlyActiveUDPServices) {
    const svcInfo = svcPortMap.get(svcPortName);
    if (!svcInfo) continue;
    serviceIPs.add(svcInfo.clusterIP);
    for (const ip of svcInfo.externalIPs) serviceIPs.add(ip);
    for (const ip of svcInfo.loadBalancerVIPs) serviceIPs.add(ip);
    if (svcInfo.protocol === "UDP" && svcInfo.nodePort !== 0) {
      nodePorts.add(svcInfo.nodePort);
      ipv6 = isIPv6(svcInfo.clusterIP);
    }
  }
  for (const ip of serviceIPs) {
    try {
      await ct.clearEntriesForIP(ip, "UDP");
    } catch (e) {
      log("Failed to delete stale service connections", { IP: ip, err: (e as Error).message });
    }
  }
  for (const nodePort of nodePorts) {
    try {
      await ct.clearEntriesForPort(nodePort, ipv6, "UDP");
    } catch (e) {
      log("Failed to clear udp conntrack", { nodePort, err: (e as Error).message });
    }
  }
}

/**
 * After a UDP endpoint is removed its entries must go, so that a client that keeps
 * sending is sent to another endpoint instead of the gone one.
 */
async function deleteStaleEndpointConntrackEntries(
  ct: Conntrack,
  svcPortMap: ServicePortMap,
  endpointsUpdateResult: UpdateEndpointsMapResult,
  log: Logger,
): Promise<void> {
  for (const { endpoint, servicePortName } of endpointsUpdateResult.deletedUDPEndpoints) {
    const svcInfo = svcPortMap.get(servicePortName);
    if (!svcInfo) continue;
    const endpointIP = ipPart(endpoint);
    const attempt = async (fn: () => Promise<void>, msg: string, fields: Record<string, unknown>) => {
      try {
        await fn();
      } catch (e) {
        log(msg, { servicePortName, ...fields, err: (e as Error).message });
      }
    };
    if (svcInfo.nodePort !== 0)
      await attempt(
        () => ct.clearEntriesForPortNAT(endpointIP, svcInfo.nodePort, "UDP"),
        "Failed to delete nodeport-related endpoint connections",
        {},
      );
    await attempt(
      () => ct.clearEntriesForNAT(svcInfo.clusterIP, endpointIP, "UDP"),
      "Failed to delete endpoint connections",
      {},
    );
    for (const extIP of svcInfo.externalIPs)
      await attempt(
        () => ct.clearEntriesForNAT(extIP, endpointIP, "UDP"),
        "Failed to delete endpoint connections for externalIP",
        { externalIP: extIP },
      );
    for (const lbIP of svcInfo.loadBalancerVIPs)
      await attempt(
        () => ct.clearEntriesForNAT(lbIP, endpointIP, "UDP"),
        "Failed to delete endpoint connections for LoadBalancerIP",
        { loadBalancerIP: lbIP },
      );
  }
}
