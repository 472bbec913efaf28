// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration, v1.32):
// Filter rejects a node with a NoSchedule or NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.
import type { Pod, Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import {
  doNotScheduleTaintsFilter,
  findMatchingUntoleratedTaint,
  TaintEffect,
  taintReasonString,
  tolerationsTolerateTaint,
} from "../../api/scheduling/taints.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import {
  type ClusterEvent,
  type EnqueueExtensions,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeScore,
  type PluginFactory,
  type PreScorePlugin,
  type ScorePlugin,
} from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { type Result, unresolvable } from "../framework/status.ts";
import { defaultNormalizeScore } from "./helper/normalize-score.ts";

export const NAME = "TaintToleration";

const preScoreStateKey = `PreScore${NAME}`;

/** Upstream's exported constant; Filter's reason names the taint instead (errReasonUntolerated). */
export const ERR_REASON_NOT_MATCH = "node(s) had taints that the pod didn't tolerate";

/** Filter's reason: `node(s) had untolerated taint {key: value}`. */
export function errReasonUntolerated(taint: Taint): string {
  return `node(s) had untolerated taint ${taintReasonString(taint)}`;
}

interface PreScoreState {
  tolerationsPreferNoSchedule: Toleration[];
}

/** The tolerations with effect PreferNoSchedule or no effect (which means every effect). */
function getAllTolerationPreferNoSchedule(tolerations: readonly Toleration[] | undefined): Toleration[] {
  const out: Toleration[] = [];
  for (const t of tolerations ?? []) {
    if (!t.effect || t.effect === TaintEffect.PreferNoSchedule) out.push(t);
  }
  return out;
}

function countIntolerableTaintsPreferNoSchedule(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[],
): number {
  if (!taints) return 0;
  let n = 0;
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (taint.effect !== TaintEffect.PreferNoSchedule) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) n++;
  }
  return n;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const taint = findMatchingUntoleratedTaint(
      nodeInfo.node?.spec?.taints,
      pod.spec?.tolerations,
      doNotScheduleTaintsFilter,
    );
    if (!taint) return null;
    return unresolvable(errReasonUntolerated(taint));
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    const s: PreScoreState = {
      tolerationsPreferNoSchedule: getAllTolerationPreferNoSchedule(pod.spec?.tolerations),
    };
    state.write(preScoreStateKey, s);
    return null;
  }

  /** The number of PreferNoSchedule taints the pod does not tolerate (lower is better). */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(preScoreStateKey);
    if (!s) throw new Error(`failed to read "${preScoreStateKey}" from cycleState: not found`);
    return countIntolerableTaintsPreferNoSchedule(nodeInfo.node?.spec?.taints, s.tolerationsPreferNoSchedule);
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Result {
    return defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // With queueing hints (v1.32 default) labels cannot help; new or changed taints can.
      { resource: "Node", actions: ["Add", "UpdateNodeTaint"] },
      // UpdatePodToleration: the pod itself gained a toleration.
      { resource: "Pod", actions: ["Update"] },
    ];
  }
}

export const newTaintToleration: PluginFactory = () => new TaintToleration();
