// upstream's slowStartBatch (pkg/controller/replicaset/replica_set.go): make
// many calls in batches of 1, 2, 4…, stopping after the first batch with a
// failure. A namespace whose quota allows 2 pods then costs a handful of
// refused creates (and events), not hundreds.

/** controller.SlowStartInitialBatchSize */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface SlowStartResult {
  successes: number;
  /** The first failure of the batch that stopped it. */
  error?: unknown;
}

/** Calls fn count times, each batch concurrently; a batch with a failure ends it after the batch completes. */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining)
  ) {
    const results = await Promise.allSettled(Array.from({ length: batchSize }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += batchSize - failures.length;
    if (failures.length > 0) return { successes, error: failures[0].reason };
    remaining -= batchSize;
  }
  return { successes };
}
