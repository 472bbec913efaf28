// upstream's pkg/controller/namespace/namespace_controller.go: a namespace
// with a deletionTimestamp is queued 5 s after each event (so that every
// apiserver sees the deletion and refuses new content first), then emptied
// by the NamespacedResourcesDeleter. Content still going comes back after
// half its estimate; other failures retry with a backoff capped at a minute.
import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from "../../client/workqueue/rate-limiters.ts";
import { Controller, type ReconcileResult, type Reconciler } from "../controller.ts";
import { type NamespacedResourcesDeleter, ResourcesRemainingError } from "./resources-deleter.ts";

/** namespaceDeletionGracePeriod */
export const NAMESPACE_DELETION_GRACE_PERIOD_MS = 5_000;
/** --namespace-sync-period: every terminating namespace is looked at again this often. */
export const NAMESPACE_SYNC_PERIOD_MS = 5 * 60_000;

/**
 * nsControllerRateLimiter: faster than the default so namespaces empty
 * reliably fast: 5 ms doubling up to a minute, never longer, max'd with the
 * overall 10 qps / burst 100.
 */
export function nsControllerRateLimiter(clock: Clock): RateLimiter<string> {
  return new MaxOfRateLimiter<string>(
    new ItemExponentialFailureRateLimiter<string>(5, 60_000),
    new BucketRateLimiter<string>(10, 100, clock),
  );
}

/** How long to wait for content still being removed: half the estimate plus a second (integer seconds, as Go). */
export function remainingContentDelayMs(estimateSeconds: number): number {
  return (Math.floor(estimateSeconds / 2) + 1) * 1000;
}

export interface NamespaceControllerOptions {
  namespaces: SharedInformer<Namespace>;
  deleter: NamespacedResourcesDeleter;
  clock: Clock;
  log(msg: string): void;
  /** Default 5 s (upstream's constant). */
  deletionGracePeriodMs?: number;
  /** Default 5 min. */
  syncPeriodMs?: number;
}

export class NamespaceController implements Reconciler {
  readonly controller: Controller;
  private readonly gracePeriodMs: number;

  constructor(private readonly o: NamespaceControllerOptions) {
    this.gracePeriodMs = o.deletionGracePeriodMs ?? NAMESPACE_DELETION_GRACE_PERIOD_MS;
    this.controller = new Controller({
      name: "namespace",
      reconciler: this,
      clock: o.clock,
      rateLimiter: nsControllerRateLimiter(o.clock),
      log: o.log,
    });
    o.namespaces.addEventHandler({
      onAdd: (ns) => this.enqueueNamespace(ns),
      onUpdate: (_old, ns) => this.enqueueNamespace(ns),
    });
  }

  /** enqueueNamespace: only namespaces being deleted, after the grace period. */
  private enqueueNamespace(ns: Namespace): void {
    if (!ns.metadata?.deletionTimestamp) return;
    this.controller.enqueueAfter(ns.metadata.name ?? "", this.gracePeriodMs);
  }

  /** syncNamespaceFromKey */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const ns = this.o.namespaces.getIndexer().get(key);
    if (!ns) {
      this.o.log(`namespace has been deleted: ${key}`);
      return undefined;
    }
    try {
      await this.o.deleter.delete(ns.metadata?.name ?? key);
    } catch (e) {
      if (e instanceof ResourcesRemainingError)
        return { requeueAfterMs: remainingContentDelayMs(e.estimate) };
      throw new Error(`deletion of namespace ${key} failed: ${(e as Error).message}`);
    }
    return undefined;
  }

  /** The workers, and the informer resync of upstream's handler (every namespace again each sync period). */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    const resync = async () => {
      const period = this.o.syncPeriodMs ?? NAMESPACE_SYNC_PERIOD_MS;
      while (!signal.aborted) {
        await sleep(this.o.clock, period, signal);
        if (signal.aborted) return;
        for (const ns of this.o.namespaces.getIndexer().list()) this.enqueueNamespace(ns);
      }
    };
    await Promise.all([this.controller.run(workers, signal), resync()]);
  }
}
