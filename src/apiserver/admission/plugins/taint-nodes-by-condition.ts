// TaintNodesByCondition (plugin/pkg/admission/nodetaint): a Node is created
// with the not-ready NoSchedule taint, so that no pod lands on it before the
// node lifecycle controller has seen it Ready and removed the taint.
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";

export const NOT_READY_NO_SCHEDULE = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" } as const;

export class TaintNodesByCondition implements MutatingPlugin {
  readonly name = "TaintNodesByCondition";

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  admit(a: AdmissionAttributes): void {
    if (a.resource.group !== "" || a.resource.resource !== "nodes" || a.subresource !== "") return;
    const node = a.object;
    if (!node) return;
    node.spec ??= {};
    node.spec.taints ??= [];
    const taints: { key?: string; effect?: string }[] = node.spec.taints;
    // Taint.MatchTaint: the same key and effect, whatever the value.
    if (taints.some((t) => t.key === NOT_READY_NO_SCHEDULE.key && t.effect === NOT_READY_NO_SCHEDULE.effect))
      return;
    taints.push({ ...NOT_READY_NO_SCHEDULE });
  }
}
