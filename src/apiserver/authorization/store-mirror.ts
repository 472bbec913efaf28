// An in-memory copy of every object under one store prefix, kept current by a
// watch (a reflector inside the apiserver, as upstream's authorizers read
// informer caches): list at a revision, then watch from it; a compacted or
// too-slow watch relists and swaps the new state in at once. Authorizers read
// it synchronously and never touch the store per request.
import type { Obj } from "../../api/registry.ts";
import { isStoreError, type KeyValue, type Store } from "../../storage/store.ts";

export interface StoreMirrorOptions<T> {
  store: Store;
  /** `/registry/<resource>/`: keys below are `<namespace>/<name>` or `<name>`. */
  prefix: string;
  /** The stored bytes as an object (ResourceStore.decode). */
  decode: (kv: KeyValue) => Obj;
  /** What to keep of an object; undefined keeps nothing (the object is treated as absent). */
  transform?: (obj: Obj) => T | undefined;
  /** Called after each batch of changes (and after a relist). */
  onChange?: () => void;
  onError?: (e: unknown) => void;
}

const PAGE = 500;
const MAX_BACKOFF_MS = 5_000;

export class StoreMirror<T = Obj> {
  /** namespace ("" for cluster-scoped objects) → name → value. */
  private byNamespace = new Map<string, Map<string, T>>();
  private revision = 0;
  private stopped = false;
  private cancel?: () => void;
  private loop?: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private wake?: () => void;

  constructor(private readonly opts: StoreMirrorOptions<T>) {}

  /** Lists once (so reads are complete when it resolves), then follows changes until stop(). */
  async start(): Promise<void> {
    this.stopped = false;
    const rev = await this.relist();
    this.loop = this.follow(rev);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.wake?.();
    for (const w of [...this.waiters]) w();
    await this.loop;
  }

  get(namespace: string, name: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  /** Values in one namespace ("" for cluster-scoped objects). */
  list(namespace: string): T[] {
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  /** Namespaces holding at least one object ("" for cluster-scoped ones). */
  namespaces(): string[] {
    return [...this.byNamespace.keys()];
  }

  all(): T[] {
    const out: T[] = [];
    for (const m of this.byNamespace.values()) out.push(...m.values());
    return out;
  }

  /** The revision of the last change seen (or of the last list). */
  get lastRevision(): number {
    return this.revision;
  }

  /** Resolves once a change at `revision` or later under the prefix has been applied (or on stop). */
  waitForRevision(revision: number): Promise<void> {
    if (this.revision >= revision || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.revision >= revision || this.stopped) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
    });
  }

  private split(key: string): [string, string] {
    const rest = key.slice(this.opts.prefix.length);
    const i = rest.indexOf("/");
    return i === -1 ? ["", rest] : [rest.slice(0, i), rest.slice(i + 1)];
  }

  private value(kv: KeyValue): T | undefined {
    const obj = this.opts.decode(kv);
    return this.opts.transform ? this.opts.transform(obj) : (obj as T);
  }

  private put(target: Map<string, Map<string, T>>, kv: KeyValue): void {
    const [ns, name] = this.split(kv.key);
    const v = this.value(kv);
    if (v === undefined) {
      this.remove(target, kv.key);
      return;
    }
    let m = target.get(ns);
    if (!m) {
      m = new Map();
      target.set(ns, m);
    }
    m.set(name, v);
  }

  private remove(target: Map<string, Map<string, T>>, key: string): void {
    const [ns, name] = this.split(key);
    const m = target.get(ns);
    if (!m) return;
    m.delete(name);
    if (m.size === 0) target.delete(ns);
  }

  /** Reads every key at one revision and replaces the state with it. */
  private async relist(): Promise<number> {
    const next = new Map<string, Map<string, T>>();
    let revision: number | undefined;
    let startKey: string | undefined;
    for (;;) {
      const page = await this.opts.store.range(this.opts.prefix, { revision, startKey, limit: PAGE });
      revision = page.revision;
      for (const kv of page.kvs) {
        try {
          this.put(next, kv);
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
      if (!page.more || page.kvs.length === 0) break;
      startKey = `${page.kvs[page.kvs.length - 1].key}\x00`;
    }
    this.byNamespace = next;
    this.advance(revision);
    return revision;
  }

  private advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
    this.opts.onChange?.();
    for (const w of [...this.waiters]) w();
  }

  private async follow(from: number): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const w = this.opts.store.watch(this.opts.prefix, from);
        this.cancel = () => w.cancel();
        for await (const batch of w) {
          let last = from;
          for (const ev of batch) {
            try {
              if (ev.type === "delete") this.remove(this.byNamespace, ev.kv.key);
              else this.put(this.byNamespace, ev.kv);
            } catch (e) {
              this.opts.onError?.(e);
            }
            last = ev.kv.modRevision;
          }
          from = last;
          failures = 0;
          this.advance(last);
        }
        if (this.stopped) return;
        // The watch ended on its own (the store closing?): watch again after a pause.
        failures++;
      } catch (e) {
        if (this.stopped || isStoreError(e, "Closed")) return;
        this.opts.onError?.(e);
        failures++;
        await this.pause(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures));
        if (this.stopped) return;
        // A compacted revision or a dropped (too slow) watcher: start again from a fresh list.
        try {
          from = await this.relist();
        } catch (e2) {
          if (isStoreError(e2, "Closed")) return;
          this.opts.onError?.(e2);
        }
        continue;
      }
      await this.pause(Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures));
    }
  }

  /** Waits before retrying; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
