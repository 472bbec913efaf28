// The Store interface: etcd v3 semantics, shared by the SQLite and etcd backends.
// Only src/apiserver may import src/storage (see DESIGN.md, "The one rule").

/** One stored key at one revision, as etcd's mvccpb.KeyValue. */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision of the write that created the key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to the key: an object's resourceVersion. */
  modRevision: number;
  /** Number of writes since the key was created; 1 after creation. */
  version: number;
}

export type WatchEvent =
  | { type: "put"; kv: KeyValue; prevKv?: KeyValue }
  /** `kv.modRevision` is the revision of the deletion; `kv.value` is empty. */
  | { type: "delete"; kv: KeyValue; prevKv: KeyValue };

export interface RangeOptions {
  /** Read at this revision; 0 or absent means the current one. */
  revision?: number;
  /** At most this many keys; 0 or absent means no limit. */
  limit?: number;
  /** Start at this key (inclusive): the key after the last one of the previous page. */
  startKey?: string;
  /** Also count the keys from the start key on (costly on SQLite, so only on request). */
  withCount?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** The revision the range was read at. */
  revision: number;
  /** True when keys remain after the last one returned. */
  more: boolean;
  /** With `withCount`: the number of keys from the start key to the end of the prefix at that revision. */
  count?: number;
}

export interface WriteResult {
  /** The revision of this write. */
  revision: number;
  /** The value a deleted key had. */
  prevKv?: KeyValue;
}

/** Which of a prefix's events a watcher wants; it runs before the event is queued. */
export type WatchFilter = (ev: WatchEvent) => boolean;

/**
 * A watch that wants only objects with one value of an indexed field, now or
 * before the change (upstream cacher's triggers: a kubelet's watch of
 * spec.nodeName=<node>). A store may offer such a watch only the events whose
 * key-value or previous key-value has that value, instead of running its
 * filter on every event of the prefix; the filter still decides.
 */
export interface WatchTrigger {
  /** The field's name: watches of one prefix root with the same field share an index. */
  readonly field: string;
  readonly value: string;
  /** The field's value in a stored object; undefined when it has none (a deletion's empty value). */
  readonly valueOf: (kv: KeyValue) => string | undefined;
}

/** A running watch. Iterate it for batches of events in revision order. */
export interface Watch extends AsyncIterable<WatchEvent[]> {
  /** Ends the watch; a pending iteration finishes without error. */
  cancel(): void;
}

export interface Store {
  /** The backend's name, for logs and benchmarks: "sqlite" or "etcd". */
  readonly backend: string;

  get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }>;

  /** Keys that start with `prefix`, in key order, as one consistent snapshot. */
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;

  count(prefix: string): Promise<{ count: number; revision: number }>;

  /** Create-if-absent. Fails with KeyExists. */
  create(key: string, value: Uint8Array): Promise<WriteResult>;

  /**
   * Update-if-mod_revision-matches. Fails with Conflict (carrying the current
   * value), or NotFound when the key does not exist.
   */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult>;

  /**
   * Delete, unconditionally or if mod_revision matches. Fails with NotFound,
   * or Conflict (carrying the current value).
   */
  delete(key: string, expectedModRevision?: number): Promise<WriteResult>;

  /**
   * Every change under `prefix` after `fromRevision`, with previous values,
   * in revision order, each exactly once. A compacted `fromRevision` fails
   * the iteration with Compacted; a watcher that cannot keep up with
   * TooSlow, and must relist. With `filter`, only the events it accepts are
   * delivered (and count towards the watcher's limit): a watcher that wants
   * few of the prefix's events is not woken for the others. An event the
   * filter throws on is delivered, for the consumer to report. A `trigger`
   * promises that the filter rejects every event whose object had another
   * value of the trigger's field before and after: the store may then leave
   * such events out without asking the filter.
   */
  watch(prefix: string, fromRevision: number, filter?: WatchFilter, trigger?: WatchTrigger): Watch;

  /** Drops history older than `revision`. Reads below it then fail with Compacted. */
  compact(revision: number): Promise<void>;

  /** The current revision of the whole store. */
  currentRevision(): Promise<number>;

  close(): Promise<void>;
}

export type StoreErrorCode =
  | "KeyExists"
  | "NotFound"
  | "Conflict"
  | "Compacted"
  | "FutureRevision"
  | "InvalidKey"
  | "ValueTooLarge"
  | "TooSlow"
  | "Unavailable"
  | "Corrupt"
  | "Closed";

export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For Conflict: the key's current value. */
    readonly current?: KeyValue,
    /** For Compacted: the oldest revision still readable. */
    readonly compactRevision?: number,
  ) {
    super(message);
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}

export const KEY_PREFIX = "/registry/";

/** etcd's default request limit (--max-request-bytes) is 1.5 MiB. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;

/** How many undelivered events a watcher may hold before it is dropped as too slow. */
export const DEFAULT_WATCH_BUFFER = 10_000;

export function validateKey(key: string): void {
  if (!key.startsWith(KEY_PREFIX) || key.length <= KEY_PREFIX.length) {
    throw new StoreError(
      "InvalidKey",
      `invalid key ${JSON.stringify(key)}: keys must start with ${KEY_PREFIX}`,
    );
  }
}

export function validateValue(key: string, value: Uint8Array): void {
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new StoreError(
      "ValueTooLarge",
      `value of ${key} is ${value.byteLength} bytes, over the limit of ${MAX_VALUE_BYTES} bytes (1.5 MiB)`,
    );
  }
}

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): string {
  const cp = [...prefix];
  for (let i = cp.length - 1; i >= 0; i--) {
    const c = cp[i].codePointAt(0)!;
    if (c < 0x10ffff) {
      return cp.slice(0, i).join("") + String.fromCodePoint(c + 1);
    }
  }
  return "\u{10ffff}";
}
