// client-go's cache.Indexer over a thread-safe store: objects by key
// ("namespace/name", or "name" when cluster-scoped), plus named indexes. One
// writer (the informer) and many read-only views (listers).
import type { KubeObject } from "./rest-client.ts";

/** Values an object is indexed under for one index. */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

export const NAMESPACE_INDEX = "namespace";

/** upstream's MetaNamespaceKeyFunc. */
export function metaNamespaceKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

/** upstream's MetaNamespaceIndexFunc. */
export function metaNamespaceIndexFunc(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ""];
}

/** What readers get: no way to write. */
export interface IndexerView<T> {
  get(key: string): T | undefined;
  list(): T[];
  listKeys(): string[];
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
  /** Objects of one namespace (via the namespace index when present). */
  byNamespace(namespace: string): T[];
}

export class Indexer<T extends KubeObject> implements IndexerView<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Indexers<T>;
  /** index name → indexed value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(
    indexers: Indexers<T> = { [NAMESPACE_INDEX]: metaNamespaceIndexFunc },
    readonly keyFunc: (obj: T) => string = metaNamespaceKey,
  ) {
    this.indexers = { ...indexers };
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  /** Adds indexes; allowed only while empty, as upstream. */
  addIndexers(more: Indexers<T>): void {
    if (this.items.size > 0) throw new Error("cannot add indexers to a running index");
    for (const [name, fn] of Object.entries(more)) {
      if (this.indexers[name]) throw new Error(`indexer conflict: ${name}`);
      this.indexers[name] = fn;
      this.indices.set(name, new Map());
    }
  }

  /**
   * Adds the indexes not there yet, indexing what is stored: for a component
   * joining informers that already run (SharedInformer.childOf), whose
   * indexers an earlier term of it may have added under the same names.
   */
  ensureIndexers(more: Indexers<T>): void {
    for (const [name, fn] of Object.entries(more)) {
      if (this.indexers[name]) continue;
      this.indexers[name] = fn;
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addKey(index, fn(obj), key);
    }
  }

  /** Adds or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    return old;
  }

  /** Removes by key; returns the object that was there. */
  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    this.reindex(key, old, undefined);
    return old;
  }

  delete(obj: T): T | undefined {
    return this.deleteKey(this.keyFunc(obj));
  }

  /** Swaps the whole content at once (a relist). */
  replace(objs: readonly T[]): void {
    this.items.clear();
    for (const m of this.indices.values()) m.clear();
    for (const o of objs) this.upsert(o);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`Index with name ${indexName} does not exist`);
    return [...(index.get(value) ?? [])];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  /** Distinct values of an index (upstream's ListIndexFuncValues). */
  listIndexValues(indexName: string): string[] {
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }

  byNamespace(namespace: string): T[] {
    if (this.indices.has(NAMESPACE_INDEX)) return this.byIndex(NAMESPACE_INDEX, namespace);
    return this.list().filter((o) => (o.metadata?.namespace ?? "") === namespace);
  }

  get size(): number {
    return this.items.size;
  }

  /** A read-only view for listers; it sees later writes. */
  view(): IndexerView<T> {
    return {
      get: (k) => this.get(k),
      list: () => this.list(),
      listKeys: () => this.listKeys(),
      byIndex: (i, v) => this.byIndex(i, v),
      indexKeys: (i, v) => this.indexKeys(i, v),
      byNamespace: (ns) => this.byNamespace(ns),
    };
  }

  private reindex(key: string, old: T | undefined, cur: T | undefined): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      const before = old ? fn(old) : [];
      const after = cur ? fn(cur) : [];
      for (const v of before) {
        if (after.includes(v)) continue;
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
      addKey(index, after, key);
    }
  }
}

/** Files key under each of the values in one index. */
function addKey(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    const set = index.get(v);
    if (set) set.add(key);
    else index.set(v, new Set([key]));
  }
}
