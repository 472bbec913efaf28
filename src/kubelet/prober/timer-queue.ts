// A min-heap of due times behind one timer on the injected clock: every probe
// of a kubelet is scheduled here, so a node with a thousand probes holds one
// timer, not a thousand.
import type { Clock } from "../../client/clock.ts";

interface Slot<T> {
  at: number;
  seq: number;
  item: T;
}

export class TimerQueue<T> {
  private heap: Slot<T>[] = [];
  /** The live slot of each scheduled item; heap slots not in here are stale. */
  private readonly live = new Map<T, Slot<T>>();
  private seq = 0;
  private armedAt?: number;
  private cancelTimer?: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T) => void,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** When item is next due, if scheduled. */
  dueAt(item: T): number | undefined {
    return this.live.get(item)?.at;
  }

  /** Schedules item at time at (ms), replacing any earlier schedule of it. */
  schedule(item: T, at: number): void {
    const slot = { at, seq: this.seq++, item };
    this.live.set(item, slot);
    this.push(slot);
    // Replaced slots stay in the heap until popped; rebuild when they dominate.
    if (this.heap.length > 64 && this.heap.length > 2 * this.live.size) this.rebuild();
    this.arm();
  }

  cancel(item: T): void {
    if (!this.live.delete(item)) return;
    if (this.live.size === 0) {
      this.heap = [];
      this.arm();
    }
  }

  /** Drops every schedule and the timer. */
  clear(): void {
    this.live.clear();
    this.heap = [];
    this.arm();
  }

  private isLive(s: Slot<T>): boolean {
    return this.live.get(s.item) === s;
  }

  private peekLive(): Slot<T> | undefined {
    while (this.heap.length > 0 && !this.isLive(this.heap[0])) this.pop();
    return this.heap[0];
  }

  private arm(): void {
    const top = this.peekLive();
    if (top && this.armedAt === top.at) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAt = undefined;
    if (!top) return;
    this.armedAt = top.at;
    this.cancelTimer = this.clock.after(top.at - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.cancelTimer = undefined;
    this.armedAt = undefined;
    const now = this.clock.now();
    const due: T[] = [];
    for (let top = this.peekLive(); top && top.at <= now; top = this.peekLive()) {
      this.pop();
      this.live.delete(top.item);
      due.push(top.item);
    }
    for (const item of due) this.onDue(item);
    this.arm();
  }

  private less(a: Slot<T>, b: Slot<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(s: Slot<T>): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Slot<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private rebuild(): void {
    const slots = [...this.live.values()];
    this.heap = [];
    for (const s of slots) this.push(s);
  }
}
