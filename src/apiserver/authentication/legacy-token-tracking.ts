// upstream's pkg/controlplane/controller/legacytokentracking: the apiserver
// keeps the ConfigMap kube-system/kube-apiserver-legacy-service-account-token-tracking
// whose data.since is the day it began labelling used legacy tokens. The
// controller-manager's legacy token cleaner touches nothing before a whole
// clean-up period of tracking. Made when missing (at most once per 30 minutes,
// so apiservers of mixed versions do not fight), repaired when its date is
// malformed, never otherwise changed.
import type { Obj } from "../../api/registry.ts";
import { oneTermEqualSelector } from "../../machinery/fields.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../machinery/status.ts";
import { log } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import type { ObjectWatch, ResourceStore } from "../registry/resource-store.ts";
import { formatDate, trackedByApiserver } from "./legacy-token.ts";

export const TRACKING_CONFIG_MAP_NAMESPACE = "kube-system";
/** legacytokentracking.ConfigMapName */
export const TRACKING_CONFIG_MAP_NAME = "kube-apiserver-legacy-service-account-token-tracking";
/** legacytokentracking.ConfigMapDataKey */
export const TRACKING_CONFIG_MAP_DATA_KEY = "since";
/** rate.NewLimiter(rate.Every(30*time.Minute), 1) */
export const CREATION_INTERVAL_MS = 30 * 60_000;
/** workqueue.DefaultTypedControllerRateLimiter's per-item backoff: 5 ms doubling to 1000 s. */
const BACKOFF_BASE_MS = 5;
const BACKOFF_MAX_MS = 1000 * 1000;
const WATCH_RETRY_MS = 1000;

/** time.Parse("2006-01-02", s) succeeds. */
export function isValidDate(s: string | undefined): boolean {
  if (s === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && formatDate(new Date(ms)) === s;
}

export interface LegacyTokenTrackingOptions {
  registry: Registry;
  now?: () => Date;
}

export class LegacyTokenTrackingController {
  private readonly store: ResourceStore;
  private readonly now: () => Date;
  /** The creation rate limiter (burst 1): when its next token is there. */
  private nextCreationAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private watch: ObjectWatch | undefined;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private failures = 0;

  constructor(opts: LegacyTokenTrackingOptions) {
    const store = opts.registry.byResource("", "v1", "configmaps");
    if (!store) throw new Error("no store for configmaps");
    this.store = store;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * syncConfigMap: creates the ConfigMap (today's date) when missing, or
   * rewrites a malformed date. Returns how long to wait when the creation
   * limiter holds it back; throws to be retried with backoff.
   */
  async syncConfigMap(): Promise<number | undefined> {
    const ns = TRACKING_CONFIG_MAP_NAMESPACE;
    const name = TRACKING_CONFIG_MAP_NAME;
    const now = this.now();
    let cm: Obj | undefined;
    try {
      cm = await this.store.get(ns, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!cm) {
      const t = now.getTime();
      if (t < this.nextCreationAt) return this.nextCreationAt - t;
      const obj: Obj = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { namespace: ns, name },
        data: { [TRACKING_CONFIG_MAP_DATA_KEY]: formatDate(now) },
      };
      try {
        await this.store.create(ns, trackedByApiserver(this.store, undefined, obj, now));
      } catch (e) {
        // A failed attempt does not use up the limiter; losing the race to another apiserver does.
        if (!isAlreadyExists(e)) throw e;
      }
      this.nextCreationAt = t + CREATION_INTERVAL_MS;
      return undefined;
    }
    if (isValidDate(cm.data?.[TRACKING_CONFIG_MAP_DATA_KEY])) return undefined;
    const next = structuredClone(cm);
    next.data = { ...(next.data ?? {}), [TRACKING_CONFIG_MAP_DATA_KEY]: formatDate(now) };
    try {
      await this.store.update(ns, name, next, {}, (n, current) =>
        trackedByApiserver(this.store, current, n, now),
      );
    } catch (e) {
      // Gone or changed meanwhile: the watch brings the next state.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    return undefined;
  }

  /** Watches the ConfigMap and syncs at start and on every change, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watch?.cancel();
    await this.loop;
    await this.syncing;
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const w = await this.store.watch(TRACKING_CONFIG_MAP_NAMESPACE, {
          fieldSelector: oneTermEqualSelector("metadata.name", TRACKING_CONFIG_MAP_NAME),
        });
        if (!this.running) {
          w.cancel();
          return;
        }
        this.watch = w;
        this.enqueue(0);
        for await (const batch of w) {
          if (batch.some((ev) => ev.type === "ERROR")) throw new Error("watch error");
          this.enqueue(0);
        }
      } catch (e) {
        if (this.running) {
          log.error("legacy_token_tracking_controller watch failed", { err: (e as Error).message });
        }
      }
      if (!this.running) return;
      await new Promise((r) => setTimeout(r, WATCH_RETRY_MS).unref());
    }
  }

  /** The work queue of its single key: one sync at a time, the earliest wake-up wins. */
  private enqueue(delayMs: number): void {
    if (!this.running) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.process();
    }, delayMs);
    this.timer.unref();
  }

  private process(): void {
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = (async () => {
      try {
        const wait = await this.syncConfigMap();
        this.failures = 0;
        if (wait !== undefined) this.enqueue(wait);
      } catch (e) {
        log.error("Error while syncing ConfigMap", {
          configmap: `${TRACKING_CONFIG_MAP_NAMESPACE}/${TRACKING_CONFIG_MAP_NAME}`,
          err: (e as Error).message,
        });
        this.enqueue(Math.min(BACKOFF_BASE_MS * 2 ** this.failures++, BACKOFF_MAX_MS));
      } finally {
        this.syncing = undefined;
        if (this.dirty) {
          this.dirty = false;
          this.enqueue(0);
        }
      }
    })();
  }
}
