// A cache of one resource fed by a store watch: what upstream's admission
// plugins read through informer listers. Until start() has listed, `synced` is
// false and plugins read the store instead, so a plugin is correct whether or
// not its cache runs.
import type { Obj } from "../../../api/registry.ts";
import { isNotFound } from "../../../machinery/status.ts";
import { log } from "../../log.ts";
import type { ObjectWatch, ResourceStore } from "../../registry/resource-store.ts";

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectCache {
  private items = new Map<string, Obj>();
  private watch: ObjectWatch | undefined;
  private running = false;
  private isSynced = false;
  private loop: Promise<void> | undefined;

  constructor(
    readonly store: ResourceStore,
    /** Called once the cache has taken in a list or a batch of changes (the CRD controller reacts to them). */
    private readonly onChange?: () => void,
  ) {}

  /** True once the initial list is in; reads then come from memory. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Lists, then follows changes in the background until stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const rv = await this.relist();
    this.loop = this.follow(rv);
  }

  stop(): void {
    this.running = false;
    this.isSynced = false;
    this.watch?.cancel();
    this.watch = undefined;
  }

  /** Resolves once the background loop has ended after stop(). */
  async stopped(): Promise<void> {
    await this.loop;
  }

  get(namespace: string | undefined, name: string): Obj | undefined {
    return this.items.get(keyOf(this.store.type.namespaced ? namespace : undefined, name));
  }

  /**
   * What plugins read, as upstream's listers with their live lookups: memory once synced, the store before
   * then or on a miss (a cache behind a fresh write); undefined when the object does not exist.
   */
  async lookup(namespace: string | undefined, name: string): Promise<Obj | undefined> {
    const cached = this.synced ? this.get(namespace, name) : undefined;
    if (cached) return cached;
    try {
      return await this.store.get(this.store.type.namespaced ? namespace : undefined, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Every object (of one namespace): memory once synced, else the store. */
  async listAll(namespace?: string): Promise<Obj[]> {
    return this.synced ? this.list(namespace) : ((await this.store.list(namespace)).items as Obj[]);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): Obj[] {
    const out: Obj[] = [];
    for (const obj of this.items.values()) {
      if (namespace === undefined || obj.metadata?.namespace === namespace) out.push(obj);
    }
    return out;
  }

  private async relist(): Promise<string> {
    const list = await this.store.list(undefined);
    const items = new Map<string, Obj>();
    for (const obj of list.items as Obj[]) items.set(keyOf(obj.metadata?.namespace, obj.metadata.name), obj);
    // The relisted state replaces the old one at once, so readers never see half of it.
    this.items = items;
    this.isSynced = this.running;
    this.onChange?.();
    return String(list.metadata.resourceVersion);
  }

  private async follow(fromRv: string): Promise<void> {
    let rv = fromRv;
    let backoff = RETRY_MIN_MS;
    while (this.running) {
      try {
        const w = await this.store.watch(undefined, { resourceVersion: rv });
        if (!this.running) {
          w.cancel();
          return;
        }
        this.watch = w;
        for await (const batch of w) {
          for (const ev of batch) {
            // An ERROR (compacted history, a watcher dropped as too slow) means relist.
            if (ev.type === "ERROR") throw new Error(ev.object.message ?? "watch error");
            if (ev.type === "BOOKMARK") continue;
            const obj = ev.object;
            const key = keyOf(obj.metadata?.namespace, obj.metadata.name);
            if (ev.type === "DELETED") this.items.delete(key);
            else this.items.set(key, obj);
            rv = obj.metadata.resourceVersion;
          }
          this.onChange?.();
          backoff = RETRY_MIN_MS;
        }
        if (!this.running) return;
      } catch (e) {
        if (!this.running) return;
        log.error("admission cache watch failed; relisting", {
          resource: this.store.type.resource,
          err: (e as Error).message,
        });
      }
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      if (!this.running) return;
      try {
        this.isSynced = false;
        rv = await this.relist();
      } catch (e) {
        log.error("admission cache relist failed", {
          resource: this.store.type.resource,
          err: (e as Error).message,
        });
      }
    }
  }
}
