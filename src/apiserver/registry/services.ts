// Services: cluster IPs and node ports are allocated by the apiserver, as
// upstream's service REST does. Each allocated address or port is a key in the
// store, created if absent, so allocation is atomic across apiservers (the idea
// of upstream's IPAddress objects).
import type { Obj } from "../../api/registry.ts";
import { needsHealthCheck } from "../../api/validation/service.ts";
import { type FieldError, invalid, newPath } from "../../machinery/field-errors.ts";
import { newInternalError, newInvalid } from "../../machinery/status.ts";
import { isStoreError, type Store } from "../../storage/store.ts";

export interface ServiceNetwork {
  /** --service-cluster-ip-range, IPv4 only. */
  serviceCIDR: string;
  /** --service-node-port-range. */
  nodePortRange: [number, number];
}

export const DEFAULT_SERVICE_NETWORK: ServiceNetwork = {
  serviceCIDR: "10.96.0.0/16",
  nodePortRange: [30000, 32767],
};

/**
 * upstream's static subranges (ServiceIPStaticSubrange, ServiceNodePortStaticSubrange):
 * the low band of each range is left to users who ask for a particular
 * address or port (10.96.0.10 for DNS); dynamic allocation takes it only when
 * the rest is full.
 */
export function staticBandSize(size: number, divisor: number, max: number): number {
  return Math.min(Math.max(16, Math.floor(size / divisor)), max);
}

/** Leaked keys are released only after this many repair passes in a row saw them, as upstream. */
const REPAIRS_BEFORE_LEAK_CLEANUP = 3;

export function parseServiceNetwork(cidr?: string, nodePorts?: string): ServiceNetwork {
  const net = { ...DEFAULT_SERVICE_NETWORK };
  if (cidr) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 30 || Number(m[5]) < 8) {
      throw new Error(`--service-cluster-ip-range ${JSON.stringify(cidr)}: want an IPv4 CIDR from /8 to /30`);
    }
    net.serviceCIDR = cidr;
  }
  if (nodePorts) {
    const m = /^(\d+)-(\d+)$/.exec(nodePorts);
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) {
      throw new Error(
        `--service-node-port-range ${JSON.stringify(nodePorts)}: want LOW-HIGH, e.g. 30000-32767`,
      );
    }
    net.nodePortRange = [Number(m[1]), Number(m[2])];
  }
  return net;
}

const enc = new TextEncoder();

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return { base: ipToInt(ip) - (ipToInt(ip) % size), size };
}

/** The first address of the range: the `kubernetes` service's. */
export function firstServiceIP(cidr: string): string {
  return intToIp(parseCidr(cidr).base + 1);
}

export class ServiceAllocator {
  private readonly range: { base: number; size: number };
  /** Keys no service uses, with the number of repair passes in a row that saw them so. */
  private readonly leaks = new Map<string, number>();

  constructor(
    private readonly store: Store,
    readonly net: ServiceNetwork = DEFAULT_SERVICE_NETWORK,
  ) {
    this.range = parseCidr(net.serviceCIDR);
  }

  private ipKey(ip: string): string {
    return `/registry/serviceips/${ip}`;
  }

  private portKey(port: number): string {
    return `/registry/servicenodeports/${port}`;
  }

  private inRange(ip: string): boolean {
    const n = ipToInt(ip);
    return (
      /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n > this.range.base && n < this.range.base + this.range.size - 1
    );
  }

  private async claim(key: string, owner: string): Promise<boolean> {
    try {
      await this.store.create(key, enc.encode(owner));
      return true;
    } catch (e) {
      if (isStoreError(e, "KeyExists")) return false;
      throw e;
    }
  }

  private async release(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (e) {
      if (!isStoreError(e, "NotFound")) throw e;
    }
  }

  private async allocateIP(owner: string, wanted?: string): Promise<string> {
    if (wanted) {
      if (!this.inRange(wanted)) {
        throw new Error(
          `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.net.serviceCIDR}`,
        );
      }
      if (!(await this.claim(this.ipKey(wanted), owner))) {
        throw new Error(`failed to allocate IP ${wanted}: provided IP is already allocated`);
      }
      return wanted;
    }
    // Random probing above the static band, then a scan of it all: the range is large and mostly free.
    const first = this.range.base + 1;
    const last = this.range.base + this.range.size - 2;
    const band = staticBandSize(this.range.size, 16, 256);
    const dynamicFirst = Math.min(first + band, last);
    for (let i = 0; i < 64; i++) {
      const ip = intToIp(dynamicFirst + Math.floor(Math.random() * (last - dynamicFirst + 1)));
      if (await this.claim(this.ipKey(ip), owner)) return ip;
    }
    for (let k = 0; k <= last - first; k++) {
      const n = dynamicFirst + k <= last ? dynamicFirst + k : first + (dynamicFirst + k - last - 1);
      if (await this.claim(this.ipKey(intToIp(n)), owner)) return intToIp(n);
    }
    throw new Error("failed to allocate a serviceIP: range is full");
  }

  private async allocatePort(owner: string, wanted?: number): Promise<number> {
    const [lo, hi] = this.net.nodePortRange;
    if (wanted) {
      if (wanted < lo || wanted > hi) {
        throw new Error(`provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
      }
      if (!(await this.claim(this.portKey(wanted), owner)))
        throw new Error("provided port is already allocated");
      return wanted;
    }
    const dynamicLo = Math.min(lo + staticBandSize(hi - lo + 1, 32, 128), hi);
    for (let i = 0; i < 64; i++) {
      const p = dynamicLo + Math.floor(Math.random() * (hi - dynamicLo + 1));
      if (await this.claim(this.portKey(p), owner)) return p;
    }
    for (let k = 0; k <= hi - lo; k++) {
      const p = dynamicLo + k <= hi ? dynamicLo + k : lo + (dynamicLo + k - hi - 1);
      if (await this.claim(this.portKey(p), owner)) return p;
    }
    throw new Error("range is full");
  }

  /**
   * Fills in clusterIP(s), IP families and node ports of a new Service.
   * Returns what to release if the create then fails.
   */
  async allocate(svc: Obj, reservedIP?: string): Promise<() => Promise<void>> {
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    svc.spec ??= {};
    const spec = svc.spec;
    const taken: string[] = [];
    const undo = async () => {
      for (const k of taken) await this.release(k);
    };
    const errs: FieldError[] = [];
    try {
      if (spec.type !== "ExternalName") {
        if (spec.clusterIP === "None" || spec.clusterIPs?.[0] === "None") {
          spec.clusterIP = "None";
          spec.clusterIPs = ["None"];
        } else {
          const wanted = spec.clusterIP || spec.clusterIPs?.[0] || reservedIP;
          try {
            const ip = await this.allocateIP(owner, wanted);
            taken.push(this.ipKey(ip));
            spec.clusterIP = ip;
            spec.clusterIPs = [ip];
          } catch (e) {
            errs.push(invalid(newPath("spec", "clusterIPs"), null, (e as Error).message));
          }
        }
        spec.ipFamilies ??= ["IPv4"];
        spec.ipFamilyPolicy ??= "SingleStack";
      }
      if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
        const ports: Obj[] = spec.ports ?? [];
        for (let i = 0; i < ports.length; i++) {
          try {
            const p = await this.allocatePort(owner, ports[i].nodePort);
            taken.push(this.portKey(p));
            ports[i].nodePort = p;
          } catch (e) {
            errs.push(
              invalid(
                newPath("spec", "ports").index(i).child("nodePort"),
                ports[i].nodePort ?? 0,
                (e as Error).message,
              ),
            );
          }
        }
      }
      // allocHealthCheckNodePort: before validation, which requires it.
      if (needsHealthCheck(spec)) {
        spec.healthCheckNodePort = await this.allocateHealthCheckNodePort(owner, spec.healthCheckNodePort);
        taken.push(this.portKey(spec.healthCheckNodePort));
      }
    } catch (e) {
      await undo();
      throw e;
    }
    if (errs.length > 0) {
      await undo();
      throw newInvalid({ group: "", kind: "Service" }, svc.metadata.name ?? "", errs);
    }
    return undo;
  }

  /** Node ports for a Service whose type became NodePort/LoadBalancer; releases them when it stops being one. */
  async reconcileUpdate(next: Obj, current: Obj): Promise<void> {
    const owner = `${next.metadata.namespace}/${next.metadata.name}`;
    await this.reconcileHealthCheckNodePort(owner, next, current);
    // Became an ExternalName: its cluster IP (dropped by the strategy) goes back to the pool.
    const oldIP = current.spec?.clusterIP;
    if (next.spec?.type === "ExternalName" && oldIP && oldIP !== "None" && !next.spec.clusterIP) {
      await this.release(this.ipKey(oldIP));
    }
    const wantsPorts = next.spec?.type === "NodePort" || next.spec?.type === "LoadBalancer";
    const oldPorts = new Set<number>(
      ((current.spec?.ports ?? []) as Obj[]).map((p) => p.nodePort).filter(Boolean),
    );
    if (!wantsPorts) {
      for (const p of (next.spec?.ports ?? []) as Obj[]) delete p.nodePort;
      for (const p of oldPorts) await this.release(this.portKey(p));
      return;
    }
    const kept = new Set<number>();
    for (const p of (next.spec.ports ?? []) as Obj[]) {
      if (p.nodePort && oldPorts.has(p.nodePort)) {
        kept.add(p.nodePort);
        continue;
      }
      p.nodePort = await this.allocatePort(owner, p.nodePort);
    }
    for (const p of oldPorts) if (!kept.has(p)) await this.release(this.portKey(p));
    // clusterIP and clusterIPs are immutable; validation reports a change.
    if (!next.spec.clusterIP && current.spec?.clusterIP) {
      next.spec.clusterIP = current.spec.clusterIP;
      next.spec.clusterIPs = current.spec.clusterIPs;
    }
  }

  /** allocHealthCheckNodePort: the requested port, or any; upstream answers a failure with an internal error. */
  private async allocateHealthCheckNodePort(owner: string, wanted: number | undefined): Promise<number> {
    try {
      return await this.allocatePort(owner, wanted || undefined);
    } catch (e) {
      const msg = (e as Error).message;
      throw newInternalError(
        wanted
          ? `failed to allocate requested HealthCheck NodePort ${wanted}: ${msg}`
          : `failed to allocate a HealthCheck NodePort 0: ${msg}`,
      );
    }
  }

  /** updateHealthCheckNodePort: allocated when a Service starts needing one, released when it stops. */
  private async reconcileHealthCheckNodePort(owner: string, next: Obj, current: Obj): Promise<void> {
    const needed = needsHealthCheck(current.spec ?? {});
    const needs = needsHealthCheck(next.spec ?? {});
    const old = current.spec?.healthCheckNodePort ?? 0;
    if (!needed && needs) {
      next.spec.healthCheckNodePort = await this.allocateHealthCheckNodePort(
        owner,
        next.spec.healthCheckNodePort,
      );
    } else if (needed && !needs) {
      if (old) await this.release(this.portKey(old));
      if (next.spec) delete next.spec.healthCheckNodePort;
    } else if (needed && needs && !next.spec.healthCheckNodePort) {
      // PatchAllocatedValues: an update that leaves it out keeps the allocated one.
      next.spec.healthCheckNodePort = old;
    }
  }

  /**
   * upstream's RepairIP and RepairNodePorts, run at start and every few
   * minutes: every address and port a Service holds has its key (recreated
   * after a crash between the key and the Service), and keys no Service holds
   * are released once several passes in a row agree (a create may be between
   * its key and its Service).
   */
  async repair(services: Obj[]): Promise<{ restored: string[]; released: string[] }> {
    const wanted = new Map<string, string>();
    for (const svc of services) {
      const owner = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      const ip = svc.spec?.clusterIP;
      if (ip && ip !== "None" && this.inRange(ip)) wanted.set(this.ipKey(ip), owner);
      for (const p of (svc.spec?.ports ?? []) as Obj[]) {
        if (p.nodePort) wanted.set(this.portKey(p.nodePort), owner);
      }
      if (svc.spec?.healthCheckNodePort) wanted.set(this.portKey(svc.spec.healthCheckNodePort), owner);
    }
    const restored: string[] = [];
    const released: string[] = [];
    const existing = new Set<string>();
    for (const prefix of ["/registry/serviceips/", "/registry/servicenodeports/"]) {
      for (const kv of (await this.store.range(prefix)).kvs) {
        existing.add(kv.key);
        if (wanted.has(kv.key)) {
          this.leaks.delete(kv.key);
          continue;
        }
        const seen = (this.leaks.get(kv.key) ?? 0) + 1;
        if (seen < REPAIRS_BEFORE_LEAK_CLEANUP) {
          this.leaks.set(kv.key, seen);
          continue;
        }
        this.leaks.delete(kv.key);
        await this.release(kv.key);
        released.push(kv.key);
      }
    }
    for (const [key, owner] of wanted) {
      if (existing.has(key)) continue;
      if (await this.claim(key, owner)) restored.push(key);
    }
    return { restored, released };
  }

  async releaseAll(svc: Obj): Promise<void> {
    const ip = svc.spec?.clusterIP;
    if (ip && ip !== "None") await this.release(this.ipKey(ip));
    for (const p of (svc.spec?.ports ?? []) as Obj[])
      if (p.nodePort) await this.release(this.portKey(p.nodePort));
    if (svc.spec?.healthCheckNodePort) await this.release(this.portKey(svc.spec.healthCheckNodePort));
  }
}
