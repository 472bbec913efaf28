// NodeName (pkg/scheduler/framework/plugins/nodename, v1.32): a pod that names
// a node (spec.nodeName) fits only that node. Upstream has no PreFilter here:
// the scheduler never sees such pods; preemption and the DaemonSet
// simulation do, and they run Filter.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory } from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { type Result, unresolvable } from "../framework/status.ts";

export const NAME = "NodeName";

export const ERR_REASON = "node(s) didn't match the requested node name";

/** Fits: the pod names no node, or names this one. */
export function fits(pod: Pod, nodeInfo: NodeInfo): boolean {
  const want = pod.spec?.nodeName;
  return !want || want === nodeInfo.node?.metadata?.name;
}

export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    return fits(pod, nodeInfo) ? null : unresolvable(ERR_REASON);
  }

  eventsToRegister(): ClusterEvent[] {
    // With queueing hints (on by default in v1.32) only a new node can help.
    return [{ resource: "Node", actions: ["Add"] }];
  }
}

export const newNodeName: PluginFactory = () => new NodeName();
