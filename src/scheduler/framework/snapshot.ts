// An immutable view of the cluster for one scheduling cycle (upstream's
// internal/cache Snapshot): plugins read it; only the cache writes it, between
// cycles, copying just the nodes whose generation moved.
import type { NodeInfo } from "./node-info.ts";
import { PodAffinityIndex } from "./pod-affinity-index.ts";

export class Snapshot {
  nodeInfoMap = new Map<string, NodeInfo>();
  /** In the cache's zone-interleaved order: the order the scheduler walks nodes. */
  nodeInfoList: NodeInfo[] = [];
  /** "namespace/name" of PVCs used by some scheduled pod. */
  usedPVCSet = new Set<string>();
  /** The placed pods' affinity terms, and counts of pods matching incoming terms. */
  readonly affinity: PodAffinityIndex;
  generation = 0;

  /** keepAffinityViews: the owner reports every pod and node change to affinity (the cache does). */
  constructor(keepAffinityViews = false) {
    this.affinity = new PodAffinityIndex(() => this.nodeInfoList, keepAffinityViews);
  }

  static from(nodeInfos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const n of nodeInfos) {
      s.nodeInfoMap.set(n.name, n);
      for (const pi of n.podsWithAffinity) s.affinity.podChanged(pi, n.node, 1);
    }
    s.rebuildLists(nodeInfos);
    return s;
  }

  get(nodeName: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(nodeName);
  }

  list(): NodeInfo[] {
    return this.nodeInfoList;
  }

  isPVCUsedByPods(key: string): boolean {
    return this.usedPVCSet.has(key);
  }

  /** Recomputes the derived lists from an ordered node list. */
  rebuildLists(ordered: NodeInfo[]): void {
    this.nodeInfoList = ordered;
    this.usedPVCSet = new Set();
    for (const n of ordered) for (const k of n.pvcRefCounts.keys()) this.usedPVCSet.add(k);
  }
}
