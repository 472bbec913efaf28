// Pods nominated to a node by preemption (status.nominatedNodeName) and not
// yet bound: filters count them as if running there, so the room that
// preemption freed is not taken by a lower-priority pod.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodInfo } from "../framework/node-info.ts";
import { podKey } from "../framework/node-info.ts";

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  /** Records the pod's status.nominatedNodeName (or the one given), replacing any earlier nomination. */
  addFromPod(pi: PodInfo, nodeName = pi.pod.status?.nominatedNodeName ?? ""): void {
    this.delete(pi.pod);
    if (!nodeName || pi.pod.spec?.nodeName) return;
    const uid = podKey(pi.pod);
    this.nodeOf.set(uid, nodeName);
    let list = this.byNode.get(nodeName);
    if (!list) {
      list = [];
      this.byNode.set(nodeName, list);
    }
    list.push(pi);
  }

  delete(pod: Pod): void {
    const uid = podKey(pod);
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const list = this.byNode.get(node)!.filter((p) => podKey(p.pod) !== uid);
    if (list.length) this.byNode.set(node, list);
    else this.byNode.delete(node);
  }

  /** Asked for every node a pod is filtered on: nothing nominated (the usual case) costs no lookup. */
  podsForNode(nodeName: string): readonly PodInfo[] {
    if (this.byNode.size === 0) return NONE;
    return this.byNode.get(nodeName) ?? NONE;
  }
}

const NONE: readonly PodInfo[] = Object.freeze([]);
