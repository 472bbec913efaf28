// client-go's util/flowcontrol.Backoff as the kubelet uses it: one entry per
// key (a container's stable key, or pod uid + image), doubling from the
// initial duration up to the maximum, and forgotten once nothing happened for
// twice the maximum. With 10 s and 5 min that is CrashLoopBackOff: 10 s, 20 s,
// 40 s … 5 min, reset after a container ran for 10 minutes.
import type { Clock } from "../../client/clock.ts";

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export interface BackoffOptions {
  clock: Clock;
  initialMs: number;
  maxMs: number;
  /** Random jitter as a fraction of the current backoff (upstream's maxJitterFactor); 0 for the kubelet. */
  maxJitterFactor?: number;
  random?: () => number;
}

/** The kubelet's container restart backoff: 10 s doubling to 5 min (backOffPeriod, MaxContainerBackOff). */
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

export class Backoff {
  readonly clock: Clock;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly maxJitterFactor: number;
  private readonly random: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: BackoffOptions) {
    this.clock = opts.clock;
    this.initialMs = opts.initialMs;
    this.maxMs = opts.maxMs;
    this.maxJitterFactor = opts.maxJitterFactor ?? 0;
    this.random = opts.random ?? Math.random;
  }

  /** The current backoff of the key (0 when it has none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** Records an event at eventTime: starts at the initial duration, or doubles up to the maximum. */
  next(id: string, eventTime: number): void {
    let e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) {
      e = { backoffMs: this.initialMs, lastUpdate: 0 };
      e.backoffMs += this.jitter(e.backoffMs);
      this.entries.set(id, e);
    } else {
      const delay = e.backoffMs * 2 + this.jitter(e.backoffMs);
      e.backoffMs = Math.min(delay, this.maxMs);
    }
    e.lastUpdate = this.clock.now();
  }

  reset(id: string): void {
    this.entries.delete(id);
  }

  /** Is now still within the backoff that started at eventTime (e.g. when the container last finished)? */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (this.hasExpired(eventTime, e.lastUpdate)) return false;
    return this.clock.now() - eventTime < e.backoffMs;
  }

  /** Is eventTime within the backoff counted from the last update (the image pull backoff)? */
  isInBackOffSinceUpdate(id: string, eventTime: number): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (this.hasExpired(eventTime, e.lastUpdate)) return false;
    return eventTime - e.lastUpdate < e.backoffMs;
  }

  /** How long until the backoff that started at eventTime ends (0 when it has). */
  remainingSince(id: string, eventTime: number): number {
    if (!this.isInBackOffSince(id, eventTime)) return 0;
    const e = this.entries.get(id)!;
    return Math.max(0, e.backoffMs - (this.clock.now() - eventTime));
  }

  /** Forgets the entries nothing happened to for twice the maximum. */
  gc(): void {
    const now = this.clock.now();
    for (const [id, e] of this.entries) {
      if (now - e.lastUpdate > this.maxMs * 2) this.entries.delete(id);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** A container that ran without trouble for twice the maximum starts again from the initial backoff. */
  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }

  private jitter(delay: number): number {
    return this.maxJitterFactor > 0 ? this.random() * this.maxJitterFactor * delay : 0;
  }
}
