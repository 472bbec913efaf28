// pkg/proxy/topology.go CategorizeEndpoints (v1.32): which endpoints serve
// "Cluster" and "Local" traffic policy. Ready endpoints first; serving-but-
// terminating ones only when no ready one exists (so connections drain
// gracefully). Cluster traffic keeps to the endpoints hinted for this node's
// zone when the EndpointSlice controller hinted every ready endpoint and some
// for this zone (topology-aware routing / trafficDistribution: PreferClose).
import {
  type EndpointInfo,
  endpointString,
  type ServicePortInfo,
  usesClusterEndpoints,
  usesLocalEndpoints,
} from "./service-port.ts";

/** v1.LabelTopologyZone. */
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";

export interface CategorizedEndpoints {
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  /** Every endpoint some rule of this node may DNAT to. */
  allReachableEndpoints: EndpointInfo[];
  /** Whether the service has usable endpoints on any node. */
  hasAnyEndpoints: boolean;
}

export type TopologyLog = (msg: string, fields?: Record<string, unknown>) => void;

/**
 * canUseTopology with v1.32's default feature gates (TopologyAwareHints and
 * ServiceTrafficDistribution on): the Service's hints annotation is not looked at, the
 * hints alone decide (the EndpointSlice controller writes them only when asked to).
 */
export function canUseTopology(
  endpoints: EndpointInfo[],
  nodeLabels: Record<string, string> | undefined,
  log?: TopologyLog,
): boolean {
  const zone = nodeLabels?.[LABEL_TOPOLOGY_ZONE];
  let hasEndpointForZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (ep.zoneHints.length === 0) {
      // upstream logs this at V(7): it is the normal case of a service without hints.
      return false;
    }
    // Only once some endpoint has hints is a missing zone label worth a word.
    if (!zone) {
      log?.("Skipping topology aware endpoint filtering since node is missing label", {
        label: LABEL_TOPOLOGY_ZONE,
      });
      return false;
    }
    if (ep.zoneHints.includes(zone)) hasEndpointForZone = true;
  }
  // No ready endpoint at all ends here too (upstream: the same V(7) message).
  return hasEndpointForZone;
}

/** availableForTopology: assumes canUseTopology said yes. */
export function availableForTopology(
  ep: EndpointInfo,
  nodeLabels: Record<string, string> | undefined,
): boolean {
  const zone = nodeLabels?.[LABEL_TOPOLOGY_ZONE];
  return zone !== undefined && ep.zoneHints.includes(zone);
}

export function categorizeEndpoints(
  endpoints: EndpointInfo[],
  svc: ServicePortInfo,
  nodeLabels?: Record<string, string>,
  log?: TopologyLog,
): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] = [];
  let localEndpoints: EndpointInfo[] = [];
  let hasAnyEndpoints = false;
  let useTopology = false;

  if (usesClusterEndpoints(svc)) {
    useTopology = canUseTopology(endpoints, nodeLabels, log);
    clusterEndpoints = endpoints.filter(
      (ep) => ep.ready && (!useTopology || availableForTopology(ep, nodeLabels)),
    );
    // Topology was already dropped if no ready endpoint is in this zone, so an empty list
    // here means no ready endpoint anywhere.
    if (clusterEndpoints.length === 0)
      clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  // Local traffic policy ignores hints: the node's own endpoints are as close as it gets.
  let useServingTerminating = false;
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }

  if (!usesClusterEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  if (!useTopology && !useServingTerminating) {
    // clusterEndpoints holds every ready endpoint, localEndpoints only ready ones: a superset.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }
  // Cluster may hold remote endpoints Local lacks, Local terminating or other-zone ones Cluster lacks.
  const merged = new Map<string, EndpointInfo>();
  for (const ep of [...clusterEndpoints, ...localEndpoints]) merged.set(endpointString(ep), ep);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: [...merged.values()], hasAnyEndpoints };
}
