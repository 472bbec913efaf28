// What the scheduler knows about one node: the Node, the pods on it (bound
// and assumed), and running totals the filters read in O(1). PodInfo parses a
// pod's requests and affinity terms once, when the pod enters the cache.
import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "kubernetes-types/core/v1.d.ts";
import { labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import { add, cloneResource, emptyResource, fromList, podRequests, type Resource } from "./resource.ts";

/** A parsed PodAffinityTerm (upstream's framework.AffinityTerm). */
export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  selector: Selector;
  topologyKey: string;
  /** Nothing when the term has no namespaceSelector. */
  namespaceSelector: Selector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** Does pod (whose namespace has nsLabels) match the term? */
export function termMatches(
  term: AffinityTerm,
  pod: Pod,
  nsLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  const ns = pod.metadata?.namespace ?? "";
  if (term.namespaces.has(ns) || term.namespaceSelector.matches(nsLabels)) {
    return term.selector.matches(pod.metadata?.labels);
  }
  return false;
}

export function newAffinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  // No namespaces and no namespaceSelector: the pod's own namespace.
  if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(pod.metadata?.namespace ?? "");
  return {
    namespaces,
    selector: labelSelectorAsSelector(term.labelSelector),
    topologyKey: term.topologyKey,
    namespaceSelector: labelSelectorAsSelector(term.namespaceSelector),
  };
}

function weighted(pod: Pod, terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  return (terms ?? []).map((t) => ({ ...newAffinityTerm(pod, t.podAffinityTerm), weight: t.weight }));
}

export class PodInfo {
  readonly requests: Resource;
  /** Requests with upstream's non-zero defaults for cpu and memory (used by scoring). */
  readonly nonZeroRequests: Resource;
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];

  constructor(readonly pod: Pod) {
    this.requests = podRequests(pod);
    this.nonZeroRequests = podRequests(pod, true);
    const aff = pod.spec?.affinity;
    const pa = aff?.podAffinity;
    const paa = aff?.podAntiAffinity;
    this.requiredAffinityTerms = (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      newAffinityTerm(pod, t),
    );
    this.requiredAntiAffinityTerms = (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      newAffinityTerm(pod, t),
    );
    this.preferredAffinityTerms = weighted(pod, pa?.preferredDuringSchedulingIgnoredDuringExecution);
    this.preferredAntiAffinityTerms = weighted(pod, paa?.preferredDuringSchedulingIgnoredDuringExecution);
  }

  get hasAffinity(): boolean {
    return !!(this.pod.spec?.affinity?.podAffinity || this.pod.spec?.affinity?.podAntiAffinity);
  }
}

export const podKey = (pod: Pod) => pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** Host ports in use: "ip" → "protocol/port" set; 0.0.0.0 conflicts with every ip. */
export class HostPortInfo {
  private readonly byIp = new Map<string, Map<string, number>>();

  private static sanitize(ip: string | undefined, protocol: string | undefined) {
    return { ip: ip || "0.0.0.0", proto: protocol || "TCP" };
  }

  add(ip: string | undefined, protocol: string | undefined, port: number, delta = 1): void {
    if (port <= 0) return;
    const s = HostPortInfo.sanitize(ip, protocol);
    let m = this.byIp.get(s.ip);
    if (!m) {
      m = new Map();
      this.byIp.set(s.ip, m);
    }
    const k = `${s.proto}/${port}`;
    const n = (m.get(k) ?? 0) + delta;
    if (n > 0) m.set(k, n);
    else m.delete(k);
    if (m.size === 0) this.byIp.delete(s.ip);
  }

  conflicts(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (port <= 0) return false;
    const s = HostPortInfo.sanitize(ip, protocol);
    const k = `${s.proto}/${port}`;
    if (s.ip === "0.0.0.0") {
      for (const m of this.byIp.values()) if (m.has(k)) return true;
      return false;
    }
    return !!(this.byIp.get(s.ip)?.has(k) || this.byIp.get("0.0.0.0")?.has(k));
  }

  get size(): number {
    return this.byIp.size;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, m] of this.byIp) c.byIp.set(ip, new Map(m));
    return c;
  }
}

export interface ImageStateSummary {
  size: number;
  /** How many nodes have the image (for ImageLocality's spread factor). */
  numNodes: number;
}

let generationCounter = 0;
export const nextGeneration = () => ++generationCounter;

/** A pod that came (delta 1) or went (delta -1), making the node's generation `generation`. */
export interface PodChange {
  readonly generation: number;
  readonly pod: PodInfo;
  readonly delta: 1 | -1;
}

/** Pod changes a node keeps; counters further behind recount. */
const POD_CHANGES_KEPT = 64;

export class NodeInfo {
  node: Node | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource = emptyResource();
  imageStates = new Map<string, ImageStateSummary>();
  /** PVCs used by pods here, "namespace/name" → pod count (ReadWriteOncePod checks). */
  pvcRefCounts = new Map<string, number>();
  /** Bumped on every change, so the snapshot copies only changed nodes. */
  generation = nextGeneration();
  /** The latest pod changes, oldest first. */
  private podChanges: PodChange[] = [];
  /** Every pod change after this generation is in podChanges, and the node has not changed since. */
  private podChangesFrom = this.generation;

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  get name(): string {
    return this.node?.metadata?.name ?? "";
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = fromList(node.status?.allocatable);
    this.nodeChanged();
  }

  removeNode(): void {
    this.node = undefined;
    this.nodeChanged();
  }

  // What was counted on the node before may no longer apply (its labels, taints): counters start again.
  private nodeChanged(): void {
    this.generation = nextGeneration();
    this.podChanges = [];
    this.podChangesFrom = this.generation;
  }

  /**
   * The pods that came and went since generation `since` (a generation of
   * this NodeInfo), oldest first, so that counts of matching pods catch up
   * instead of recounting every pod. Undefined when the node itself changed
   * since, or when changes that old are no longer kept.
   */
  podChangesSince(since: number): readonly PodChange[] | undefined {
    if (since < this.podChangesFrom) return undefined;
    let i = this.podChanges.length;
    while (i > 0 && this.podChanges[i - 1].generation > since) i--;
    return this.podChanges.slice(i);
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    this.update(pi, 1);
  }

  /** Removes the pod with pod's uid; false if it was not here. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const i = this.pods.findIndex((p) => podKey(p.pod) === key);
    if (i < 0) return false;
    const pi = this.pods[i];
    this.pods.splice(i, 1);
    const j = this.podsWithAffinity.indexOf(pi);
    if (j >= 0) this.podsWithAffinity.splice(j, 1);
    this.update(pi, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    add(this.requested, pi.requests, sign);
    add(this.nonZeroRequested, pi.nonZeroRequests, sign);
    const spec = pi.pod.spec;
    // Host ports of the containers and of sidecars (restartable init containers), as upstream counts them.
    for (const list of [spec?.containers, spec?.initContainers]) {
      for (const c of list ?? []) {
        if (list === spec?.initContainers && c.restartPolicy !== "Always") continue;
        for (const p of c.ports ?? [])
          if (p.hostPort) this.usedPorts.add(p.hostIP, p.protocol, p.hostPort, sign);
      }
    }
    const ns = pi.pod.metadata?.namespace ?? "";
    for (const v of spec?.volumes ?? []) {
      const claim =
        v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pi.pod.metadata?.name}-${v.name}` : "");
      if (!claim) continue;
      const k = `${ns}/${claim}`;
      const n = (this.pvcRefCounts.get(k) ?? 0) + sign;
      if (n > 0) this.pvcRefCounts.set(k, n);
      else this.pvcRefCounts.delete(k);
    }
    this.generation = nextGeneration();
    this.podChanges.push({ generation: this.generation, pod: pi, delta: sign });
    if (this.podChanges.length > POD_CHANGES_KEPT) {
      const dropped = this.podChanges.length - POD_CHANGES_KEPT / 2;
      this.podChangesFrom = this.podChanges[dropped - 1].generation;
      this.podChanges = this.podChanges.slice(dropped);
    }
  }

  /** A copy whose lists and totals can change without touching this one (pods themselves are shared). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.usedPorts = this.usedPorts.clone();
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    c.allocatable = cloneResource(this.allocatable);
    c.imageStates = this.imageStates;
    c.pvcRefCounts = new Map(this.pvcRefCounts);
    c.generation = this.generation;
    // The copy's own changes start from here.
    c.podChangesFrom = c.generation;
    return c;
  }
}
