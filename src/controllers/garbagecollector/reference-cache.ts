// upstream's garbagecollector/uid_cache.go ReferenceCache: an LRU of owners
// the apiserver said do not exist (the absentOwnerCache), so that the
// dependents of one deleted owner do not each GET it again.
import type { ObjectIdentity } from "./graph.ts";

function cacheKey(r: ObjectIdentity): string {
  return JSON.stringify([r.apiVersion, r.kind, r.namespace, r.name, r.uid]);
}

export class ReferenceCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recently used.
  private readonly entries = new Map<string, true>();

  constructor(private readonly maxEntries: number) {}

  add(r: ObjectIdentity): void {
    const k = cacheKey(r);
    this.entries.delete(k);
    this.entries.set(k, true);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  has(r: ObjectIdentity): boolean {
    const k = cacheKey(r);
    if (!this.entries.has(k)) return false;
    this.entries.delete(k);
    this.entries.set(k, true);
    return true;
  }
}
