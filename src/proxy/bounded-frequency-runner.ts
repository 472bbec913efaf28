// pkg/util/async/bounded_frequency_runner.go: runs fn when asked, but never
// more than `burstRuns` times in a burst nor more often than once per
// minInterval after that, and at least once per maxInterval. Runs never
// overlap; asks that arrive during a run are folded into one more run.
export interface BoundedFrequencyRunnerOptions {
  name: string;
  fn: () => Promise<void>;
  minIntervalMs: number;
  maxIntervalMs: number;
  burstRuns: number;
  now?: () => number;
}

export class BoundedFrequencyRunner {
  private tokens: number;
  private lastRefill: number;
  private running = false;
  private pending = false;
  private timer?: NodeJS.Timeout;
  private maxTimer?: NodeJS.Timeout;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: BoundedFrequencyRunnerOptions) {
    this.now = opts.now ?? Date.now;
    this.tokens = opts.burstRuns;
    this.lastRefill = this.now();
  }

  /** Starts the periodic (maxInterval) runs. */
  start(): void {
    this.stopped = false;
    this.armMax();
  }

  /** Stops the timers and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.maxTimer);
    this.timer = undefined;
    await this.idle;
  }

  /** Asks for a run as soon as the rate limit allows. */
  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.refill();
    if (this.opts.minIntervalMs <= 0 || this.tokens >= 1) {
      this.tokens -= 1;
      this.execute();
      return;
    }
    if (this.timer) return;
    const wait = Math.ceil((1 - this.tokens) * this.opts.minIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  /** Runs again after `ms` (a failed run's retry), unless something runs sooner. */
  retryAfter(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, ms);
  }

  private refill(): void {
    const now = this.now();
    if (this.opts.minIntervalMs > 0) {
      this.tokens = Math.min(
        this.opts.burstRuns,
        this.tokens + (now - this.lastRefill) / this.opts.minIntervalMs,
      );
    }
    this.lastRefill = now;
  }

  private armMax(): void {
    clearTimeout(this.maxTimer);
    if (this.stopped || this.opts.maxIntervalMs <= 0) return;
    this.maxTimer = setTimeout(() => this.run(), this.opts.maxIntervalMs);
    this.maxTimer.unref?.();
  }

  private execute(): void {
    this.running = true;
    this.idle = (async () => {
      try {
        await this.opts.fn();
      } catch {
        // fn reports its own errors; the runner only paces.
      } finally {
        this.running = false;
        this.armMax();
        if (this.pending) {
          this.pending = false;
          this.run();
        }
      }
    })();
  }
}
