// client-go's tools/leaderelection on a coordination.k8s.io/v1 Lease: acquire
// when the lease is free, expired or ours; renew every retryPeriod; if a renew
// does not succeed within renewDeadline, stop leading at once. Expiry is
// judged by our own clock from when we last saw the record change, not by the
// holder's renewTime, so clock skew between machines does not matter.
import type { Lease, LeaseSpec } from "kubernetes-types/coordination/v1.d.ts";
import { isAlreadyExists, isConflict, isNotFound } from "./api-error.ts";
import { type Clock, realClock, sleep } from "./clock.ts";
import type { ResourceRef, RestClient } from "./rest-client.ts";

const LEASES: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  namespaced: true,
};
/** upstream's JitterFactor for the acquire loop. */
const JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  /** Called when we become leader; the signal aborts when we stop leading. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called at once when leadership is lost or given up. */
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Clear the lease on a graceful stop, so another candidate takes over without waiting. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  random?: () => number;
}

/** Go's metav1.MicroTime format. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private observed?: LeaseSpec;
  private observedRv?: string;
  private observedAt = 0;
  private reportedLeader = "";

  constructor(private readonly config: LeaderElectionConfig) {
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new Error("leaseDuration must be greater than renewDeadline");
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs)
      throw new Error("renewDeadline must be greater than retryPeriod*JitterFactor");
    this.clock = config.clock ?? realClock;
    this.random = config.random ?? Math.random;
  }

  /** The identity holding the lease, as last observed. */
  getLeader(): string {
    return this.observed?.holderIdentity ?? "";
  }

  isLeader(): boolean {
    return this.observed?.holderIdentity === this.config.identity;
  }

  /** Campaigns until the signal aborts; returns after leading ends (lost or stopped). */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leading = new AbortController();
    this.config.callbacks.onStartedLeading(leading.signal);
    try {
      await this.renew(signal);
    } finally {
      leading.abort();
      this.config.callbacks.onStoppedLeading();
      if (signal.aborted && this.config.releaseOnCancel) await this.release();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await sleep(this.clock, this.retryPeriodMs * (1 + this.random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renew misses its deadline or the signal aborts. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.clock.now() < deadline) {
        if (await this.tryAcquireOrRenew()) {
          renewed = true;
          break;
        }
        await sleep(
          this.clock,
          Math.min(this.retryPeriodMs, Math.max(0, deadline - this.clock.now())),
          signal,
        );
      }
      if (!renewed) return;
      await sleep(this.clock, this.retryPeriodMs, signal);
    }
  }

  private observe(spec: LeaseSpec, rv: string | undefined): void {
    this.observed = spec;
    this.observedRv = rv;
    const holder = spec.holderIdentity ?? "";
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.config.callbacks.onNewLeader?.(holder);
    }
  }

  /** One attempt, as upstream's tryAcquireOrRenew. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.config;
    const now = this.clock.now();
    const record: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await client.get<Lease>(LEASES, name, { namespace });
    } catch (e) {
      if (!isNotFound(e)) return false;
      try {
        const created = await client.create<Lease>(LEASES, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: record,
        });
        this.observe(record, created.metadata?.resourceVersion);
        this.observedAt = now;
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) return false;
        return false;
      }
    }
    const old = lease.spec ?? {};
    const rv = lease.metadata?.resourceVersion;
    if (rv !== this.observedRv) {
      this.observe(old, rv);
      this.observedAt = now;
    }
    const held = (old.holderIdentity ?? "") !== "";
    if (held && this.observedAt + this.leaseDurationMs > now && !this.isLeader()) return false;
    if (this.isLeader()) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      record.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await client.update<Lease>(LEASES, { ...lease, spec: record });
      this.observe(record, updated.metadata?.resourceVersion);
      this.observedAt = now;
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      return false;
    }
  }

  /** Gives the lease up: an empty holder and a 1 s duration, as upstream's release. */
  private async release(): Promise<void> {
    if (!this.isLeader()) return;
    const { client, namespace, name } = this.config;
    try {
      const lease = await client.get<Lease>(LEASES, name, { namespace });
      if (lease.spec?.holderIdentity !== this.config.identity) return;
      const now = microTime(this.clock.now());
      await client.update<Lease>(LEASES, {
        ...lease,
        spec: {
          leaseDurationSeconds: 1,
          leaseTransitions: lease.spec?.leaseTransitions,
          acquireTime: now,
          renewTime: now,
        },
      });
      this.observed = undefined;
    } catch {
      // the lease will expire on its own
    }
  }
}
