// PreFilter, its extensions and Filter for DoNotSchedule constraints
// (upstream's podtopologyspread/filtering.go, v1.32). PreFilter gets the
// matching pods per topology domain from TopologyCounts (recounting only the
// nodes that changed since the last cycle); Filter per node is a label
// lookup, a map lookup and a comparison per constraint.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { RequiredNodeAffinity } from "../../../api/scheduling/node-affinity.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import { type Result, unresolvable, unschedulable } from "../../framework/status.ts";
import {
  countsSignature,
  NodeInclusion,
  nodeLabelsMatchSpreadConstraints,
  podMatches,
  type TopologySpreadConstraint,
} from "./common.ts";
import type { Contribute, TopologyCounts } from "./topology-counts.ts";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export const PRE_FILTER_STATE_KEY = "PreFilterPodTopologySpread";

const MAX_INT32 = 2 ** 31 - 1;

/**
 * The two domains with the fewest matching pods for one constraint. Only
 * [0] is guaranteed the minimum; [1] is kept so removing a pod during
 * preemption (always on one node) can still find the new minimum.
 */
export class CriticalPaths {
  constructor(
    public value0 = "",
    public num0 = MAX_INT32,
    public value1 = "",
    public num1 = MAX_INT32,
  ) {}

  update(tpVal: string, num: number): void {
    const i = tpVal === this.value0 ? 0 : tpVal === this.value1 ? 1 : -1;
    if (i >= 0) {
      if (i === 0) this.num0 = num;
      else this.num1 = num;
      if (this.num0 > this.num1) this.swap();
    } else if (num < this.num0) {
      this.value1 = this.value0;
      this.num1 = this.num0;
      this.value0 = tpVal;
      this.num0 = num;
    } else if (num < this.num1) {
      this.value1 = tpVal;
      this.num1 = num;
    }
  }

  private swap(): void {
    const v = this.value0;
    const n = this.num0;
    this.value0 = this.value1;
    this.num0 = this.num1;
    this.value1 = v;
    this.num1 = n;
  }

  clone(): CriticalPaths {
    return new CriticalPaths(this.value0, this.num0, this.value1, this.num1);
  }
}

/** What PreFilter leaves for Filter; preemption clones it and edits it through addPod/removePod. */
export class PreFilterState {
  constructor(
    readonly constraints: readonly TopologySpreadConstraint[],
    /** Indexed by constraint. */
    readonly criticalPaths: CriticalPaths[],
    /**
     * Indexed by constraint: topology value → matching pods. Shared with the
     * TopologyCounts memo until the first edit (see own()).
     */
    public tpValueToMatchNum: Map<string, number>[],
    /** Indexed by constraint: does the incoming pod match the selector itself? */
    readonly selfMatch: readonly boolean[],
    readonly requiredNodeAffinity: RequiredNodeAffinity,
    private owned = false,
  ) {}

  /** The global minimum for the skew; 0 while fewer than minDomains domains are eligible. */
  minMatchNum(i: number, minDomains: number): number {
    if (this.tpValueToMatchNum[i].size < minDomains) return 0;
    return this.criticalPaths[i].num0;
  }

  /** Copy-on-write: the counts are the memo's until this state edits them. */
  own(): void {
    if (this.owned) return;
    this.tpValueToMatchNum = this.tpValueToMatchNum.map((m) => new Map(m));
    this.owned = true;
  }

  clone(): PreFilterState {
    return new PreFilterState(
      this.constraints,
      this.criticalPaths.map((p) => p.clone()),
      this.tpValueToMatchNum.map((m) => new Map(m)),
      this.selfMatch,
      this.requiredNodeAffinity,
      true,
    );
  }
}

/**
 * calPreFilterState: matching pods per domain over the nodes that have every
 * topology key and pass the constraint's inclusion policies.
 */
export function calPreFilterState(
  pod: Pod,
  constraints: readonly TopologySpreadConstraint[],
  nodes: readonly NodeInfo[],
  requiredNodeAffinity: RequiredNodeAffinity,
  memo: TopologyCounts,
): PreFilterState {
  const ns = pod.metadata?.namespace ?? "";
  const inclusion = new NodeInclusion(pod, requiredNodeAffinity);
  const contribute: Contribute = {
    values: (ni, values) => {
      const node = ni.node;
      const labels = node?.metadata?.labels;
      if (!node || !labels || !nodeLabelsMatchSpreadConstraints(labels, constraints)) return;
      inclusion.reset(node);
      for (let i = 0; i < constraints.length; i++) {
        if (inclusion.matches(constraints[i])) values[i] = labels[constraints[i].topologyKey];
      }
    },
    matches: (i, pi) => podMatches(pi, constraints[i].selector, ns),
  };
  const sig = countsSignature("filter", pod, constraints, requiredNodeAffinity);
  const totals = memo.totals(sig, constraints.length, nodes, contribute);
  const paths = totals.map((m) => {
    const p = new CriticalPaths();
    for (const [value, num] of m) p.update(value, num);
    return p;
  });
  const podLabels = pod.metadata?.labels;
  const selfMatch = constraints.map((c) => c.selector.matches(podLabels));
  return new PreFilterState(constraints, paths, totals, selfMatch, requiredNodeAffinity);
}

export function getPreFilterState(state: CycleState): PreFilterState {
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (s === undefined) throw new Error(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
  if (!(s instanceof PreFilterState))
    throw new Error(`${String(s)} convert to podtopologyspread.preFilterState error`);
  return s;
}

/** Filter: skew = matching pods in the node's domain + self-match - global minimum must not exceed maxSkew. */
export function filterNode(s: PreFilterState, nodeInfo: NodeInfo): Result {
  const constraints = s.constraints;
  if (constraints.length === 0) return null;
  const labels = nodeInfo.node?.metadata?.labels;
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    if (!labels || !Object.hasOwn(labels, c.topologyKey))
      return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const minMatchNum = s.minMatchNum(i, c.minDomains);
    const selfMatchNum = s.selfMatch[i] ? 1 : 0;
    const matchNum = s.tpValueToMatchNum[i].get(labels[c.topologyKey]) ?? 0;
    if (matchNum + selfMatchNum - minMatchNum > c.maxSkew)
      return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return null;
}

/** addPod/removePod: adjust the counts as if updatedPod were added to (delta 1) or removed from (delta -1) node. */
export function updateWithPod(
  s: PreFilterState,
  updatedPod: Pod,
  preemptorPod: Pod,
  node: Node | undefined,
  delta: 1 | -1,
): void {
  if (!node || (updatedPod.metadata?.namespace ?? "") !== (preemptorPod.metadata?.namespace ?? "")) return;
  const labels = node.metadata?.labels;
  if (!labels || !nodeLabelsMatchSpreadConstraints(labels, s.constraints)) return;
  const inclusion = new NodeInclusion(preemptorPod, s.requiredNodeAffinity).reset(node);
  s.own();
  const podLabels = updatedPod.metadata?.labels;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    if (!c.selector.matches(podLabels)) continue;
    if (!inclusion.matches(c)) continue;
    const v = labels[c.topologyKey];
    const n = (s.tpValueToMatchNum[i].get(v) ?? 0) + delta;
    s.tpValueToMatchNum[i].set(v, n);
    s.criticalPaths[i].update(v, n);
  }
}
