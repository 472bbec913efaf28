// The generic registry of one resource (upstream's genericregistry.Store): the
// objects' life in the store — create, get, list, update, delete and watch —
// with optimistic concurrency, graceful deletion, finalizers and selectors.

import { randomUUID } from "node:crypto";
import { apiVersionOf, type Obj, type ResourceType } from "../../api/registry.ts";
import { validateCertificateSigningRequestApprovalUpdate } from "../../api/validation/index.ts";
import { validatePodEphemeralContainersUpdate } from "../../api/validation/pod.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { type FieldError, GoValue, invalid, newPath } from "../../machinery/field-errors.ts";
import type { FieldSelector } from "../../machinery/fields.ts";
import type { Selector } from "../../machinery/labels.ts";
import { validateImmutableField } from "../../machinery/object-meta.ts";
import {
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newInternalError,
  newInvalid,
  newNotFound,
  newResourceExpired,
  newTimeout,
  OptimisticLockErrorMsg,
  StatusError,
  statusSuccess,
} from "../../machinery/status.ts";
import {
  isStoreError,
  type KeyValue,
  type Store,
  StoreError,
  type WatchEvent as StoreWatchEvent,
  type WatchTrigger,
} from "../../storage/store.ts";
import { isStale } from "../encryption/store.ts";
import type { Conversion } from "./events.ts";
import { dropNonEphemeralContainerUpdates } from "./pods.ts";
import { resetTo, type Strategy } from "./strategy.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: Obj;
  /** The stored change behind the event and its resourceVersion (see storedJSON). */
  stored?: { kv: KeyValue; rv: number };
}

export interface ListOptions {
  labelSelector?: Selector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: Selector;
  fieldSelector?: FieldSelector;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

/** Admission for one request, bound to its user and resource (see admission/admission.ts). */
export interface StoreAdmission {
  admit(op: "CREATE" | "UPDATE" | "DELETE", obj: Obj | undefined, old: Obj | undefined): Promise<void>;
  validate(op: "CREATE" | "UPDATE" | "DELETE", obj: Obj | undefined, old: Obj | undefined): Promise<void>;
}

/** Validations an update keeps until mutating admission has run (guaranteedUpdate hands it to tryUpdate). */
export interface DeferredValidation {
  checks: Array<() => void>;
  /**
   * A failed resourceVersion check — stale (409), or missing where the strategy wants one (422):
   * answered once mutating admission has run (upstream's Store.Update).
   */
  conflict?: StatusError;
}

export interface WriteOptions {
  dryRun?: boolean;
  admission?: StoreAdmission;
}

/** The subresources a PUT or PATCH writes through, each with a strategy of its own. */
export type WriteSubresource = "status" | "approval" | "ephemeralcontainers";

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ObjectWatch extends AsyncIterable<WatchEvent[]> {
  cancel(): void;
  /** Whether the first batch holds the initial ADDED events (a watch without a resourceVersion). */
  initialEvents?: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** How encode() writes an object: apiVersion, kind, then metadata (without its resourceVersion). */
const PLAIN_HEAD = /^\{"apiVersion":"[^"\\]*","kind":"[^"\\]*","metadata":\{/;
/** storedJSON's answers by stored change: every JSON watch of the resource sends the same. */
const storedJSONs = new WeakMap<KeyValue, { rv: number; json: string }>();
/** What objects returned by a write or a get were stored as. */
const storedAs = new WeakMap<Obj, KeyValue>();
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
const GENERATE_NAME_ATTEMPTS = 8;
const LIST_PAGE = 500;
const TOO_LARGE_RV_WAIT_MS = 3000;
/** Decoded events kept for the other watches of a resource (a burst of writes, seen by every watch). */
const WATCH_DECODE_CACHE = 1024;

/** Sets k as the newest entry of a cache kept in insertion order, the oldest going past WATCH_DECODE_CACHE. */
function setNewest<V>(cache: Map<string, V>, k: string, v: V): void {
  cache.delete(k);
  cache.set(k, v);
  if (cache.size > WATCH_DECODE_CACHE) cache.delete(cache.keys().next().value as string);
}

/** Upstream's utilrand.String: 5 characters from an alphabet without vowels or look-alikes. */
export function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

/** Work a resource needs around its writes beyond the store: allocations, guards. */
export interface ResourceHooks {
  /** Before a create is validated and stored; returns how to undo it if the create fails. */
  beforeCreate?(obj: Obj): Promise<(() => Promise<void>) | undefined>;
  /** Before an update is stored. */
  beforeUpdate?(next: Obj, current: Obj): Promise<void>;
  /** After an object is gone from the store. */
  afterDelete?(obj: Obj): Promise<void>;
  /** Refuses a DELETE by throwing (a namespace that may not be deleted). */
  checkDelete?(obj: Obj): void;
}

export interface ResourceStoreOptions {
  store: Store;
  type: ResourceType;
  strategy: Strategy;
  now?: () => Date;
  /** For a resource stored in another version's form (events.k8s.io Events). */
  conversion?: Conversion;
  hooks?: ResourceHooks;
}

/** ObjectMeta's maps and lists are omitempty in Go: an emptied one is gone, not `{}` (e.g. after `kubectl label x a-`). */
function dropEmptyMetadata(meta: Obj): void {
  for (const k of ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"]) {
    const v = meta[k];
    if (
      v === null ||
      (Array.isArray(v) && v.length === 0) ||
      (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)
    ) {
      delete meta[k];
    }
  }
}

/** The name in a key ("/registry/pods/ns/name"): a watch trigger's value without decoding. */
const nameOfKey = (kv: KeyValue): string => kv.key.slice(kv.key.lastIndexOf("/") + 1);

function hasSelectors(opts: ListOptions): boolean {
  return !!(
    (opts.labelSelector && !opts.labelSelector.empty()) ||
    (opts.fieldSelector && !opts.fieldSelector.empty())
  );
}

/** Encodes the continue token as upstream does: base64 of {"v","rv","start"}. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const c = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    if (
      c.v !== "meta.k8s.io/v1" ||
      typeof c.rv !== "number" ||
      typeof c.start !== "string" ||
      c.start.includes("..")
    ) {
      throw new Error("bad");
    }
    return { rv: c.rv, start: c.start };
  } catch {
    throw newBadRequest(`continue key is not valid: ${JSON.stringify(token)}`);
  }
}

function parseResourceVersion(rv: string | undefined, what = "resourceVersion"): number | undefined {
  if (rv === undefined || rv === "") return undefined;
  if (!/^\d+$/.test(rv)) throw newBadRequest(`invalid ${what}: ${JSON.stringify(rv)}`);
  return Number(rv);
}

// The last second formatted: every write in that second stamps the same string.
let lastSecond = Number.NaN;
let lastRfc3339 = "";

function nowRfc3339(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== lastSecond) {
    lastRfc3339 = `${now.toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastRfc3339;
}

export class ResourceStore {
  readonly type: ResourceType;
  readonly strategy: Strategy;
  private readonly store: Store;
  private readonly now: () => Date;
  private readonly qualified: { group: string; resource: string };
  private readonly conversion: Conversion | undefined;
  private readonly hooks: ResourceHooks;

  constructor(opts: ResourceStoreOptions) {
    this.conversion = opts.conversion;
    this.hooks = opts.hooks ?? {};
    this.store = opts.store;
    this.type = opts.type;
    this.strategy = opts.strategy;
    this.now = opts.now ?? (() => new Date());
    this.qualified = { group: opts.type.group, resource: opts.type.resource };
  }

  // ---- keys and encoding

  prefix(namespace?: string): string {
    const base = `/registry/${this.type.storageResource}/`;
    return this.type.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  key(namespace: string | undefined, name: string): string {
    if (!name || name.includes("/") || name === "." || name === "..") {
      throw newBadRequest(
        `invalid resource name ${JSON.stringify(name)}: may not contain '/' or be '.' or '..'`,
      );
    }
    return this.type.namespaced ? `${this.prefix(namespace)}${name}` : `${this.prefix()}${name}`;
  }

  private encode(obj: Obj): Uint8Array {
    const stored = this.conversion ? this.conversion.toStorage(obj) : obj;
    const { resourceVersion: _rv, ...meta } = stored.metadata ?? {};
    return enc.encode(JSON.stringify({ ...stored, metadata: meta }));
  }

  decode(kv: KeyValue, rv = kv.modRevision): Obj {
    let obj: Obj;
    try {
      obj = JSON.parse(dec.decode(kv.value));
    } catch (e) {
      throw newInternalError(`stored object ${kv.key} is not valid JSON: ${(e as Error).message}`);
    }
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(rv);
    return this.conversion ? this.conversion.fromStorage(obj) : obj;
  }

  /**
   * Decoded watch objects by event: every watch of the resource (a kubelet's
   * per node, each informer, the Node authorizer's graph) sees the same
   * change, and decodes it once. Consumers must treat these objects as read-only.
   */
  private readonly watchDecoded = new Map<string, Obj>();
  /** The same by the event's own key-value: the store hands one object to all its watchers. */
  private readonly watchDecodedByKv = new WeakMap<KeyValue, { rv: number; obj: Obj }>();
  /** The newest write of recently written keys as a watch decoded it, for guaranteedUpdate (bounded like watchDecoded). */
  private readonly latestDecoded = new Map<string, { kv: KeyValue; obj: Obj }>();
  /** The trigger field's reader for the store, one for all watches so that they share an index. */
  private readonly triggerValueOf = (kv: KeyValue): string | undefined =>
    kv.value.length === 0 ? undefined : this.watchFieldsOf(this.decodeForWatch(kv))[this.type.watchTrigger!];

  /**
   * A watch whose field selector pins metadata.name, or the kind's trigger
   * field, is indexed by that value (see WatchTrigger): a kubelet's watch of
   * its Node or of one Secret is not asked about every other one.
   */
  private watchTrigger(opts: WatchOptions): WatchTrigger | undefined {
    const name = opts.fieldSelector?.requiresExactMatch("metadata.name");
    if (name !== undefined) return { field: "metadata.name", value: name, valueOf: nameOfKey };
    const field = this.type.watchTrigger;
    if (!field) return undefined;
    const value = opts.fieldSelector?.requiresExactMatch(field);
    return value === undefined ? undefined : { field, value, valueOf: this.triggerValueOf };
  }

  /** fieldsOf a decoded watch object, which nobody changes. */
  private readonly watchFields = new WeakMap<Obj, Record<string, string>>();

  decodeForWatch(kv: KeyValue, rv = kv.modRevision): Obj {
    const known = this.watchDecodedByKv.get(kv);
    if (known?.rv === rv) return known.obj;
    const k = `${rv}:${kv.modRevision}:${kv.key}`;
    let obj = this.watchDecoded.get(k);
    if (!obj) {
      obj = this.decode(kv, rv);
      setNewest(this.watchDecoded, k, obj);
      const known = this.latestDecoded.get(kv.key);
      if (rv === kv.modRevision && kv.value.length > 0 && !(known && known.kv.modRevision >= rv))
        setNewest(this.latestDecoded, kv.key, { kv, obj });
    }
    this.watchDecodedByKv.set(kv, { rv, obj });
    return obj;
  }

  /** matches() for a decoded watch object, its fields read once for all watchers. */
  private watchMatches(obj: Obj, opts: WatchOptions): boolean {
    return this.matches(obj, opts, this.watchFieldsOf);
  }

  private readonly watchFieldsOf = (o: Obj): Record<string, string> => {
    let fields = this.watchFields.get(o);
    if (!fields) {
      fields = this.fieldsOf(o);
      this.watchFields.set(o, fields);
    }
    return fields;
  };

  /**
   * Whether a selector watch wants the event at all (its object matches now or did before), asked
   * by the store before queueing it: a kubelet's watch of its node's pods is not woken for the
   * other nodes' pods, as upstream's cacher dispatches by its spec.nodeName trigger.
   */
  private wantsEvent(ev: StoreWatchEvent, opts: WatchOptions): boolean {
    const rev = ev.kv.modRevision;
    // The previous object as it was stored: what it matches does not depend on the revision it is sent at.
    if (ev.type === "delete") return this.watchMatches(this.decodeForWatch(ev.prevKv), opts);
    if (this.watchMatches(this.decodeForWatch(ev.kv, rev), opts)) return true;
    return ev.prevKv !== undefined && this.watchMatches(this.decodeForWatch(ev.prevKv), opts);
  }

  /**
   * The JSON of a watch object straight from its stored bytes: what
   * JSON.stringify(decodeForWatch(kv, rv)) says, with resourceVersion first
   * in metadata, without decoding and encoding the object again. Undefined
   * when the stored form is not that JSON (a converted resource, or one whose
   * stored JSON holds a resourceVersion somewhere: an Event's involvedObject).
   */
  storedJSON(kv: KeyValue, rv: number): string | undefined {
    if (this.conversion) return undefined;
    let cached = storedJSONs.get(kv);
    if (cached?.rv !== rv) {
      const text = dec.decode(kv.value);
      const head = PLAIN_HEAD.exec(text)?.[0];
      const json =
        head && !text.includes('"resourceVersion":')
          ? `${head}"resourceVersion":"${rv}"${text[head.length] === "}" ? "" : ","}${text.slice(head.length)}`
          : "";
      cached = { rv, json };
      storedJSONs.set(kv, cached);
    }
    return cached.json || undefined;
  }

  /** Remembers what obj was stored as, for responseJSON. */
  private written(obj: Obj, key: string, value: Uint8Array, rv: number): Obj {
    storedAs.set(obj, { key, value, createRevision: 0, modRevision: rv, version: 0 });
    return obj;
  }

  /**
   * The JSON answer for an object this store just wrote or read (get) and
   * returned, made from its stored bytes (see storedJSON) instead of encoding
   * it again. Callers must not have changed the object since.
   */
  responseJSON(obj: Obj): string | undefined {
    const kv = storedAs.get(obj);
    return kv ? this.storedJSON(kv, kv.modRevision) : undefined;
  }

  private notFound(name: string): StatusError {
    return newNotFound(this.qualified, name);
  }

  private conflict(name: string): StatusError {
    return newConflict(this.qualified, name, OptimisticLockErrorMsg);
  }

  /**
   * Upstream's Store.Update refusing an update without a resourceVersion: the resource stands in for
   * the kind, and the bad value is the uint64 0 it parsed, which Go's %#v prints as 0x0.
   */
  private resourceVersionRequired(name: string): StatusError {
    return newInvalid({ group: this.type.group, kind: this.type.resource }, name, [
      invalid(newPath("metadata", "resourceVersion"), new GoValue("0x0"), "must be specified for an update"),
    ]);
  }

  private fail(name: string, e: unknown): never {
    if (e instanceof StatusError) throw e;
    if (isStoreError(e)) {
      switch (e.code) {
        case "NotFound":
          throw this.notFound(name);
        case "KeyExists":
          throw newAlreadyExists(this.qualified, name);
        case "Conflict":
          throw this.conflict(name);
        case "Compacted":
          throw newResourceExpired(`too old resource version: ${e.message}`);
        case "ValueTooLarge":
          throw newBadRequest(`object is too large to store: ${e.message}`);
        case "InvalidKey":
          throw newBadRequest(e.message);
        default:
          throw newInternalError(e.message);
      }
    }
    throw newInternalError(e as Error);
  }

  // ---- reads

  async get(
    namespace: string | undefined,
    name: string,
    opts: { resourceVersion?: string } = {},
  ): Promise<Obj> {
    const key = this.key(namespace, name);
    const rv = parseResourceVersion(opts.resourceVersion);
    try {
      // resourceVersion on a get means "not older than": the current state always qualifies.
      if (rv !== undefined && rv > 0) await this.waitForRevision(rv);
      const { kv } = await this.store.get(key);
      if (!kv) throw this.notFound(name);
      const obj = this.decode(kv);
      storedAs.set(obj, kv);
      return obj;
    } catch (e) {
      this.fail(name, e);
    }
  }

  /** A resourceVersion newer than the store's: wait briefly, as upstream's watch cache does, then 504. */
  private async waitForRevision(rv: number): Promise<void> {
    const deadline = Date.now() + TOO_LARGE_RV_WAIT_MS;
    for (;;) {
      const cur = await this.store.currentRevision();
      if (cur >= rv) return;
      if (Date.now() > deadline) {
        const err = newTimeout(`Too large resource version: ${rv}, current: ${cur}`, 1);
        err.status.details = {
          ...err.status.details,
          causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        };
        throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  matches(
    obj: Obj,
    opts: { labelSelector?: Selector; fieldSelector?: FieldSelector },
    fieldsOf: (obj: Obj) => Record<string, string> = (o) => this.fieldsOf(o),
  ): boolean {
    if (
      opts.labelSelector &&
      !opts.labelSelector.empty() &&
      !opts.labelSelector.matches(obj.metadata?.labels ?? {})
    ) {
      return false;
    }
    if (opts.fieldSelector && !opts.fieldSelector.empty() && !opts.fieldSelector.matches(fieldsOf(obj))) {
      return false;
    }
    return true;
  }

  /** The fields a field selector can use: metadata.name/namespace and the kind's selectable fields. */
  fieldsOf(obj: Obj): Record<string, string> {
    const f: Record<string, string> = { "metadata.name": obj.metadata?.name ?? "" };
    if (this.type.namespaced) f["metadata.namespace"] = obj.metadata?.namespace ?? "";
    for (const [name, read] of Object.entries(this.type.selectableFields)) {
      const v = read(obj);
      if (v !== undefined) f[name] = v;
    }
    return f;
  }

  async list(namespace: string | undefined, opts: ListOptions = {}): Promise<Obj> {
    const prefix = this.prefix(namespace);
    let revision: number | undefined;
    let startKey: string | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      revision = c.rv;
      startKey = prefix + c.start;
    } else {
      const rv = parseResourceVersion(opts.resourceVersion);
      const match = opts.resourceVersionMatch;
      if (match && match !== "Exact" && match !== "NotOlderThan") {
        throw newBadRequest(`invalid resourceVersionMatch: ${JSON.stringify(match)}`);
      }
      if (match && rv === undefined) {
        throw newBadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
      }
      if (match === "Exact") {
        if (!rv) throw newBadRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
        revision = rv;
      } else if (rv !== undefined && rv > 0) {
        await this.waitForRevision(rv).catch((e) => this.fail("", e));
      }
    }
    // A metadata.name=… selector reads one key, as upstream's storage does.
    const exactName = opts.fieldSelector?.requiresExactMatch("metadata.name");
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: Obj[] = [];
    let listRevision = 0;
    let next: string | undefined;
    let remaining: number | undefined;
    try {
      if (exactName !== undefined && exactName !== "" && !exactName.includes("/")) {
        const key = this.type.namespaced && !namespace ? undefined : this.key(namespace, exactName);
        if (key) {
          const { kv, revision: r } = await this.store.get(key, { revision });
          listRevision = r;
          if (kv) {
            const obj = this.decode(kv);
            if (this.matches(obj, opts)) items.push(obj);
          }
        } else {
          const all = await this.scan(prefix, undefined, revision, 0, opts, items, (k) =>
            k.endsWith(`/${exactName}`),
          );
          listRevision = all.revision;
        }
      } else {
        const page = await this.scan(prefix, startKey, revision, limit, opts, items);
        listRevision = page.revision;
        if (page.more && page.lastKey !== undefined) {
          next = encodeContinue(listRevision, `${page.lastKey.slice(prefix.length)}\x00`);
          // Without selectors every remaining key is an item, so the count is exact (upstream's remainingItemCount).
          if (!hasSelectors(opts)) {
            const rest = await this.store.range(prefix, {
              revision: listRevision,
              startKey: `${page.lastKey}\x00`,
              limit: 1,
              withCount: true,
            });
            if (rest.count !== undefined) remaining = rest.count;
          }
        }
      }
    } catch (e) {
      if (isStoreError(e, "Compacted") && !opts.continue) {
        throw newResourceExpired("The resourceVersion for the provided list is too old.");
      }
      if (isStoreError(e, "Compacted") && opts.continue) {
        throw newResourceExpired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      this.fail("", e);
    }
    const metadata: Obj = { resourceVersion: String(listRevision) };
    if (next) metadata.continue = next;
    if (remaining !== undefined) metadata.remainingItemCount = remaining;
    return {
      kind: `${this.type.kind}List`,
      apiVersion: apiVersionOf(this.type),
      metadata,
      items,
    };
  }

  /**
   * Reads pages from the store until `limit` matching objects are found (0: all),
   * filtering with the selectors. Returns the revision read at, and whether keys
   * remain after `lastKey`, the last key looked at.
   */
  private async scan(
    prefix: string,
    startKey: string | undefined,
    revision: number | undefined,
    limit: number,
    opts: ListOptions,
    out: Obj[],
    keyFilter?: (key: string) => boolean,
  ): Promise<{ revision: number; more: boolean; lastKey?: string }> {
    let rev = revision;
    let start = startKey;
    for (;;) {
      const want = limit ? Math.max(limit - out.length, 1) : LIST_PAGE;
      const page = await this.store.range(prefix, {
        revision: rev,
        startKey: start,
        limit: Math.min(want, LIST_PAGE),
      });
      rev = page.revision;
      for (let i = 0; i < page.kvs.length; i++) {
        const kv = page.kvs[i];
        if (keyFilter && !keyFilter(kv.key)) continue;
        const obj = this.decode(kv);
        if (this.matches(obj, opts)) out.push(obj);
        if (limit && out.length >= limit) {
          return { revision: rev, more: i < page.kvs.length - 1 || page.more, lastKey: kv.key };
        }
      }
      if (!page.more || page.kvs.length === 0) return { revision: rev, more: false };
      start = `${page.kvs[page.kvs.length - 1].key}\x00`;
    }
  }

  // ---- writes

  /** Fills in and checks the namespace of an object against the request's. */
  private adoptNamespace(obj: Obj, namespace: string | undefined): void {
    obj.metadata ??= {};
    if (!this.type.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (!obj.metadata.namespace) obj.metadata.namespace = namespace;
    else if (namespace && obj.metadata.namespace !== namespace) {
      throw newBadRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
  }

  async create(namespace: string | undefined, obj: Obj, opts: WriteOptions = {}): Promise<Obj> {
    this.adoptNamespace(obj, namespace);
    const meta = obj.metadata;
    const generate = !meta.name && meta.generateName;
    for (let attempt = 0; ; attempt++) {
      if (generate) meta.name = `${meta.generateName}${randomSuffix()}`;
      if (opts.dryRun) {
        await opts.admission?.admit("CREATE", obj, undefined);
        // Allocated for the answer (a Service's IP and ports, which validation may require), then given back.
        const undo = await this.hooks.beforeCreate?.(obj);
        try {
          this.prepareCreate(obj);
          await opts.admission?.validate("CREATE", obj, undefined);
          const existing = await this.store.get(this.key(namespace ?? meta.namespace, meta.name));
          if (existing.kv) throw newAlreadyExists(this.qualified, meta.name);
        } finally {
          await undo?.();
        }
        return obj;
      }
      if (attempt === 0) await opts.admission?.admit("CREATE", obj, undefined);
      const undo = await this.hooks.beforeCreate?.(obj);
      try {
        this.prepareCreate(obj);
        if (attempt === 0) await opts.admission?.validate("CREATE", obj, undefined);
        const key = this.key(meta.namespace, meta.name);
        const bytes = this.encode(obj);
        const r = await this.store.create(key, bytes);
        meta.resourceVersion = String(r.revision);
        return this.written(obj, key, bytes, r.revision);
      } catch (e) {
        await undo?.();
        if (generate && isStoreError(e, "KeyExists") && attempt + 1 < GENERATE_NAME_ATTEMPTS) continue;
        this.fail(meta.name, e);
      }
    }
  }

  /** What every create does before the store: system fields, the strategy, validation (422). */
  prepareCreate(obj: Obj, deferred?: DeferredValidation): Obj {
    const meta = obj.metadata;
    dropEmptyMetadata(meta);
    delete meta.resourceVersion;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRfc3339(this.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.generation;
    this.strategy.prepareForCreate(obj);
    this.validateNow(() => this.strategy.validate(obj), meta.name ?? "", deferred);
    return obj;
  }

  /**
   * Runs a strategy validation, or — inside an update that mutating admission
   * must see first — keeps it for guaranteedUpdate to run after admission.
   */
  private validateNow(validate: () => FieldError[], name: string, deferred?: DeferredValidation): void {
    const check = () => {
      const errs = validate();
      if (errs.length > 0) throw newInvalid({ group: this.type.group, kind: this.type.kind }, name, errs);
    };
    if (deferred) deferred.checks.push(check);
    else check();
  }

  /**
   * Read-modify-write with retries on conflict (upstream's GuaranteedUpdate).
   * `tryUpdate` gets the current object (undefined when absent) and returns the
   * new state, or undefined to leave the object as it is. When `expectedRv` is
   * given the first read must carry it, else 409 Conflict.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    tryUpdate: (
      current: Obj | undefined,
      deferred?: DeferredValidation,
    ) => Promise<Obj | undefined> | Obj | undefined,
    opts: WriteOptions & { expectedRv?: string } = {},
  ): Promise<{ object: Obj; created: boolean; deleted: boolean }> {
    const key = this.key(namespace, name);
    // The first attempt may start from the key's newest write as a watch decoded it, without reading the
    // store (upstream's cachedExistingObject from its watch cache): copying it is cheaper than reading and
    // parsing. The write is conditional on its revision, so a cache that is behind only costs a retry
    // from the store; so does a change that comes out as none, or a precondition that fails.
    const useCache = !opts.dryRun && !this.hooks.beforeUpdate;
    for (let attempt = 0; attempt < 32; attempt++) {
      let current: Obj | undefined;
      let stored: Uint8Array | undefined;
      let modRevision = 0;
      // Read with an old encryption key: rewrite even when nothing changed, so key rotation completes.
      let stale = false;
      const cached = attempt === 0 && useCache ? this.latestDecoded.get(key) : undefined;
      try {
        const kv = cached ? cached.kv : (await this.store.get(key)).kv;
        if (kv) {
          current = cached ? deepCopyJson(cached.obj) : this.decode(kv);
          stored = kv.value;
          stale = isStale(kv);
          modRevision = kv.modRevision;
        }
      } catch (e) {
        this.fail(name, e);
      }
      if (cached && opts.expectedRv && cached.obj.metadata.resourceVersion !== opts.expectedRv) continue;
      // With admission, the strategy's validation and optimistic locking wait until mutating admission has
      // run (upstream's order): a write that admission refuses gets admission's answer, not 409.
      const deferred: DeferredValidation = { checks: [] };
      if (current && opts.expectedRv)
        this.checkResourceVersion(name, opts.expectedRv, current, opts.admission && deferred);
      const input = current === undefined ? undefined : deepCopyJson(current);
      // A create here (a PUT or an apply of a missing object) is validated with what the create hook
      // allocates (a Service's cluster IP), as upstream's Store.Update calls BeginCreate first.
      const defer = opts.admission !== undefined || (!current && this.hooks.beforeCreate !== undefined);
      let next: Obj | undefined;
      let allocated = false;
      let undoCreate: (() => Promise<void>) | undefined;
      try {
        next = await tryUpdate(input, defer ? deferred : undefined);
        if (next !== undefined && defer) {
          const op = current ? "UPDATE" : "CREATE";
          await opts.admission?.admit(op, next, current);
          if (deferred.conflict) throw deferred.conflict;
          // What the hooks fill in (a Service's cluster IP, node ports) is what validation checks
          // (upstream's BeginCreate, BeginUpdate); a dry run's create gives its allocation back below.
          if (current && !opts.dryRun) {
            await this.hooks.beforeUpdate?.(next, current);
            allocated = true;
          }
          if (!current) undoCreate = await this.hooks.beforeCreate?.(next);
          for (const check of deferred.checks) check();
          await opts.admission?.validate(op, next, current);
        } else if (deferred.conflict) throw deferred.conflict;
      } catch (e) {
        await undoCreate?.();
        // Refused on what may be old data: ask again with what the store holds.
        if (cached) continue;
        throw e;
      }
      if (next === undefined) {
        if (cached) continue;
        if (!current) throw this.notFound(name);
        return { object: current, created: false, deleted: false };
      }
      if (opts.dryRun) {
        await undoCreate?.();
        return { object: next, created: !current, deleted: false };
      }
      try {
        if (!current) {
          const bytes = this.encode(next);
          const r = await this.store.create(key, bytes);
          next.metadata.resourceVersion = String(r.revision);
          return { object: this.written(next, key, bytes, r.revision), created: true, deleted: false };
        }
        // An object being deleted whose last finalizer just went is deleted for real.
        if (
          next.metadata?.deletionTimestamp &&
          (next.metadata.finalizers ?? []).length === 0 &&
          this.finalizeable(next)
        ) {
          const r = await this.store.delete(key, modRevision);
          next.metadata.resourceVersion = String(r.revision);
          await this.hooks.afterDelete?.(current);
          return { object: next, created: false, deleted: true };
        }
        if (!allocated) await this.hooks.beforeUpdate?.(next, current);
        const bytes = this.encode(next);
        // The stored bytes are what current encodes to, unless a conversion reshapes it on the way in.
        const before = this.conversion ? this.encode(current) : stored!;
        if (!stale && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(before)) {
          // No change: no write, and the resourceVersion stays (once the store confirms what it holds).
          if (cached) continue;
          return { object: current, created: false, deleted: false };
        }
        const r = await this.store.update(key, bytes, modRevision);
        next.metadata.resourceVersion = String(r.revision);
        return { object: this.written(next, key, bytes, r.revision), created: false, deleted: false };
      } catch (e) {
        await undoCreate?.();
        if (isStoreError(e, "Conflict") || isStoreError(e, "KeyExists") || isStoreError(e, "NotFound")) {
          if (opts.expectedRv && !cached) throw this.conflict(name);
          continue;
        }
        this.fail(name, e);
      }
    }
    throw newInternalError(`too many conflicts updating ${this.type.resource} ${JSON.stringify(name)}`);
  }

  /**
   * The resourceVersion of a write's new state (a PUT's body, a patched object): one that is named must
   * be the stored one (optimistic locking, else 409); none replaces whatever is stored where the
   * strategy allows unconditional updates, else 422 (upstream's Store.Update).
   */
  checkResourceVersion(
    name: string,
    rv: string | undefined,
    current: Obj,
    deferred: DeferredValidation | undefined,
  ): void {
    if (rv ? rv === current.metadata.resourceVersion : this.strategy.allowUnconditionalUpdate) return;
    const err = rv ? this.conflict(name) : this.resourceVersionRequired(name);
    if (!deferred) throw err;
    deferred.conflict ??= err;
  }

  /** Graceful deletion still running (a pod whose kubelet has not confirmed) keeps the object. */
  private finalizeable(obj: Obj): boolean {
    const grace = obj.metadata?.deletionGracePeriodSeconds;
    return (grace === undefined || grace === 0) && !this.strategy.holdsDeletion(obj);
  }

  /** PUT: replace the object (or its status), with optimistic locking on metadata.resourceVersion. */
  async update(
    namespace: string | undefined,
    name: string,
    obj: Obj,
    opts: WriteOptions & { subresource?: WriteSubresource } = {},
    /** Applied to the new state before the strategy: the request's managedFields bookkeeping. */
    transform?: (next: Obj, current: Obj | undefined) => Obj,
  ): Promise<{ object: Obj; created: boolean }> {
    this.adoptNamespace(obj, namespace);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw newBadRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    const expectedRv: string | undefined = obj.metadata.resourceVersion || undefined;
    const r = await this.guaranteedUpdate(
      namespace,
      name,
      (current, deferred) => {
        // As upstream's Store.Update: whether the object exists decides first, so a missing one is
        // created (or 404) whatever the body says of resourceVersions. A subresource's strategy
        // embeds the main one: PUT services/x/status creates x too.
        if (!current) {
          if (!this.strategy.allowCreateOnUpdate) throw this.notFound(name);
          const created = deepCopyJson(obj);
          delete created.metadata.resourceVersion;
          return this.prepareCreate(transform ? transform(created, undefined) : created, deferred);
        }
        const next = deepCopyJson(obj);
        // Refused where the strategy wants a resourceVersion; else the update replaces what is stored now.
        if (!expectedRv) this.checkResourceVersion(name, undefined, current, deferred);
        return this.prepareUpdate(
          transform ? transform(next, current) : next,
          current,
          opts.subresource,
          deferred,
        );
      },
      { dryRun: opts.dryRun, admission: opts.admission, expectedRv },
    );
    return { object: r.object, created: r.created };
  }

  /** Applies the update strategy to `next` against `current` and validates it. */
  prepareUpdate(next: Obj, current: Obj, subresource?: string, deferred?: DeferredValidation): Obj {
    next.metadata ??= {};
    dropEmptyMetadata(next.metadata);
    const cm = current.metadata;
    // A new state without a resourceVersion that gets here is an unconditional update (checkResourceVersion
    // refuses it where the strategy wants one): it replaces what is stored (upstream's doUnconditionalUpdate).
    if (!next.metadata.resourceVersion) next.metadata.resourceVersion = cm.resourceVersion;
    // Fields the system owns are kept from the stored object, as upstream's rest.BeforeUpdate does;
    // a uid is filled in only when absent — a different one fails validation (a uid precondition).
    if (!next.metadata.uid) next.metadata.uid = cm.uid;
    next.metadata.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp) {
      next.metadata.deletionTimestamp = cm.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    if (this.type.namespaced) next.metadata.namespace = cm.namespace;
    if (subresource === "approval") {
      // Only the conditions change through /approval (upstream's csrApprovalStrategy).
      const conditions = next.status?.conditions;
      resetTo(next, current);
      next.status = { ...(next.status ?? {}), conditions };
      if (conditions === undefined) delete next.status.conditions;
      this.validateNow(
        () => validateCertificateSigningRequestApprovalUpdate(next as never, current as never),
        cm.name,
        deferred,
      );
      return next;
    }
    if (subresource === "ephemeralcontainers") {
      // Defaulted as a decoded body is upstream, which fills in the new containers' pull policy.
      this.strategy.defaults(next);
      dropNonEphemeralContainerUpdates(next, current);
      next.metadata.resourceVersion = cm.resourceVersion;
      this.validateNow(
        () => validatePodEphemeralContainersUpdate(next as never, current as never),
        cm.name,
        deferred,
      );
      return next;
    }
    if (subresource === "status") {
      // The status strategy restores metadata from the stored object, so the uid precondition is checked first.
      const uidErrs = next.metadata.uid
        ? validateImmutableField(next.metadata.uid, cm.uid ?? "", newPath("metadata", "uid"))
        : [];
      if (uidErrs.length > 0)
        throw newInvalid({ group: this.type.group, kind: this.type.kind }, cm.name, uidErrs);
      this.strategy.prepareForStatusUpdate(next, current);
      next.metadata.resourceVersion = cm.resourceVersion;
      this.validateNow(() => this.strategy.validateStatusUpdate(next, current), cm.name, deferred);
      return next;
    }
    this.strategy.defaults(next);
    this.strategy.prepareForUpdate(next, current);
    this.validateNow(() => this.strategy.validateUpdate(next, current), cm.name, deferred);
    return next;
  }

  /**
   * DELETE. Returns the object when deletion is pending (graceful, or held by
   * finalizers), else a Success Status for the deleted object.
   */
  async delete(
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<{ result: Obj; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < 32; attempt++) {
      let kv: KeyValue | undefined;
      try {
        kv = (await this.store.get(key)).kv;
      } catch (e) {
        this.fail(name, e);
      }
      if (!kv) throw this.notFound(name);
      const current = this.decode(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw newConflict(
          this.qualified,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ""}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw newConflict(
          this.qualified,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      }
      this.hooks.checkDelete?.(current);
      if (attempt === 0 && opts.admission) {
        await opts.admission.admit("DELETE", undefined, current);
        await opts.admission.validate("DELETE", undefined, current);
      }
      const next = this.pendingDeletion(deepCopyJson(current), opts);
      if (opts.dryRun) return { result: next ?? current, deleted: !next };
      try {
        if (next) {
          if (JSON.stringify(next) === JSON.stringify(current)) return { result: current, deleted: false };
          const r = await this.store.update(key, this.encode(next), kv.modRevision);
          next.metadata.resourceVersion = String(r.revision);
          return { result: next, deleted: false };
        }
        const r = await this.store.delete(key, kv.modRevision);
        current.metadata.resourceVersion = String(r.revision);
        await this.hooks.afterDelete?.(current);
        return { result: current, deleted: true };
      } catch (e) {
        if (isStoreError(e, "Conflict")) continue;
        if (isStoreError(e, "NotFound")) throw this.notFound(name);
        this.fail(name, e);
      }
    }
    throw newInternalError(`too many conflicts deleting ${this.type.resource} ${JSON.stringify(name)}`);
  }

  /** The object's state while its deletion is pending, or undefined to delete it now. */
  private pendingDeletion(obj: Obj, opts: DeleteOptions): Obj | undefined {
    const meta = obj.metadata;
    const finalizers = this.finalizersForGarbageCollection(meta.finalizers ?? [], opts.propagationPolicy);
    const grace = this.strategy.deletionGracePeriod(obj, opts.gracePeriodSeconds);
    const now = this.now();
    if (meta.deletionTimestamp) {
      // Already being deleted: a shorter grace period may shorten it; nothing else changes.
      if (
        grace !== undefined &&
        meta.deletionGracePeriodSeconds !== undefined &&
        grace < meta.deletionGracePeriodSeconds
      ) {
        meta.deletionGracePeriodSeconds = grace;
        meta.deletionTimestamp = nowRfc3339(new Date(now.getTime() + grace * 1000));
      }
      if (finalizers.length > 0) meta.finalizers = finalizers;
      else delete meta.finalizers;
      if (
        finalizers.length === 0 &&
        (meta.deletionGracePeriodSeconds ?? 0) === 0 &&
        !this.strategy.holdsDeletion(obj)
      ) {
        return undefined;
      }
      return obj;
    }
    if (finalizers.length === 0 && !grace && !this.strategy.holdsDeletion(obj)) return undefined;
    // The strategy may add a finalizer of its own (a CRD's cleanup), kept besides the collector's.
    const before = new Set<string>(meta.finalizers ?? []);
    this.strategy.markDeleting(obj);
    const added = ((meta.finalizers ?? []) as string[]).filter((f) => !before.has(f));
    meta.deletionTimestamp = nowRfc3339(new Date(now.getTime() + (grace ?? 0) * 1000));
    meta.deletionGracePeriodSeconds = grace ?? 0;
    if (finalizers.length + added.length > 0) meta.finalizers = [...finalizers, ...added];
    if (meta.generation !== undefined) meta.generation += 1;
    return obj;
  }

  /**
   * Orphan and Foreground cascading are carried out by the garbage collector
   * through the orphan and foregroundDeletion finalizers (upstream's
   * deletionFinalizersForGarbageCollection): an explicit policy decides; else a
   * GC finalizer already there; else the kind's default.
   */
  private finalizersForGarbageCollection(
    current: string[],
    policy: DeleteOptions["propagationPolicy"],
  ): string[] {
    const defaultPolicy = this.strategy.defaultGarbageCollectionPolicy;
    if (defaultPolicy === "Unsupported") return current;
    let orphan: boolean;
    let foreground: boolean;
    if (policy) {
      orphan = policy === "Orphan";
      foreground = policy === "Foreground";
    } else if (current.includes("orphan") || current.includes("foregroundDeletion")) {
      orphan = current.includes("orphan");
      foreground = !orphan && current.includes("foregroundDeletion");
    } else {
      orphan = defaultPolicy === "OrphanDependents";
      foreground = false;
    }
    const next = current.filter((f) => f !== "orphan" && f !== "foregroundDeletion");
    if (orphan) next.push("orphan");
    if (foreground) next.push("foregroundDeletion");
    const same = next.length === current.length && next.every((f) => current.includes(f));
    return same ? current : next;
  }

  /** The Status a DELETE answers with when the object is gone. */
  deletedStatus(obj: Obj): Obj {
    return statusSuccess({
      name: obj.metadata?.name,
      group: this.type.group || undefined,
      kind: this.type.resource,
      uid: obj.metadata?.uid,
    }) as unknown as Obj;
  }

  // ---- watch

  /**
   * Watches objects under the namespace (all when undefined). With
   * resourceVersion unset or "0", it starts with ADDED for every existing object.
   */
  async watch(namespace: string | undefined, opts: WatchOptions = {}): Promise<ObjectWatch> {
    const prefix = this.prefix(namespace);
    const rv = parseResourceVersion(opts.resourceVersion);
    let from: number;
    const initial: WatchEvent[] = [];
    if (rv === undefined || rv === 0) {
      const list = await this.list(namespace, {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      });
      from = Number(list.metadata.resourceVersion);
      for (const item of list.items as Obj[]) initial.push({ type: "ADDED", object: item });
    } else {
      from = rv;
      const cur = await this.store.currentRevision();
      if (rv > cur) await this.waitForRevision(rv).catch((e) => this.fail("", e));
    }
    const inner = this.store.watch(
      prefix,
      from,
      hasSelectors(opts) ? (ev) => this.wantsEvent(ev, opts) : undefined,
      this.watchTrigger(opts),
    );
    const self = this;
    return {
      cancel: () => inner.cancel(),
      initialEvents: initial.length > 0,
      async *[Symbol.asyncIterator]() {
        if (initial.length > 0) yield initial;
        try {
          for await (const batch of inner) {
            const out: WatchEvent[] = [];
            for (const ev of batch) {
              const e = self.toWatchEvent(ev, opts);
              if (e) out.push(e);
            }
            if (out.length > 0) yield out;
          }
        } catch (e) {
          if (isStoreError(e, "Compacted")) {
            yield [
              {
                type: "ERROR",
                object: newResourceExpired(`too old resource version: ${from} (${e.compactRevision ?? from})`)
                  .status as unknown as Obj,
              },
            ];
            return;
          }
          if (e instanceof StoreError) {
            yield [{ type: "ERROR", object: newInternalError(e.message).status as unknown as Obj }];
            return;
          }
          throw e;
        }
      },
    };
  }

  /** Maps a store event to a watch event through the selectors, as upstream's cacher does. */
  private toWatchEvent(ev: StoreWatchEvent, opts: WatchOptions): WatchEvent | undefined {
    const rev = ev.kv.modRevision;
    const event = (type: WatchEventType, kv: KeyValue, object: Obj): WatchEvent => ({
      type,
      object,
      stored: { kv, rv: rev },
    });
    if (!hasSelectors(opts)) {
      // Nothing to match: the object is decoded only if a consumer reads it (a JSON watch sends storedJSON).
      const self = this;
      const kv = ev.type === "delete" ? ev.prevKv : ev.kv;
      return {
        type: ev.type === "delete" ? "DELETED" : ev.prevKv ? "MODIFIED" : "ADDED",
        get object() {
          return self.decodeForWatch(kv, rev);
        },
        stored: { kv, rv: rev },
      };
    }
    // The previous object is matched as stored (shared with the watches that saw it written), and
    // decoded at this event's revision only when it is sent.
    if (ev.type === "delete") {
      if (!this.watchMatches(this.decodeForWatch(ev.prevKv), opts)) return undefined;
      return event("DELETED", ev.prevKv, this.decodeForWatch(ev.prevKv, rev));
    }
    const cur = this.decodeForWatch(ev.kv, rev);
    const curMatches = this.watchMatches(cur, opts);
    if (!ev.prevKv) return curMatches ? event("ADDED", ev.kv, cur) : undefined;
    const oldMatches = this.watchMatches(this.decodeForWatch(ev.prevKv), opts);
    if (curMatches && oldMatches) return event("MODIFIED", ev.kv, cur);
    if (curMatches) return event("ADDED", ev.kv, cur);
    if (oldMatches) return event("DELETED", ev.prevKv, this.decodeForWatch(ev.prevKv, rev));
    return undefined;
  }

  async currentRevision(): Promise<number> {
    return this.store.currentRevision();
  }
}
