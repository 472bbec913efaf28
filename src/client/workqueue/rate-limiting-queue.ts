// client-go's rate_limiting_queue.go: a delaying queue whose retries wait as
// long as the rate limiter says.
import { DelayingQueue } from "./delaying-queue.ts";
import type { WorkQueueOptions } from "./queue.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiters.ts";

export interface RateLimitingQueueOptions<T> extends WorkQueueOptions {
  rateLimiter?: RateLimiter<T>;
}

export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    super(opts);
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds item after the rate limiter's delay: the retry of a failed item. */
  addRateLimited(item: T): void {
    if (this.isShuttingDown()) return;
    this.metrics.retries++;
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears item's failure history; call it when the item was processed successfully. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
