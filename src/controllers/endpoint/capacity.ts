// The Endpoints controller's capacity rule (endpoints_controller.go): an
// Endpoints object holds at most 1000 addresses; beyond that it is truncated
// — ready addresses first, each subset keeping its share — and annotated
// endpoints.kubernetes.io/over-capacity: truncated.
import type { EndpointAddress, EndpointSubset, Endpoints } from "kubernetes-types/core/v1.d.ts";

/** maxCapacity. */
export const MAX_CAPACITY = 1000;
/** v1.EndpointsOverCapacity. */
export const ENDPOINTS_OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
/** The annotation's value when addresses were dropped. */
export const TRUNCATED = "truncated";

function countAddresses(subsets: EndpointSubset[] | undefined): number {
  let n = 0;
  for (const ss of subsets ?? []) n += (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0);
  return n;
}

/** capacityAnnotationSetCorrectly: within capacity and not annotated as over it. */
export function capacityAnnotationSetCorrectly(
  annotations: Record<string, string> | undefined,
  subsets: EndpointSubset[] | undefined,
): boolean {
  // Over capacity means a truncation is due, so the annotation cannot be right yet.
  if (countAddresses(subsets) > MAX_CAPACITY) return false;
  return !Object.hasOwn(annotations ?? {}, ENDPOINTS_OVER_CAPACITY);
}

function addressSubset(addresses: EndpointAddress[] | undefined, max: number): EndpointAddress[] | undefined {
  if (!addresses || addresses.length <= max) return addresses;
  return addresses.slice(0, max);
}

/**
 * truncateEndpoints: true when it had to cut. Ready addresses beyond
 * capacity are cut per subset in proportion (rounded up, so the last subset
 * may get fewer) and every not-ready one goes; otherwise only not-ready
 * addresses are cut, in proportion, to fill what the ready ones leave.
 */
export function truncateEndpoints(endpoints: Endpoints): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const ss of endpoints.subsets ?? []) {
    totalReady += ss.addresses?.length ?? 0;
    totalNotReady += ss.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;

  let truncateReady = false;
  let max = MAX_CAPACITY - totalReady;
  let numTotal = totalNotReady;
  if (totalReady > MAX_CAPACITY) {
    truncateReady = true;
    max = MAX_CAPACITY;
    numTotal = totalReady;
  }
  let canBeAdded = max;
  const subsets = endpoints.subsets ?? [];
  for (let i = 0; i < subsets.length; i++) {
    const ss = { ...subsets[i] };
    const numInSubset = truncateReady ? (ss.addresses?.length ?? 0) : (ss.notReadyAddresses?.length ?? 0);
    let toBeAdded = Math.ceil((numInSubset / numTotal) * max);
    if (toBeAdded > canBeAdded) toBeAdded = canBeAdded;
    if (truncateReady) {
      ss.addresses = addressSubset(ss.addresses, toBeAdded);
      // Go sets an empty (non-nil) slice, which JSON leaves out all the same.
      delete ss.notReadyAddresses;
      canBeAdded -= ss.addresses?.length ?? 0;
    } else {
      ss.notReadyAddresses = addressSubset(ss.notReadyAddresses, toBeAdded);
      canBeAdded -= ss.notReadyAddresses?.length ?? 0;
    }
    subsets[i] = ss;
  }
  return true;
}
