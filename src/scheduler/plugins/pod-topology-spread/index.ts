// PodTopologySpread (upstream's pkg/scheduler/framework/plugins/podtopologyspread,
// v1.32): spreads matching pods evenly across topology domains. DoNotSchedule
// constraints filter (filtering.ts), ScheduleAnyway constraints score
// (scoring.ts). Pods without constraints of their own get the default
// constraints, selecting the pods of their Services and controllers.
import type { ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type {
  Pod,
  ReplicationController,
  Service,
  TopologySpreadConstraint as V1TopologySpreadConstraint,
} from "kubernetes-types/core/v1.d.ts";
import { getRequiredNodeAffinity } from "../../../api/scheduling/node-affinity.ts";
import { Resources } from "../../../client/resources.ts";
import type { ResourceRef } from "../../../client/rest-client.ts";
import {
  childOf,
  duplicate,
  type FieldError,
  forbidden,
  indexOf,
  invalid,
  notSupported,
  type Path,
  required,
  toAggregate,
} from "../../../machinery/field-errors.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  NodeScore,
  PluginFactory,
  PreFilterExtensions,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import type { NodeInfo, PodInfo } from "../../framework/node-info.ts";
import { asStatus, type Result, skip } from "../../framework/status.ts";
import {
  DO_NOT_SCHEDULE,
  defaultSelector,
  filterTopologySpreadConstraints,
  SCHEDULE_ANYWAY,
  type SpreadListers,
  SYSTEM_DEFAULT_CONSTRAINTS,
  type TopologySpreadConstraint,
  type UnsatisfiableConstraintAction,
} from "./common.ts";
import {
  calPreFilterState,
  filterNode,
  getPreFilterState,
  PRE_FILTER_STATE_KEY,
  type PreFilterState,
  updateWithPod,
} from "./filtering.ts";
import {
  calPreScoreState,
  getPreScoreState,
  normalizeScores,
  PRE_SCORE_STATE_KEY,
  scoreNode,
} from "./scoring.ts";
import { TopologyCounts } from "./topology-counts.ts";

export { SYSTEM_DEFAULT_CONSTRAINTS } from "./common.ts";
export {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  PRE_FILTER_STATE_KEY,
  PreFilterState,
} from "./filtering.ts";
export { PRE_SCORE_STATE_KEY, PreScoreState } from "./scoring.ts";

export const NAME = "PodTopologySpread";

export const SYSTEM_DEFAULTING = "System";
export const LIST_DEFAULTING = "List";

/** PodTopologySpreadArgs (kubescheduler.config.k8s.io/v1). */
export interface PodTopologySpreadArgs {
  defaultConstraints?: V1TopologySpreadConstraint[];
  /** "System" (the default) or "List". */
  defaultingType?: string;
}

const replicationControllers: ResourceRef = {
  group: "",
  version: "v1",
  resource: "replicationcontrollers",
  namespaced: true,
};

export class PodTopologySpread
  implements
    PreFilterPlugin,
    FilterPlugin,
    PreScorePlugin,
    ScorePlugin,
    EnqueueExtensions,
    PreFilterExtensions
{
  readonly name = NAME;
  private readonly defaultConstraints: readonly V1TopologySpreadConstraint[];
  /** Hostname-only spreading stays possible on nodes without a zone label. */
  private readonly systemDefaulted: boolean;
  private readonly listers: SpreadListers | undefined;
  /** Per-domain counts kept between cycles (topology-counts.ts). */
  private readonly filterCounts = new TopologyCounts();
  private readonly scoreCounts = new TopologyCounts();

  constructor(
    args: PodTopologySpreadArgs,
    private readonly handle: Handle,
  ) {
    const defaultingType = args.defaultingType ?? SYSTEM_DEFAULTING;
    const err = validatePodTopologySpreadArgs({ ...args, defaultingType });
    if (err) throw err;
    this.systemDefaulted = defaultingType === SYSTEM_DEFAULTING;
    this.defaultConstraints = this.systemDefaulted
      ? SYSTEM_DEFAULT_CONSTRAINTS
      : (args.defaultConstraints ?? []);
    if (this.defaultConstraints.length > 0) {
      this.listers = {
        services: handle.lister<Service>(Resources.services),
        replicationControllers: handle.lister<ReplicationController>(replicationControllers),
        replicaSets: handle.lister<ReplicaSet>(Resources.replicasets),
        statefulSets: handle.lister<StatefulSet>(Resources.statefulsets),
      };
    }
  }

  /** The pod's own constraints of one action, or the defaults when it has none. */
  private getConstraints(pod: Pod, action: UnsatisfiableConstraintAction): TopologySpreadConstraint[] {
    const own = pod.spec?.topologySpreadConstraints;
    if (own && own.length > 0) return filterTopologySpreadConstraints(own, pod.metadata?.labels, action);
    return this.buildDefaultConstraints(pod, action);
  }

  private buildDefaultConstraints(
    pod: Pod,
    action: UnsatisfiableConstraintAction,
  ): TopologySpreadConstraint[] {
    const constraints = filterTopologySpreadConstraints(
      this.defaultConstraints,
      pod.metadata?.labels,
      action,
    );
    if (constraints.length === 0 || !this.listers) return [];
    const selector = defaultSelector(pod, this.listers);
    if (selector.empty()) return [];
    for (const c of constraints) c.selector = selector;
    return constraints;
  }

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Result } {
    let constraints: TopologySpreadConstraint[];
    try {
      constraints = this.getConstraints(pod, DO_NOT_SCHEDULE);
    } catch (e) {
      const own = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
      const what = own
        ? "obtaining pod's hard topology spread constraints"
        : "setting default hard topology spread constraints";
      return { status: asStatus(`get constraints from pod: ${what}: ${(e as Error).message}`) };
    }
    if (constraints.length === 0) return { status: skip() };
    state.write(
      PRE_FILTER_STATE_KEY,
      calPreFilterState(pod, constraints, nodes, getRequiredNodeAffinity(pod), this.filterCounts),
    );
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions {
    return this;
  }

  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Result {
    try {
      updateWithPod(getPreFilterState(state), podInfoToAdd.pod, podToSchedule, nodeInfo.node, 1);
      return null;
    } catch (e) {
      return asStatus(e);
    }
  }

  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Result {
    try {
      updateWithPod(getPreFilterState(state), podInfoToRemove.pod, podToSchedule, nodeInfo.node, -1);
      return null;
    } catch (e) {
      return asStatus(e);
    }
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Result {
    let s: PreFilterState;
    try {
      s = getPreFilterState(state);
    } catch (e) {
      return asStatus(e);
    }
    return filterNode(s, nodeInfo);
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Result {
    const allNodes = this.handle.snapshot().nodeInfoList;
    if (allNodes.length === 0) return skip();
    // Only non-system-default spreading requires every topology label, so
    // nodes without a zone still get hostname spreading.
    const own = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
    const requireAllTopologies = own || !this.systemDefaulted;
    let constraints: TopologySpreadConstraint[];
    try {
      constraints = this.getConstraints(pod, SCHEDULE_ANYWAY);
    } catch (e) {
      const what = own
        ? "obtaining pod's soft topology spread constraints"
        : "setting default soft topology spread constraints";
      return asStatus(`calculating preScoreState: ${what}: ${(e as Error).message}`);
    }
    if (constraints.length === 0) return skip();
    state.write(
      PRE_SCORE_STATE_KEY,
      calPreScoreState(
        pod,
        constraints,
        nodes,
        allNodes,
        requireAllTopologies,
        getRequiredNodeAffinity(pod),
        this.scoreCounts,
      ),
    );
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    return scoreNode(getPreScoreState(state), pod, nodeInfo);
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Result {
    try {
      normalizeScores(getPreScoreState(state), scores);
      return null;
    } catch (e) {
      return asStatus(e);
    }
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // A pod added, relabelled (or given a toleration) or deleted changes the counts.
      { resource: "Pod", actions: ["Add", "Update", "Delete"] },
      // A node added, removed, relabelled or retainted changes the domains.
      { resource: "Node", actions: ["Add", "Delete", "UpdateNodeLabel", "UpdateNodeTaint"] },
    ];
  }
}

/** ValidatePodTopologySpreadArgs (pkg/scheduler/apis/config/validation), with a nil root path. */
export function validatePodTopologySpreadArgs(args: PodTopologySpreadArgs): Error | null {
  const errs: FieldError[] = [];
  const defaultingType = args.defaultingType ?? "";
  const constraints = args.defaultConstraints ?? [];
  const dtPath = childOf(null, "defaultingType");
  if (defaultingType !== SYSTEM_DEFAULTING && defaultingType !== LIST_DEFAULTING) {
    errs.push(notSupported(dtPath, defaultingType, [SYSTEM_DEFAULTING, LIST_DEFAULTING]));
  } else if (defaultingType === SYSTEM_DEFAULTING && constraints.length > 0) {
    errs.push(invalid(dtPath, defaultingType, "when .defaultConstraints are not empty"));
  }
  const path = childOf(null, "defaultConstraints");
  constraints.forEach((c, i) => {
    const p = indexOf(path, i);
    if (!(c.maxSkew > 0))
      errs.push(invalid(childOf(p, "maxSkew"), c.maxSkew ?? 0, "not in valid range (0, inf)"));
    errs.push(...validateTopologyKey(childOf(p, "topologyKey"), c.topologyKey ?? ""));
    const wu = c.whenUnsatisfiable ?? "";
    if (wu === "") errs.push(required(childOf(p, "whenUnsatisfiable"), "can not be empty"));
    else if (wu !== DO_NOT_SCHEDULE && wu !== SCHEDULE_ANYWAY) {
      errs.push(notSupported(childOf(p, "whenUnsatisfiable"), wu, [DO_NOT_SCHEDULE, SCHEDULE_ANYWAY]));
    }
    if (c.labelSelector != null) {
      errs.push(
        forbidden(
          childOf(p, "labelSelector"),
          "constraint must not define a selector, as they deduced for each pod",
        ),
      );
    }
    for (let j = 0; j < i; j++) {
      const o = constraints[j];
      if (o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable) {
        errs.push(duplicate(indexOf(path, i), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
        break;
      }
    }
  });
  return toAggregate(errs);
}

function validateTopologyKey(p: Path, v: string): FieldError[] {
  if (v.length === 0) return [required(p, "can not be empty")];
  // metav1validation.ValidateLabelName
  return isQualifiedName(v).map((msg) => invalid(p, v, msg));
}

export const newPodTopologySpread: PluginFactory = (args, handle) =>
  new PodTopologySpread((args ?? {}) as PodTopologySpreadArgs, handle);
