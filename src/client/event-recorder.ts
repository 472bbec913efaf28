// client-go's tools/record EventRecorder: makes a core/v1 Event named
// "<object>.<hex nanoseconds>" and writes it through the EventCorrelator
// (event-correlator.ts), which aggregates similar events, turns repeats into
// a PATCH of count and lastTimestamp, and drops spam.
import type { Event, ObjectReference } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "./api-error.ts";
import { type Clock, realClock } from "./clock.ts";
import { type CorrelatorOptions, EventCorrelator, eventName, metaTime } from "./event-correlator.ts";
import { Resources } from "./resources.ts";
import type { KubeObject, RestClient } from "./rest-client.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  client: RestClient;
  /** source.component and reportingComponent, e.g. "default-scheduler". */
  component: string;
  host?: string;
  clock?: Clock;
  /** Keys each correlator cache remembers (upstream's maxLruCacheEntries). */
  cacheSize?: number;
  /** Tuning of aggregation and the spam filter (upstream's WithCorrelatorOptions). */
  correlator?: Omit<CorrelatorOptions, "clock" | "lruCacheSize">;
  onError?(err: unknown): void;
}

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

/** client-go's record.EventRecorder, as components take it. */
export interface Recorder {
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void;
  /** Resolves when every event recorded so far has been written. */
  flush(): Promise<void>;
}

/**
 * client-go's record.FakeRecorder: sends nothing to the API. Kubemark's hollow
 * kubelet runs with one; with `events` it keeps "<type> <reason> <message>" lines.
 */
export class FakeRecorder implements Recorder {
  constructor(readonly events?: string[]) {}

  event(_obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    this.events?.push(`${type} ${reason} ${message}`);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}

let nameSequence = Math.floor(Math.random() * 1_000_000);

/** upstream's maxQueuedEvents: events waiting to be written past it are dropped, not queued. */
export const MAX_QUEUED_EVENTS = 1000;

export class EventRecorder implements Recorder {
  private readonly clock: Clock;
  private readonly correlator: EventCorrelator;
  /** Writes go out one at a time and in order, off the caller's path (upstream's broadcaster). */
  private tail: Promise<void> = Promise.resolve();
  /** Events recorded and not yet written (or given up). */
  private queued = 0;

  /**
   * upstream names events by nanosecond; our clock has milliseconds, so a
   * sequence shared by every recorder of the process (several controllers
   * report on one object) fills the nanoseconds, from a random start so that
   * two processes rarely meet.
   */
  private uniqueName(objectName: string | undefined, now: number): string {
    nameSequence = (nameSequence + 1) % 1_000_000;
    return eventName(objectName, now, nameSequence);
  }

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.correlator = new EventCorrelator({
      ...opts.correlator,
      lruCacheSize: opts.cacheSize,
      clock: this.clock,
    });
  }

  /** Records an event about obj (an object or a reference to one). Never throws or blocks. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    const ref: ObjectReference =
      "metadata" in obj ? objectReference(obj as KubeObject) : (obj as ObjectReference);
    const onError = this.opts.onError ?? ((err) => console.error("event not recorded:", err));
    // An API slower than the events (an event storm, an apiserver away) must not grow the queue without end.
    if (this.queued >= MAX_QUEUED_EVENTS) {
      onError(
        new Error(
          `too many queued events, dropped event: ${ref.kind ?? ""} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name ?? ""} ${type} ${reason}`,
        ),
      );
      return;
    }
    this.queued++;
    const now = this.clock.now();
    const ev = this.makeEvent(ref, type, reason, message, now);
    this.tail = this.tail.then(() =>
      this.recordToSink(ev, now)
        .catch(onError)
        .finally(() => {
          this.queued--;
        }),
    );
  }

  flush(): Promise<void> {
    return this.tail;
  }

  private makeEvent(
    ref: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    now: number,
  ): Event {
    const { component, host } = this.opts;
    const ts = metaTime(now);
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: this.uniqueName(ref.name, now), namespace: ref.namespace || "default" },
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
  }

  /** Upstream's recordToSink + recordEvent, without the retries on connection errors. */
  private async recordToSink(ev: Event, now: number): Promise<void> {
    const { client } = this.opts;
    // Correlated here, on the serial write queue, so updateState below is
    // never overtaken by a later observation; at the time it was recorded.
    const result = this.correlator.eventCorrelate(ev, now);
    if (result.dropped) return;
    const { event, patch, key } = result;
    const namespace = event.metadata?.namespace;
    if (patch) {
      try {
        const updated = await client.patch<Event>(Resources.events, event.metadata?.name ?? "", patch, {
          namespace,
          type: "strategic",
        });
        this.correlator.updateState(updated);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        // The Event is gone (e.g. expired by TTL). Upstream re-creates it under
        // its old name with the running count; k8ts starts a fresh Event at 1.
        const fresh: Event = {
          ...event,
          metadata: { name: this.uniqueName(event.involvedObject.name, now), namespace },
          count: 1,
          firstTimestamp: event.lastTimestamp,
        };
        this.correlator.updateState(await client.create(Resources.events, fresh), key);
        return;
      }
    }
    const { resourceVersion: _rv, ...metadata } = event.metadata ?? {};
    this.correlator.updateState(await client.create(Resources.events, { ...event, metadata }));
  }
}
