// client-go's SharedIndexInformer: one reflector (one list+watch) per
// resource feeds an Indexer and fans changes out to every registered handler.
// Handlers should only enqueue keys; they run in order, one at a time.
import type { Clock } from "./clock.ts";
import {
  Indexer,
  type Indexers,
  type IndexerView,
  metaNamespaceIndexFunc,
  NAMESPACE_INDEX,
} from "./indexer.ts";
import { type ListerWatcher, Reflector, type ReflectorState, type ReflectorStore } from "./reflector.ts";
import type { KubeObject } from "./rest-client.ts";

export interface ResourceEventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** With the object's last known state. */
  onDelete?(obj: T): void;
}

export interface HandlerRegistration {
  hasSynced(): boolean;
  remove(): void;
}

export interface SharedInformerOptions<T> {
  listerWatcher: ListerWatcher<T>;
  name?: string;
  indexers?: Indexers<T>;
  resyncPeriodMs?: number;
  watchTimeoutSeconds?: number;
  clock?: Clock;
  random?: () => number;
  onHandlerError?(err: unknown): void;
  onStateChange?(state: ReflectorState): void;
  /**
   * client-go's TransformFunc (SetTransform): applied to every object from the
   * list and the watch before the cache and the handlers see it.
   */
  transform?: (obj: T) => T;
}

/**
 * The transform kube-controller-manager and kube-scheduler give their informers:
 * a cached object without metadata.managedFields, which no controller reads and
 * which is often a third of a pod. An update sent from such a copy keeps the
 * stored managedFields, as it names none.
 */
export function trimManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields) obj.metadata.managedFields = undefined;
  return obj;
}

export class SharedInformer<T extends KubeObject> implements ReflectorStore<T> {
  private readonly indexer: Indexer<T>;
  /** Its own list+watch; a child has none (see childOf). */
  private readonly reflector?: Reflector<T>;
  private readonly parent?: SharedInformer<T>;
  /** A started child's handler on its parent. */
  private parentRegistration?: HandlerRegistration;
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private abort?: AbortController;
  private running?: Promise<void>;

  constructor(
    private readonly opts: SharedInformerOptions<T>,
    parent?: SharedInformer<T>,
  ) {
    if (parent) {
      this.parent = parent;
      this.indexer = parent.indexer;
      return;
    }
    this.indexer = new Indexer<T>(opts.indexers ?? { [NAMESPACE_INDEX]: metaNamespaceIndexFunc });
    this.reflector = new Reflector<T>({
      name: opts.name,
      listerWatcher: opts.listerWatcher,
      store: this,
      clock: opts.clock,
      random: opts.random,
      resyncPeriodMs: opts.resyncPeriodMs,
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
      onStateChange: opts.onStateChange,
    });
  }

  /**
   * An informer over another's watch and cache, with handlers of its own:
   * started, it hears what the parent hears; stop() removes only its handler.
   * For a component that comes and goes with its leadership (a
   * controller-manager's term) over informers its process keeps running.
   */
  static childOf<T extends KubeObject>(parent: SharedInformer<T>): SharedInformer<T> {
    return new SharedInformer<T>(parent.opts, parent);
  }

  /** Registers a handler; if the cache is already filled it first gets an add for every object. */
  addEventHandler(handler: ResourceEventHandler<T>): HandlerRegistration {
    this.handlers.add(handler);
    if (this.hasSynced()) for (const obj of this.indexer.list()) this.call(() => handler.onAdd?.(obj, true));
    return {
      hasSynced: () => this.hasSynced(),
      remove: () => {
        this.handlers.delete(handler);
      },
    };
  }

  /** Adds indexers before start; a child's go into its parent's cache unless there already. */
  addIndexers(indexers: Indexers<T>): void {
    if (this.parent) this.indexer.ensureIndexers(indexers);
    else this.indexer.addIndexers(indexers);
  }

  /** The cache, read-only. */
  getIndexer(): IndexerView<T> {
    return this.indexer.view();
  }

  hasSynced(): boolean {
    if (this.parent) return this.parentRegistration !== undefined && this.parent.hasSynced();
    return this.synced;
  }

  get state(): ReflectorState {
    return this.parent ? this.parent.state : this.reflector!.state;
  }

  lastSyncResourceVersion(): string {
    return this.parent ? this.parent.lastSyncResourceVersion() : this.reflector!.lastSyncResourceVersion();
  }

  /** Resolves true once the first list is in the cache, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.parent) return this.parent.waitForSync(signal);
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
    });
  }

  /** Starts the list+watch; a child starts hearing its parent (which its owner starts). */
  start(): void {
    if (this.parent) {
      this.parentRegistration ??= this.parent.addEventHandler({
        onAdd: (obj, initial) => this.dispatch((h) => h.onAdd?.(obj, initial)),
        onUpdate: (old, obj) => this.dispatch((h) => h.onUpdate?.(old, obj)),
        onDelete: (obj) => this.dispatch((h) => h.onDelete?.(obj)),
      });
      return;
    }
    if (this.abort) return;
    this.abort = new AbortController();
    this.running = this.reflector!.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (this.parent) {
      this.parentRegistration?.remove();
      this.parentRegistration = undefined;
      return;
    }
    this.abort?.abort();
    await this.running;
  }

  // ReflectorStore: what the reflector writes.

  replace(items: T[], _resourceVersion: string): void {
    const transform = this.opts.transform;
    if (transform) items = items.map(transform);
    const before = new Map(this.indexer.listKeys().map((k) => [k, this.indexer.get(k)!]));
    this.indexer.replace(items);
    const initial = !this.synced;
    for (const obj of items) {
      const key = this.indexer.keyFunc(obj);
      const old = before.get(key);
      before.delete(key);
      // An unchanged object on relist is a resync for upstream, not a change.
      if (!old) this.dispatch((h) => h.onAdd?.(obj, initial));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.dispatch((h) => h.onUpdate?.(old, obj));
    }
    // Deleted while we were not watching: the last state we knew (upstream's DeletedFinalStateUnknown).
    for (const old of before.values()) this.dispatch((h) => h.onDelete?.(old));
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  add(obj: T): void {
    if (this.opts.transform) obj = this.opts.transform(obj);
    const old = this.indexer.upsert(obj);
    if (old) this.dispatch((h) => h.onUpdate?.(old, obj));
    else this.dispatch((h) => h.onAdd?.(obj, false));
  }

  update(obj: T): void {
    this.add(obj);
  }

  delete(obj: T): void {
    if (this.opts.transform) obj = this.opts.transform(obj);
    this.indexer.delete(obj);
    this.dispatch((h) => h.onDelete?.(obj));
  }

  resync(): void {
    for (const obj of this.indexer.list()) this.dispatch((h) => h.onUpdate?.(obj, obj));
  }

  private dispatch(fn: (h: ResourceEventHandler<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      (this.opts.onHandlerError ?? ((err) => console.error("informer handler failed:", err)))(e);
    }
  }
}
