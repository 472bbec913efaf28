// Matching-pod totals per topology value over all nodes, kept between
// scheduling cycles. Upstream recounts every node each cycle; here a cycle
// for a pod of the same shape (namespace, constraints, node inclusion inputs)
// looks again only at the nodes whose NodeInfo generation moved, and at those
// only at the pods that came and went (a binding: one pod on one node). The
// totals are exactly upstream's sums.
import type { NodeInfo, PodChange, PodInfo } from "../../framework/node-info.ts";

/** What a node contributes to the totals of a memo's constraints. */
export interface Contribute {
  /** Fills each constraint's topology value for the node (undefined: the node does not count for it). */
  values(ni: NodeInfo, values: (string | undefined)[]): void;
  /** Whether a pod on a node that counts is one of constraint c's matching pods. */
  matches(c: number, pi: PodInfo): boolean;
}

class Memo {
  nodes: readonly NodeInfo[] = [];
  infos: NodeInfo[] = [];
  gens: number[] = [];
  /** [node * constraints + constraint] */
  values: (string | undefined)[] = [];
  counts: number[] = [];
  totals: Map<string, number>[];
  /** Nodes contributing to each value: a value leaves the totals when none is left. */
  refs: Map<string, number>[];
  private readonly v: (string | undefined)[];

  constructor(readonly width: number) {
    this.totals = Array.from({ length: width }, () => new Map());
    this.refs = Array.from({ length: width }, () => new Map());
    this.v = new Array(width);
  }

  rebuild(nodes: readonly NodeInfo[], contribute: Contribute): void {
    const w = this.width;
    this.nodes = nodes;
    this.infos = nodes.slice();
    this.gens = nodes.map((n) => n.generation);
    this.values = new Array(nodes.length * w);
    this.counts = new Array(nodes.length * w).fill(0);
    this.totals = Array.from({ length: w }, () => new Map());
    this.refs = Array.from({ length: w }, () => new Map());
    for (let i = 0; i < nodes.length; i++) this.set(i, nodes[i], contribute);
  }

  /** Brings the totals up to date; false when the node list changed shape and a rebuild is needed. */
  update(nodes: readonly NodeInfo[], contribute: Contribute): boolean {
    if (nodes !== this.nodes || nodes.length !== this.infos.length) return false;
    const w = this.width;
    for (let i = 0; i < nodes.length; i++) {
      const ni = nodes[i];
      if (ni === this.infos[i] && ni.generation === this.gens[i]) continue;
      const changes = ni === this.infos[i] ? ni.podChangesSince(this.gens[i]) : undefined;
      this.gens[i] = ni.generation;
      if (changes) {
        this.catchUp(i, changes, contribute);
        continue;
      }
      for (let c = 0; c < w; c++) {
        const k = i * w + c;
        const old = this.values[k];
        if (old !== undefined) this.add(c, old, -this.counts[k], -1);
      }
      this.infos[i] = ni;
      this.set(i, ni, contribute);
    }
    return true;
  }

  private set(i: number, ni: NodeInfo, contribute: Contribute): void {
    const w = this.width;
    const v = this.v;
    v.fill(undefined);
    contribute.values(ni, v);
    for (let c = 0; c < w; c++) {
      const k = i * w + c;
      const value = v[c];
      this.values[k] = value;
      let n = 0;
      if (value !== undefined) {
        for (const pi of ni.pods) if (contribute.matches(c, pi)) n++;
        this.add(c, value, n, 1);
      }
      this.counts[k] = n;
    }
  }

  /** Node i as before, but for the pods that came and went. */
  private catchUp(i: number, changes: readonly PodChange[], contribute: Contribute): void {
    const w = this.width;
    for (let c = 0; c < w; c++) {
      const k = i * w + c;
      const value = this.values[k];
      if (value === undefined) continue;
      let d = 0;
      for (const ch of changes) if (contribute.matches(c, ch.pod)) d += ch.delta;
      if (d === 0) continue;
      this.counts[k] += d;
      this.add(c, value, d, 0);
    }
  }

  /** ref: the node starts (1) or stops (-1) counting in the value's domain, or stays (0). */
  private add(c: number, value: string, count: number, ref: 1 | 0 | -1): void {
    const refs = this.refs[c];
    const r = (refs.get(value) ?? 0) + ref;
    if (r === 0) {
      refs.delete(value);
      this.totals[c].delete(value);
      return;
    }
    refs.set(value, r);
    this.totals[c].set(value, (this.totals[c].get(value) ?? 0) + count);
  }
}

/**
 * Memos, most recently used first, so that interleaved workloads (a hundred
 * Deployments rolling out at once) do not evict each other: each memo costs
 * a slot per node and constraint, and the least recently used go once the
 * slots exceed the budget (a million: 20 to 40 MB).
 */
export class TopologyCounts {
  /** By width and sig, least recently used first. */
  private readonly memos = new Map<string, Memo>();
  private slots = 0;

  constructor(private readonly slotBudget = 1_000_000) {}

  /**
   * Totals per constraint: topology value → matching pods, over the nodes that
   * count. The maps belong to the memo and change at the next call with the
   * same sig: a caller that edits them must copy first.
   */
  totals(
    sig: string,
    width: number,
    nodes: readonly NodeInfo[],
    contribute: Contribute,
  ): Map<string, number>[] {
    const key = `${width}\u0000${sig}`;
    let memo = this.memos.get(key);
    if (memo) {
      this.memos.delete(key);
      this.slots -= memo.values.length;
      if (!memo.update(nodes, contribute)) memo.rebuild(nodes, contribute);
    } else {
      memo = new Memo(width);
      memo.rebuild(nodes, contribute);
    }
    this.memos.set(key, memo);
    this.slots += memo.values.length;
    // The memo just used stays, however big.
    for (const [k, old] of this.memos) {
      if (this.slots <= this.slotBudget || old === memo) break;
      this.memos.delete(k);
      this.slots -= old.values.length;
    }
    return memo.totals;
  }
}
