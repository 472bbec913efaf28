// NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable, v1.32):
// a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint, e.g. DaemonSet pods.
import type { Pod, Taint } from "kubernetes-types/core/v1.d.ts";
import {
  TaintEffect,
  TaintNodeUnschedulable,
  tolerationsTolerateTaint,
} from "../../api/scheduling/taints.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory } from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { type Result, unresolvable } from "../framework/status.ts";

export const NAME = "NodeUnschedulable";

/** Kept for parity with upstream; a NodeInfo without a Node never reaches Filter here. */
export const ERR_REASON_UNKNOWN_CONDITION = "node(s) had unknown conditions";
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

const unschedulableTaint: Taint = { key: TaintNodeUnschedulable, effect: TaintEffect.NoSchedule };

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const node = nodeInfo.node;
    if (!node) return unresolvable(ERR_REASON_UNKNOWN_CONDITION);
    if (!node.spec?.unschedulable) return null;
    // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable.
    if (tolerationsTolerateTaint(pod.spec?.tolerations, unschedulableTaint)) return null;
    return unresolvable(ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // Upstream reports a spec.unschedulable change as Node/UpdateNodeTaint.
      { resource: "Node", actions: ["Add", "UpdateNodeTaint"] },
      // UpdatePodToleration: the pod itself gained a toleration.
      { resource: "Pod", actions: ["Update"] },
    ];
  }
}

export const newNodeUnschedulable: PluginFactory = () => new NodeUnschedulable();
