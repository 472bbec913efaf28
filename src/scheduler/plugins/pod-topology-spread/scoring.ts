// PreScore, Score and NormalizeScore for ScheduleAnyway constraints
// (upstream's podtopologyspread/scoring.go, v1.32). A node scores the matching
// pods of its domains, weighted by log(domain count + 2); fewer is better.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { RequiredNodeAffinity } from "../../../api/scheduling/node-affinity.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import { MAX_NODE_SCORE, type NodeScore } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import {
  catchUpCount,
  countPodsMatchSelector,
  countsSignature,
  LABEL_HOSTNAME,
  NodeInclusion,
  nodeLabelsMatchSpreadConstraints,
  podMatches,
  selectorKey,
  type TopologySpreadConstraint,
} from "./common.ts";
import type { Contribute, TopologyCounts } from "./topology-counts.ts";

export const PRE_SCORE_STATE_KEY = "PreScorePodTopologySpread";
const INVALID_SCORE = -1;

/** What PreScore leaves for Score and NormalizeScore. */
export class PreScoreState {
  constructor(
    readonly constraints: readonly TopologySpreadConstraint[],
    /** Feasible nodes missing some topology key: scored 0. */
    readonly ignoredNodes: ReadonlySet<string>,
    /** Indexed by constraint: topology value → matching pods (empty for hostname, counted in Score). */
    readonly topologyValueToPodCounts: Map<string, number>[],
    /** Indexed by constraint: keeps small topologies from being watered down by big ones. */
    readonly topologyNormalizingWeight: readonly number[],
    /** Indexed by constraint: the hostname count's key in a node's memo (namespace and selector). */
    readonly hostnameCountKeys: readonly string[],
  ) {}

  /** Nothing in it changes after PreScore. */
  clone(): PreScoreState {
    return this;
  }
}

/** log(size + 2): in [1.09, 8.52] for 1 to 5,000 domains. */
export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

/** maxSkew-1 is added so differences between domains are watered down by the tolerance to skew. */
export function scoreForCount(cnt: number, maxSkew: number, tpWeight: number): number {
  return cnt * tpWeight + (maxSkew - 1);
}

/**
 * initPreScoreState + the counting pass of PreScore. Domains are those of the
 * feasible nodes; pods are counted over all nodes in those domains (summed
 * per domain over all nodes by the memo, then kept for the feasible domains).
 */
export function calPreScoreState(
  pod: Pod,
  constraints: readonly TopologySpreadConstraint[],
  filteredNodes: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
  requireAllTopologies: boolean,
  requiredNodeAffinity: RequiredNodeAffinity,
  memo: TopologyCounts,
): PreScoreState {
  const ignoredNodes = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  const topoSize = constraints.map(() => 0);
  for (const ni of filteredNodes) {
    const labels = ni.node?.metadata?.labels;
    if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
      ignoredNodes.add(ni.name);
      continue;
    }
    for (let i = 0; i < constraints.length; i++) {
      const key = constraints[i].topologyKey;
      // Per-node counts are made in Score.
      if (key === LABEL_HOSTNAME) continue;
      const value = labelValue(labels, key);
      if (!counts[i].has(value)) {
        counts[i].set(value, 0);
        topoSize[i]++;
      }
    }
  }
  const weights = constraints.map((c, i) =>
    topologyNormalizingWeight(
      c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - ignoredNodes.size : topoSize[i],
    ),
  );

  const ns = pod.metadata?.namespace ?? "";
  const inclusion = new NodeInclusion(pod, requiredNodeAffinity);
  const contribute: Contribute = {
    values: (ni, values) => {
      const node = ni.node;
      if (!node) return;
      const labels = node.metadata?.labels;
      if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) return;
      inclusion.reset(node);
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        // Hostname domains are counted per node in Score.
        if (c.topologyKey === LABEL_HOSTNAME || !inclusion.matches(c)) continue;
        values[i] = labelValue(labels, c.topologyKey);
      }
    },
    matches: (i, pi) => podMatches(pi, constraints[i].selector, ns),
  };
  // Hostname-only constraints have nothing to count over all nodes.
  if (constraints.some((c) => c.topologyKey !== LABEL_HOSTNAME)) {
    const sig = countsSignature(
      requireAllTopologies ? "score-all" : "score",
      pod,
      constraints,
      requiredNodeAffinity,
    );
    const totals = memo.totals(sig, constraints.length, allNodes, contribute);
    // Only the domains of feasible nodes are scored.
    for (let i = 0; i < constraints.length; i++) {
      for (const value of counts[i].keys()) counts[i].set(value, totals[i].get(value) ?? 0);
    }
  }
  const hostnameKeys = constraints.map((c) =>
    c.topologyKey === LABEL_HOSTNAME ? `${ns}\u0000${selectorKey(c.selector)}` : "",
  );
  return new PreScoreState(constraints, ignoredNodes, counts, weights, hostnameKeys);
}

/**
 * Matching pods per node for hostname constraints, by (namespace, selector),
 * each valid while its node's generation holds and brought up to date from the
 * pods that came and went after. Upstream counts the node's pods in every
 * Score, which with default spreading over hundreds of nodes was most of the
 * scheduler's time.
 */
const hostnameCounts = new WeakMap<NodeInfo, Map<string, { generation: number; count: number }>>();
/**
 * Distinct selectors remembered per node; past it the node's memo starts
 * again. Bounds the memo near 40 MB at 5,000 nodes whatever the workloads.
 */
const HOSTNAME_COUNTS_PER_NODE = 64;

function podsMatchingOnNode(ni: NodeInfo, c: TopologySpreadConstraint, ns: string, key: string): number {
  let memo = hostnameCounts.get(ni);
  if (!memo) {
    memo = new Map();
    hostnameCounts.set(ni, memo);
  }
  const e = memo.get(key);
  if (e?.generation === ni.generation) return e.count;
  const count = e
    ? catchUpCount(ni, e.generation, e.count, c.selector, ns)
    : countPodsMatchSelector(ni.pods, c.selector, ns);
  if (e) {
    e.generation = ni.generation;
    e.count = count;
  } else {
    if (memo.size >= HOSTNAME_COUNTS_PER_NODE) memo.clear();
    memo.set(key, { generation: ni.generation, count });
  }
  return count;
}

/** A Go map lookup: a missing label reads as "". */
function labelValue(labels: Readonly<Record<string, string>> | undefined, key: string): string {
  return labels && Object.hasOwn(labels, key) ? labels[key] : "";
}

export function getPreScoreState(state: CycleState): PreScoreState {
  const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
  if (s === undefined) throw new Error(`error reading "${PRE_SCORE_STATE_KEY}" from cycleState: not found`);
  if (!(s instanceof PreScoreState))
    throw new Error(`${String(s)}  convert to podtopologyspread.preScoreState error`);
  return s;
}

/** Score: the weighted matching pods of the node's domains, before normalizing. */
export function scoreNode(s: PreScoreState, pod: Pod, nodeInfo: NodeInfo): number {
  if (s.ignoredNodes.has(nodeInfo.name)) return 0;
  const labels = nodeInfo.node?.metadata?.labels;
  if (!labels) return 0;
  const ns = pod.metadata?.namespace ?? "";
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    if (!Object.hasOwn(labels, c.topologyKey)) continue;
    const cnt =
      c.topologyKey === LABEL_HOSTNAME
        ? podsMatchingOnNode(nodeInfo, c, ns, s.hostnameCountKeys[i])
        : (s.topologyValueToPodCounts[i].get(labels[c.topologyKey]) ?? 0);
    score += scoreForCount(cnt, c.maxSkew, s.topologyNormalizingWeight[i]);
  }
  // Go's math.Round; scores are never negative, where it differs from Math.round.
  return Math.round(score);
}

/** NormalizeScore: fewest matching pods → 100; ignored nodes → 0. */
export function normalizeScores(s: PreScoreState, scores: NodeScore[]): void {
  let minScore = Number.MAX_SAFE_INTEGER;
  let maxScore = 0;
  for (const ns of scores) {
    // Ignored nodes must be checked: their raw score 0 would otherwise win.
    if (s.ignoredNodes.has(ns.name)) {
      ns.score = INVALID_SCORE;
      continue;
    }
    if (ns.score < minScore) minScore = ns.score;
    if (ns.score > maxScore) maxScore = ns.score;
  }
  for (const ns of scores) {
    if (ns.score === INVALID_SCORE) {
      ns.score = 0;
    } else if (maxScore === 0) {
      ns.score = MAX_NODE_SCORE;
    } else {
      // int64 division: truncates.
      ns.score = Math.trunc((MAX_NODE_SCORE * (maxScore + minScore - ns.score)) / maxScore);
    }
  }
}
