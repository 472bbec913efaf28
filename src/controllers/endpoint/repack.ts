// pkg/api/v1/endpoints (util.go): RepackSubsets and SortSubsets, the
// canonical form of Endpoints subsets — one subset per distinct set of
// addresses, carrying every port those addresses serve, sorted so that equal
// endpoints always compare equal. A subset without ports (a headless Service
// without ports) keeps its addresses under a port-less subset.
import type { EndpointAddress, EndpointPort, EndpointSubset } from "kubernetes-types/core/v1.d.ts";
import { CORE_ENDPOINT_PORT, CORE_ENDPOINT_SUBSET, md5ForHash } from "../endpointslice/dump-for-hash.ts";

/** Compares two strings byte by byte, as Go's bytes.Compare on their UTF-8. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** LessEndpointAddress: by IP, then addresses without a target first, then by target uid. */
export function lessEndpointAddress(a: EndpointAddress, b: EndpointAddress): boolean {
  const c = compareBytes(a.ip, b.ip);
  if (c !== 0) return c < 0;
  if (!b.targetRef) return false;
  if (!a.targetRef) return true;
  return (a.targetRef.uid ?? "") < (b.targetRef.uid ?? "");
}

const byLess =
  <T>(less: (a: T, b: T) => boolean) =>
  (a: T, b: T) =>
    less(a, b) ? -1 : less(b, a) ? 1 : 0;

/** An EndpointPort as Go's map key (every field compared). */
function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? "", p.port, p.protocol ?? "", p.appProtocol ?? null]);
}

/** The dedup key of an address: IP plus target uid. */
function addressKey(a: EndpointAddress): string {
  return JSON.stringify([a.ip, a.targetRef?.uid ?? ""]);
}

/** The port a subset without ports is filed under. */
const NO_PORT: EndpointPort = { port: -1 };

/**
 * SortSubsets: addresses by IP and uid, ports and subsets by the MD5 of
 * their go-spew rendering (upstream's order, whatever it looks like).
 */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const ss of subsets) {
    ss.addresses?.sort(byLess(lessEndpointAddress));
    ss.notReadyAddresses?.sort(byLess(lessEndpointAddress));
    if (ss.ports) {
      const keyed = ss.ports.map((p) => ({ p, h: md5ForHash(p, CORE_ENDPOINT_PORT) }));
      keyed.sort((a, b) => Buffer.compare(a.h, b.h));
      ss.ports = keyed.map((k) => k.p);
    }
  }
  const keyed = subsets.map((s) => ({ s, h: md5ForHash(s, CORE_ENDPOINT_SUBSET) }));
  keyed.sort((a, b) => Buffer.compare(a.h, b.h));
  for (let i = 0; i < subsets.length; i++) subsets[i] = keyed[i].s;
  return subsets;
}

/**
 * RepackSubsets: expands subsets to (address, port, ready) and packs them
 * again. The same address (IP+uid) seen twice keeps its first form; not
 * ready wins over ready for the same port.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key → the port and its addresses (by address key) with their readiness
  const portToAddrReady = new Map<string, { port: EndpointPort; addrs: Map<string, boolean> }>();
  const mapAddressByPort = (addr: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const key = addressKey(addr);
    if (!allAddrs.has(key)) allAddrs.set(key, structuredClone(addr));
    const pk = portKey(port);
    let entry = portToAddrReady.get(pk);
    if (!entry) {
      entry = { port, addrs: new Map() };
      portToAddrReady.set(pk, entry);
    }
    const wasReady = entry.addrs.get(key);
    if (wasReady === undefined || wasReady) entry.addrs.set(key, ready);
  };
  const mapAddressesByPort = (ss: EndpointSubset, port: EndpointPort) => {
    for (const a of ss.addresses ?? []) mapAddressByPort(a, port, true);
    for (const a of ss.notReadyAddresses ?? []) mapAddressByPort(a, port, false);
  };
  for (const ss of subsets) {
    if (!ss.ports?.length) mapAddressesByPort(ss, NO_PORT);
    else for (const port of ss.ports) mapAddressesByPort(ss, port);
  }

  // Group ports by the exact set of (address, ready) they are served on.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] | undefined }>();
  for (const { port, addrs } of portToAddrReady.values()) {
    const key = JSON.stringify([...addrs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(key);
    if (!g) {
      g = { addrs, ports: undefined };
      groups.set(key, g);
    }
    if (port.port > 0) g.ports = [...(g.ports ?? []), port];
  }

  const final: EndpointSubset[] = [];
  for (const { addrs, ports } of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [key, isReady] of addrs)
      (isReady ? ready : notReady).push(structuredClone(allAddrs.get(key)!));
    const subset: EndpointSubset = {};
    // Go leaves the slices nil when empty: they are not in the JSON.
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (ports) subset.ports = ports;
    final.push(subset);
  }
  return sortSubsets(final);
}
