// Encryption at rest as a Store in front of the real one: values are
// transformed on every write and read, by the transformer of the resource
// their key belongs to (/registry/<resource>/…), with the key as
// authenticated data, as upstream's etcd3 store does. Everything above it —
// the registry, watch caches, readers of registry.store — sees plain JSON;
// only the backend holds ciphertext.
import { resourceTypes } from "../../api/registry.ts";
import {
  isStoreError,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  StoreError,
  type Watch,
  type WatchEvent,
  type WatchFilter,
  type WatchTrigger,
  type WriteResult,
} from "../../storage/store.ts";
import type { ResourceTransformers } from "./config.ts";
import { TransformError, type ValueTransformer } from "./transformer.ts";

/** Values read by other than the first provider of their resource: a rewrite would re-encrypt them. */
const staleValues = new WeakSet<KeyValue>();

/**
 * True when `kv` (as read through an EncryptedStore) was written with an old
 * key or provider: an update must then write even if the object is unchanged
 * (upstream's GuaranteedUpdate does), so that rewriting every object rotates keys.
 */
export function isStale(kv: KeyValue | undefined): boolean {
  return kv !== undefined && staleValues.has(kv);
}

/** The storage group of each stored resource: events.k8s.io Events are stored as core "events". */
function catalogueGroups(): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of resourceTypes) {
    if (t.virtual) continue;
    if (t.storageResource === "events") m.set("events", "");
    else if (!m.has(t.storageResource)) m.set(t.storageResource, t.group);
  }
  return m;
}

export interface EncryptedStoreOptions {
  /** Storage group of a resource's key segment; by default from the API catalogue, "" for unknown ones. */
  groupOf?: (storageResource: string) => string;
}

export class EncryptedStore implements Store {
  readonly backend: string;
  private readonly groupOf: (storageResource: string) => string;
  private readonly cache = new Map<string, ValueTransformer>();

  constructor(
    private readonly inner: Store,
    private readonly transformers: ResourceTransformers,
    opts: EncryptedStoreOptions = {},
  ) {
    this.backend = inner.backend;
    if (opts.groupOf) this.groupOf = opts.groupOf;
    else {
      const groups = catalogueGroups();
      this.groupOf = (r) => groups.get(r) ?? "";
    }
  }

  private transformerOf(key: string): ValueTransformer {
    const resource = key.split("/", 3)[2] ?? "";
    let t = this.cache.get(resource);
    if (!t) {
      t = this.transformers.transformerFor(this.groupOf(resource), resource);
      this.cache.set(resource, t);
    }
    return t;
  }

  private seal(key: string, value: Uint8Array): Uint8Array {
    try {
      return this.transformerOf(key).toStorage(key, value);
    } catch (e) {
      throw new TransformError(key, e as Error);
    }
  }

  /** The plain form of a stored key-value; a value nobody can read fails as corrupt, naming its key. */
  private open(kv: KeyValue): KeyValue;
  private open(kv: KeyValue | undefined): KeyValue | undefined;
  private open(kv: KeyValue | undefined): KeyValue | undefined {
    // A deletion's kv carries no value.
    if (!kv || kv.value.length === 0) return kv;
    let r: { value: Uint8Array; stale: boolean };
    try {
      r = this.transformerOf(kv.key).fromStorage(kv.key, kv.value);
    } catch (e) {
      throw new StoreError("Corrupt", new TransformError(kv.key, e as Error).message);
    }
    const out: KeyValue = { ...kv, value: r.value };
    if (r.stale) staleValues.add(out);
    return out;
  }

  /** Conflicts carry the current value, which callers read like any other. */
  private rethrow(e: unknown): never {
    if (isStoreError(e) && e.current) {
      throw new StoreError(e.code, e.message, this.open(e.current), e.compactRevision);
    }
    throw e;
  }

  async get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }> {
    const r = await this.inner.get(key, opts);
    return { kv: this.open(r.kv), revision: r.revision };
  }

  async range(prefix: string, opts?: RangeOptions): Promise<RangeResult> {
    const r = await this.inner.range(prefix, opts);
    return { ...r, kvs: r.kvs.map((kv) => this.open(kv)) };
  }

  count(prefix: string): Promise<{ count: number; revision: number }> {
    return this.inner.count(prefix);
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    return this.inner.create(key, this.seal(key, value)).catch((e) => this.rethrow(e));
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    const r = await this.inner
      .update(key, this.seal(key, value), expectedModRevision)
      .catch((e) => this.rethrow(e));
    return { ...r, prevKv: this.open(r.prevKv) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    const r = await this.inner.delete(key, expectedModRevision).catch((e) => this.rethrow(e));
    return { ...r, prevKv: this.open(r.prevKv) };
  }

  /** Watch values opened once for all watchers: the backend hands each of them the same key-value. */
  private readonly opened = new WeakMap<KeyValue, KeyValue>();

  private openShared(kv: KeyValue): KeyValue;
  private openShared(kv: KeyValue | undefined): KeyValue | undefined;
  private openShared(kv: KeyValue | undefined): KeyValue | undefined {
    if (!kv) return kv;
    let out = this.opened.get(kv);
    if (!out) {
      out = this.open(kv);
      this.opened.set(kv, out);
    }
    return out;
  }

  watch(prefix: string, fromRevision: number, filter?: WatchFilter, trigger?: WatchTrigger): Watch {
    const open = (ev: WatchEvent): WatchEvent =>
      ev.type === "delete"
        ? { type: "delete", kv: ev.kv, prevKv: this.openShared(ev.prevKv) }
        : { type: "put", kv: this.openShared(ev.kv), prevKv: this.openShared(ev.prevKv) };
    const inner = this.inner.watch(
      prefix,
      fromRevision,
      filter && ((ev) => filter(open(ev))),
      // The trigger reads the value as opened (a deletion's empty value stays as it is).
      trigger && { ...trigger, valueOf: (kv) => trigger.valueOf(this.openShared(kv)) },
    );
    return {
      cancel: () => inner.cancel(),
      async *[Symbol.asyncIterator]() {
        for await (const batch of inner) yield batch.map(open);
      },
    };
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
