// Zones and their disruption states (node_lifecycle_controller.go's
// ComputeZoneState, HealthyQPSFunc, ReducedQPSFunc and
// component-helpers' topology.GetZoneKey): when most nodes of a zone go
// down at once it is more likely the network than the nodes, so NoExecute
// tainting slows down (large zones) or stops (small ones, or every zone down).
import type { Node, NodeCondition } from "kubernetes-types/core/v1.d.ts";

export type ZoneState = "Initial" | "Normal" | "FullDisruption" | "PartialDisruption";

/** labelNodeDisruptionExclusion: nodes that do not count towards their zone's health. */
export const LABEL_NODE_DISRUPTION_EXCLUSION = "node.kubernetes.io/exclude-disruption";

/** The disruption settings (kube-controller-manager's defaults). */
export interface EvictionSettings {
  /** --node-eviction-rate (0.1 nodes/s). */
  evictionLimiterQPS: number;
  /** --secondary-node-eviction-rate (0.01 nodes/s). */
  secondaryEvictionLimiterQPS: number;
  /** --large-cluster-size-threshold (50). */
  largeClusterThreshold: number;
  /** --unhealthy-zone-threshold (0.55). */
  unhealthyZoneThreshold: number;
}

export const DEFAULT_EVICTION_SETTINGS: EvictionSettings = {
  evictionLimiterQPS: 0.1,
  secondaryEvictionLimiterQPS: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** GetZoneKey: "region:\0:zone" from the topology labels (beta ones as fallback); "" without either. */
export function getZoneKey(node: Node): string {
  const labels = node.metadata?.labels;
  if (!labels) return "";
  const zone =
    labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  const region =
    labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  if (region === "" && zone === "") return "";
  return `${region}:\x00:${zone}`;
}

export function isNodeExcludedFromDisruptionChecks(node: Node): boolean {
  return Object.hasOwn(node.metadata?.labels ?? {}, LABEL_NODE_DISRUPTION_EXCLUSION);
}

/**
 * ComputeZoneState: FullDisruption with no Ready node, PartialDisruption when
 * more than 2 nodes and at least unhealthyZoneThreshold of them are not
 * Ready, Normal otherwise; with the number of nodes not Ready.
 */
export function computeZoneState(
  readyConditions: readonly (NodeCondition | undefined)[],
  unhealthyZoneThreshold: number,
): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === "True") ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: "FullDisruption" };
  // float32 division, as upstream.
  if (notReady > 2 && Math.fround(notReady / (notReady + ready)) >= Math.fround(unhealthyZoneThreshold)) {
    return { notReady, state: "PartialDisruption" };
  }
  return { notReady, state: "Normal" };
}

/** HealthyQPSFunc: the normal rate, whatever the zone's size. */
export function healthyQPS(s: EvictionSettings, _zoneSize: number): number {
  return s.evictionLimiterQPS;
}

/** ReducedQPSFunc: the secondary rate in a large zone, none in a small one. */
export function reducedQPS(s: EvictionSettings, zoneSize: number): number {
  return zoneSize > s.largeClusterThreshold ? s.secondaryEvictionLimiterQPS : 0;
}
