// What InterPodAffinity needs to know about the pods already placed, kept up
// to date as pods come and go and nodes change labels. Upstream walks, in
// every scheduling cycle, every pod with required anti-affinity, every pod
// with affinity terms (for scoring) and, for an incoming pod with required
// terms, every pod; with a few thousand such pods those walks are most of a
// cycle (`npm run bench -- scheduler PodAntiAffinity`). Here:
//
// - existing pods' terms are grouped by identical term, each group with the
//   count of its pods per topology pair, so a cycle checks each distinct
//   term against the incoming pod once instead of each pod's copy of it;
// - the counts of pods matching an incoming pod's required terms are kept
//   for the term lists asked for most recently (the replicas of a workload
//   share them) and updated on every pod change, instead of recounted.
//
// The results are the same numbers upstream's walks produce.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { Selector } from "../../machinery/labels.ts";
import { type AffinityTerm, type NodeInfo, type PodInfo, termMatches } from "./node-info.ts";
import { labelValue, TopologyPairCounts } from "./topology-pair-counts.ts";

/** Existing pods that carry one and the same term. */
export interface TermGroup {
  /** The term as the first of these pods carried it; the others' are identical. */
  readonly term: AffinityTerm;
  /** The term's weight for preferred terms; 0 for required ones. */
  readonly weight: number;
  /** The pods, by the topology pair (term.topologyKey) of their node. */
  readonly counts: TopologyPairCounts;
  /** How many pods carry it, also those on nodes without the topology label. */
  refs: number;
}

/** One kind of existing term (e.g. required anti-affinity), grouped. */
export class TermGroups {
  private readonly byKey = new Map<string, TermGroup>();

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<TermGroup> {
    return this.byKey.values();
  }

  update(term: AffinityTerm, weight: number, node: Node | undefined, sign: 1 | -1): void {
    const key = weight === 0 ? termKey(term) : `${termKey(term)}\u0000${weight}`;
    let g = this.byKey.get(key);
    if (!g) {
      if (sign < 0) return;
      g = { term, weight, counts: new TopologyPairCounts(), refs: 0 };
      this.byKey.set(key, g);
    }
    g.counts.addForNode(node, term.topologyKey, sign);
    g.refs += sign;
    if (g.refs <= 0) this.byKey.delete(key);
  }
}

/** Counts of the pods matching an incoming pod's required terms, kept current. */
interface MatchingView {
  readonly terms: readonly AffinityTerm[];
  readonly counts: TopologyPairCounts;
}

/** Term lists whose matching counts are kept; each costs a match per pod change. */
const MAX_VIEWS = 16;

export class PodAffinityIndex {
  readonly requiredAffinity = new TermGroups();
  readonly requiredAntiAffinity = new TermGroups();
  readonly preferredAffinity = new TermGroups();
  readonly preferredAntiAffinity = new TermGroups();
  /** In least-recently-used order. */
  private readonly views = new Map<string, MatchingView>();

  /**
   * nodes: the snapshot's nodes, for counting from scratch. keepViews: keep
   * matching counts between calls; only an owner that reports every change
   * (the scheduler cache) may.
   */
  constructor(
    private readonly nodes: () => readonly NodeInfo[],
    private readonly keepViews: boolean,
  ) {}

  /** A pod was placed on (sign 1) or removed from (-1) a node; node is undefined while the node is unknown. */
  podChanged(pi: PodInfo, node: Node | undefined, sign: 1 | -1): void {
    if (pi.hasAffinity) {
      for (const t of pi.requiredAffinityTerms) this.requiredAffinity.update(t, 0, node, sign);
      for (const t of pi.requiredAntiAffinityTerms) this.requiredAntiAffinity.update(t, 0, node, sign);
      for (const t of pi.preferredAffinityTerms) this.preferredAffinity.update(t, t.weight, node, sign);
      for (const t of pi.preferredAntiAffinityTerms)
        this.preferredAntiAffinity.update(t, t.weight, node, sign);
    }
    for (const v of this.views.values()) {
      if (matchesAll(v.terms, pi.pod))
        for (const t of v.terms) v.counts.addForNode(node, t.topologyKey, sign);
    }
  }

  /** The node of ni changed from before to after (labels, or known at all): its pods count under the new pairs. */
  nodeChanged(ni: NodeInfo, before: Node | undefined, after: Node | undefined): void {
    for (const pi of ni.pods) {
      this.podChanged(pi, before, -1);
      this.podChanged(pi, after, 1);
    }
  }

  /**
   * The pods that match every one of terms, counted under each term's
   * topology key (upstream's affinityCounts; for one term, its
   * antiAffinityCounts). The terms' namespaces must be fixed (no
   * namespaceSelector, or an empty one), so that counts kept for them stay
   * right when namespaces change labels. The result may be shared: callers
   * must not change it.
   */
  matching(terms: readonly AffinityTerm[]): TopologyPairCounts {
    for (const t of terms) {
      if (!hasFixedNamespaces(t)) throw new Error("matching: a term selects namespaces by label");
    }
    const keys = terms.map((t) => t.topologyKey);
    const count = () => countPods(this.nodes(), (pod) => matchesAll(terms, pod), keys);
    if (!this.keepViews) return count();
    const key = terms.map(termKey).join("\u0001");
    let v = this.views.get(key);
    if (v) {
      this.views.delete(key);
    } else {
      v = { terms, counts: count() };
      if (this.views.size >= MAX_VIEWS) this.views.delete(this.views.keys().next().value as string);
    }
    this.views.set(key, v);
    return v.counts;
  }
}

/** The term's namespaces do not depend on namespace labels. */
export function hasFixedNamespaces(t: AffinityTerm): boolean {
  return !t.namespaceSelector.requirements().selectable || t.namespaceSelector.empty();
}

function matchesAll(terms: readonly AffinityTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}

/** Pods on nodes for which matches holds, counted under each of keys (repeats count again, as upstream). */
export function countPods(
  nodes: readonly NodeInfo[],
  matches: (pod: Pod) => boolean,
  keys: readonly string[],
): TopologyPairCounts {
  const counts = new TopologyPairCounts();
  if (keys.length === 0) return counts;
  for (const ni of nodes) {
    if (ni.pods.length === 0) continue;
    const labels = ni.node?.metadata?.labels;
    // A node with none of the topology keys cannot add to any pair.
    if (!keys.some((k) => labelValue(labels, k) !== undefined)) continue;
    for (const existing of ni.pods) {
      if (!matches(existing.pod)) continue;
      for (const k of keys) {
        const v = labelValue(labels, k);
        if (v !== undefined) counts.add(k, v, 1);
      }
    }
  }
  return counts;
}

const termKeys = new WeakMap<AffinityTerm, string>();

/** Equal for terms that match the same pods under the same topology key. */
function termKey(t: AffinityTerm): string {
  let k = termKeys.get(t);
  if (k === undefined) {
    k = [
      t.topologyKey,
      [...t.namespaces].sort().join(","),
      selectorKey(t.selector),
      selectorKey(t.namespaceSelector),
    ].join("\u0000");
    termKeys.set(t, k);
  }
  return k;
}

const selectorKey = (s: Selector) => (s.requirements().selectable ? `+${s.toString()}` : "-");
