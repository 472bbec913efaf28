// Pod counts by topology pair, as InterPodAffinity keeps them (PodTopologySpread's
// per-cycle totals over all nodes are its own TopologyCounts memo).
import type { Node } from "kubernetes-types/core/v1.d.ts";
import type { Labels } from "../../machinery/labels.ts";

/** The label value when present; typeof keeps Object.prototype members out. */
export function labelValue(labels: Labels, key: string): string | undefined {
  const v = labels?.[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * Pod counts by topology pair (upstream's topologyToMatchedTermCount), nested
 * key → value → count so that a node is checked without building pair keys.
 * Entries that fall to zero are removed, as upstream does.
 */
export class TopologyPairCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  private pairs = 0;

  /** How many topology pairs have a non-zero count. */
  get size(): number {
    return this.pairs;
  }

  add(key: string, value: string, delta: number): void {
    let values = this.byKey.get(key);
    if (!values) {
      values = new Map();
      this.byKey.set(key, values);
    }
    const before = values.get(value) ?? 0;
    const after = before + delta;
    if (after === 0) {
      if (values.delete(value)) this.pairs--;
      if (values.size === 0) this.byKey.delete(key);
    } else {
      if (before === 0) this.pairs++;
      values.set(value, after);
    }
  }

  /** Adds delta for the node's value of key; nothing when the node lacks the label. */
  addForNode(node: Node | undefined, key: string, delta: number): void {
    const v = labelValue(node?.metadata?.labels, key);
    if (v !== undefined) this.add(key, v, delta);
  }

  /** Adds every pair of other, each count multiplied by times. */
  addAll(other: TopologyPairCounts, times = 1): void {
    for (const [k, values] of other.byKey) for (const [v, n] of values) this.add(k, v, n * times);
  }

  forEach(fn: (key: string, value: string, count: number) => void): void {
    for (const [k, values] of this.byKey) for (const [v, n] of values) fn(k, v, n);
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  /** Is any of the node's label pairs counted above zero? */
  anyPositiveOn(labels: Labels): boolean {
    for (const [key, values] of this.byKey) {
      const v = labelValue(labels, key);
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyPairCounts {
    const c = new TopologyPairCounts();
    for (const [k, values] of this.byKey) c.byKey.set(k, new Map(values));
    c.pairs = this.pairs;
    return c;
  }

  /** "key=value" → count, for tests and debugging. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, values] of this.byKey) for (const [v, n] of values) out[`${k}=${v}`] = n;
    return out;
  }
}
