// NodeResourcesFit: does the node have room for the pod's requests (cpu,
// memory, ephemeral-storage, extended resources, one more pod)? And, as a
// score, how full would the node be (LeastAllocated, MostAllocated or
// RequestedToCapacityRatio). Upstream's noderesources/fit.go, v1.32.
//
// As in v1.32, a node too small for the pod even when empty is still only
// Unschedulable (UnschedulableAndUnresolvable for that case came in v1.34).
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  PluginFactory,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, podRequests, type Resource } from "../framework/resource.ts";
import { asStatus, type Result, unschedulable } from "../framework/status.ts";
import {
  defaultResources,
  leastResourceScorer,
  MAX_CUSTOM_PRIORITY_SCORE,
  mostResourceScorer,
  ResourceAllocationScorer,
  type ResourceSpec,
  requestedToCapacityRatioScorer,
  type UtilizationShapePoint,
} from "./helper/resource-allocation.ts";

export const NAME = "NodeResourcesFit";

export const ERR_REASON_TOO_MANY_PODS = "Too many pods";
export const ERR_REASON_INSUFFICIENT_CPU = "Insufficient cpu";
export const ERR_REASON_INSUFFICIENT_MEMORY = "Insufficient memory";
export const ERR_REASON_INSUFFICIENT_EPHEMERAL_STORAGE = "Insufficient ephemeral-storage";
/** The reason for any other resource, e.g. "Insufficient example.com/gpu". */
export const insufficientReason = (resourceName: string) => `Insufficient ${resourceName}`;

export const PRE_FILTER_STATE_KEY = `PreFilter${NAME}`;
export const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;

export const LEAST_ALLOCATED = "LeastAllocated";
export const MOST_ALLOCATED = "MostAllocated";
export const REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio";
export type ScoringStrategyType =
  | typeof LEAST_ALLOCATED
  | typeof MOST_ALLOCATED
  | typeof REQUESTED_TO_CAPACITY_RATIO;

/** kubescheduler.config.k8s.io/v1 NodeResourcesFitArgs. */
export interface NodeResourcesFitArgs {
  /** Extended resources the filter does not check. */
  ignoredResources?: string[];
  /** Extended resource groups ("example.com" for example.com/gpu) the filter does not check. */
  ignoredResourceGroups?: string[];
  scoringStrategy?: {
    type?: ScoringStrategyType;
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape?: UtilizationShapePoint[] };
  };
}

/** One resource the node lacks (upstream's InsufficientResource). */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/** The pod's requests as the filter sees them, with the extended resources it must check. */
export class FitPreFilterState {
  /** Upstream checks nothing but the pod count when the pod requests nothing at all. */
  readonly requestsNothing: boolean;

  constructor(
    readonly request: Resource,
    /** Non-zero extended requests that are not ignored, in the pod's order. */
    readonly scalarRequests: ReadonlyArray<readonly [string, number]>,
  ) {
    this.requestsNothing =
      request.milliCPU === 0 &&
      request.memory === 0 &&
      request.ephemeralStorage === 0 &&
      (request.scalar?.size ?? 0) === 0;
  }

  clone(): this {
    return this;
  }
}

interface FitPreScoreState {
  podRequests: Float64Array;
}

/** Extended resources (example.com/gpu), as opposed to native ones (cpu, hugepages-2Mi, kubernetes.io/…). */
export function isExtendedResourceName(name: string): boolean {
  return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
}

/** The filter's view of a pod's requests (upstream's computePodResourceRequest plus the ignore lists). */
export function computePreFilterState(
  pod: Pod,
  ignoredResources: ReadonlySet<string> = new Set(),
  ignoredResourceGroups: ReadonlySet<string> = new Set(),
): FitPreFilterState {
  const request = podRequests(pod);
  const scalars: Array<readonly [string, number]> = [];
  if (request.scalar) {
    for (const [name, q] of request.scalar) {
      if (q === 0) continue;
      if (isExtendedResourceName(name)) {
        const group = name.slice(0, name.indexOf("/"));
        if (ignoredResources.has(name) || ignoredResourceGroups.has(group)) continue;
      }
      scalars.push([name, q]);
    }
  }
  return new FitPreFilterState(request, scalars);
}

/** What the node lacks for the pod, or null when it fits. */
export function fitsRequest(s: FitPreFilterState, nodeInfo: NodeInfo): InsufficientResource[] | null {
  let out: InsufficientResource[] | null = null;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  const podCount = nodeInfo.pods.length;
  if (podCount + 1 > alloc.allowedPodNumber) {
    out = [
      {
        resourceName: PODS,
        reason: ERR_REASON_TOO_MANY_PODS,
        requested: 1,
        used: podCount,
        capacity: alloc.allowedPodNumber,
      },
    ];
  }
  if (s.requestsNothing) return out;
  const req = s.request;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out ??= [];
    out.push({
      resourceName: CPU,
      reason: ERR_REASON_INSUFFICIENT_CPU,
      requested: req.milliCPU,
      used: used.milliCPU,
      capacity: alloc.milliCPU,
    });
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out ??= [];
    out.push({
      resourceName: MEMORY,
      reason: ERR_REASON_INSUFFICIENT_MEMORY,
      requested: req.memory,
      used: used.memory,
      capacity: alloc.memory,
    });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out ??= [];
    out.push({
      resourceName: EPHEMERAL_STORAGE,
      reason: ERR_REASON_INSUFFICIENT_EPHEMERAL_STORAGE,
      requested: req.ephemeralStorage,
      used: used.ephemeralStorage,
      capacity: alloc.ephemeralStorage,
    });
  }
  for (const [name, q] of s.scalarRequests) {
    const capacity = alloc.scalar?.get(name) ?? 0;
    const inUse = used.scalar?.get(name) ?? 0;
    if (q > capacity - inUse) {
      out ??= [];
      out.push({
        resourceName: name,
        reason: insufficientReason(name),
        requested: q,
        used: inUse,
        capacity,
      });
    }
  }
  return out;
}

/** Does the node have room for the pod? (upstream's exported Fits, with no ignored resources). */
export function fits(pod: Pod, nodeInfo: NodeInfo): InsufficientResource[] {
  return fitsRequest(computePreFilterState(pod), nodeInfo) ?? [];
}

export class Fit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  constructor(
    private readonly ignoredResources: ReadonlySet<string>,
    private readonly ignoredResourceGroups: ReadonlySet<string>,
    readonly scorer: ResourceAllocationScorer,
  ) {}

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Result } {
    state.write(
      PRE_FILTER_STATE_KEY,
      computePreFilterState(pod, this.ignoredResources, this.ignoredResourceGroups),
    );
    return { status: null };
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Result {
    const s = state.read<FitPreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return asStatus(new Error(`error reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`));
    const insufficient = fitsRequest(s, nodeInfo);
    if (!insufficient) return null;
    return unschedulable(...insufficient.map((r) => r.reason));
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    const s: FitPreScoreState = { podRequests: this.scorer.podRequestList(pod) };
    state.write(PRE_SCORE_STATE_KEY, s);
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<FitPreScoreState>(PRE_SCORE_STATE_KEY);
    return this.scorer.score(nodeInfo, s?.podRequests ?? this.scorer.podRequestList(pod));
  }

  eventsToRegister(): ClusterEvent[] {
    // v1.32 with queueing hints on: a scheduled pod's deletion frees room (its
    // hint skips unscheduled pods, hence AssignedPod); a new node or a bigger
    // allocatable may fit the pod.
    return [
      { resource: "AssignedPod", actions: ["Delete"] },
      { resource: "Node", actions: ["Add", "UpdateNodeAllocatable"] },
    ];
  }
}

const SCORING_STRATEGY_TYPES: readonly string[] = [
  LEAST_ALLOCATED,
  MOST_ALLOCATED,
  REQUESTED_TO_CAPACITY_RATIO,
];

/** Applies v1 defaults (LeastAllocated over cpu and memory; weight 0 → 1) and upstream's validation. */
export function defaultFitArgs(raw: Record<string, unknown> | undefined): Required<NodeResourcesFitArgs> {
  const args = (raw ?? {}) as NodeResourcesFitArgs;
  const strategy = args.scoringStrategy ?? { type: LEAST_ALLOCATED };
  let resources = (strategy.resources ?? []).map((r) => ({ name: r.name, weight: r.weight || 1 }));
  if (resources.length === 0) resources = defaultResources();
  const out = {
    ignoredResources: args.ignoredResources ?? [],
    ignoredResourceGroups: args.ignoredResourceGroups ?? [],
    scoringStrategy: { ...strategy, resources },
  };
  const errs: string[] = [];
  out.ignoredResourceGroups.forEach((g, i) => {
    if (g.includes("/"))
      errs.push(`ignoredResourceGroups[${i}]: Invalid value: "${g}": resource group name can't contain '/'`);
  });
  const type = strategy.type ?? "";
  if (!SCORING_STRATEGY_TYPES.includes(type)) {
    const supported = SCORING_STRATEGY_TYPES.map((t) => `"${t}"`).join(", ");
    errs.push(`scoringStrategy.type: Unsupported value: "${type}": supported values: ${supported}`);
  }
  resources.forEach((r, i) => {
    if (r.weight <= 0 || r.weight > 100)
      errs.push(
        `scoringStrategy.resources[${i}].weight: Invalid value: ${r.weight}: resource weight of ${r.name} not in valid range (0, 100]`,
      );
  });
  const rtcr = strategy.requestedToCapacityRatio;
  if (rtcr) errs.push(...validateFunctionShape(rtcr.shape ?? [], "scoringStrategy.shape"));
  else if (type === REQUESTED_TO_CAPACITY_RATIO)
    errs.push("scoringStrategy.requestedToCapacityRatio: Required value");
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(", ")}]`);
  return out;
}

function validateFunctionShape(shape: readonly UtilizationShapePoint[], path: string): string[] {
  if (shape.length === 0) return [`${path}: Required value: at least one point must be specified`];
  const errs: string[] = [];
  for (let i = 1; i < shape.length; i++) {
    if (shape[i - 1].utilization >= shape[i].utilization) {
      errs.push(
        `${path}[${i}].utilization: Invalid value: ${shape[i].utilization}: values must be sorted in increasing order`,
      );
      break;
    }
  }
  shape.forEach((p, i) => {
    if (p.utilization < 0 || p.utilization > 100)
      errs.push(`${path}[${i}].utilization: Invalid value: ${p.utilization}: not in valid range [0, 100]`);
    if (p.score < 0 || p.score > MAX_CUSTOM_PRIORITY_SCORE)
      errs.push(
        `${path}[${i}].score: Invalid value: ${p.score}: not in valid range [0, ${MAX_CUSTOM_PRIORITY_SCORE}]`,
      );
  });
  return errs;
}

function newScorer(args: Required<NodeResourcesFitArgs>): ResourceAllocationScorer {
  const { type, resources = [], requestedToCapacityRatio } = args.scoringStrategy;
  switch (type) {
    case MOST_ALLOCATED:
      return new ResourceAllocationScorer(type, resources, mostResourceScorer(resources), false);
    case REQUESTED_TO_CAPACITY_RATIO:
      return new ResourceAllocationScorer(
        type,
        resources,
        requestedToCapacityRatioScorer(resources, requestedToCapacityRatio?.shape ?? []),
        false,
      );
    default:
      return new ResourceAllocationScorer(LEAST_ALLOCATED, resources, leastResourceScorer(resources), false);
  }
}

/** Throws on invalid args, as upstream's NewFit returns an error. */
export const newFit: PluginFactory = (raw) => {
  const args = defaultFitArgs(raw);
  return new Fit(new Set(args.ignoredResources), new Set(args.ignoredResourceGroups), newScorer(args));
};
