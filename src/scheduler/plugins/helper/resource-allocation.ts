// The resource allocation scorer shared by NodeResourcesFit's scoring
// strategies and NodeResourcesBalancedAllocation (upstream's noderesources
// resource_allocation.go, least/most_allocated.go, requested_to_capacity_ratio.go
// and helper/shape_score.go, v1.32). Arithmetic follows upstream's int64 maths:
// every division truncates.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { MAX_NODE_SCORE } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import {
  CPU,
  EPHEMERAL_STORAGE,
  get,
  isScalarResourceName,
  MEMORY,
  podRequests,
} from "../../framework/resource.ts";

/** A resource and its weight in a score (upstream's config.ResourceSpec). */
export interface ResourceSpec {
  name: string;
  weight: number;
}

/** cpu and memory, weight 1: the default of both NodeResourcesFitArgs and NodeResourcesBalancedAllocationArgs. */
export const defaultResources = (): ResourceSpec[] => [
  { name: CPU, weight: 1 },
  { name: MEMORY, weight: 1 },
];

/** Scores a node from per-resource (requested, allocatable) pairs, in the order of the scorer's resources. */
export type ScorerFn = (requested: Float64Array, allocatable: Float64Array) => number;

export class ResourceAllocationScorer {
  // Scratch space reused by every score() call: Score runs once per node.
  private readonly requested: Float64Array;
  private readonly allocatable: Float64Array;

  constructor(
    readonly name: string,
    readonly resources: readonly ResourceSpec[],
    private readonly scorer: ScorerFn,
    /** Use the pods' plain requests for cpu/memory rather than the non-zero defaults (BalancedAllocation). */
    readonly useRequested: boolean,
  ) {
    this.requested = new Float64Array(resources.length);
    this.allocatable = new Float64Array(resources.length);
  }

  /** The pod's request for each resource; cpu in milli-units. Computed once per pod, in PreScore. */
  podRequestList(pod: Pod): Float64Array {
    const reqs = podRequests(pod, !this.useRequested);
    const out = new Float64Array(this.resources.length);
    for (let i = 0; i < this.resources.length; i++) out[i] = get(reqs, this.resources[i].name);
    return out;
  }

  /** The node's score; throws when no resources are configured (upstream's Error status). */
  score(nodeInfo: NodeInfo, podRequestList: Float64Array): number {
    const n = this.resources.length;
    if (n === 0) throw new Error("resources not found");
    const requested = this.useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
    const alloc = nodeInfo.allocatable;
    for (let i = 0; i < n; i++) {
      const name = this.resources[i].name;
      const podRequest = podRequestList[i];
      let a = 0;
      let r = 0;
      switch (name) {
        case CPU:
          a = alloc.milliCPU;
          r = requested.milliCPU + podRequest;
          break;
        case MEMORY:
          a = alloc.memory;
          r = requested.memory + podRequest;
          break;
        case EPHEMERAL_STORAGE:
          a = alloc.ephemeralStorage;
          r = nodeInfo.requested.ephemeralStorage + podRequest;
          break;
        default: {
          // An extended resource the pod does not request is left out of the score.
          if (podRequest === 0 && isScalarResourceName(name)) break;
          const cap = alloc.scalar?.get(name);
          if (cap !== undefined) {
            a = cap;
            r = (nodeInfo.requested.scalar?.get(name) ?? 0) + podRequest;
          }
        }
      }
      // A resource the node does not have counts as (0, 0): scorers skip it.
      this.allocatable[i] = a;
      this.requested[i] = a === 0 ? 0 : r;
    }
    return this.scorer(this.requested, this.allocatable);
  }
}

/** The unused share of capacity on 0..100 (0 when over capacity). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** The used share of capacity on 0..100; over capacity counts as full (pods without requests get defaults). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated: the weighted mean of leastRequestedScore over the resources the node has. */
export function leastResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return weightedScorer(resources, leastRequestedScore);
}

/** MostAllocated: the weighted mean of mostRequestedScore over the resources the node has. */
export function mostResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return weightedScorer(resources, mostRequestedScore);
}

function weightedScorer(
  resources: readonly ResourceSpec[],
  resourceScore: (requested: number, capacity: number) => number,
): ScorerFn {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i].weight;
      nodeScore += resourceScore(requested[i], allocatable[i]) * w;
      weightSum += w;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}

/** A point of a broken linear function (upstream's helper.FunctionShapePoint). */
export interface FunctionShapePoint {
  utilization: number;
  score: number;
}

/**
 * A function made of linear segments between the shape's points: shape[0].score
 * below the first point, the last score above the last point (upstream's
 * helper.BuildBrokenLinearFunction, integer arithmetic).
 */
export function buildBrokenLinearFunction(shape: readonly FunctionShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i].utilization) {
        if (i === 0) return shape[0].score;
        const lo = shape[i - 1];
        const hi = shape[i];
        return (
          lo.score +
          Math.trunc(((hi.score - lo.score) * (p - lo.utilization)) / (hi.utilization - lo.utilization))
        );
      }
    }
    return shape[shape.length - 1].score;
  };
}

/** The scheduler config's score range for shape points (config.MaxCustomPriorityScore). */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** A {utilization, score} point of RequestedToCapacityRatio's shape, score on 0..10. */
export interface UtilizationShapePoint {
  utilization: number;
  score: number;
}

/**
 * RequestedToCapacityRatio: each resource's utilization (0..100) goes through
 * the shape (its scores scaled from 0..10 to 0..100); resources scoring 0 are
 * left out; the weighted mean is rounded.
 */
export function requestedToCapacityRatioScorer(
  resources: readonly ResourceSpec[],
  shape: readonly UtilizationShapePoint[],
): ScorerFn {
  const raw = buildBrokenLinearFunction(
    shape.map((p) => ({
      utilization: p.utilization,
      score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE),
    })),
  );
  const resourceScore = (requested: number, capacity: number) => {
    if (capacity === 0 || requested > capacity) return raw(MAX_UTILIZATION);
    return raw(Math.trunc((requested * MAX_UTILIZATION) / capacity));
  };
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i].weight;
      const s = resourceScore(requested[i], allocatable[i]);
      if (s > 0) {
        nodeScore += s * w;
        weightSum += w;
      }
    }
    return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
  };
}
