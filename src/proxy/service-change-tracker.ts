// pkg/proxy/servicechangetracker.go: Service events accumulate here between
// syncs; a sync applies them to the ServicePortMap and learns which services
// changed, so that only their chains are rewritten.
import type { Service } from "kubernetes-types/core/v1.d.ts";
import {
  newServicePortInfo,
  type ServicePortInfo,
  serviceKey,
  servicePortKey,
  shouldSkipService,
} from "./service-port.ts";

type PortMap = Map<string, ServicePortInfo>;

function serviceToPortMap(svc: Service | undefined): PortMap {
  const out: PortMap = new Map();
  if (!svc || shouldSkipService(svc)) return out;
  for (const port of svc.spec?.ports ?? []) {
    const info = newServicePortInfo(svc, port);
    out.set(servicePortKey(info.name), info);
  }
  return out;
}

function samePorts(a: PortMap, b: PortMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || JSON.stringify(v) !== JSON.stringify(w)) return false;
  }
  return true;
}

export class ServiceChangeTracker {
  /** Per service: its ports before the first pending change, and now. */
  private readonly items = new Map<string, { previous: PortMap; current: PortMap }>();

  /** Records a change (previous undefined: add; current undefined: delete); true if a sync is needed. */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (!svc) return false;
    const key = serviceKey(svc.metadata?.namespace ?? "", svc.metadata?.name ?? "");
    let change = this.items.get(key);
    if (!change) {
      change = { previous: serviceToPortMap(previous), current: new Map() };
      this.items.set(key, change);
    }
    change.current = serviceToPortMap(current);
    // A change that undid itself is no change.
    if (samePorts(change.previous, change.current)) this.items.delete(key);
    return this.items.size > 0;
  }

  /** The pending changes, handed over once. */
  checkout(): Map<string, { previous: PortMap; current: PortMap }> {
    const out = new Map(this.items);
    this.items.clear();
    return out;
  }
}

/** upstream's UpdateServiceMapResult. */
export interface UpdateServiceMapResult {
  /** Services ("ns/name") whose ports changed. */
  updatedServices: Set<string>;
  /** ClusterIPs of UDP service ports that are gone: their conntrack entries are stale. */
  deletedUDPClusterIPs: Set<string>;
}

/** All service ports, keyed by servicePortKey. */
export class ServicePortMap extends Map<string, ServicePortInfo> {
  /** Applies the tracker's changes; returns the services ("ns/name") whose ports changed. */
  apply(tracker: ServiceChangeTracker): Set<string> {
    return this.update(tracker).updatedServices;
  }

  /** ServicePortMap.Update: applies the tracker's changes and says what they removed. */
  update(tracker: ServiceChangeTracker): UpdateServiceMapResult {
    const result: UpdateServiceMapResult = { updatedServices: new Set(), deletedUDPClusterIPs: new Set() };
    for (const [svc, change] of tracker.checkout()) {
      result.updatedServices.add(svc);
      // unmerge: a port that is still there is not deleted, even if it changed.
      for (const k of change.previous.keys()) {
        if (change.current.has(k)) continue;
        const info = this.get(k);
        if (!info) continue;
        if (info.protocol === "UDP") result.deletedUDPClusterIPs.add(info.clusterIP);
        this.delete(k);
      }
      for (const [k, v] of change.current) this.set(k, v);
    }
    return result;
  }
}
