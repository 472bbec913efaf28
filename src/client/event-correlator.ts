// client-go's tools/record/events_cache.go: the EventCorrelator that stands
// between an EventRecorder and the apiserver so a noisy component cannot flood
// the cluster with Events. For each event, in upstream's order:
//   1. EventAggregator: similar events (same source, object, type and reason,
//      differing only in message) turn into one "(combined from similar
//      events): …" Event once 10 distinct messages arrive within 600 s.
//   2. eventLogger: an exact repeat (or a further combined event) becomes a
//      strategic-merge patch of count, lastTimestamp and message.
//   3. EventSourceObjectSpamFilter: a token bucket per source+object (burst
//      25, one more every 300 s) drops what exceeds it.
// Every cache is an LRU of 4096 keys (maxLruCacheEntries).
import type { Event } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "./clock.ts";

export const maxLruCacheEntries = 4096;
// "if we see the same event that varies only by message more than 10 times in
// a 10 minute period, aggregate the event" (upstream).
export const defaultAggregateMaxEvents = 10;
export const defaultAggregateIntervalInSeconds = 600;
// "allow a source to send 25 events about an object but control the refill
// rate to 1 new event every 5 minutes" (upstream).
export const defaultSpamBurst = 25;
export const defaultSpamQPS = 1 / 300;

/** metav1.Time as it serialises: RFC 3339 in UTC, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Upstream's Event name: "<object name>.<UnixNano in hex>". */
export function eventName(objectName: string | undefined, ms: number, nanosWithinMs = 0): string {
  return `${objectName ?? ""}.${(BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(nanosWithinMs)).toString(16)}`;
}

// Upstream joins key parts with "" (no separator); kept so keys match its.
const join = (parts: (string | undefined)[]) => parts.map((p) => p ?? "").join("");

/** Identifies an exact repeat: source, object (with fieldPath), type, reason, message. */
export function getEventKey(event: Event): string {
  const o = event.involvedObject;
  return join([
    event.source?.component,
    event.source?.host,
    o.kind,
    o.namespace,
    o.name,
    o.fieldPath,
    o.uid,
    o.apiVersion,
    event.type,
    event.reason,
    event.message,
  ]);
}

/** The spam filter's bucket: source and object only. */
export function getSpamKey(event: Event): string {
  const o = event.involvedObject;
  return join([
    event.source?.component,
    event.source?.host,
    o.kind,
    o.namespace,
    o.name,
    o.uid,
    o.apiVersion,
  ]);
}

export type EventSpamKeyFunc = (event: Event) => string;
/** Returns [aggregateKey, localKey]: the group an event belongs to, and what tells it apart inside the group. */
export type EventAggregatorKeyFunc = (event: Event) => [aggregateKey: string, localKey: string];
export type EventAggregatorMessageFunc = (event: Event) => string;

/** Upstream's EventAggregatorByReasonFunc: similar = equal in all but message (and fieldPath). */
export function eventAggregatorByReasonFunc(event: Event): [string, string] {
  const o = event.involvedObject;
  const aggregateKey = join([
    event.source?.component,
    event.source?.host,
    o.kind,
    o.namespace,
    o.name,
    o.uid,
    o.apiVersion,
    event.type,
    event.reason,
    event.reportingComponent,
    event.reportingInstance,
  ]);
  return [aggregateKey, event.message ?? ""];
}

/** Upstream's EventAggregatorByReasonMessageFunc. */
export function eventAggregatorByReasonMessageFunc(event: Event): string {
  return `(combined from similar events): ${event.message ?? ""}`;
}

/** github.com/golang/groupcache/lru: get and add make a key the newest; add evicts the oldest beyond maxEntries (0 = no limit). */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  add(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.maxEntries !== 0 && this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}

/**
 * golang.org/x/time/rate's Limiter as flowcontrol's token bucket uses it for
 * TryAccept: starts full, refills continuously at qps up to burst, and a
 * refused call leaves the bucket untouched. qps is a float32 upstream, so
 * 300 s of 1/300 qps yields just over one token.
 */
class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;

  constructor(
    qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.qps = Math.fround(qps);
    this.tokens = burst;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    const last = Math.min(now, this.last);
    const tokens = Math.min(this.burst, this.tokens + ((now - last) / 1000) * this.qps) - 1;
    if (tokens < 0) return false;
    this.tokens = tokens;
    this.last = now;
    return true;
  }
}

export interface SpamFilterOptions {
  lruCacheSize?: number;
  burst?: number;
  qps?: number;
  clock?: Clock;
  spamKeyFunc?: EventSpamKeyFunc;
}

/** Throttles the events one source sends about one object (upstream's EventSourceObjectSpamFilter). */
export class EventSourceObjectSpamFilter {
  private readonly cache: LruCache<TokenBucket>;
  private readonly burst: number;
  private readonly qps: number;
  private readonly clock: Clock;
  private readonly spamKeyFunc: EventSpamKeyFunc;

  constructor(opts: SpamFilterOptions = {}) {
    this.cache = new LruCache(opts.lruCacheSize ?? maxLruCacheEntries);
    this.burst = opts.burst ?? defaultSpamBurst;
    this.qps = opts.qps ?? defaultSpamQPS;
    this.clock = opts.clock ?? realClock;
    this.spamKeyFunc = opts.spamKeyFunc ?? getSpamKey;
  }

  /** True when the event should be dropped. */
  filter(event: Event, now = this.clock.now()): boolean {
    const key = this.spamKeyFunc(event);
    const bucket = this.cache.get(key) ?? new TokenBucket(this.qps, this.burst, now);
    const drop = !bucket.tryAccept(now);
    this.cache.add(key, bucket);
    return drop;
  }
}

export interface EventAggregatorOptions {
  lruCacheSize?: number;
  keyFunc?: EventAggregatorKeyFunc;
  messageFunc?: EventAggregatorMessageFunc;
  maxEvents?: number;
  maxIntervalInSeconds?: number;
  clock?: Clock;
}

interface AggregateRecord {
  /** Distinct local keys (messages) seen in the group; reaching maxEvents aggregates. */
  localKeys: Set<string>;
  /** When a similar event was last seen, in ms. */
  lastTimestamp: number;
}

/** Folds similar events into one combined Event (upstream's EventAggregator). */
export class EventAggregator {
  private readonly cache: LruCache<AggregateRecord>;
  private readonly keyFunc: EventAggregatorKeyFunc;
  private readonly messageFunc: EventAggregatorMessageFunc;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  private readonly clock: Clock;

  constructor(opts: EventAggregatorOptions = {}) {
    this.cache = new LruCache(opts.lruCacheSize ?? maxLruCacheEntries);
    this.keyFunc = opts.keyFunc ?? eventAggregatorByReasonFunc;
    this.messageFunc = opts.messageFunc ?? eventAggregatorByReasonMessageFunc;
    this.maxEvents = opts.maxEvents ?? defaultAggregateMaxEvents;
    this.maxIntervalMs = (opts.maxIntervalInSeconds ?? defaultAggregateIntervalInSeconds) * 1000;
    this.clock = opts.clock ?? realClock;
  }

  /**
   * Returns the event to record and its cache key for the eventLogger: the
   * event itself under getEventKey, or, once the group is over the threshold,
   * a new combined Event under the aggregate key (so later similar events
   * update that one Event).
   */
  eventAggregate(newEvent: Event, now = this.clock.now()): { event: Event; key: string } {
    const eventKey = getEventKey(newEvent);
    const [aggregateKey, localKey] = this.keyFunc(newEvent);

    let record = this.cache.get(aggregateKey);
    // The window slides: it is measured from the last similar event, not the first.
    if (!record || now - record.lastTimestamp > this.maxIntervalMs) {
      record = { localKeys: new Set(), lastTimestamp: now };
    }
    record.localKeys.add(localKey);
    record.lastTimestamp = now;
    this.cache.add(aggregateKey, record);

    if (record.localKeys.size < this.maxEvents) return { event: newEvent, key: eventKey };

    // Keep the set from growing past max. Upstream pops an arbitrary key (Go
    // map order); the oldest is popped here so the outcome is deterministic.
    record.localKeys.delete(record.localKeys.values().next().value as string);

    const ts = metaTime(now);
    const aggregate: Event = {
      metadata: {
        name: eventName(newEvent.involvedObject.name, now),
        namespace: newEvent.metadata?.namespace,
      },
      count: 1,
      firstTimestamp: ts,
      involvedObject: newEvent.involvedObject,
      lastTimestamp: ts,
      message: this.messageFunc(newEvent),
      type: newEvent.type,
      reason: newEvent.reason,
      source: newEvent.source,
    };
    if (newEvent.apiVersion) aggregate.apiVersion = newEvent.apiVersion;
    if (newEvent.kind) aggregate.kind = newEvent.kind;
    return { event: aggregate, key: aggregateKey };
  }
}

/** The body of the strategic-merge patch that bumps an existing Event. */
export interface EventPatch {
  count: number;
  lastTimestamp?: string | null;
  message?: string;
}

interface EventLog {
  count: number;
  firstTimestamp?: string;
  name?: string;
  resourceVersion?: string;
}

const EPOCH = "1970-01-01T00:00:00Z";

/** Counts occurrences of an event key and remembers which Event holds them (upstream's eventLogger). */
class EventLogger {
  private readonly cache: LruCache<EventLog>;

  constructor(lruCacheSize: number) {
    this.cache = new LruCache(lruCacheSize);
  }

  eventObserve(newEvent: Event, key: string): { event: Event; patch?: EventPatch } {
    const event: Event = { ...newEvent, metadata: { ...newEvent.metadata } };
    const last = this.cache.get(key);
    let patch: EventPatch | undefined;
    if (last && last.count > 0) {
      event.metadata = { ...event.metadata, name: last.name, resourceVersion: last.resourceVersion };
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // Upstream diffs the event against a copy with count 0, lastTimestamp at
      // the epoch and no message; omitempty leaves exactly these fields.
      patch = { count: event.count };
      if (event.lastTimestamp !== EPOCH) patch.lastTimestamp = event.lastTimestamp ?? null;
      if (event.message) patch.message = event.message;
    }
    this.cache.add(key, logOf(event));
    return { event, patch };
  }

  updateState(event: Event, key: string): void {
    this.cache.add(key, logOf(event));
  }
}

const logOf = (event: Event): EventLog => ({
  count: event.count ?? 0,
  firstTimestamp: event.firstTimestamp,
  name: event.metadata?.name,
  resourceVersion: event.metadata?.resourceVersion,
});

/** Upstream's CorrelatorOptions; zero values take the defaults above. */
export interface CorrelatorOptions {
  lruCacheSize?: number;
  burstSize?: number;
  qps?: number;
  keyFunc?: EventAggregatorKeyFunc;
  messageFunc?: EventAggregatorMessageFunc;
  maxEvents?: number;
  maxIntervalInSeconds?: number;
  clock?: Clock;
  spamKeyFunc?: EventSpamKeyFunc;
}

export type EventCorrelateResult =
  | { dropped: true }
  | {
      dropped: false;
      /** The event after correlation: create it, or patch it when patch is set. */
      event: Event;
      /** Strategic-merge patch for the existing Event named event.metadata.name. */
      patch?: EventPatch;
      /** The eventLogger key the event is counted under (not in upstream's result; lets the recorder reset it). */
      key: string;
    };

/** Filters, aggregates, counts and de-duplicates events before they reach the apiserver. */
export class EventCorrelator {
  private readonly clock: Clock;
  private readonly spamFilter: EventSourceObjectSpamFilter;
  private readonly aggregator: EventAggregator;
  private readonly logger: EventLogger;

  constructor(opts: CorrelatorOptions = {}) {
    // Upstream's populateDefaults treats 0 as unset.
    const lruCacheSize = opts.lruCacheSize || maxLruCacheEntries;
    this.clock = opts.clock ?? realClock;
    this.spamFilter = new EventSourceObjectSpamFilter({
      lruCacheSize,
      burst: opts.burstSize || defaultSpamBurst,
      qps: opts.qps || defaultSpamQPS,
      clock: this.clock,
      spamKeyFunc: opts.spamKeyFunc,
    });
    this.aggregator = new EventAggregator({
      lruCacheSize,
      keyFunc: opts.keyFunc,
      messageFunc: opts.messageFunc,
      maxEvents: opts.maxEvents || defaultAggregateMaxEvents,
      maxIntervalInSeconds: opts.maxIntervalInSeconds || defaultAggregateIntervalInSeconds,
      clock: this.clock,
    });
    this.logger = new EventLogger(lruCacheSize);
  }

  /**
   * now defaults to the clock; the EventRecorder passes the time the event was
   * recorded, since it correlates later, on its write queue.
   */
  eventCorrelate(newEvent: Event, now = this.clock.now()): EventCorrelateResult {
    const { event: aggregated, key } = this.aggregator.eventAggregate(newEvent, now);
    const { event, patch } = this.logger.eventObserve(aggregated, key);
    // Filtered last, as upstream: a dropped event still counts in the logger.
    if (this.spamFilter.filter(event, now)) return { dropped: true };
    return { dropped: false, event, patch, key };
  }

  /** Records the Event as the server returned it (name, count, resourceVersion), under its own key unless told otherwise. */
  updateState(event: Event, key = getEventKey(event)): void {
    this.logger.updateState(event, key);
  }
}
