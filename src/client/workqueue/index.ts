export { DelayingQueue } from "./delaying-queue.ts";
export { QueueMetrics } from "./metrics.ts";
export { type GetResult, WorkQueue, type WorkQueueOptions } from "./queue.ts";
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from "./rate-limiters.ts";
export { RateLimitingQueue, type RateLimitingQueueOptions } from "./rate-limiting-queue.ts";
