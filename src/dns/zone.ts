// The cluster zone of the Kubernetes DNS specification
// (github.com/kubernetes/dns docs/specification.md), answered as CoreDNS's
// kubernetes plugin answers it ("pods insecure", TTL 30). Every name a
// Service and its EndpointSlices own is computed when an informer reports a
// change, so a query is one map lookup.
import { isIP } from "node:net";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";

/** CoreDNS's kubernetes plugin default TTL. */
export const DEFAULT_TTL = 30;
/** The schema version CoreDNS answers at dns-version.<zone> (TXT). */
export const DNS_SCHEMA_VERSION = "1.1.0";

/** One SRV answer before weights: the port, the target name and the address the target resolves to. */
export interface SrvTarget {
  port: number;
  target: string;
  ip: string;
}

/** Everything one name in the zone answers. A name exists iff it has at least one record. */
export interface NameRecords {
  a: string[];
  aaaa: string[];
  srv: SrvTarget[];
  /** ExternalName services. */
  cname?: string;
}

export type Lookup =
  | { kind: "records"; records: NameRecords }
  /** The name exists but has no record of that type. */
  | { kind: "nodata" }
  | { kind: "nxdomain" }
  | { kind: "txt"; text: string; ttl: number }
  | { kind: "soa" }
  | { kind: "ns" }
  | { kind: "ptr"; targets: string[] }
  /** Not ours (a reverse name we do not know): the next resolver answers, as CoreDNS's fallthrough. */
  | { kind: "forward" };

export interface ServiceKey {
  namespace: string;
  name: string;
}

interface ServiceState {
  service?: Service;
  slices: Map<string, EndpointSlice>;
  /** The names and [address, PTR target] pairs this service contributed, to take them back on change. */
  names: string[];
  ptrs: Array<[string, string]>;
}

const lower = (s: string) => s.toLowerCase();

/** a.b.c.d → a-b-c-d, as CoreDNS names endpoints without a hostname. */
export function dashedIP(ip: string): string {
  return ip.includes(".") ? ip.replaceAll(".", "-") : ip.replaceAll(":", "-");
}

/** The in-addr.arpa / ip6.arpa name of an address, without a trailing dot. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  const groups = expandIPv6(ip);
  return `${groups.join("").split("").reverse().join(".")}.ip6.arpa`;
}

function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => g.padStart(4, "0").toLowerCase());
}

/** The address a reverse name stands for, or undefined. */
export function addressFromReverse(name: string): string | undefined {
  const n = lower(name).replace(/\.$/, "");
  if (n.endsWith(".in-addr.arpa")) {
    const parts = n.slice(0, -".in-addr.arpa".length).split(".");
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join(".");
    return isIP(ip) === 4 ? ip : undefined;
  }
  if (n.endsWith(".ip6.arpa")) {
    const nibbles = n.slice(0, -".ip6.arpa".length).split(".");
    if (nibbles.length !== 32 || nibbles.some((x) => !/^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join("");
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0+(?=.)/, ""));
    return compressIPv6(groups);
  }
  return undefined;
}

function compressIPv6(groups: string[]): string {
  // The longest run of zero groups becomes "::" (RFC 5952), so the result matches how Kubernetes prints IPs.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** The Endpoint's ready condition: nil means ready (discovery/v1). */
function ready(ep: { conditions?: { ready?: boolean } }): boolean {
  return ep.conditions?.ready !== false;
}

function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === "None";
}

function clusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs?.length
    ? svc.spec.clusterIPs
    : svc.spec?.clusterIP
      ? [svc.spec.clusterIP]
      : [];
  return ips.filter((ip) => isIP(ip) !== 0);
}

function emptyRecords(): NameRecords {
  return { a: [], aaaa: [], srv: [] };
}

function addIP(r: NameRecords, ip: string): void {
  const list = isIP(ip) === 6 ? r.aaaa : r.a;
  if (!list.includes(ip)) list.push(ip);
}

function addSrv(r: NameRecords, s: SrvTarget): void {
  if (!r.srv.some((x) => x.port === s.port && x.target === s.target && x.ip === s.ip)) r.srv.push(s);
}

export interface ClusterZoneOptions {
  /** The cluster domain, e.g. cluster.local (no trailing dot). */
  zone?: string;
  ttl?: number;
  /** Unix seconds, for the SOA serial. */
  now?: () => number;
}

/**
 * The zone's data. Services and EndpointSlices go in through set/delete (the
 * informer handlers); lookup() answers from the precomputed names.
 */
export class ClusterZone {
  readonly zone: string;
  readonly ttl: number;
  /** CoreDNS's SOA serial: the time of the last change, in unix seconds. */
  serial: number;
  /** Bumped on every change; response caches compare it. */
  generation = 0;
  private readonly now: () => number;
  private readonly services = new Map<string, ServiceState>();
  private readonly names = new Map<string, NameRecords>();
  private readonly ptr = new Map<string, string[]>();
  private readonly namespaces = new Map<string, number>();
  private readonly zoneSuffix: string;

  constructor(opts: ClusterZoneOptions = {}) {
    this.zone = lower(opts.zone ?? "cluster.local").replace(/\.$/, "");
    this.zoneSuffix = `.${this.zone}`;
    this.ttl = opts.ttl ?? DEFAULT_TTL;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.serial = this.now();
  }

  /** Whether a name (no trailing dot, any case) is in the cluster zone. */
  inZone(name: string): boolean {
    const n = lower(name);
    return n === this.zone || n.endsWith(this.zoneSuffix);
  }

  setService(svc: Service): void {
    const st = this.state(svc.metadata?.namespace ?? "", svc.metadata?.name ?? "");
    const isNew = !st.service;
    st.service = svc;
    if (isNew)
      this.namespaces.set(
        svc.metadata?.namespace ?? "",
        (this.namespaces.get(svc.metadata?.namespace ?? "") ?? 0) + 1,
      );
    this.rebuild(svc.metadata?.namespace ?? "", svc.metadata?.name ?? "");
  }

  deleteService(svc: Service): void {
    const ns = svc.metadata?.namespace ?? "";
    const key = `${ns}/${svc.metadata?.name ?? ""}`;
    const st = this.services.get(key);
    if (!st?.service) return;
    st.service = undefined;
    const left = (this.namespaces.get(ns) ?? 1) - 1;
    if (left > 0) this.namespaces.set(ns, left);
    else this.namespaces.delete(ns);
    this.rebuild(ns, svc.metadata?.name ?? "");
  }

  setEndpointSlice(slice: EndpointSlice): void {
    const owner = sliceOwner(slice);
    if (!owner) return;
    this.state(owner.namespace, owner.name).slices.set(slice.metadata?.name ?? "", slice);
    this.rebuild(owner.namespace, owner.name);
  }

  deleteEndpointSlice(slice: EndpointSlice): void {
    const owner = sliceOwner(slice);
    if (!owner) return;
    this.services.get(`${owner.namespace}/${owner.name}`)?.slices.delete(slice.metadata?.name ?? "");
    this.rebuild(owner.namespace, owner.name);
  }

  private state(namespace: string, name: string): ServiceState {
    const key = `${namespace}/${name}`;
    let st = this.services.get(key);
    if (!st) {
      st = { slices: new Map(), names: [], ptrs: [] };
      this.services.set(key, st);
    }
    return st;
  }

  /** Recomputes every name of one service: take the old ones back, add the new ones. */
  private rebuild(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const st = this.services.get(key);
    if (!st) return;
    for (const n of st.names) this.names.delete(n);
    for (const [ip, target] of st.ptrs) {
      const left = (this.ptr.get(ip) ?? []).filter((t) => t !== target);
      if (left.length) this.ptr.set(ip, left);
      else this.ptr.delete(ip);
    }
    st.names = [];
    st.ptrs = [];
    this.generation++;
    this.serial = this.now();
    if (!st.service) {
      if (st.slices.size === 0) this.services.delete(key);
      return;
    }
    const built = this.build(st.service, [...st.slices.values()]);
    for (const [n, r] of built.names) {
      this.names.set(n, r);
      st.names.push(n);
    }
    for (const [ip, targets] of built.ptrs) {
      this.ptr.set(ip, [...(this.ptr.get(ip) ?? []), ...targets]);
      for (const t of targets) st.ptrs.push([ip, t]);
    }
  }

  /** CoreDNS's findServices and serviceRecordForIP, turned inside out: every name the service answers. */
  private build(
    svc: Service,
    slices: EndpointSlice[],
  ): { names: Map<string, NameRecords>; ptrs: Map<string, string[]> } {
    const names = new Map<string, NameRecords>();
    const ptrs = new Map<string, string[]>();
    const at = (n: string) => {
      let r = names.get(n);
      if (!r) {
        r = emptyRecords();
        names.set(n, r);
      }
      return r;
    };
    const ns = svc.metadata?.namespace ?? "";
    const svcName = `${svc.metadata?.name ?? ""}.${ns}.svc.${this.zone}`;
    const addPtr = (ip: string, target: string) => {
      const list = ptrs.get(ip) ?? [];
      if (!list.includes(target)) list.push(target);
      ptrs.set(ip, list);
    };

    if (svc.spec?.type === "ExternalName") {
      const ext = svc.spec.externalName?.replace(/\.$/, "");
      // CoreDNS answers only a name (not an IP) as a CNAME.
      if (ext && isIP(ext) === 0) at(svcName).cname = lower(ext);
      return { names, ptrs };
    }

    const headless = isHeadless(svc);
    const ips = clusterIPs(svc);
    if (!headless) {
      for (const p of svc.spec?.ports ?? []) {
        const proto = lower(p.protocol ?? "TCP");
        for (const ip of ips) {
          const s = { port: p.port, target: svcName, ip };
          addIP(at(svcName), ip);
          addSrv(at(svcName), s);
          if (p.name) {
            const portName = `_${lower(p.name)}._${proto}.${svcName}`;
            addIP(at(portName), ip);
            addSrv(at(portName), s);
          }
        }
      }
      for (const ip of ips) addPtr(ip, svcName);
    }

    // Endpoint names exist for every service; the service's own name answers them only when headless.
    for (const slice of slices) {
      for (const ep of slice.endpoints ?? []) {
        if (!ready(ep)) continue;
        for (const ip of ep.addresses ?? []) {
          if (isIP(ip) === 0) continue;
          const host = lower(ep.hostname || dashedIP(ip));
          const epName = `${host}.${svcName}`;
          addPtr(ip, epName);
          for (const p of slice.ports ?? []) {
            const port = p.port ?? 0;
            const proto = lower(p.protocol ?? "TCP");
            const s = { port, target: epName, ip };
            addIP(at(epName), ip);
            addSrv(at(epName), s);
            if (!headless) continue;
            addIP(at(svcName), ip);
            addSrv(at(svcName), s);
            if (p.name) {
              const portName = `_${lower(p.name)}._${proto}.${svcName}`;
              addIP(at(portName), ip);
              addSrv(at(portName), s);
            }
          }
        }
      }
    }
    return { names, ptrs };
  }

  /**
   * What a name (any case, no trailing dot) answers for a type. Types other
   * than A, AAAA, SRV, CNAME, PTR, TXT, SOA and NS only tell NODATA from NXDOMAIN.
   */
  lookup(qname: string, qtype: string): Lookup {
    const name = lower(qname).replace(/\.$/, "");
    if (!this.inZone(name)) {
      if (qtype === "PTR") {
        const ip = addressFromReverse(name);
        const targets = ip ? this.reverse(ip) : [];
        if (targets.length) return { kind: "ptr", targets };
      }
      return { kind: "forward" };
    }
    if (name === this.zone) {
      if (qtype === "SOA") return { kind: "soa" };
      if (qtype === "NS") return { kind: "ns" };
      return { kind: "nodata" };
    }
    const base = name.slice(0, -this.zoneSuffix.length);
    if (base === "dns-version")
      return qtype === "TXT" ? { kind: "txt", text: DNS_SCHEMA_VERSION, ttl: 28800 } : { kind: "nxdomain" };
    if (base === "ns.dns") return qtype === "A" ? { kind: "ns" } : { kind: "nodata" };
    const segs = base.split(".");
    const kind = segs[segs.length - 1];
    // CoreDNS's parseRequest: <...>.<svc|pod>.<zone>; anything else is an invalid request (NXDOMAIN).
    if (kind !== "svc" && kind !== "pod") return { kind: "nxdomain" };
    if (segs.length === 1) return { kind: "nodata" };
    if (segs.length === 2)
      return this.namespaces.has(segs[0]) || kind === "pod" ? { kind: "nodata" } : { kind: "nxdomain" };
    if (kind === "pod") return this.pod(segs);
    if (segs.length > 5) return { kind: "nxdomain" };
    const r = this.names.get(name);
    if (!r) return { kind: "nxdomain" };
    return { kind: "records", records: r };
  }

  /** "pods insecure": a-b-c-d.<ns>.pod.<zone> answers the address it spells. */
  private pod(segs: string[]): Lookup {
    if (segs.length !== 3) return { kind: "nxdomain" };
    const label = segs[0];
    const ip =
      label.split("-").length === 4 && !label.includes("--")
        ? label.replaceAll("-", ".")
        : label.replaceAll("-", ":");
    const family = isIP(ip);
    if (family === 0) return { kind: "nxdomain" };
    const r = emptyRecords();
    if (family === 4) r.a.push(ip);
    else r.aaaa.push(ip);
    return { kind: "records", records: r };
  }

  /** The PTR targets of an address: the service for a ClusterIP, else every endpoint name it has. */
  reverse(ip: string): string[] {
    const targets = this.ptr.get(ip) ?? [];
    // CoreDNS answers a ClusterIP with its service only and looks at endpoints otherwise.
    const svc = targets.filter((t) => t.split(".").length === this.zone.split(".").length + 3);
    return svc.length ? svc : targets;
  }

  /** The address of ns.dns.<zone>: the kube-dns Service's ClusterIPs, if known. */
  nameserverIPs(): string[] {
    const st = this.services.get("kube-system/kube-dns");
    return st?.service ? clusterIPs(st.service) : [];
  }
}

/** The service an EndpointSlice belongs to (label kubernetes.io/service-name). */
export function sliceOwner(slice: EndpointSlice): ServiceKey | undefined {
  const name = slice.metadata?.labels?.["kubernetes.io/service-name"];
  if (!name) return undefined;
  return { namespace: slice.metadata?.namespace ?? "", name };
}
