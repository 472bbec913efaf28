// Services: cluster IPs and node ports are allocated by the apiserver, as
// upstream's service REST does. Each allocated address or port is a key in the
// store, created if absent, so allocation is atomic across apiservers (the idea
// of upstream's IPAddress objects).
import type { Obj } from "../../api/registry.ts";
import { type FieldError, invalid, newPath } from "../../machinery/field-errors.ts";
import { newInvalid } from "../../machinery/status.ts";
import { isStoreError, type Store } from "../../storage/store.ts";

export interface ServiceNetwork {
  /** --service-cluster-ip-range, IPv4 only. */
  serviceCIDR: string;
  /** --service-node-port-range. */
  nodePortRange: [number, number];
}

export const DEFAULT_SERVICE_NETWORK: ServiceNetwork = {
  serviceCIDR: "10.96.0.0/12",
  nodePortRange: [30000, 32767],
};

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

  constructor(
    private readonly store: Store,
    private readonly net: ServiceNetwork = DEFAULT_SERVICE_NETWORK,
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
    // Random probing, then a scan: the range is large and mostly free.
    for (let i = 0; i < 64; i++) {
      const ip = intToIp(this.range.base + 2 + Math.floor(Math.random() * (this.range.size - 3)));
      if (await this.claim(this.ipKey(ip), owner)) return ip;
    }
    for (let n = this.range.base + 2; n < this.range.base + this.range.size - 1; n++) {
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
    for (let i = 0; i < 64; i++) {
      const p = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (await this.claim(this.portKey(p), owner)) return p;
    }
    for (let p = lo; p <= hi; p++) if (await this.claim(this.portKey(p), owner)) return p;
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

  async releaseAll(svc: Obj): Promise<void> {
    const ip = svc.spec?.clusterIP;
    if (ip && ip !== "None") await this.release(this.ipKey(ip));
    for (const p of (svc.spec?.ports ?? []) as Obj[])
      if (p.nodePort) await this.release(this.portKey(p.nodePort));
  }
}
