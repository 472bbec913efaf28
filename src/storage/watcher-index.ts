// Watchers by the resource their prefix lies in, so that a write reaches only
// the watchers of its own resource: with a kubelet per node watching pods, the
// leases and events they write would otherwise be offered to every one.

/**
 * The first three segments of a key or prefix ("/registry/pods/" of
 * "/registry/pods/ns/name"), or undefined when it has fewer. A key under a
 * prefix that has a root has the same root.
 */
export function rootOf(key: string): string | undefined {
  const first = key.indexOf("/", 1);
  if (first < 0) return undefined;
  const second = key.indexOf("/", first + 1);
  return second < 0 ? undefined : key.slice(0, second + 1);
}

export class WatcherIndex<W extends { prefix: string }> {
  private readonly byRoot = new Map<string, Set<W>>();
  /** Watchers of prefixes above any one resource ("/registry/"): they are offered every event. */
  readonly broad = new Set<W>();

  add(w: W): void {
    const root = rootOf(w.prefix);
    if (root === undefined) {
      this.broad.add(w);
      return;
    }
    let set = this.byRoot.get(root);
    if (!set) {
      set = new Set();
      this.byRoot.set(root, set);
    }
    set.add(w);
  }

  delete(w: W): void {
    const root = rootOf(w.prefix);
    if (root === undefined) {
      this.broad.delete(w);
      return;
    }
    const set = this.byRoot.get(root);
    if (set?.delete(w) && set.size === 0) this.byRoot.delete(root);
  }

  /** The watchers with a root, of that root. */
  under(root: string): Iterable<W> {
    return this.byRoot.get(root) ?? [];
  }

  *[Symbol.iterator](): Iterator<W> {
    for (const set of this.byRoot.values()) yield* set;
    yield* this.broad;
  }
}
