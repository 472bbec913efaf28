// When each pod worker should sync again (upstream's pkg/kubelet/util/queue
// basicWorkQueue, plus the sync loop's ticker): enqueue(uid, delay) sets the
// time, and one timer on the injected clock, armed for the earliest entry and
// rounded up to a tick, hands every due uid to onReady at once. A min-heap with
// lazy deletion keeps enqueue O(log n) for thousands of pods, with no timer per pod.
import type { Clock } from "../../client/clock.ts";

interface HeapEntry {
  at: number;
  uid: string;
}

export interface PodWorkQueueOptions {
  clock: Clock;
  /** Called with the uids that are due, oldest first. */
  onReady: (uids: string[]) => void;
  /** Due items are handed out at most once per tick (the kubelet's 1 s sync ticker); 0 for exact times. */
  tickMs?: number;
}

export class PodWorkQueue {
  private readonly due = new Map<string, number>();
  private readonly heap: HeapEntry[] = [];
  private readonly clock: Clock;
  private readonly tickMs: number;
  private cancelTimer?: () => void;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly opts: PodWorkQueueOptions) {
    this.clock = opts.clock;
    this.tickMs = opts.tickMs ?? 1000;
  }

  /** Sets when uid is due (replacing an earlier enqueue, as upstream's Enqueue). */
  enqueue(uid: string, delayMs: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + Math.max(0, delayMs);
    this.due.set(uid, at);
    this.push({ at, uid });
    this.arm();
  }

  remove(uid: string): void {
    this.due.delete(uid);
  }

  /** GetWork: removes and returns the uids that are due now. */
  getWork(): string[] {
    const now = this.clock.now();
    const out: string[] = [];
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const e = this.pop()!;
      // Stale: re-enqueued for another time, or removed.
      if (this.due.get(e.uid) !== e.at) continue;
      this.due.delete(e.uid);
      out.push(e.uid);
    }
    return out;
  }

  get length(): number {
    return this.due.size;
  }

  /** When the given uid is due, if queued. */
  dueAt(uid: string): number | undefined {
    return this.due.get(uid);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    this.dropStale();
    if (this.heap.length === 0 || this.stopped) return;
    const next = this.tickMs > 0 ? Math.ceil(this.heap[0].at / this.tickMs) * this.tickMs : this.heap[0].at;
    if (next >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = next;
    this.cancelTimer = this.clock.after(next - this.clock.now(), () => {
      this.cancelTimer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      const ready = this.getWork();
      this.arm();
      if (ready.length > 0) this.opts.onReady(ready);
    });
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.due.get(this.heap[0].uid) !== this.heap[0].at) this.pop();
  }

  private push(e: HeapEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].at <= h[i].at) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  private pop(): HeapEntry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
