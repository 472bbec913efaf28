// pkg/proxy/endpointslicecache.go + endpointschangetracker.go: EndpointSlices
// are grouped by their service (label kubernetes.io/service-name); changes stay
// pending until a sync checks them out, which then rebuilds the endpoints of
// only the services whose slices changed.
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { type EndpointInfo, endpointString, serviceKey, servicePortKey } from "./service-port.ts";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** The part of a slice kube-proxy uses, compared to decide whether anything changed. */
interface SliceInfo {
  ports: Array<{ name: string; port: number; protocol: string }>;
  endpoints: Array<{
    address: string;
    nodeName?: string;
    zoneHints: string[];
    ready: boolean;
    serving: boolean;
    terminating: boolean;
  }>;
}

function sliceInfo(slice: EndpointSlice): SliceInfo {
  const ports: SliceInfo["ports"] = [];
  for (const p of slice.ports ?? []) {
    // upstream ignores ports without a name field or a number.
    if (p.name === undefined || p.name === null || !p.port) continue;
    ports.push({ name: p.name, port: p.port, protocol: p.protocol ?? "TCP" });
  }
  const endpoints: SliceInfo["endpoints"] = [];
  for (const ep of slice.endpoints ?? []) {
    if (!ep.addresses?.length) continue;
    const c = ep.conditions ?? {};
    endpoints.push({
      address: ep.addresses[0],
      nodeName: ep.nodeName,
      zoneHints: (ep.hints?.forZones ?? []).map((z) => z.name),
      ready: c.ready ?? true,
      serving: c.serving ?? true,
      terminating: c.terminating ?? false,
    });
  }
  return { ports, endpoints };
}

/** upstream's ServiceEndpoint: an endpoint ("ip:port") of one service port (a servicePortKey). */
export interface ServiceEndpoint {
  endpoint: string;
  servicePortName: string;
}

/** upstream's UpdateEndpointsMapResult. */
export interface UpdateEndpointsMapResult {
  /** Services ("ns/name") whose endpoints changed. */
  updatedServices: Set<string>;
  /** UDP endpoints that received traffic and no longer do: their conntrack entries are stale. */
  deletedUDPEndpoints: ServiceEndpoint[];
  /** UDP service ports (servicePortKeys) that went from no serving endpoint to some. */
  newlyActiveUDPServices: string[];
}

/** The protocol part of a servicePortKey ("ns/name:port/UDP"). */
const keyProtocol = (key: string): string => key.slice(key.lastIndexOf("/") + 1);

/** BaseEndpointInfo.Equal of v1.29: same address, locality and readiness. */
const sameEndpoint = (a: EndpointInfo, b: EndpointInfo): boolean =>
  endpointString(a) === endpointString(b) && a.isLocal === b.isLocal && a.ready === b.ready;

/** detectStaleConntrackEntries, for one service's port lists before and after a change. */
function detectStaleConntrackEntries(
  oldMap: Map<string, EndpointInfo[]>,
  newMap: Map<string, EndpointInfo[]>,
  result: UpdateEndpointsMapResult,
): void {
  for (const [svcPortName, epList] of oldMap) {
    if (keyProtocol(svcPortName) !== "UDP") continue;
    for (const ep of epList) {
      // An endpoint that was not serving got no traffic: no entry can point to it.
      if (!ep.serving) continue;
      // A change, e.g. from ready to not ready, also makes the old entries stale.
      if (!(newMap.get(svcPortName) ?? []).some((n) => sameEndpoint(n, ep)))
        result.deletedUDPEndpoints.push({ endpoint: endpointString(ep), servicePortName: svcPortName });
    }
  }
  // Traffic sent while there were no endpoints may have left a conntrack entry that
  // blackholes it (the REJECT rule); it has to go once there are endpoints.
  for (const [svcPortName, epList] of newMap) {
    if (keyProtocol(svcPortName) !== "UDP") continue;
    const serving = epList.filter((e) => e.serving).length;
    const oldServing = (oldMap.get(svcPortName) ?? []).filter((e) => e.serving).length;
    if (serving > 0 && oldServing === 0) result.newlyActiveUDPServices.push(svcPortName);
  }
}

/** Endpoints of every service port, sorted by "ip:port" as upstream does. */
export class EndpointsMap extends Map<string, EndpointInfo[]> {
  /** Applies the tracker's changes; returns the services ("ns/name") whose endpoints changed. */
  apply(tracker: EndpointsChangeTracker): Set<string> {
    return this.update(tracker).updatedServices;
  }

  /** EndpointsMap.Update: applies the tracker's changes and says which UDP flows they made stale. */
  update(tracker: EndpointsChangeTracker): UpdateEndpointsMapResult {
    const result: UpdateEndpointsMapResult = {
      updatedServices: tracker.checkout(),
      deletedUDPEndpoints: [],
      newlyActiveUDPServices: [],
    };
    for (const svc of result.updatedServices) {
      const previous = new Map<string, EndpointInfo[]>();
      for (const k of tracker.appliedKeys.get(svc) ?? []) {
        const eps = this.get(k);
        if (eps) previous.set(k, eps);
        this.delete(k);
      }
      const fresh = tracker.endpointsOf(svc);
      tracker.appliedKeys.set(svc, [...fresh.keys()]);
      if (fresh.size === 0) tracker.appliedKeys.delete(svc);
      for (const [k, v] of fresh) this.set(k, v);
      detectStaleConntrackEntries(previous, fresh, result);
    }
    return result;
  }
}

export class EndpointsChangeTracker {
  /** Per service, per slice name: what the last sync used, and what is waiting. */
  private readonly applied = new Map<string, Map<string, SliceInfo>>();
  private readonly pending = new Map<string, Map<string, SliceInfo | null>>();
  /** The EndpointsMap keys each service filled last time. */
  readonly appliedKeys = new Map<string, string[]>();

  constructor(private readonly hostname: string) {}

  /** Records a slice change (removed: deleted); true if a sync is needed. */
  endpointSliceUpdate(slice: EndpointSlice, removed: boolean): boolean {
    // k8ts is IPv4 only; FQDN slices are not for kube-proxy.
    if (slice.addressType !== "IPv4") return false;
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svcName) return false;
    const svc = serviceKey(slice.metadata?.namespace ?? "", svcName);
    const name = slice.metadata?.name ?? "";
    const info = removed ? null : sliceInfo(slice);
    const appliedInfo = this.applied.get(svc)?.get(name) ?? null;
    let pend = this.pending.get(svc);
    if (JSON.stringify(info) === JSON.stringify(appliedInfo)) {
      // Back to what the last sync saw: nothing is pending for this slice.
      pend?.delete(name);
      if (pend?.size === 0) this.pending.delete(svc);
    } else {
      if (!pend) {
        pend = new Map();
        this.pending.set(svc, pend);
      }
      pend.set(name, info);
    }
    return this.pending.size > 0;
  }

  /** Moves pending slices to applied; returns the services they belong to. */
  checkout(): Set<string> {
    const changed = new Set<string>();
    for (const [svc, slices] of this.pending) {
      changed.add(svc);
      let app = this.applied.get(svc);
      if (!app) {
        app = new Map();
        this.applied.set(svc, app);
      }
      for (const [name, info] of slices) {
        if (info) app.set(name, info);
        else app.delete(name);
      }
      if (app.size === 0) this.applied.delete(svc);
    }
    this.pending.clear();
    return changed;
  }

  /** The merged endpoints of one service's applied slices, by service port key. */
  endpointsOf(svc: string): Map<string, EndpointInfo[]> {
    const [namespace, name] = svc.split("/");
    const byPort = new Map<string, Map<string, EndpointInfo>>();
    for (const info of this.applied.get(svc)?.values() ?? []) {
      for (const port of info.ports) {
        const key = servicePortKey({ namespace, name, port: port.name, protocol: port.protocol });
        let set = byPort.get(key);
        if (!set) {
          set = new Map();
          byPort.set(key, set);
        }
        for (const ep of info.endpoints) {
          const isLocal = ep.nodeName !== undefined && ep.nodeName === this.hostname;
          const e: EndpointInfo = {
            ip: ep.address,
            port: port.port,
            isLocal,
            ready: ep.ready,
            serving: ep.serving,
            terminating: ep.terminating,
            zoneHints: ep.zoneHints,
          };
          // Slices may overlap; a local copy wins, as upstream.
          const s = endpointString(e);
          if (!set.has(s) || isLocal) set.set(s, e);
        }
      }
    }
    const out = new Map<string, EndpointInfo[]>();
    for (const [key, set] of byPort) {
      if (set.size === 0) continue;
      out.set(
        key,
        [...set.values()].sort((a, b) =>
          endpointString(a) < endpointString(b) ? -1 : endpointString(a) > endpointString(b) ? 1 : 0,
        ),
      );
    }
    return out;
  }
}
