// The in-tree plugins by name, as upstream's plugins/registry.go: profiles
// name plugins, this maps the names to factories.
import type { PluginFactory } from "./framework/interface.ts";
import { newDefaultBinder } from "./plugins/default-binder.ts";
import { newDefaultPreemption } from "./plugins/default-preemption.ts";
import { newImageLocality } from "./plugins/image-locality.ts";
import { newInterPodAffinity } from "./plugins/inter-pod-affinity.ts";
import { newNodeAffinity } from "./plugins/node-affinity.ts";
import { newNodeName } from "./plugins/node-name.ts";
import { newNodePorts } from "./plugins/node-ports.ts";
import { newBalancedAllocation } from "./plugins/node-resources-balanced-allocation.ts";
import { newFit } from "./plugins/node-resources-fit.ts";
import { newNodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { newPodTopologySpread } from "./plugins/pod-topology-spread/index.ts";
import { newPrioritySort } from "./plugins/priority-sort.ts";
import { newSchedulingGates } from "./plugins/scheduling-gates.ts";
import { newTaintToleration } from "./plugins/taint-toleration.ts";
import { newVolumeBinding } from "./plugins/volume-binding/index.ts";
import { newVolumeRestrictions } from "./plugins/volume-restrictions.ts";

export function inTreeRegistry(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    ["SchedulingGates", newSchedulingGates],
    ["PrioritySort", newPrioritySort],
    ["NodeUnschedulable", newNodeUnschedulable],
    ["NodeName", newNodeName],
    ["TaintToleration", newTaintToleration],
    ["NodeAffinity", newNodeAffinity],
    ["NodePorts", newNodePorts],
    ["NodeResourcesFit", newFit],
    ["VolumeRestrictions", newVolumeRestrictions],
    ["VolumeBinding", newVolumeBinding],
    ["PodTopologySpread", newPodTopologySpread],
    ["InterPodAffinity", newInterPodAffinity],
    ["DefaultPreemption", newDefaultPreemption],
    ["NodeResourcesBalancedAllocation", newBalancedAllocation],
    ["ImageLocality", newImageLocality],
    ["DefaultBinder", newDefaultBinder],
  ]);
}
