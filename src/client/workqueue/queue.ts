// The de-duplicating FIFO of client-go's util/workqueue/queue.go: an item is
// never processed by two workers at once, and an item added while it is being
// processed is queued again when done() is called.
import { type Clock, realClock } from "../clock.ts";
import { QueueMetrics } from "./metrics.ts";

export type GetResult<T> = { shutdown: false; item: T } | { shutdown: true };

export interface WorkQueueOptions {
  name?: string;
  clock?: Clock;
}

export class WorkQueue<T> {
  readonly metrics: QueueMetrics;
  protected readonly clock: Clock;
  private queue: T[] = [];
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly addedAt = new Map<T, number>();
  private readonly startedAt = new Map<T, number>();
  private waiters: Array<(r: GetResult<T>) => void> = [];
  private shuttingDown = false;
  private drainWaiters: Array<() => void> = [];

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.metrics = new QueueMetrics(opts.name ?? "");
  }

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.metrics.adds++;
    this.dirty.add(item);
    this.addedAt.set(item, this.clock.now());
    if (this.processing.has(item)) return;
    this.push(item);
  }

  private push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.hand(item, waiter);
      return;
    }
    this.queue.push(item);
    this.metrics.depth = this.queue.length;
  }

  private hand(item: T, to: (r: GetResult<T>) => void): void {
    this.dirty.delete(item);
    this.processing.add(item);
    const now = this.clock.now();
    this.metrics.observe(this.metrics.latency, now - (this.addedAt.get(item) ?? now));
    this.addedAt.delete(item);
    this.startedAt.set(item, now);
    to({ shutdown: false, item });
  }

  /** Blocks until an item is ready; {shutdown:true} once the queue is shut down and empty. */
  get(): Promise<GetResult<T>> {
    return new Promise((resolve) => {
      const item = this.queue.shift();
      if (item !== undefined) {
        this.metrics.depth = this.queue.length;
        this.hand(item, resolve);
        return;
      }
      if (this.shuttingDown) {
        resolve({ shutdown: true });
        return;
      }
      this.waiters.push(resolve);
    });
  }

  /** Marks item as processed; if it was added meanwhile it goes back on the queue. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    const started = this.startedAt.get(item);
    if (started !== undefined) this.metrics.observe(this.metrics.workDuration, this.clock.now() - started);
    this.startedAt.delete(item);
    if (this.dirty.has(item)) this.push(item);
    else if (this.processing.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting items; waiting getters return {shutdown:true}. */
  shutDown(): void {
    this.shuttingDown = true;
    this.queue = [];
    this.dirty.clear();
    this.metrics.depth = 0;
    for (const w of this.waiters.splice(0)) w({ shutdown: true });
  }

  /** Stops accepting items and resolves once every item in flight is done. */
  async shutDownWithDrain(): Promise<void> {
    this.shuttingDown = true;
    for (const w of this.waiters.splice(0)) w({ shutdown: true });
    while (this.queue.length > 0 || this.processing.size > 0) {
      await new Promise<void>((r) => this.drainWaiters.push(r));
    }
  }
}
