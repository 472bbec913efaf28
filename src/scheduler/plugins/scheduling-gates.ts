// SchedulingGates: a pod with spec.schedulingGates stays out of the active
// queue until every gate is removed (an update event re-checks it).
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { ClusterEvent, EnqueueExtensions, PluginFactory } from "../framework/interface.ts";
import type { PreEnqueuePlugin } from "../framework/runtime.ts";
import { type Result, unresolvable } from "../framework/status.ts";

export const NAME = "SchedulingGates";

export class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
  readonly name = NAME;

  preEnqueue(pod: Pod): Result {
    const gates = pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return null;
    return unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(" ")}]`);
  }

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: "Pod", actions: ["Update"] }];
  }
}

export const newSchedulingGates: PluginFactory = () => new SchedulingGates();
