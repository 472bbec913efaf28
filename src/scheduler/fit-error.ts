// Why a pod fits nowhere, worded as upstream's FitError so that FailedScheduling
// events and the PodScheduled condition read the same as in Kubernetes:
// "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's
// node affinity/selector. preemption: 0/4 nodes are available: ...".
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Diagnosis } from "./framework/runtime.ts";

export const NO_NODE_AVAILABLE = (n: number) => `0/${n} nodes are available`;
export const ERR_NO_NODES_AVAILABLE = "no nodes available to schedule pods";

export class FitError extends Error {
  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    // No message argument: the getter below words it on demand.
    super();
  }

  override get message(): string {
    let msg = `${NO_NODE_AVAILABLE(this.numAllNodes)}:`;
    const d = this.diagnosis;
    if (d.preFilterMsg) {
      msg += ` ${d.preFilterMsg}.`;
    } else {
      const counts = new Map<string, number>();
      for (const s of d.nodeToStatus.values())
        for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
      const absent = this.numAllNodes - d.nodeToStatus.size;
      if (absent > 0 && d.absentStatus) {
        for (const r of d.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
      }
      // Go's sort.Strings on "<count> <reason>": byte order, count first.
      const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (parts.length) msg += ` ${parts.join(", ")}.`;
    }
    // No dot after the PostFilter message: it ends in its own (v1.32's FitError.Error()).
    if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
    return msg;
  }
}
