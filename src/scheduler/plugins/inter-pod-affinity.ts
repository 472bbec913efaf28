// InterPodAffinity (upstream pkg/scheduler/framework/plugins/interpodaffinity,
// v1.32): required pod affinity / anti-affinity as a filter, preferred terms
// (and existing pods' terms that the incoming pod satisfies) as a score.
//
// PreFilter counts, per topology pair (key=value of a node label), the
// existing pods that match the incoming pod's required terms and the existing
// pods whose required anti-affinity the incoming pod matches; Filter then
// looks up one pair per term for a node, without walking pods. Both counts,
// and the existing pods' terms for scoring, come from the snapshot's
// PodAffinityIndex, which keeps them current instead of walking every pod
// in every cycle as upstream does.
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
import { countPods, type TermGroup, type TermGroups } from "../framework/pod-affinity-index.ts";
import { asStatus, Code, type Result, Status, skip } from "../framework/status.ts";
import { labelValue, TopologyPairCounts } from "../framework/topology-pair-counts.ts";

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

  /** The namespaces the term selects do not depend on namespace labels. */
  get fixedNamespaces(): boolean {
    return this.selected === undefined;
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

/**
 * PreFilter's result, read by Filter and updated by preemption's addPod/removePod.
 * Its counts may be the PodAffinityIndex's own until the first update copies them.
 */
export class PreFilterState {
  constructor(
    /** Existing pods whose required anti-affinity terms match the incoming pod. */
    public existingAntiAffinityCounts: TopologyPairCounts,
    /** Existing pods that match all of the incoming pod's required affinity terms. */
    public affinityCounts: TopologyPairCounts,
    /** Existing pods that match the incoming pod's required anti-affinity terms. */
    public antiAffinityCounts: TopologyPairCounts,
    readonly affinityTerms: readonly IncomingTerm[],
    readonly antiAffinityTerms: readonly IncomingTerm[],
    readonly pod: Pod,
    readonly namespaceLabels: NamespaceLabels,
    /** The pod matches its own affinity terms (it may be the first of a group). */
    readonly matchesOwnAffinity: boolean,
    private owned = false,
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
      true,
    );
  }

  updateWithPod(pi: PodInfo, node: Node | undefined, multiplier: number): void {
    if (!this.owned) {
      this.existingAntiAffinityCounts = this.existingAntiAffinityCounts.clone();
      this.affinityCounts = this.affinityCounts.clone();
      this.antiAffinityCounts = this.antiAffinityCounts.clone();
      this.owned = true;
    }
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
    const affinityCounts =
      affinityTerms.length === 0 ? new TopologyPairCounts() : this.podsMatching(affinityTerms, nodes);
    // Each anti-affinity term counts on its own.
    const antiAffinityCounts = sum(antiAffinityTerms.map((t) => this.podsMatching([t], nodes)));
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
  private existingAntiAffinityCounts(pod: Pod, nsLabels: NamespaceLabels): TopologyPairCounts {
    const groups = this.handle.snapshot().affinity.requiredAntiAffinity;
    return sum([...matchingGroups(groups, pod, nsLabels)].map((g) => g.counts));
  }

  /** Existing pods matching every one of terms, counted under each term's topology key. */
  private podsMatching(terms: readonly IncomingTerm[], nodes: readonly NodeInfo[]): TopologyPairCounts {
    if (terms.every((t) => t.fixedNamespaces)) {
      return this.handle.snapshot().affinity.matching(terms.map((t) => t.term));
    }
    return countPods(
      nodes,
      (p) => matchesAll(terms, p),
      terms.map((t) => t.topologyKey),
    );
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
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (key: string, value: string, delta: number) => {
      let m = topologyScore.get(key);
      if (!m) {
        m = new Map();
        topologyScore.set(key, m);
      }
      m.set(value, (m.get(value) ?? 0) + delta);
    };

    // The incoming pod's preferred terms against every existing pod.
    if (hasConstraints) {
      for (const ni of snapshot.nodeInfoList) {
        const labels = ni.node?.metadata?.labels;
        if (!hasAnyLabel(labels)) continue;
        for (const existing of ni.pods) {
          const ep = existing.pod;
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
        }
      }
    }
    // The existing pods' terms against the incoming pod (symmetry), once per distinct term.
    const addGroups = (groups: TermGroups, weight: (w: number) => number) => {
      for (const g of matchingGroups(groups, pod, nsLabels)) {
        g.counts.forEach((key, value, n) => {
          add(key, value, n * weight(g.weight));
        });
      }
    };
    const hard = this.hardPodAffinityWeight;
    if (hard > 0) addGroups(snapshot.affinity.requiredAffinity, () => hard);
    addGroups(snapshot.affinity.preferredAffinity, (w) => w);
    addGroups(snapshot.affinity.preferredAntiAffinity, (w) => -w);
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

/** The groups whose term the pod matches and that count some pod on a labelled node. */
function* matchingGroups(groups: TermGroups, pod: Pod, nsLabels: NamespaceLabels): Generator<TermGroup> {
  for (const g of groups.values()) if (g.counts.size > 0 && termMatches(g.term, pod, nsLabels)) yield g;
}

/** The pair-wise sum; one count is returned as is (shared), none as an empty count. */
function sum(counts: readonly TopologyPairCounts[]): TopologyPairCounts {
  if (counts.length === 0) return new TopologyPairCounts();
  if (counts.length === 1) return counts[0];
  const total = counts[0].clone();
  for (let i = 1; i < counts.length; i++) total.addAll(counts[i]);
  return total;
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
