// InterPodAffinity (upstream pkg/scheduler/framework/plugins/interpodaffinity,
// v1.32): required pod affinity / anti-affinity as a filter, preferred terms
// (and existing pods' terms that the incoming pod satisfies) as a score.
//
// PreFilter counts, per topology pair (key=value of a node label), the
// existing pods that match the incoming pod's required terms and the existing
// pods whose required anti-affinity the incoming pod matches; Filter then
// looks up one pair per term for a node, without walking pods.
import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "kubernetes-types/core/v1.d.ts";
import type { Labels } from "../../machinery/labels.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  NodeScore,
  PluginFactory,
  PreFilterExtensions,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from "../framework/interface.ts";
import { MAX_NODE_SCORE } from "../framework/interface.ts";
import {
  type AffinityTerm,
  type NodeInfo,
  newAffinityTerm,
  type PodInfo,
  termMatches,
} from "../framework/node-info.ts";
import { asStatus, Code, type Result, Status, skip } from "../framework/status.ts";

export const NAME = "InterPodAffinity";

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH =
  "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;

const PRE_FILTER_STATE_KEY = `PreFilter${NAME}`;
const PRE_SCORE_STATE_KEY = `PreScore${NAME}`;

/** InterPodAffinityArgs (kubescheduler.config.k8s.io/v1). */
export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

/** A namespace's labels; undefined when the namespace is not known. */
type NamespaceLabels = Readonly<Record<string, string>> | undefined;

/** The label value when present; typeof keeps Object.prototype members out. */
function labelValue(labels: Labels, key: string): string | undefined {
  const v = labels?.[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * Pod counts by topology pair (upstream's topologyToMatchedTermCount), nested
 * key → value → count so that a node is checked without building pair keys.
 * Entries that fall to zero are removed, as upstream does.
 */
export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  private pairs = 0;

  /** How many topology pairs have a non-zero count. */
  get size(): number {
    return this.pairs;
  }

  add(key: string, value: string, delta: number): void {
    let values = this.byKey.get(key);
    if (!values) {
      values = new Map();
      this.byKey.set(key, values);
    }
    const before = values.get(value) ?? 0;
    const after = before + delta;
    if (after === 0) {
      if (values.delete(value)) this.pairs--;
      if (values.size === 0) this.byKey.delete(key);
    } else {
      if (before === 0) this.pairs++;
      values.set(value, after);
    }
  }

  /** Adds delta for the node's value of key; nothing when the node lacks the label. */
  addForNode(node: Node | undefined, key: string, delta: number): void {
    const v = labelValue(node?.metadata?.labels, key);
    if (v !== undefined) this.add(key, v, delta);
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  /** Is any of the node's label pairs counted above zero? */
  anyPositiveOn(labels: Labels): boolean {
    for (const [key, values] of this.byKey) {
      const v = labelValue(labels, key);
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, values] of this.byKey) c.byKey.set(k, new Map(values));
    c.pairs = this.pairs;
    return c;
  }

  /** "key=value" → count, for tests and debugging. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, values] of this.byKey) for (const [v, n] of values) out[`${k}=${v}`] = n;
    return out;
  }
}

/**
 * A term of the pod being scheduled. Upstream unrolls a namespaceSelector into
 * the term's namespaces (listing the namespaces that match) once per cycle;
 * here a namespace is looked up the first time a pod of it is checked, and the
 * answer remembered. An empty namespaceSelector selects every namespace.
 */
class IncomingTerm {
  readonly topologyKey: string;
  private readonly allNamespaces: boolean;
  private readonly selected: Map<string, boolean> | undefined;

  constructor(
    readonly term: AffinityTerm,
    readonly weight: number,
    private readonly namespaceLabels: (ns: string) => NamespaceLabels,
  ) {
    this.topologyKey = term.topologyKey;
    const nsSel = term.namespaceSelector;
    this.allNamespaces = nsSel.empty();
    // The select-nothing selector (no namespaceSelector) never needs a lookup.
    this.selected = !this.allNamespaces && nsSel.requirements().selectable ? new Map() : undefined;
  }

  matches(pod: Pod): boolean {
    const meta = pod.metadata;
    const ns = meta?.namespace ?? "";
    if (!this.term.namespaces.has(ns) && !this.namespaceSelected(ns)) return false;
    return this.term.selector.matches(meta?.labels);
  }

  private namespaceSelected(ns: string): boolean {
    if (this.allNamespaces) return true;
    if (!this.selected) return false;
    let ok = this.selected.get(ns);
    if (ok === undefined) {
      // A namespace that does not exist is not listed upstream, so it never matches.
      const labels = this.namespaceLabels(ns);
      ok = labels !== undefined && this.term.namespaceSelector.matches(labels);
      this.selected.set(ns, ok);
    }
    return ok;
  }
}

/** True iff pod matches every term (and there is at least one). */
function matchesAll(terms: readonly IncomingTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!t.matches(pod)) return false;
  return true;
}

/** The incoming pod's four term lists, parsed as upstream's NewPodInfo does (errors aggregated). */
interface IncomingTerms {
  requiredAffinity: IncomingTerm[];
  requiredAntiAffinity: IncomingTerm[];
  preferredAffinity: IncomingTerm[];
  preferredAntiAffinity: IncomingTerm[];
}

function parseIncomingTerms(pod: Pod, namespaceLabels: (ns: string) => NamespaceLabels): IncomingTerms {
  const aff = pod.spec?.affinity;
  const errs: string[] = [];
  const parse = (field: string, terms: ReadonlyArray<{ term: PodAffinityTerm; weight: number }>) => {
    const out: IncomingTerm[] = [];
    try {
      for (const t of terms)
        out.push(new IncomingTerm(newAffinityTerm(pod, t.term), t.weight, namespaceLabels));
    } catch (e) {
      errs.push(`${field}: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
    return out;
  };
  const required = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((term) => ({ term, weight: 0 }));
  const preferred = (ts: WeightedPodAffinityTerm[] | undefined) =>
    (ts ?? []).map((w) => ({ term: w.podAffinityTerm, weight: w.weight }));
  const result: IncomingTerms = {
    requiredAffinity: parse(
      "requiredAffinityTerms",
      required(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    ),
    requiredAntiAffinity: parse(
      "requiredAntiAffinityTerms",
      required(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    ),
    preferredAffinity: parse(
      "preferredAffinityTerms",
      preferred(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    ),
    preferredAntiAffinity: parse(
      "preferredAntiAffinityTerms",
      preferred(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    ),
  };
  if (errs.length > 0) throw new Error(aggregateMessage(errs));
  return result;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several de-duplicated in brackets. */
function aggregateMessage(msgs: string[]): string {
  const seen = [...new Set(msgs)];
  return seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`;
}

/** PreFilter's result, read by Filter and updated by preemption's addPod/removePod. */
export class PreFilterState {
  constructor(
    /** Existing pods whose required anti-affinity terms match the incoming pod. */
    readonly existingAntiAffinityCounts: TopologyCounts,
    /** Existing pods that match all of the incoming pod's required affinity terms. */
    readonly affinityCounts: TopologyCounts,
    /** Existing pods that match the incoming pod's required anti-affinity terms. */
    readonly antiAffinityCounts: TopologyCounts,
    readonly affinityTerms: readonly IncomingTerm[],
    readonly antiAffinityTerms: readonly IncomingTerm[],
    readonly pod: Pod,
    readonly namespaceLabels: NamespaceLabels,
    /** The pod matches its own affinity terms (it may be the first of a group). */
    readonly matchesOwnAffinity: boolean,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
      this.affinityTerms,
      this.antiAffinityTerms,
      this.pod,
      this.namespaceLabels,
      this.matchesOwnAffinity,
    );
  }

  updateWithPod(pi: PodInfo, node: Node | undefined, multiplier: number): void {
    for (const t of pi.requiredAntiAffinityTerms) {
      if (termMatches(t, this.pod, this.namespaceLabels))
        this.existingAntiAffinityCounts.addForNode(node, t.topologyKey, multiplier);
    }
    if (matchesAll(this.affinityTerms, pi.pod)) {
      for (const t of this.affinityTerms) this.affinityCounts.addForNode(node, t.topologyKey, multiplier);
    }
    for (const t of this.antiAffinityTerms) {
      if (t.matches(pi.pod)) this.antiAffinityCounts.addForNode(node, t.topologyKey, multiplier);
    }
  }
}

interface PreScoreState {
  /** topologyKey → value → summed weight. */
  topologyScore: Map<string, Map<string, number>>;
}

function hasAnyLabel(labels: Labels): boolean {
  if (!labels) return false;
  for (const _ in labels) return true;
  return false;
}

export class InterPodAffinity
  implements
    PreFilterPlugin,
    PreFilterExtensions,
    FilterPlugin,
    PreScorePlugin,
    ScorePlugin,
    EnqueueExtensions
{
  readonly name = NAME;
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;

  constructor(
    args: InterPodAffinityArgs,
    private readonly handle: Handle,
  ) {
    const w = args.hardPodAffinityWeight ?? DEFAULT_HARD_POD_AFFINITY_WEIGHT;
    if (!Number.isInteger(w) || w < 0 || w > 100) {
      throw new Error(`hardPodAffinityWeight: Invalid value: ${w}: not in valid range [0, 100]`);
    }
    this.hardPodAffinityWeight = w;
    this.ignorePreferredTermsOfExistingPods = args.ignorePreferredTermsOfExistingPods ?? false;
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // An assigned pod added (affinity), relabelled, or deleted (anti-affinity) can make room;
      // upstream's queueing hint skips unassigned pods.
      { resource: "AssignedPod", actions: ["Add", "Update", "Delete"] },
      // A node gaining a topology key; UpdateNodeTaint catches nodes added while not ready.
      { resource: "Node", actions: ["Add", "UpdateNodeLabel", "UpdateNodeTaint"] },
    ];
  }

  private readonly nsLabels = (ns: string): NamespaceLabels => this.handle.namespaceLabels(ns);

  // ---- PreFilter / Filter ----

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Result } {
    let terms: IncomingTerms;
    try {
      terms = parseIncomingTerms(pod, this.nsLabels);
    } catch (e) {
      return {
        status: new Status(Code.UnschedulableAndUnresolvable, [`parsing pod: ${(e as Error).message}`]),
      };
    }
    const nsLabels = this.handle.namespaceLabels(pod.metadata?.namespace ?? "");
    const existing = this.existingAntiAffinityCounts(pod, nsLabels);
    const affinityTerms = terms.requiredAffinity;
    const antiAffinityTerms = terms.requiredAntiAffinity;
    if (existing.size === 0 && affinityTerms.length === 0 && antiAffinityTerms.length === 0) {
      return { status: skip() };
    }
    const affinityCounts = new TopologyCounts();
    const antiAffinityCounts = new TopologyCounts();
    countIncoming(affinityTerms, antiAffinityTerms, nodes, affinityCounts, antiAffinityCounts);
    state.write(
      PRE_FILTER_STATE_KEY,
      new PreFilterState(
        existing,
        affinityCounts,
        antiAffinityCounts,
        affinityTerms,
        antiAffinityTerms,
        pod,
        nsLabels,
        matchesAll(affinityTerms, pod),
      ),
    );
    return { status: null };
  }

  /** Existing pods with required anti-affinity whose terms match the incoming pod, by topology pair. */
  private existingAntiAffinityCounts(pod: Pod, nsLabels: NamespaceLabels): TopologyCounts {
    const counts = new TopologyCounts();
    for (const ni of this.handle.snapshot().havePodsWithRequiredAntiAffinityList) {
      const labels = ni.node?.metadata?.labels;
      for (const existing of ni.podsWithRequiredAntiAffinity) {
        for (const t of existing.requiredAntiAffinityTerms) {
          if (!termMatches(t, pod, nsLabels)) continue;
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) counts.add(t.topologyKey, v, 1);
        }
      }
    }
    return counts;
  }

  preFilterExtensions(): PreFilterExtensions {
    return this;
  }

  addPod(state: CycleState, _podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Result {
    const s = readPreFilterState(state);
    if (s instanceof Status) return s;
    s.updateWithPod(podInfoToAdd, nodeInfo.node, 1);
    return null;
  }

  removePod(state: CycleState, _podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Result {
    const s = readPreFilterState(state);
    if (s instanceof Status) return s;
    s.updateWithPod(podInfoToRemove, nodeInfo.node, -1);
    return null;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Result {
    const s = readPreFilterState(state);
    if (s instanceof Status) return s;
    const labels = nodeInfo.node?.metadata?.labels;
    if (!satisfyPodAffinity(s, labels)) {
      return new Status(Code.UnschedulableAndUnresolvable, [ERR_REASON_AFFINITY_RULES_NOT_MATCH]);
    }
    if (!satisfyPodAntiAffinity(s, labels)) {
      return new Status(Code.Unschedulable, [ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH]);
    }
    if (s.existingAntiAffinityCounts.size > 0 && s.existingAntiAffinityCounts.anyPositiveOn(labels)) {
      return new Status(Code.Unschedulable, [ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH]);
    }
    return null;
  }

  // ---- PreScore / Score ----

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    const aff = pod.spec?.affinity;
    const hasConstraints =
      (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 ||
      (aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
    // Optionally ignore existing pods' preferences when the incoming pod has none of its own.
    if (this.ignorePreferredTermsOfExistingPods && !hasConstraints) return skip();

    let terms: IncomingTerms;
    try {
      terms = parseIncomingTerms(pod, this.nsLabels);
    } catch (e) {
      return asStatus(new Error(`failed to parse pod: ${(e as Error).message}`));
    }
    const nsLabels = this.handle.namespaceLabels(pod.metadata?.namespace ?? "");
    const snapshot = this.handle.snapshot();
    // Without preferred terms of its own, only pods with affinity can contribute.
    const allNodes = hasConstraints ? snapshot.nodeInfoList : snapshot.havePodsWithAffinityList;
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (key: string, value: string, delta: number) => {
      let m = topologyScore.get(key);
      if (!m) {
        m = new Map();
        topologyScore.set(key, m);
      }
      m.set(value, (m.get(value) ?? 0) + delta);
    };
    const hard = this.hardPodAffinityWeight;

    for (const ni of allNodes) {
      const labels = ni.node?.metadata?.labels;
      if (!hasAnyLabel(labels)) continue;
      const pods = hasConstraints ? ni.pods : ni.podsWithAffinity;
      for (const existing of pods) {
        const ep = existing.pod;
        // The incoming pod's preferred terms against the existing pod.
        for (const t of terms.preferredAffinity) {
          if (!t.matches(ep)) continue;
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) add(t.topologyKey, v, t.weight);
        }
        for (const t of terms.preferredAntiAffinity) {
          if (!t.matches(ep)) continue;
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) add(t.topologyKey, v, -t.weight);
        }
        // The existing pod's terms against the incoming pod (symmetry).
        if (hard > 0) {
          for (const t of existing.requiredAffinityTerms) {
            if (!termMatches(t, pod, nsLabels)) continue;
            const v = labelValue(labels, t.topologyKey);
            if (v !== undefined) add(t.topologyKey, v, hard);
          }
        }
        for (const t of existing.preferredAffinityTerms) {
          if (!termMatches(t, pod, nsLabels)) continue;
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) add(t.topologyKey, v, t.weight);
        }
        for (const t of existing.preferredAntiAffinityTerms) {
          if (!termMatches(t, pod, nsLabels)) continue;
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) add(t.topologyKey, v, -t.weight);
        }
      }
    }
    if (topologyScore.size === 0) return skip();
    const s: PreScoreState = { topologyScore };
    state.write(PRE_SCORE_STATE_KEY, s);
    return null;
  }

  /** The summed weights of the node's topology pairs: positive for affinity, negative for anti-affinity. */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) throw new Error(`failed to read "${PRE_SCORE_STATE_KEY}" from cycleState: not found`);
    const labels = nodeInfo.node?.metadata?.labels;
    let score = 0;
    for (const [key, values] of s.topologyScore) {
      const v = labelValue(labels, key);
      if (v !== undefined) score += values.get(v) ?? 0;
    }
    return score;
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Result {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (!s) return asStatus(new Error(`failed to read "${PRE_SCORE_STATE_KEY}" from cycleState: not found`));
    if (s.topologyScore.size === 0) return null;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const ns of scores) {
      if (ns.score > max) max = ns.score;
      if (ns.score < min) min = ns.score;
    }
    const diff = max - min;
    for (const ns of scores) {
      ns.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((ns.score - min) / diff)) : 0;
    }
    return null;
  }
}

/** Existing pods matching the incoming pod's required (anti-)affinity terms, over all nodes. */
function countIncoming(
  affinityTerms: readonly IncomingTerm[],
  antiAffinityTerms: readonly IncomingTerm[],
  nodes: readonly NodeInfo[],
  affinityCounts: TopologyCounts,
  antiAffinityCounts: TopologyCounts,
): void {
  if (affinityTerms.length === 0 && antiAffinityTerms.length === 0) return;
  const keys = [...new Set([...affinityTerms, ...antiAffinityTerms].map((t) => t.topologyKey))];
  for (const ni of nodes) {
    if (ni.pods.length === 0) continue;
    const labels = ni.node?.metadata?.labels;
    // A node with none of the terms' topology keys cannot add to any pair.
    let relevant = false;
    for (const k of keys) {
      if (labelValue(labels, k) !== undefined) {
        relevant = true;
        break;
      }
    }
    if (!relevant) continue;
    for (const existing of ni.pods) {
      const ep = existing.pod;
      if (matchesAll(affinityTerms, ep)) {
        for (const t of affinityTerms) {
          const v = labelValue(labels, t.topologyKey);
          if (v !== undefined) affinityCounts.add(t.topologyKey, v, 1);
        }
      }
      for (const t of antiAffinityTerms) {
        if (!t.matches(ep)) continue;
        const v = labelValue(labels, t.topologyKey);
        if (v !== undefined) antiAffinityCounts.add(t.topologyKey, v, 1);
      }
    }
  }
}

function readPreFilterState(state: CycleState): PreFilterState | Status {
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (!s) return asStatus(new Error(`error reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`));
  return s;
}

/** Every affinity topology key is on the node, and some matching pod shares each pair (or the pod may start the group). */
function satisfyPodAffinity(s: PreFilterState, labels: Labels): boolean {
  let podsExist = true;
  for (const t of s.affinityTerms) {
    const v = labelValue(labels, t.topologyKey);
    // All topology labels must exist on the node.
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: no pod anywhere matches the
  // terms yet, but this pod does, so it must not stay pending forever.
  return s.affinityCounts.size === 0 && s.matchesOwnAffinity;
}

function satisfyPodAntiAffinity(s: PreFilterState, labels: Labels): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  for (const t of s.antiAffinityTerms) {
    const v = labelValue(labels, t.topologyKey);
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

export const newInterPodAffinity: PluginFactory = (args, handle) =>
  new InterPodAffinity((args ?? {}) as InterPodAffinityArgs, handle);
