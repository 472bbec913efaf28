// client-go's flowcontrol.Backoff (without jitter, as NewBackOff makes it):
// a per-key delay that starts at initial and doubles on each next() up to
// max; an entry untouched for twice max is forgotten. The DaemonSet
// controller keys it by DaemonSet, generation and node so that a kubelet that
// keeps rejecting a daemon pod is not fought in a hot loop.
import type { Clock } from "../../client/clock.ts";

interface Entry {
  backoffMs: number;
  lastUpdateMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly clock: Clock,
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  private hasExpired(nowMs: number, lastUpdateMs: number): boolean {
    // Stable if it was fine for twice the max.
    return nowMs - lastUpdateMs > this.maxMs * 2;
  }

  /** The current delay of id (0 when unknown). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** Starts (or doubles) id's delay at nowMs. */
  next(id: string, nowMs: number): void {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(nowMs, e.lastUpdateMs)) {
      this.entries.set(id, { backoffMs: this.initialMs, lastUpdateMs: this.clock.now() });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdateMs = this.clock.now();
  }

  /** Is nowMs still within id's delay since its last next()? */
  isInBackOffSinceUpdate(id: string, nowMs: number): boolean {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(nowMs, e.lastUpdateMs)) return false;
    return nowMs - e.lastUpdateMs < e.backoffMs;
  }

  /** Forgets entries that expired. */
  gc(): void {
    const now = this.clock.now();
    for (const [id, e] of this.entries) if (now - e.lastUpdateMs > this.maxMs * 2) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
