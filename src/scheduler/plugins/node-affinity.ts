// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity, v1.32): Filter
// checks spec.nodeSelector and required node affinity (parsed once in
// PreFilter), Score sums the weights of the preferred terms a node matches.
// The profile's addedAffinity (NodeAffinityArgs) applies to every pod.
// PreFilter narrows the search to the nodes named by metadata.name matchFields.
import type { Pod, NodeAffinity as V1NodeAffinity } from "kubernetes-types/core/v1.d.ts";
import {
  getRequiredNodeAffinity,
  type NodeSelector,
  NodeSelectorOperator,
  newNodeSelector,
  newPreferredSchedulingTerms,
  ObjectNameField,
  type PreferredSchedulingTerms,
  type RequiredNodeAffinity,
} from "../../api/scheduling/node-affinity.ts";
import { Aggregate, newPath } from "../../machinery/field-errors.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import {
  type ClusterEvent,
  type EnqueueExtensions,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeScore,
  type PluginFactory,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from "../framework/interface.ts";
import type { NodeInfo } from "../framework/node-info.ts";
import { asStatus, type Result, skip, unresolvable } from "../framework/status.ts";
import { defaultNormalizeScore } from "./helper/normalize-score.ts";

export const NAME = "NodeAffinity";

const preFilterStateKey = `PreFilter${NAME}`;
const preScoreStateKey = `PreScore${NAME}`;

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

/** NodeAffinityArgs (kubescheduler.config.k8s.io/v1). */
export interface NodeAffinityArgs {
  /** Applied to every pod in addition to its own node affinity. */
  addedAffinity?: V1NodeAffinity;
}

interface PreFilterState {
  requiredNodeSelectorAndAffinity: RequiredNodeAffinity;
}

interface PreScoreState {
  preferredNodeAffinity: PreferredSchedulingTerms | null;
}

/** The pod's preferred terms, parsed; null when it has none. Throws on parse errors. */
function getPodPreferredNodeAffinity(pod: Pod): PreferredSchedulingTerms | null {
  const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return terms != null ? newPreferredSchedulingTerms(terms) : null;
}

/**
 * ValidateNodeAffinityArgs: the added affinity must parse. Throws upstream's
 * flattened aggregate, paths under `addedAffinity.`.
 */
export function validateNodeAffinityArgs(args: NodeAffinityArgs): void {
  const affinity = args.addedAffinity;
  if (!affinity) return;
  const errs: Error[] = [];
  const ns = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (ns) {
    try {
      newNodeSelector(ns, newPath("addedAffinity", "requiredDuringSchedulingIgnoredDuringExecution"));
    } catch (e) {
      errs.push(e as Error);
    }
  }
  const terms = affinity.preferredDuringSchedulingIgnoredDuringExecution;
  if (terms && terms.length !== 0) {
    try {
      newPreferredSchedulingTerms(
        terms,
        newPath("addedAffinity", "preferredDuringSchedulingIgnoredDuringExecution"),
      );
    } catch (e) {
      errs.push(e as Error);
    }
  }
  if (errs.length === 0) return;
  const flat: Error[] = [];
  for (const e of errs) flat.push(...(e instanceof Aggregate ? e.errors : [e]));
  throw new Aggregate(flat);
}

/** The names in both; a null set stands for "every name". */
function intersect(set: ReadonlySet<string> | null, values: readonly string[]): Set<string> {
  return set === null ? new Set(values) : new Set(values.filter((v) => set.has(v)));
}

export class NodeAffinity
  implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions
{
  readonly name = NAME;
  private readonly addedNodeSelector: NodeSelector | null = null;
  private readonly addedPrefSchedTerms: PreferredSchedulingTerms | null = null;

  constructor(args: NodeAffinityArgs = {}) {
    validateNodeAffinityArgs(args);
    const added = args.addedAffinity;
    if (added) {
      const ns = added.requiredDuringSchedulingIgnoredDuringExecution;
      if (ns) this.addedNodeSelector = newNodeSelector(ns);
      const terms = added.preferredDuringSchedulingIgnoredDuringExecution;
      if (terms && terms.length !== 0) this.addedPrefSchedTerms = newPreferredSchedulingTerms(terms);
    }
  }

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Result } {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && this.addedNodeSelector === null && pod.spec?.nodeSelector == null) {
      // Filter has nothing to check for this pod.
      return { status: skip() };
    }
    const s: PreFilterState = { requiredNodeSelectorAndAffinity: getRequiredNodeAffinity(pod) };
    state.write(preFilterStateKey, s);

    const terms = required?.nodeSelectorTerms;
    if (!terms || terms.length === 0) return { status: null };

    // Affinity to specific node names: the union over the (ORed) terms of the
    // intersection of each term's (ANDed) metadata.name In requirements.
    let nodeNames: Set<string> | null = null;
    for (const t of terms) {
      let termNodeNames: Set<string> | null = null;
      for (const r of t.matchFields ?? []) {
        if (r.key !== ObjectNameField || r.operator !== NodeSelectorOperator.In) continue;
        termNodeNames = intersect(termNodeNames, r.values ?? []);
      }
      // A term without a node name requirement makes every node eligible.
      if (termNodeNames === null) return { status: null };
      if (nodeNames === null) nodeNames = new Set(termNodeNames);
      else for (const n of termNodeNames) nodeNames.add(n);
    }
    // Every term's name requirements contradict themselves: no node can match.
    if (nodeNames !== null && nodeNames.size === 0) return { status: unresolvable(ERR_REASON_CONFLICT) };
    if (nodeNames !== null && nodeNames.size > 0) return { result: { nodeNames }, status: null };
    return { status: null };
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const node = nodeInfo.node;
    if (!node) return asStatus(new Error("node not found"));
    if (this.addedNodeSelector !== null && !this.addedNodeSelector.match(node)) {
      return unresolvable(ERR_REASON_ENFORCED);
    }
    // Without PreFilter (disabled in the profile), parse here.
    const s =
      state.read<PreFilterState>(preFilterStateKey) ??
      ({ requiredNodeSelectorAndAffinity: getRequiredNodeAffinity(pod) } satisfies PreFilterState);
    // Parse errors of unmatched terms are ignored for backwards compatibility.
    if (!s.requiredNodeSelectorAndAffinity.match(node)) return unresolvable(ERR_REASON_POD);
    return null;
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    let preferredNodeAffinity: PreferredSchedulingTerms | null;
    try {
      preferredNodeAffinity = getPodPreferredNodeAffinity(pod);
    } catch (e) {
      return asStatus(e);
    }
    // Score has nothing to add for this pod.
    if (preferredNodeAffinity === null && this.addedPrefSchedTerms === null) return skip();
    state.write(preScoreStateKey, { preferredNodeAffinity } satisfies PreScoreState);
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const node = nodeInfo.node;
    if (!node) throw new Error("node not found");
    let count = 0;
    if (this.addedPrefSchedTerms !== null) count += this.addedPrefSchedTerms.score(node);
    // Without PreScore (disabled in the profile), parse here; throws on parse errors.
    const s = state.read<PreScoreState>(preScoreStateKey) ?? {
      preferredNodeAffinity: getPodPreferredNodeAffinity(pod),
    };
    if (s.preferredNodeAffinity !== null) count += s.preferredNodeAffinity.score(node);
    return count;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Result {
    return defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }

  eventsToRegister(): ClusterEvent[] {
    // With queueing hints (v1.32 default) only a new node or new labels can help.
    return [{ resource: "Node", actions: ["Add", "UpdateNodeLabel"] }];
  }
}

export const newNodeAffinity: PluginFactory = (args) => new NodeAffinity((args ?? {}) as NodeAffinityArgs);
