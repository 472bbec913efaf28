// upstream's RateLimitedTimedQueue (pkg/controller/nodelifecycle/scheduler/
// rate_limited_queue.go): the nodes of one zone waiting for their NoExecute
// taint, each at most once until explicitly removed, processed in order of
// processAt as fast as the zone's token bucket allows. The bucket's rate is
// what zone disruption changes (SwapLimiter).
import type { Clock } from "../../client/clock.ts";

/** NodeEvictionPeriod: how often the tainting pass tries the queues. */
export const NODE_EVICTION_PERIOD_MS = 100;
/** EvictionRateLimiterBurst. */
export const EVICTION_RATE_LIMITER_BURST = 1;

export interface RateLimiter {
  tryAccept(): boolean;
  qps(): number;
}

/** flowcontrol.NewTokenBucketRateLimiter: starts full (burst tokens), refills at qps per second. */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  tryAccept(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  qps(): number {
    return this.rate;
  }
}

/** flowcontrol.NewFakeNeverRateLimiter: evictions stopped. */
export const neverRateLimiter: RateLimiter = { tryAccept: () => false, qps: () => 0 };

/** TimedValue. */
export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/** ActionFunc: done, or retry after waitMs. */
export type ActionFunc = (v: TimedValue) => Promise<{ done: boolean; waitMs?: number }>;

export class RateLimitedTimedQueue {
  /** Ordered by processAt (upstream's heap). */
  private queue: TimedValue[] = [];
  /** Values added and not yet removed (processed ones stay, so they are not added twice). */
  private readonly set = new Set<string>();

  constructor(
    private limiter: RateLimiter,
    private readonly clock: Clock,
  ) {}

  /** Add: false if the value is already there (or was processed and not removed since). */
  add(value: string, uid: string): boolean {
    if (this.set.has(value)) return false;
    const now = this.clock.now();
    this.push({ value, uid, addedAt: now, processAt: now });
    this.set.add(value);
    return true;
  }

  /** Remove: the value may be added again. */
  remove(value: string): boolean {
    if (!this.set.has(value)) return false;
    this.set.delete(value);
    this.queue = this.queue.filter((v) => v.value !== value);
    return true;
  }

  clear(): void {
    this.queue = [];
    this.set.clear();
  }

  /** Values waiting, in processing order. */
  values(): TimedValue[] {
    return [...this.queue];
  }

  /**
   * Try: processes due values while the limiter allows; a value whose action
   * fails comes back after its wait, one that succeeds leaves the queue but
   * stays in the set.
   */
  async try(fn: ActionFunc): Promise<void> {
    let head = this.queue[0];
    while (head) {
      if (!this.limiter.tryAccept()) break;
      const now = this.clock.now();
      if (now < head.processAt) break;
      const r = await fn(head);
      if (!r.done) this.replace({ ...head, processAt: now + (r.waitMs ?? 0) + 1 });
      else this.removeFromQueue(head.value);
      head = this.queue[0];
    }
  }

  /** SwapLimiter: a new bucket at newQPS (none at 0), drained if the old one was. */
  swapLimiter(newQPS: number): void {
    if (this.limiter.qps() === newQPS) return;
    if (newQPS <= 0) {
      this.limiter = neverRateLimiter;
      return;
    }
    const next = new TokenBucketRateLimiter(newQPS, EVICTION_RATE_LIMITER_BURST, this.clock);
    if (!this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }

  qps(): number {
    return this.limiter.qps();
  }

  private push(v: TimedValue): void {
    const i = this.queue.findIndex((x) => x.processAt > v.processAt);
    if (i === -1) this.queue.push(v);
    else this.queue.splice(i, 0, v);
  }

  private replace(v: TimedValue): void {
    const i = this.queue.findIndex((x) => x.value === v.value);
    if (i === -1) return;
    this.queue.splice(i, 1);
    this.push(v);
  }

  private removeFromQueue(value: string): void {
    if (!this.set.has(value)) return;
    this.queue = this.queue.filter((v) => v.value !== value);
  }
}
