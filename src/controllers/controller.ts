// controller-runtime's reconcile loop on client-go's rate-limited work queue:
// informer handlers only enqueue keys ("namespace/name" of the root object);
// workers take a key, call reconcile(key), and on an error put the key back
// with per-key exponential backoff. A key is never reconciled by two workers
// at once. reconcile never sees which event caused it: it reads the cache and
// makes the world match, so running it twice with the same input changes nothing.
import { type Clock, realClock } from "../client/clock.ts";
import { metaNamespaceKey } from "../client/indexer.ts";
import type { KubeObject } from "../client/rest-client.ts";
import type { RateLimiter } from "../client/workqueue/rate-limiters.ts";
import { RateLimitingQueue } from "../client/workqueue/rate-limiting-queue.ts";

/** What a reconcile asks for besides success: come back after this long. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | undefined>;
}

export interface ControllerOptions {
  /** The queue's name in metrics, e.g. "replicaset". */
  name: string;
  reconciler: Reconciler;
  clock?: Clock;
  rateLimiter?: RateLimiter<string>;
  /** After this many failed attempts in a row a key is dropped until its next event (upstream's maxRetries); 0 never drops. */
  maxRetries?: number;
  log?(msg: string): void;
}

export class Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue<string>;
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.queue = new RateLimitingQueue<string>({
      name: opts.name,
      clock: opts.clock ?? realClock,
      rateLimiter: opts.rateLimiter,
    });
    this.log = opts.log ?? ((m) => process.stderr.write(`${opts.name}: ${m}\n`));
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /** Enqueues the object's own key. */
  enqueueObject(obj: KubeObject): void {
    this.queue.add(metaNamespaceKey(obj));
  }

  /** Runs `workers` loops until the signal aborts; resolves once every reconcile in flight has returned. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const loops = Array.from({ length: Math.max(1, workers) }, () => this.worker());
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    await this.queue.shutDownWithDrain();
    await Promise.all(loops);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const next = await this.queue.get();
      if (next.shutdown) return;
      await this.process(next.item);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.opts.reconciler.reconcile(key);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (e) {
      const max = this.opts.maxRetries ?? 0;
      if (max > 0 && this.queue.numRequeues(key) >= max) {
        this.log(`dropping ${key} out of the queue after ${max} retries: ${(e as Error).message ?? e}`);
        this.queue.forget(key);
      } else {
        this.log(`error syncing ${key}: ${(e as Error).message ?? e}`);
        this.queue.addRateLimited(key);
      }
    } finally {
      this.queue.done(key);
    }
  }
}

/** Splits a queue key into namespace and name (cluster-scoped keys have no namespace). */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i === -1 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
