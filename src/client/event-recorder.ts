// client-go's tools/record EventRecorder with the simplest part of its
// EventCorrelator (the EventLogger): the first occurrence of an
// (object, type, reason, message, source) creates a core/v1 Event named
// "<object>.<hex nanoseconds>"; repeats PATCH count and lastTimestamp.
// Left out: the EventAggregator ("combined from similar events") and the spam filter.
import type { Event, ObjectReference } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "./api-error.ts";
import { type Clock, realClock } from "./clock.ts";
import { Resources } from "./resources.ts";
import type { KubeObject, RestClient } from "./rest-client.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  client: RestClient;
  /** source.component and reportingComponent, e.g. "default-scheduler". */
  component: string;
  host?: string;
  clock?: Clock;
  /** Distinct events remembered for aggregation (upstream's maxLruCacheEntries). */
  cacheSize?: number;
  onError?(err: unknown): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

/** RFC 3339 with seconds, as metav1.Time serialises. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** An ObjectReference for any object, as upstream's reference.GetReference. */
export function objectReference(obj: KubeObject): ObjectReference {
  return {
    kind: obj.kind,
    namespace: obj.metadata?.namespace,
    name: obj.metadata?.name,
    uid: obj.metadata?.uid,
    apiVersion: obj.apiVersion,
    resourceVersion: obj.metadata?.resourceVersion,
  };
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly cache = new Map<string, Seen>();
  /** Writes go out one at a time and in order, off the caller's path (upstream's broadcaster). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /** Records an event about obj (an object or a reference to one). Never throws or blocks. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    const ref: ObjectReference =
      "metadata" in obj ? objectReference(obj as KubeObject) : (obj as ObjectReference);
    const now = this.clock.now();
    this.tail = this.tail.then(() =>
      this.write(ref, type, reason, message, now).catch((e) =>
        (this.opts.onError ?? ((err) => console.error("event not recorded:", err)))(e),
      ),
    );
  }

  /** Resolves when every event recorded so far has been written. */
  flush(): Promise<void> {
    return this.tail;
  }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string, now: number) {
    const { client, component, host } = this.opts;
    const namespace = ref.namespace || "default";
    // upstream's getEventKey: source, object, type, reason and message.
    const key = JSON.stringify([
      component,
      host ?? "",
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
      ref.apiVersion,
      type,
      reason,
      message,
    ]);
    const ts = rfc3339(now);
    const seen = this.cache.get(key);
    if (seen) {
      const count = seen.count + 1;
      try {
        await client.patch(
          Resources.events,
          seen.name,
          { count, lastTimestamp: ts, message },
          { namespace: seen.namespace, type: "strategic" },
        );
        seen.count = count;
        this.touch(key, seen);
        return;
      } catch (e) {
        // Deleted (e.g. expired by TTL): start again with a new Event, as upstream does.
        if (!isNotFound(e)) throw e;
        this.cache.delete(key);
      }
    }
    const name = `${ref.name}.${(BigInt(now) * 1_000_000n).toString(16)}`;
    const ev: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: host ?? "",
    };
    await client.create(Resources.events, ev);
    this.touch(key, { name, namespace, count: 1, firstTimestamp: ts });
  }

  private touch(key: string, seen: Seen): void {
    this.cache.delete(key);
    this.cache.set(key, seen);
    const max = this.opts.cacheSize ?? 4096;
    if (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
  }
}
