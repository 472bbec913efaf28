// The webhook configurations of one kind, kept current by a list and a store
// watch (upstream's configuration manager over an informer), so a request
// reads memory, not the store. A watch that fails (compaction, too slow)
// relists and watches again.

import { log } from "../../../log.ts";
import type { ObjectWatch, ResourceStore } from "../../../registry/resource-store.ts";
import type { Obj } from "../../admission.ts";
import { mergeConfigurations, type Webhook, type WebhookType } from "./accessor.ts";

const RETRY_MS = 1000;

/** What the dispatchers need of a source (tests give a fixed list). */
export interface WebhookSource {
  webhooks(): Webhook[];
  hasSynced(): boolean;
  start(): Promise<void>;
}

export class WebhookConfigurationSource implements WebhookSource {
  private readonly configs = new Map<string, Obj>();
  private merged: Webhook[] | undefined;
  private resourceVersion = "";
  private watch: ObjectWatch | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  private synced = false;
  /** Which start() a watch loop belongs to: a loop of an earlier start ends. */
  private generation = 0;

  constructor(
    readonly type: WebhookType,
    private readonly store: () => ResourceStore,
  ) {}

  /** Resolves once the first list is in; the watch then runs in the background. */
  start(): Promise<void> {
    this.stopped = false;
    this.started ??= this.relist().then(
      () => {
        void this.run(++this.generation);
      },
      (e) => {
        // Let the next caller try again.
        this.started = undefined;
        throw e;
      },
    );
    return this.started;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Ends the watch; a later start() lists again. */
  stop(): void {
    this.stopped = true;
    this.started = undefined;
    this.synced = false;
    this.watch?.cancel();
  }

  /** Every webhook of every configuration, in the order they run. */
  webhooks(): Webhook[] {
    this.merged ??= mergeConfigurations(this.type, this.configs.values());
    return this.merged;
  }

  private async relist(): Promise<void> {
    const list = await this.store().list(undefined);
    this.configs.clear();
    for (const item of list.items as Obj[]) this.configs.set(item.metadata?.name ?? "", item);
    this.merged = undefined;
    this.resourceVersion = list.metadata.resourceVersion;
    this.synced = true;
  }

  private async run(gen: number): Promise<void> {
    const done = () => this.stopped || gen !== this.generation;
    while (!done()) {
      let relist = false;
      let watch: ObjectWatch | undefined;
      try {
        watch = await this.store().watch(undefined, { resourceVersion: this.resourceVersion });
        this.watch = watch;
        if (done()) watch.cancel();
        for await (const batch of watch) {
          if (done()) break;
          for (const ev of batch) {
            if (ev.type === "ERROR") {
              relist = true;
              break;
            }
            const name = ev.object.metadata?.name ?? "";
            if (ev.type === "DELETED") this.configs.delete(name);
            else if (ev.type === "ADDED" || ev.type === "MODIFIED") this.configs.set(name, ev.object);
            this.merged = undefined;
            const rv = ev.object.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
          }
          if (relist) break;
        }
      } catch (e) {
        if (done()) return;
        log.error("webhook configuration watch failed", { kind: this.type, err: (e as Error).message });
        relist = true;
      } finally {
        watch?.cancel();
        if (this.watch === watch) this.watch = undefined;
      }
      if (done()) return;
      // A watch that ended on its own is not retried in a tight loop.
      await new Promise((r) => setTimeout(r, RETRY_MS).unref());
      if (done()) return;
      if (relist) {
        try {
          await this.relist();
        } catch (e) {
          log.error("webhook configuration list failed", { kind: this.type, err: (e as Error).message });
        }
      }
    }
  }
}
