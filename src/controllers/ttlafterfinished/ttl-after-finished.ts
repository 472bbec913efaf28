// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a
// Job with spec.ttlSecondsAfterFinished is deleted, with its pods in the
// foreground, once that many seconds have passed since its Complete or Failed
// condition turned true. Until then its key comes back when the TTL runs out.
import type { Job } from "kubernetes-types/batch/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { type Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";

export interface TTLAfterFinishedOptions {
  client: RestClient;
  jobs: SharedInformer<Job>;
  clock: Clock;
  log?(msg: string): void;
}

/** needsCleanup: a TTL is set and the Job has finished. */
export function needsCleanup(j: Job): boolean {
  return j.spec?.ttlSecondsAfterFinished != null && jobFinishTime(j) !== null;
}

/** jobFinishTime: the lastTransitionTime of the true Complete or Failed condition; null when not finished. */
function jobFinishTime(j: Job): string | undefined | null {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.lastTransitionTime;
  }
  return null;
}

/**
 * timeLeft: milliseconds until the finished Job's TTL runs out (≤ 0: expired)
 * and the instant it does. Throws upstream's errors for a Job that has not
 * finished or whose finish time is missing.
 */
export function timeLeft(j: Job, now: number): { remainingMs: number; expireAt: number; finishAt: number } {
  const name = `${j.metadata?.namespace}/${j.metadata?.name}`;
  const ttl = j.spec?.ttlSecondsAfterFinished;
  const finished = jobFinishTime(j);
  if (ttl == null || finished === null) throw new Error(`job ${name} should not be cleaned up`);
  if (!finished) throw new Error(`unable to find the time when the Job ${name} finished`);
  const finishAt = Date.parse(finished);
  const expireAt = finishAt + ttl * 1000;
  return { remainingMs: expireAt - now, expireAt, finishAt };
}

export class TTLAfterFinishedReconciler implements Reconciler {
  private readonly log: (msg: string) => void;

  constructor(private readonly o: TTLAfterFinishedOptions) {
    this.log = o.log ?? (() => {});
  }

  registerHandlers(controller: Controller): void {
    const maybeEnqueue = (job: Job) => {
      if (!job.metadata?.deletionTimestamp && needsCleanup(job)) controller.enqueueObject(job);
    };
    this.o.jobs.addEventHandler({ onAdd: maybeEnqueue, onUpdate: (_old, cur) => maybeEnqueue(cur) });
  }

  /** processJob: delete the Job if its TTL has truly expired, checked again on a fresh read. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const cached = this.o.jobs.getIndexer().get(key);
    if (!cached) return undefined;
    const first = this.processTTL(cached);
    if (first.type !== "expired") return first.type === "wait" ? { requeueAfterMs: first.ms } : undefined;

    // The cached TTL may be stale: whoever changed it last decides.
    let fresh: Job;
    try {
      fresh = await this.o.client.get<Job>(Resources.jobs, name, { namespace });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const second = this.processTTL(fresh);
    if (second.type !== "expired") return second.type === "wait" ? { requeueAfterMs: second.ms } : undefined;
    this.log(`cleaning up job ${key}`);
    // The uid precondition keeps a Job recreated under the same name safe.
    await this.o.client.delete(Resources.jobs, name, {
      namespace,
      propagationPolicy: "Foreground",
      preconditions: { uid: fresh.metadata?.uid },
    });
    return undefined;
  }

  /** processTTL: nothing to do, not yet (wait ms), or expired. */
  private processTTL(job: Job): TTLState {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return { type: "skip" };
    const now = this.o.clock.now();
    const t = timeLeft(job, now);
    if (t.finishAt > now) {
      this.log(
        `Warning: Found Job finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred. job=${job.metadata?.namespace}/${job.metadata?.name}`,
      );
    }
    return t.remainingMs <= 0 ? { type: "expired", at: t.expireAt } : { type: "wait", ms: t.remainingMs };
  }
}

type TTLState = { type: "skip" } | { type: "wait"; ms: number } | { type: "expired"; at: number };
