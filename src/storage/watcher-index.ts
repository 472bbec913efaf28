// Watchers by the resource their prefix lies in, so that a write reaches only
// the watchers of its own resource: with a kubelet per node watching pods, the
// leases and events they write would otherwise be offered to every one. Within
// a resource, watchers with a trigger (a kubelet's spec.nodeName=<node>) are
// indexed by its value, as upstream's cacher does: a pod's change reaches the
// watchers of its node, not all 500 kubelets' filters.
import type { KeyValue, WatchTrigger } from "./store.ts";

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

/** The watchers of one root with a trigger on one field, by the value they want. */
export interface TriggerIndex<W> {
  /** The field's value in a stored object (the first watcher's reader: all read the same field). */
  valueOf(kv: KeyValue): string | undefined;
  readonly byValue: Map<string, Set<W>>;
}

export class WatcherIndex<W extends { prefix: string; trigger?: WatchTrigger }> {
  private readonly byRoot = new Map<string, Set<W>>();
  private readonly triggered = new Map<string, Map<string, TriggerIndex<W>>>();
  /** Watchers of prefixes above any one resource ("/registry/"): they are offered every event. */
  readonly broad = new Set<W>();

  add(w: W): void {
    const root = rootOf(w.prefix);
    if (root === undefined) {
      this.broad.add(w);
      return;
    }
    const t = w.trigger;
    if (!t) {
      getOrAdd(this.byRoot, root, () => new Set()).add(w);
      return;
    }
    const fields = getOrAdd(this.triggered, root, () => new Map());
    const index = getOrAdd(fields, t.field, () => ({ valueOf: t.valueOf, byValue: new Map() }));
    getOrAdd(index.byValue, t.value, () => new Set()).add(w);
  }

  delete(w: W): void {
    const root = rootOf(w.prefix);
    if (root === undefined) {
      this.broad.delete(w);
      return;
    }
    const t = w.trigger;
    if (!t) {
      const set = this.byRoot.get(root);
      if (set?.delete(w) && set.size === 0) this.byRoot.delete(root);
      return;
    }
    const fields = this.triggered.get(root);
    const index = fields?.get(t.field);
    const set = index?.byValue.get(t.value);
    if (!set?.delete(w) || set.size > 0) return;
    index!.byValue.delete(t.value);
    if (index!.byValue.size > 0) return;
    fields!.delete(t.field);
    if (fields!.size === 0) this.triggered.delete(root);
  }

  /** The watchers of root without a trigger: offered every event of the root. */
  under(root: string): Iterable<W> {
    return this.byRoot.get(root) ?? [];
  }

  /** The trigger indexes of root. */
  triggersUnder(root: string): Iterable<TriggerIndex<W>> {
    return this.triggered.get(root)?.values() ?? [];
  }

  *[Symbol.iterator](): Iterator<W> {
    for (const set of this.byRoot.values()) yield* set;
    for (const fields of this.triggered.values())
      for (const index of fields.values()) for (const set of index.byValue.values()) yield* set;
    yield* this.broad;
  }
}

/**
 * The watchers of a trigger index that an event may concern, each with its
 * events in order: those whose value the event's object has now or had before.
 * A value that cannot be read (a store fault) offers the event to all of them,
 * for their filters to decide.
 */
export function triggeredDeliveries<W, E extends { kv: KeyValue; prevKv?: KeyValue }>(
  index: TriggerIndex<W>,
  events: readonly E[],
): Map<W, E[]> {
  const out = new Map<W, E[]>();
  // A watcher is in one value's set, so an event reaches it once.
  const offer = (set: Iterable<W> | undefined, e: E) => {
    if (!set) return;
    for (const w of set) {
      const list = out.get(w);
      if (list) list.push(e);
      else out.set(w, [e]);
    }
  };
  for (const e of events) {
    let now: string | undefined;
    let before: string | undefined;
    try {
      now = index.valueOf(e.kv);
      before = e.prevKv ? index.valueOf(e.prevKv) : undefined;
    } catch {
      for (const set of index.byValue.values()) offer(set, e);
      continue;
    }
    if (now !== undefined) offer(index.byValue.get(now), e);
    if (before !== undefined && before !== now) offer(index.byValue.get(before), e);
  }
  return out;
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}
