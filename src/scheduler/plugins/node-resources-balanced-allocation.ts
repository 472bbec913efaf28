// NodeResourcesBalancedAllocation: favours nodes whose cpu and memory (or the
// configured resources) would be used in equal shares once the pod is placed.
// score = (1 - std) * MaxNodeScore, std the standard deviation of the
// requested/allocatable fractions (each capped at 1). Upstream's
// noderesources/balanced_allocation.go, v1.32: it scores plain requests, not
// the non-zero defaults, and (unlike v1.33+) still scores best-effort pods.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import {
  MAX_NODE_SCORE,
  type PluginFactory,
  type PreScorePlugin,
  type ScorePlugin,
} from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import type { Result } from "../framework/status.ts";
import {
  defaultResources,
  ResourceAllocationScorer,
  type ResourceSpec,
} from "./helper/resource-allocation.ts";

export const NAME = "NodeResourcesBalancedAllocation";
export const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;

/** kubescheduler.config.k8s.io/v1 NodeResourcesBalancedAllocationArgs. */
export interface NodeResourcesBalancedAllocationArgs {
  resources?: ResourceSpec[];
}

interface BalancedAllocationPreScoreState {
  podRequests: Float64Array;
}

/** (1 - standard deviation of the fractions) * 100, over the resources the node has. */
export function balancedResourceScorer(requested: Float64Array, allocatable: Float64Array): number {
  let count = 0;
  let total = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const fraction = Math.min(requested[i] / allocatable[i], 1);
    if (count === 0) first = fraction;
    else if (count === 1) second = fraction;
    total += fraction;
    count++;
  }
  let std = 0;
  if (count === 2) {
    // The usual cpu+memory case: the std of two values is half their distance.
    std = Math.abs((first - second) / 2);
  } else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const d = Math.min(requested[i] / allocatable[i], 1) - mean;
      sum += d * d;
    }
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  constructor(readonly scorer: ResourceAllocationScorer) {}

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    const s: BalancedAllocationPreScoreState = { podRequests: this.scorer.podRequestList(pod) };
    state.write(PRE_SCORE_STATE_KEY, s);
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<BalancedAllocationPreScoreState>(PRE_SCORE_STATE_KEY);
    return this.scorer.score(nodeInfo, s?.podRequests ?? this.scorer.podRequestList(pod));
  }
}

/** Applies v1 defaults (cpu and memory; weight 0 → 1) and upstream's validation (weight must be 1, no duplicates). */
export function defaultBalancedAllocationArgs(raw: Record<string, unknown> | undefined): ResourceSpec[] {
  const args = (raw ?? {}) as NodeResourcesBalancedAllocationArgs;
  const given = args.resources ?? [];
  if (given.length === 0) return defaultResources();
  const resources = given.map((r) => ({ name: r.name, weight: r.weight || 1 }));
  const errs: string[] = [];
  const seen = new Set<string>();
  resources.forEach((r, i) => {
    if (seen.has(r.name)) errs.push(`resources[${i}].name: Duplicate value: "${r.name}"`);
    seen.add(r.name);
    if (r.weight !== 1) errs.push(`resources[${i}].weight: Invalid value: ${r.weight}: must be 1`);
  });
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(", ")}]`);
  return resources;
}

/** Throws on invalid args, as upstream's NewBalancedAllocation returns an error. */
export const newBalancedAllocation: PluginFactory = (raw) => {
  const resources = defaultBalancedAllocationArgs(raw);
  return new BalancedAllocation(new ResourceAllocationScorer(NAME, resources, balancedResourceScorer, true));
};
