// V8 grows its heap under load and keeps it: after a burst of writes the
// apiserver held three times its live heap in resident memory, at rest, for
// as long as it stayed idle (V8's own memory reducer did not run). A process
// that has gone quiet collects, so the pages go back to the system: once, and
// once more a few seconds later when the first left the young generation at
// its full size. V8 shrinks it only at a collection that finds allocation
// slow over the last 5 s, and the first one after a burst still counts the
// burst (an apiserver kept 129 MB of heap for 33 MB live, bench api).
import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleGCOptions {
  /** How often to look (default 5 s). */
  periodMs?: number;
  /** The event loop's utilisation over the last period under which the process counts as idle. */
  idleBelow?: number;
  /** How much the heap must have grown since the last collection to be worth one (default 24 MiB). */
  minGrowthBytes?: number;
  /** How long after a collection that left the heap large a second one comes (default 6 s). */
  followUpMs?: number;
}

/** Starts watching; returns a function that stops it. Collections never run while the process is busy. */
export function startIdleGC(opts: IdleGCOptions = {}): () => void {
  // Found when first needed: a context of its own costs 2 ms, which a short command need not pay.
  let gc: (() => void) | undefined;
  const minGrowth = opts.minGrowthBytes ?? 24 * 1024 * 1024;
  const idleBelow = opts.idleBelow ?? 0.05;
  const followUpMs = opts.followUpMs ?? 6000;
  // The heap after this watch's last collection: none yet, so the first quiet period collects
  // whatever start-up (or a burst before the watch began) left.
  let baseline = 0;
  let followUpAt: number | undefined;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const heap = getHeapStatistics().total_heap_size;
    if (heap < baseline) baseline = heap;
    const followUp = followUpAt !== undefined && performance.now() >= followUpAt;
    if (busy >= idleBelow || (heap - baseline < minGrowth && !followUp)) return;
    gc ??= exposedGC();
    if (!gc) {
      clearInterval(timer);
      return;
    }
    gc();
    const after = getHeapStatistics();
    baseline = after.total_heap_size;
    followUpAt =
      !followUp && after.total_heap_size - after.used_heap_size >= minGrowth
        ? performance.now() + followUpMs
        : undefined;
    last = performance.eventLoopUtilization();
  }, opts.periodMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The global gc() V8 gives with --expose-gc, without needing the flag on the command line. */
function exposedGC(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}
