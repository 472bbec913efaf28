// upstream's TimedWorkerQueue (pkg/controller/tainteviction/timed_workers.go):
// at most one piece of timed work per key ("namespace/name" of a pod), run no
// earlier than its fireAt on the injected clock and cancellable until then.
// Work due at once starts at once and is kept as a null entry while it runs,
// so that nobody schedules the same pod again meanwhile.
import type { Clock } from "../../client/clock.ts";

export interface TimedWorker {
  key: string;
  createdAt: number;
  fireAt: number;
  cancel(): void;
}

export type WorkFunc = (key: string, fireAt: number) => Promise<void>;

export class TimedWorkerQueue {
  /** key → its pending worker, or null while the work runs. */
  private readonly workers = new Map<string, TimedWorker | null>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly work: WorkFunc,
    private readonly clock: Clock,
    private readonly onError: (key: string, err: unknown) => void = () => {},
  ) {}

  /** AddWork: schedules work for key at fireAt unless some is already scheduled or running. */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) return;
    const delay = fireAt - createdAt;
    if (delay <= 0) {
      this.workers.set(key, null);
      this.start(key, fireAt, null);
      return;
    }
    let cancelled = false;
    const worker: TimedWorker = {
      key,
      createdAt,
      fireAt,
      cancel: () => {
        cancelled = true;
        stop();
      },
    };
    // The worker's entry stays while its work runs, as upstream's does.
    const stop = this.clock.after(fireAt - this.clock.now(), () => {
      if (!cancelled) this.start(key, fireAt, worker);
    });
    this.workers.set(key, worker);
  }

  /** CancelWork: forgets key's work; true if it had a timed worker (cancelled unless already firing). */
  cancelWork(key: string): boolean {
    if (!this.workers.has(key)) return false;
    const w = this.workers.get(key);
    this.workers.delete(key);
    if (!w) return false;
    w.cancel();
    return true;
  }

  /** GetWorkerUnsafe: the timed worker of key (undefined when none, or when work due at once runs). */
  getWorker(key: string): TimedWorker | undefined {
    return this.workers.get(key) ?? undefined;
  }

  /** Keys with pending or running work. */
  keys(): string[] {
    return [...this.workers.keys()];
  }

  /** Cancels every pending worker and waits for the running ones. */
  async cancelAndWait(): Promise<void> {
    for (const w of this.workers.values()) w?.cancel();
    this.workers.clear();
    await Promise.all(this.running);
  }

  private start(key: string, fireAt: number, entry: TimedWorker | null): void {
    const p = this.work(key, fireAt)
      .catch((e) => this.onError(key, e))
      .finally(() => {
        // Done: the key may be scheduled again (unless a newer worker took its place).
        if (this.workers.get(key) === entry) this.workers.delete(key);
        this.running.delete(p);
      });
    this.running.add(p);
  }
}
