// k8s.io/endpointslice/trafficdist (v1.32): hints for spec.trafficDistribution.
// PreferClose gives every ready endpoint a hint for its own zone; without it
// hints are removed. (The annotation-driven topology-aware hints, which need
// the per-zone CPU topology cache, are not implemented: see the README note
// in index.ts.)
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";

export const TRAFFIC_DISTRIBUTION_PREFER_CLOSE = "PreferClose";

interface Heuristic {
  needsUpdate(slice: EndpointSlice): boolean;
  update(slice: EndpointSlice): void;
}

/** defaultHeuristic: cluster-wide routing, so no hints at all. */
const defaultHeuristic: Heuristic = {
  needsUpdate: (slice) => (slice.endpoints ?? []).some((ep) => ep.hints !== undefined && ep.hints !== null),
  update: (slice) => {
    for (const ep of slice.endpoints ?? []) delete ep.hints;
  },
};

const endpointReady = (ready: boolean | undefined) => ready === true;

/** preferCloseHeuristic: a same-zone hint on each ready endpoint that has a zone. */
const preferCloseHeuristic: Heuristic = {
  needsUpdate: (slice) =>
    (slice.endpoints ?? []).some((ep) => {
      if (!endpointReady(ep.conditions?.ready)) return false;
      if (ep.zone !== undefined) {
        const zones = ep.hints?.forZones ?? [];
        return zones.length !== 1 || zones[0].name !== ep.zone;
      }
      return (ep.hints?.forZones?.length ?? 0) > 0;
    }),
  update: (slice) => {
    for (const ep of slice.endpoints ?? []) {
      if (!endpointReady(ep.conditions?.ready)) continue;
      if (ep.zone !== undefined) ep.hints = { forZones: [{ name: ep.zone }] };
      else delete ep.hints;
    }
  },
};

/**
 * ReconcileHints: hints on every slice to create or update; unchanged slices
 * whose hints are wrong become updates (copied: they are the cache's).
 */
export function reconcileHints(
  trafficDistribution: string | undefined,
  toCreate: EndpointSlice[],
  toUpdate: EndpointSlice[],
  unchanged: EndpointSlice[],
): { toCreate: EndpointSlice[]; toUpdate: EndpointSlice[]; unchanged: EndpointSlice[] } {
  const h =
    trafficDistribution === TRAFFIC_DISTRIBUTION_PREFER_CLOSE ? preferCloseHeuristic : defaultHeuristic;
  const stillUnchanged: EndpointSlice[] = [];
  const updates = [...toUpdate];
  for (const slice of unchanged) {
    if (h.needsUpdate(slice)) updates.push(structuredClone(slice));
    else stillUnchanged.push(slice);
  }
  for (const slice of toCreate) h.update(slice);
  for (const slice of updates) h.update(slice);
  return { toCreate, toUpdate: updates, unchanged: stillUnchanged };
}
