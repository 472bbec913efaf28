// The endpoints of the `default/kubernetes` Service, as upstream's apiserver
// writes them (pkg/controlplane/controller/kubernetesservice with the "lease"
// endpoint reconciler, pkg/controlplane/reconcilers/lease.go and
// endpointsadapter.go, v1.32). No controller does this: the Service has no
// selector. Every 10 s each apiserver renews a lease on its own address
// under /registry/masterleases/<ip> (15 s), then makes the Endpoints list
// exactly the addresses with live leases and the EndpointSlice `kubernetes`
// follow them. On stop it drops its lease and rewrites them without itself
// (unless it was the last one: an empty list would only break clients).
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type { Obj } from "../api/registry.ts";
import { StatusError, StatusReason } from "../machinery/status.ts";
import { StoreError } from "../storage/store.ts";
import type { Registry } from "./registry/index.ts";

export const KUBERNETES_SERVICE_NAME = "kubernetes";
const NAMESPACE = "default";
/** upstream's DefaultEndpointReconcilerInterval. */
export const ENDPOINT_RECONCILER_INTERVAL_MS = 10_000;
/** upstream's DefaultEndpointReconcilerTTL (--endpoint-reconciler-type=lease). */
export const MASTER_LEASE_TTL_SECONDS = 15;
/** Where the leases live (upstream: the storage prefix + "masterleases"). */
export const MASTER_LEASES_PREFIX = "/registry/masterleases/";
const LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
const LABEL_SERVICE_NAME = "kubernetes.io/service-name";

export interface KubernetesServiceEndpointsOptions {
  registry: Registry;
  /** The address clients reach this apiserver at (--advertise-address; see defaultAdvertiseAddress). */
  advertiseAddress: string;
  /** The secure port this apiserver listens on (the Service's targetPort). */
  port: number;
  intervalMs?: number;
  leaseTTLSeconds?: number;
  now?: () => number;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

export interface KubernetesServiceEndpoints {
  /** One reconcile now (the loop also runs every interval). */
  reconcile(): Promise<void>;
  /** Stops the loop, drops this apiserver's lease and its address (call before the store closes). */
  stop(): Promise<void>;
}

const isStatus = (e: unknown, reason: StatusReason) => e instanceof StatusError && e.reason === reason;

interface LeaseRecord {
  ip: string;
  renewTime: string;
  leaseDurationSeconds: number;
}

/** The apiservers' leases (upstream's storageLeases, with the TTL kept in the record: the Store has none). */
class MasterLeases {
  constructor(
    private readonly registry: Registry,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** ListLeases: the addresses whose lease has not expired; expired ones are removed on the way. */
  async list(): Promise<string[]> {
    const store = this.registry.store;
    const { kvs } = await store.range(MASTER_LEASES_PREFIX);
    const ips: string[] = [];
    for (const kv of kvs) {
      let rec: LeaseRecord | undefined;
      try {
        rec = JSON.parse(new TextDecoder().decode(kv.value)) as LeaseRecord;
      } catch {
        rec = undefined;
      }
      const expires = rec ? Date.parse(rec.renewTime) + rec.leaseDurationSeconds * 1000 : 0;
      if (rec?.ip && expires > this.now()) {
        ips.push(rec.ip);
        continue;
      }
      // Expired (etcd's TTL would have removed it): only if nobody renewed it meanwhile.
      await store.delete(kv.key, kv.modRevision).catch(() => {});
    }
    return ips.sort();
  }

  /** UpdateLease: creates or renews this address's lease. */
  async update(ip: string): Promise<void> {
    const store = this.registry.store;
    const key = MASTER_LEASES_PREFIX + ip;
    const value = new TextEncoder().encode(
      JSON.stringify({
        ip,
        renewTime: new Date(this.now()).toISOString(),
        leaseDurationSeconds: this.ttlSeconds,
      } satisfies LeaseRecord),
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const { kv } = await store.get(key);
      try {
        if (kv) await store.update(key, value, kv.modRevision);
        else await store.create(key, value);
        return;
      } catch (e) {
        // Another writer in between: read again.
        if (
          !(
            e instanceof StoreError &&
            (e.code === "Conflict" || e.code === "KeyExists" || e.code === "NotFound")
          )
        )
          throw e;
      }
    }
    throw new Error(`could not renew the master lease of ${ip}`);
  }

  /** RemoveLease. */
  async remove(ip: string): Promise<void> {
    await this.registry.store.delete(MASTER_LEASES_PREFIX + ip).catch((e) => {
      if (!(e instanceof StoreError && e.code === "NotFound")) throw e;
    });
  }
}

interface EndpointPortSpec {
  name: string;
  port: number;
  protocol: string;
}

/**
 * checkEndpointSubsetFormatWithLease: [one subset, its addresses exactly
 * the expected ones, its ports exactly the given ones].
 */
export function checkEndpointSubsetFormatWithLease(
  e: Obj,
  expectedIPs: string[],
  ports: EndpointPortSpec[],
): [formatCorrect: boolean, ipsCorrect: boolean, portsCorrect: boolean] {
  const subsets: Obj[] = e.subsets ?? [];
  if (subsets.length !== 1) return [false, false, false];
  const sub = subsets[0];
  const subPorts: Obj[] = sub.ports ?? [];
  const portsCorrect =
    subPorts.length === ports.length &&
    ports.every(
      (p, i) =>
        (subPorts[i].name ?? "") === p.name &&
        subPorts[i].port === p.port &&
        (subPorts[i].protocol ?? "") === p.protocol &&
        subPorts[i].appProtocol === undefined,
    );
  const addrs: Obj[] = sub.addresses ?? [];
  let ipsCorrect = addrs.length === expectedIPs.length;
  if (ipsCorrect) {
    const seen = new Map(expectedIPs.map((ip) => [ip, false]));
    for (const a of addrs) {
      if (seen.get(a.ip) !== false) {
        ipsCorrect = false;
        break;
      }
      seen.set(a.ip, true);
    }
  }
  return [true, ipsCorrect, portsCorrect];
}

const isIPv6 = (ip: string) => ip.includes(":");

/** endpointSliceFromEndpoints: the EndpointSlice `kubernetes` mirroring the Endpoints' first subset. */
export function endpointSliceFromEndpoints(e: Obj): Obj {
  const slice: Obj = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: e.metadata.name,
      namespace: e.metadata.namespace,
      labels: { [LABEL_SERVICE_NAME]: e.metadata.name },
    },
    addressType: "IPv4",
    endpoints: [],
    ports: [],
  };
  const subset: Obj | undefined = e.subsets?.[0];
  if (subset) {
    slice.ports = (subset.ports ?? []).map((p: Obj) => ({
      name: p.name ?? "",
      port: p.port,
      protocol: p.protocol ?? "",
    }));
    const all: Obj[] = [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])];
    if (all.length > 0 && all.every((a) => isIPv6(a.ip))) slice.addressType = "IPv6";
    const toEndpoint = (a: Obj, ready: boolean): Obj => {
      const ep: Obj = { addresses: [a.ip], conditions: { ready } };
      if (a.targetRef) ep.targetRef = a.targetRef;
      if (a.nodeName !== undefined) ep.nodeName = a.nodeName;
      return ep;
    };
    const keep = (a: Obj) => isIPv6(a.ip) === (slice.addressType === "IPv6");
    slice.endpoints = [
      ...(subset.addresses ?? []).filter(keep).map((a: Obj) => toEndpoint(a, true)),
      ...(subset.notReadyAddresses ?? []).filter(keep).map((a: Obj) => toEndpoint(a, false)),
    ];
  }
  return slice;
}

/** JSON with sorted keys, empty arrays and objects dropped: Semantic.DeepEqual's nil = empty. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.length ? x.map(norm) : undefined;
    if (x && typeof x === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const n = norm((x as Record<string, unknown>)[k]);
        if (n !== undefined) out[k] = n;
      }
      return Object.keys(out).length ? out : undefined;
    }
    return x;
  };
  return JSON.stringify(norm(v) ?? null);
}

/**
 * Starts the reconciler: one reconcile before it returns (errors are logged,
 * not thrown: the apiserver serves regardless), then one every interval.
 */
export async function startKubernetesServiceEndpoints(
  o: KubernetesServiceEndpointsOptions,
): Promise<KubernetesServiceEndpoints> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => {});
  const leases = new MasterLeases(o.registry, o.leaseTTLSeconds ?? MASTER_LEASE_TTL_SECONDS, now);
  const ports: EndpointPortSpec[] = [{ name: "https", port: o.port, protocol: "TCP" }];
  const endpoints = o.registry.byResource("", "v1", "endpoints")!;
  const slices = o.registry.byResource("discovery.k8s.io", "v1", "endpointslices")!;
  let stopped = false;
  // One reconcile at a time (upstream's reconcilingLock).
  let chain: Promise<void> = Promise.resolve();
  const serialized = (fn: () => Promise<void>) => {
    const run = chain.then(fn);
    chain = run.catch(() => {});
    return run;
  };

  /** EnsureEndpointSliceFromEndpoints. */
  const ensureSlice = async (e: Obj) => {
    const want = endpointSliceFromEndpoints(e);
    let current: Obj;
    try {
      current = await slices.get(NAMESPACE, want.metadata.name);
    } catch (err) {
      if (!isStatus(err, StatusReason.NotFound)) throw err;
      await slices.create(NAMESPACE, want).catch((e2) => {
        if (!isStatus(e2, StatusReason.AlreadyExists)) throw e2;
      });
      return;
    }
    // The address type is immutable: replace the slice.
    if (current.addressType !== want.addressType) {
      await slices.delete(NAMESPACE, want.metadata.name);
      await slices.create(NAMESPACE, want);
      return;
    }
    if (
      canonical(current.endpoints) === canonical(want.endpoints) &&
      canonical(current.ports) === canonical(want.ports) &&
      canonical(current.metadata?.labels) === canonical(want.metadata.labels)
    ) {
      return;
    }
    // upstream updates unconditionally; k8ts' registry wants the version it replaces.
    want.metadata.resourceVersion = current.metadata.resourceVersion;
    await slices.update(NAMESPACE, want.metadata.name, want);
  };

  /** doReconcile. */
  const doReconcile = async () => {
    let e: Obj;
    let shouldCreate = false;
    try {
      e = await endpoints.get(NAMESPACE, KUBERNETES_SERVICE_NAME);
    } catch (err) {
      if (!isStatus(err, StatusReason.NotFound)) throw err;
      shouldCreate = true;
      e = {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: KUBERNETES_SERVICE_NAME, namespace: NAMESPACE },
      };
    }
    const masterIPs = await leases.list();
    // Our own lease was just renewed: none at all means something is wrong, not that nobody serves.
    if (masterIPs.length === 0) {
      throw new Error(
        "no master IPs were listed in storage, refusing to erase all endpoints for the kubernetes service",
      );
    }
    // The EndpointSlice mirroring controller must not mirror these: the slice is written here.
    let skipMirrorChanged = false;
    e.metadata.labels ??= {};
    if (e.metadata.labels[LABEL_SKIP_MIRROR] !== "true") {
      e.metadata.labels[LABEL_SKIP_MIRROR] = "true";
      skipMirrorChanged = true;
    }
    const [formatCorrect, ipsCorrect, portsCorrect] = checkEndpointSubsetFormatWithLease(e, masterIPs, ports);
    if (!skipMirrorChanged && formatCorrect && ipsCorrect && portsCorrect) {
      await ensureSlice(e);
      return;
    }
    if (!formatCorrect) e.subsets = [{ addresses: [], ports }];
    // Addresses in lexicographic order (RepackSubsets keeps it for one subset of plain IPs).
    if (!formatCorrect || !ipsCorrect) e.subsets[0].addresses = masterIPs.map((ip) => ({ ip }));
    if (!portsCorrect) e.subsets[0].ports = ports;
    log("Resetting endpoints for master service", { service: KUBERNETES_SERVICE_NAME, ips: masterIPs });
    let written: Obj;
    if (shouldCreate) {
      try {
        written = await endpoints.create(NAMESPACE, e);
      } catch (err) {
        if (!isStatus(err, StatusReason.AlreadyExists)) throw err;
        return;
      }
    } else {
      written = (await endpoints.update(NAMESPACE, KUBERNETES_SERVICE_NAME, e)).object;
    }
    await ensureSlice(written);
  };

  const reconcile = () =>
    serialized(async () => {
      if (stopped) return;
      // Renewed first, whatever happens below, so that the others keep listing us.
      await leases.update(o.advertiseAddress);
      await doReconcile();
    });

  const tick = async () => {
    try {
      await reconcile();
    } catch (err) {
      log("Unable to reconcile the kubernetes service endpoints", { err: (err as Error).message });
    }
  };
  await tick();
  const timer = setInterval(() => void tick(), o.intervalMs ?? ENDPOINT_RECONCILER_INTERVAL_MS);
  timer.unref();

  return {
    reconcile,
    async stop() {
      clearInterval(timer);
      await serialized(async () => {
        stopped = true;
        try {
          // RemoveEndpoints.
          await leases.remove(o.advertiseAddress);
          await doReconcile();
        } catch (err) {
          log("Unable to remove endpoints from the kubernetes service", { err: (err as Error).message });
        }
      }).catch(() => {});
    },
  };
}

/**
 * The address to advertise when --advertise-address is not given, as
 * upstream's ResolveBindAddress: the bind address unless it is unspecified
 * or loopback, else the IPv4 address of the default route's interface
 * (utilnet.ChooseHostInterface), else any non-internal IPv4 address.
 */
export function defaultAdvertiseAddress(bindAddress?: string): string {
  if (bindAddress && bindAddress !== "0.0.0.0" && bindAddress !== "::" && !isLoopback(bindAddress))
    return bindAddress;
  const ifaces = networkInterfaces();
  const ipv4Of = (name: string) =>
    (ifaces[name] ?? []).find((a) => a.family === "IPv4" && !a.internal)?.address;
  try {
    // /proc/net/route: Iface Destination Gateway ...; the default route has destination 00000000.
    for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
      const [iface, dest] = line.trim().split(/\s+/);
      if (dest === "00000000" && iface) {
        const ip = ipv4Of(iface);
        if (ip) return ip;
      }
    }
  } catch {
    // Not Linux: fall through.
  }
  for (const name of Object.keys(ifaces)) {
    const ip = ipv4Of(name);
    if (ip) return ip;
  }
  return "127.0.0.1";
}

function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.");
}
