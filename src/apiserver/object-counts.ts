// How many objects of each resource the store holds, counted once a minute as
// upstream's storage object count tracker polls etcd (--etcd-count-metric-poll-period):
// the apiserver_storage_objects metric, and what priority and fairness
// estimates a LIST's work from.

import { apiVersionOf, resourceTypes } from "../api/registry.ts";
import { Scalar } from "../machinery/metrics.ts";
import type { Store } from "../storage/store.ts";
import { log } from "./log.ts";

const POLL_MS = 60_000;

export class ObjectCounts {
  private readonly counts = new Map<string, number>();
  private readonly metric = new Scalar(
    "apiserver_storage_objects",
    "[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.",
    "gauge",
  );
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly pollMs = POLL_MS,
  ) {}

  /** Counts once (so that the first LISTs find their counts), then every minute. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => {
        this.polling = undefined;
      });
    }, this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** The last count of a resource's objects; undefined before the first count, or after a failed one. */
  get(group: string, resource: string): number | undefined {
    return this.counts.get(group ? `${resource}.${group}` : resource);
  }

  /** apiserver_storage_objects in the text exposition format (each line ended). */
  render(): string {
    return `${this.metric.render()}\n`;
  }

  private async poll(): Promise<void> {
    for (const { prefix, label, name } of STORED) {
      try {
        const { count } = await this.store.count(prefix);
        this.counts.set(label, count);
        this.metric.set({ resource: label }, count);
      } catch (e) {
        this.counts.delete(label);
        this.metric.set({ resource: label }, -1);
        log.error("counting stored objects failed", { resource: name, err: String(e) });
      }
    }
  }
}

/** One count per stored resource (events.k8s.io events are core events, counted as core's), under upstream's label. */
const STORED = resourceTypes
  .filter((t) => !t.virtual)
  .filter((t, i, all) => all.findIndex((o) => o.storageResource === t.storageResource) === i)
  .map((t) => ({
    prefix: `/registry/${t.storageResource}/`,
    label: t.group ? `${t.resource}.${t.group}` : t.resource,
    name: apiVersionOf(t),
  }));
