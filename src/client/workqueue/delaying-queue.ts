// client-go's delaying_queue.go: addAfter holds an item until its time comes,
// then adds it; a later addAfter of a waiting item only ever moves it earlier.
import { WorkQueue, type WorkQueueOptions } from "./queue.ts";

export class DelayingQueue<T> extends WorkQueue<T> {
  private readonly waiting = new Map<T, number>();
  private cancelTimer?: () => void;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(opts: WorkQueueOptions = {}) {
    super(opts);
  }

  addAfter(item: T, ms: number): void {
    if (this.isShuttingDown()) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing !== undefined && existing <= readyAt) return;
    this.waiting.set(item, readyAt);
    this.schedule();
  }

  /** Items waiting for their time. */
  waitingLen(): number {
    return this.waiting.size;
  }

  private schedule(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const at of this.waiting.values()) if (at < next) next = at;
    if (next === this.timerAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.cancelTimer = this.clock.after(next - this.clock.now(), () => {
      this.cancelTimer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.fire();
    });
  }

  private fire(): void {
    const now = this.clock.now();
    const ready = [...this.waiting].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [item] of ready) {
      this.waiting.delete(item);
      this.add(item);
    }
    this.schedule();
  }

  override shutDown(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.waiting.clear();
    super.shutDown();
  }

  override async shutDownWithDrain(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.waiting.clear();
    await super.shutDownWithDrain();
  }
}
