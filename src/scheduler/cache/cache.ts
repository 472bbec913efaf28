// The scheduler's cache (upstream's internal/cache): nodes and the pods on
// them, bound or assumed. A pod is assumed on its node as soon as the
// scheduling cycle picks it, so the next cycle already counts it; the binding
// then confirms it (the informer sees it bound) or forgets it (binding failed).
//
// The snapshot is the cache itself, not a copy: a scheduling cycle runs from
// snapshot to decision without yielding to the event loop, so nothing can
// change under it, and copying 5,000 NodeInfos per cycle would cost more than
// the cycle. The node order and the PVCs in use are rebuilt when they went
// stale; the pod affinity index is told of every pod and node change.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { type ImageStateSummary, NodeInfo, PodInfo, podKey } from "../framework/node-info.ts";
import { Snapshot } from "../framework/snapshot.ts";

const ZONE = "topology.kubernetes.io/zone";
const REGION = "topology.kubernetes.io/region";

interface PodState {
  podInfo: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly images = new Map<string, ImageStateSummary & { nodes: Set<string> }>();
  private readonly snap = new Snapshot(true);
  private orderStale = true;
  private listsStale = true;

  // --- nodes ---

  addNode(node: Node): void {
    const name = node.metadata!.name!;
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo();
      this.nodes.set(name, ni);
    } else if (ni.node) {
      this.removeImages(ni);
    }
    const before = ni.node;
    const zoneBefore = before && zoneOf(before);
    ni.setNode(node);
    this.addImages(ni);
    if (ni.pods.length > 0 && !sameLabels(before, node)) this.snap.affinity.nodeChanged(ni, before, node);
    if (zoneBefore !== undefined && zoneBefore !== zoneOf(node)) {
      // Like upstream's nodeTree: a node that changes zone joins the end of its new zone.
      this.nodes.delete(name);
      this.nodes.set(name, ni);
      this.orderStale = true;
    }
    if (!this.snap.nodeInfoMap.has(name)) this.orderStale = true;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata!.name!;
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.removeImages(ni);
    // Pods still bound here keep a node-less entry until they are deleted, as upstream.
    if (ni.pods.length > 0) {
      const before = ni.node;
      ni.removeNode();
      this.snap.affinity.nodeChanged(ni, before, undefined);
    } else this.nodes.delete(name);
    this.orderStale = true;
  }

  private addImages(ni: NodeInfo): void {
    ni.imageStates = new Map();
    for (const img of ni.node?.status?.images ?? []) {
      // Names as the kubelet reports them: ImageLocality normalizes the pod's side, not the node's.
      for (const name of img.names ?? []) {
        let s = this.images.get(name);
        if (!s) {
          s = { size: img.sizeBytes ?? 0, numNodes: 0, nodes: new Set() };
          this.images.set(name, s);
        }
        s.nodes.add(ni.name);
        s.numNodes = s.nodes.size;
        ni.imageStates.set(name, s);
      }
    }
  }

  private removeImages(ni: NodeInfo): void {
    for (const name of ni.imageStates.keys()) {
      const s = this.images.get(name);
      if (!s) continue;
      s.nodes.delete(ni.name);
      s.numNodes = s.nodes.size;
      if (s.numNodes === 0) this.images.delete(name);
    }
    ni.imageStates = new Map();
  }

  // --- pods ---

  private nodeInfoFor(nodeName: string): NodeInfo {
    let ni = this.nodes.get(nodeName);
    if (!ni) {
      // A pod bound to a node we have not seen yet: keep its usage until the node arrives.
      ni = new NodeInfo();
      this.nodes.set(nodeName, ni);
    }
    return ni;
  }

  private place(pod: Pod, nodeName: string, assumed: boolean): void {
    const pi = new PodInfo(pod);
    const ni = this.nodeInfoFor(nodeName);
    ni.addPod(pi);
    this.snap.affinity.podChanged(pi, ni.node, 1);
    this.pods.set(podKey(pod), { podInfo: pi, nodeName, assumed });
    if (usesClaims(pod)) this.listsStale = true;
  }

  private unplace(st: PodState): void {
    const ni = this.nodes.get(st.nodeName);
    if (!ni) return;
    if (ni.removePod(st.podInfo.pod)) this.snap.affinity.podChanged(st.podInfo, ni.node, -1);
    if (usesClaims(st.podInfo.pod)) this.listsStale = true;
    if (!ni.node && ni.pods.length === 0) this.nodes.delete(st.nodeName);
  }

  /** The scheduling cycle chose nodeName: count the pod there now. */
  assumePod(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    if (this.pods.has(key))
      throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} is already in the cache`);
    this.place({ ...pod, spec: { ...pod.spec!, nodeName } }, nodeName, true);
  }

  /** Binding failed: undo assumePod. */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st?.assumed) return;
    this.unplace(st);
    this.pods.delete(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.pods.get(podKey(pod))?.assumed ?? false;
  }

  /** A bound pod seen by the informer (confirms an assumed one). */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (st) {
      this.unplace(st);
      this.pods.delete(key);
    }
    this.place(pod, pod.spec!.nodeName!, false);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st) return;
    this.unplace(st);
    this.pods.delete(key);
  }

  podCount(): number {
    return this.pods.size;
  }

  nodeCount(): number {
    return this.snapshot().nodeInfoList.length;
  }

  /** The current view for a scheduling cycle; cheap when nothing structural changed. */
  snapshot(): Snapshot {
    if (this.orderStale) {
      this.snap.nodeInfoMap = new Map();
      for (const [name, ni] of this.nodes) if (ni.node) this.snap.nodeInfoMap.set(name, ni);
      this.snap.rebuildLists(interleaveZones([...this.snap.nodeInfoMap.values()]));
      this.orderStale = false;
      this.listsStale = false;
    } else if (this.listsStale) {
      this.snap.rebuildLists(this.snap.nodeInfoList);
      this.listsStale = false;
    }
    return this.snap;
  }
}

/** The pod mounts a PVC (or an ephemeral volume's): it counts in the snapshot's PVCs in use. */
const usesClaims = (pod: Pod) =>
  pod.spec?.volumes?.some((v) => v.persistentVolumeClaim || v.ephemeral) ?? false;

/** Same labels on both (a node not known yet has none to compare: only another unknown one is the same). */
function sameLabels(a: Node | undefined, b: Node | undefined): boolean {
  if (!a || !b) return a === b;
  const la = a.metadata?.labels ?? {};
  const lb = b.metadata?.labels ?? {};
  if (la === lb) return true;
  const ka = Object.keys(la);
  if (ka.length !== Object.keys(lb).length) return false;
  for (const k of ka) if (la[k] !== lb[k]) return false;
  return true;
}

/** upstream's utilnode.GetZoneKey: the deprecated failure-domain labels first, then topology.kubernetes.io. */
function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l["failure-domain.beta.kubernetes.io/region"] ?? l[REGION] ?? "";
  const zone = l["failure-domain.beta.kubernetes.io/zone"] ?? l[ZONE] ?? "";
  return region || zone ? `${region}:\u0000:${zone}` : "";
}

/** Upstream's nodeTree order: one node from each zone in turn, so consecutive candidates span zones. */
function interleaveZones(nodes: NodeInfo[]): NodeInfo[] {
  const zones = new Map<string, NodeInfo[]>();
  for (const n of nodes) {
    const z = zoneOf(n.node!);
    let list = zones.get(z);
    if (!list) {
      list = [];
      zones.set(z, list);
    }
    list.push(n);
  }
  if (zones.size <= 1) return nodes;
  const lists = [...zones.values()];
  const out: NodeInfo[] = [];
  for (let i = 0; out.length < nodes.length; i++) {
    for (const l of lists) if (i < l.length) out.push(l[i]);
  }
  return out;
}
