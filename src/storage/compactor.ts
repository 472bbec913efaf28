// Periodic compaction, as kube-apiserver's etcd3 compactor does it: each tick
// compacts to the revision seen at the previous tick, so at least one interval
// of history stays available to watchers that resume.
import { isStoreError, type Store } from "./store.ts";

export interface CompactorOptions {
  store: Store;
  /** 5 minutes by default, as kube-apiserver's --etcd-compaction-interval. 0 disables compaction. */
  intervalMs?: number;
  /** Injected for tests. */
  setInterval?: (fn: () => void, ms: number) => { unref?(): void };
  clearInterval?: (handle: unknown) => void;
  onError?: (e: Error) => void;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

export class Compactor {
  private lastSeen = 0;
  private handle: unknown;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: CompactorOptions) {}

  start(): void {
    const interval = this.opts.intervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
    if (interval <= 0) return;
    const set = this.opts.setInterval ?? setInterval;
    const h = set(() => void this.tick(), interval);
    h.unref?.();
    this.handle = h;
  }

  /** One compaction step; exposed so tests and shutdown can drive it. */
  tick(): Promise<void> {
    this.running ??= this.compactOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async compactOnce(): Promise<void> {
    try {
      const target = this.lastSeen;
      this.lastSeen = await this.opts.store.currentRevision();
      if (target > 0) await this.opts.store.compact(target);
    } catch (e) {
      // Another apiserver on the same etcd may have compacted further already.
      if (isStoreError(e, "Compacted")) return;
      this.opts.onError?.(e as Error);
    }
  }

  async stop(): Promise<void> {
    if (this.handle !== undefined) (this.opts.clearInterval ?? clearInterval)(this.handle as NodeJS.Timeout);
    this.handle = undefined;
    await this.running;
  }
}
