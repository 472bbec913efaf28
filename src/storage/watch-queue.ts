import { StoreError, type Watch, type WatchEvent, type WatchFilter } from "./store.ts";

/**
 * The delivery end of a watch: the backend pushes batches, the consumer
 * iterates. A consumer that lets more than `limit` events pile up is dropped
 * with TooSlow instead of holding memory or stalling the writers (kine's rule).
 */
export class WatchQueue implements Watch {
  private batches: WatchEvent[][] = [];
  private pending = 0;
  private wake: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;

  constructor(
    private readonly limit: number,
    private readonly onCancel: () => void = () => {},
    private readonly filter?: WatchFilter,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  push(all: WatchEvent[]): void {
    if (this.ended) return;
    const events = this.filter ? all.filter((e) => this.wants(e)) : all;
    if (events.length === 0) return;
    this.pending += events.length;
    if (this.pending > this.limit) {
      this.fail(
        new StoreError(
          "TooSlow",
          `watcher fell ${this.pending} events behind (limit ${this.limit}) and was dropped; relist and watch again`,
        ),
      );
      return;
    }
    this.batches.push(events);
    this.notify();
  }

  /** A filter that throws lets the event through: the consumer's decoding reports what is wrong with it. */
  private wants(e: WatchEvent): boolean {
    try {
      return this.filter!(e);
    } catch {
      return true;
    }
  }

  /** Ends the watch with an error that the consumer's iteration throws. */
  fail(err: Error): void {
    if (this.ended) return;
    this.error = err;
    this.finish();
  }

  cancel(): void {
    if (this.ended) return;
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    this.batches = this.error ? [] : this.batches;
    this.onCancel();
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    try {
      for (;;) {
        const batch = this.batches.shift();
        if (batch) {
          this.pending -= batch.length;
          yield batch;
          continue;
        }
        if (this.error) throw this.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      // A consumer that breaks out of its loop ends the watch.
      this.cancel();
    }
  }
}
