// Parsed spread constraints and the helpers Filter and Score share
// (upstream's podtopologyspread/common.go and helper/spread.go, v1.32).
import type { ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type {
  Node,
  Pod,
  ReplicationController,
  Service,
  TopologySpreadConstraint as V1TopologySpreadConstraint,
} from "kubernetes-types/core/v1.d.ts";
import type { RequiredNodeAffinity } from "../../../api/scheduling/node-affinity.ts";
import { doNotScheduleTaintsFilter, findMatchingUntoleratedTaint } from "../../../api/scheduling/taints.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import {
  type Labels,
  labelSelectorAsSelector,
  type Selector,
  selectorFromSet,
} from "../../../machinery/labels.ts";
import type { NodeInfo, PodInfo } from "../../framework/node-info.ts";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";

export const DO_NOT_SCHEDULE = "DoNotSchedule";
export const SCHEDULE_ANYWAY = "ScheduleAnyway";
export type UnsatisfiableConstraintAction = typeof DO_NOT_SCHEDULE | typeof SCHEDULE_ANYWAY;

export const NODE_INCLUSION_POLICY_HONOR = "Honor";
export const NODE_INCLUSION_POLICY_IGNORE = "Ignore";

/** Used when args.defaultingType is "System". */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly V1TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: SCHEDULE_ANYWAY, maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: SCHEDULE_ANYWAY, maxSkew: 5 },
];

/** A v1.TopologySpreadConstraint with its selector parsed and its defaults applied. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

/** The informer caches DefaultSelector reads. */
export interface SpreadListers {
  services: IndexerView<Service>;
  replicationControllers: IndexerView<ReplicationController>;
  replicaSets: IndexerView<ReplicaSet>;
  statefulSets: IndexerView<StatefulSet>;
}

/** Constraints of one action, with matchLabelKeys merged into the selector. Throws on a bad selector. */
export function filterTopologySpreadConstraints(
  constraints: readonly V1TopologySpreadConstraint[],
  podLabels: Labels,
  action: UnsatisfiableConstraintAction,
): TopologySpreadConstraint[] {
  const result: TopologySpreadConstraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = labelSelectorAsSelector(c.labelSelector);
    if (c.matchLabelKeys && c.matchLabelKeys.length > 0) {
      const matchLabels: Record<string, string> = {};
      let n = 0;
      for (const key of c.matchLabelKeys) {
        if (podLabels && Object.hasOwn(podLabels, key)) {
          matchLabels[key] = podLabels[key];
          n++;
        }
      }
      if (n > 0) selector = mergeLabelSetWithSelector(matchLabels, selector);
    }
    result.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      // nil minDomains is 1; nil policies are Honor (affinity) and Ignore (taints).
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? NODE_INCLUSION_POLICY_HONOR,
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? NODE_INCLUSION_POLICY_IGNORE,
    });
  }
  return result;
}

function mergeLabelSetWithSelector(matchLabels: Record<string, string>, s: Selector): Selector {
  const merged = selectorFromSet(matchLabels);
  const { requirements, selectable } = s.requirements();
  return selectable ? merged.add(...requirements) : merged;
}

/** Does the node carry every constraint's topology key? */
export function nodeLabelsMatchSpreadConstraints(
  nodeLabels: Labels,
  constraints: readonly TopologySpreadConstraint[],
): boolean {
  if (!nodeLabels) return constraints.length === 0;
  for (const c of constraints) if (!Object.hasOwn(nodeLabels, c.topologyKey)) return false;
  return true;
}

/** A selector as a memo key: its text, and whether its requirements are selectable ones. */
export function selectorKey(selector: Selector): string {
  return `${selector.requirements().selectable ? "s" : "n"}${selector.toString()}`;
}

/**
 * Everything besides the nodes that decides what a node contributes to the
 * counts: the namespace, the constraints, and the pod's node affinity and
 * tolerations where a constraint honors them.
 */
export function countsSignature(
  mode: string,
  pod: Pod,
  constraints: readonly TopologySpreadConstraint[],
  requiredNodeAffinity: RequiredNodeAffinity,
): string {
  let sig = `${mode}\u0000${pod.metadata?.namespace ?? ""}`;
  let affinity = false;
  let taints = false;
  for (const c of constraints) {
    sig += `\u0000${c.topologyKey}\u0001${selectorKey(c.selector)}\u0001${c.nodeAffinityPolicy}\u0001${c.nodeTaintsPolicy}`;
    if (c.nodeAffinityPolicy === NODE_INCLUSION_POLICY_HONOR) affinity = true;
    if (c.nodeTaintsPolicy === NODE_INCLUSION_POLICY_HONOR) taints = true;
  }
  const spec = pod.spec;
  if (
    affinity &&
    (requiredNodeAffinity.labelSelector !== null || requiredNodeAffinity.nodeSelector !== null)
  ) {
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null;
    sig += `\u0000a${JSON.stringify([spec?.nodeSelector ?? null, required])}`;
  }
  if (taints) sig += `\u0000t${JSON.stringify(spec?.tolerations ?? null)}`;
  return sig;
}

/** Pods in namespace ns matching selector, skipping terminating ones (kubernetes#87621). */
export function countPodsMatchSelector(podInfos: readonly PodInfo[], selector: Selector, ns: string): number {
  let count = 0;
  for (const pi of podInfos) if (podMatches(pi, selector, ns)) count++;
  return count;
}

/** Whether countPodsMatchSelector counts the pod. */
export function podMatches(pi: PodInfo, selector: Selector, ns: string): boolean {
  const meta = pi.pod.metadata;
  if (meta?.deletionTimestamp || (meta?.namespace ?? "") !== ns) return false;
  return selector.matches(meta?.labels);
}

/**
 * countPodsMatchSelector over ni's pods now, from `count` at generation
 * `since` of the same NodeInfo: from the pods that came and went when the
 * node keeps them, else counted afresh.
 */
export function catchUpCount(
  ni: NodeInfo,
  since: number,
  count: number,
  selector: Selector,
  ns: string,
): number {
  const changes = ni.podChangesSince(since);
  if (!changes) return countPodsMatchSelector(ni.pods, selector, ns);
  for (const ch of changes) if (podMatches(ch.pod, selector, ns)) count += ch.delta;
  return count;
}

/**
 * The two node inclusion policies for one node at a time, each answered at most
 * once per node however many constraints ask. reset() moves to the next node,
 * so one instance serves a whole PreFilter or PreScore pass.
 */
export class NodeInclusion {
  private node: Node | undefined;
  private affinity: boolean | undefined;
  private taints: boolean | undefined;

  constructor(
    private readonly pod: Pod,
    private readonly requiredNodeAffinity: RequiredNodeAffinity,
  ) {}

  reset(node: Node): this {
    this.node = node;
    this.affinity = undefined;
    this.taints = undefined;
    return this;
  }

  /** tsc.matchNodeInclusionPolicies for the current node. */
  matches(c: TopologySpreadConstraint): boolean {
    const node = this.node as Node;
    if (c.nodeAffinityPolicy === NODE_INCLUSION_POLICY_HONOR) {
      this.affinity ??= this.requiredNodeAffinity.match(node);
      if (!this.affinity) return false;
    }
    if (c.nodeTaintsPolicy === NODE_INCLUSION_POLICY_HONOR) {
      this.taints ??=
        findMatchingUntoleratedTaint(
          node.spec?.taints,
          this.pod.spec?.tolerations,
          doNotScheduleTaintsFilter,
        ) === undefined;
      if (!this.taints) return false;
    }
    return true;
  }
}

/** labels.Set(sel).AsSelectorPreValidated().Matches(labels), without building the selector. */
function setMatches(sel: Readonly<Record<string, string>>, labels: Labels): boolean {
  for (const k in sel) {
    if (!labels || !Object.hasOwn(labels, k) || labels[k] !== sel[k]) return false;
  }
  return true;
}

/** Splits an apiVersion into group and version as schema.ParseGroupVersion; undefined when malformed. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === "" || apiVersion === "/") return { group: "", version: "" };
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

/**
 * helper.DefaultSelector: the selectors of the Services, ReplicationController,
 * ReplicaSet and StatefulSet that select the pod, merged.
 */
export function defaultSelector(pod: Pod, listers: SpreadListers): Selector {
  const ns = pod.metadata?.namespace ?? "";
  const podLabels = pod.metadata?.labels;
  // Services, RCs, RSs and SSs that match the pod cannot conflict, so merging is safe.
  let labelSet: Record<string, string> = {};
  for (const svc of listers.services.byNamespace(ns)) {
    const sel = svc.spec?.selector;
    // A nil selector matches nothing, not everything.
    if (!sel) continue;
    if (setMatches(sel, podLabels)) labelSet = { ...labelSet, ...sel };
  }
  let selector = selectorFromSet(labelSet);

  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) return selector;
  const gv = parseGroupVersion(owner.apiVersion);
  if (!gv) return selector;

  const key = `${ns}/${owner.name}`;
  if (gv.group === "" && gv.version === "v1" && owner.kind === "ReplicationController") {
    const rc = listers.replicationControllers.get(key);
    if (rc) {
      labelSet = { ...labelSet, ...rc.spec?.selector };
      selector = selectorFromSet(labelSet);
    }
  } else if (
    gv.group === "apps" &&
    gv.version === "v1" &&
    (owner.kind === "ReplicaSet" || owner.kind === "StatefulSet")
  ) {
    const obj = owner.kind === "ReplicaSet" ? listers.replicaSets.get(key) : listers.statefulSets.get(key);
    if (obj) {
      try {
        const { requirements, selectable } = labelSelectorAsSelector(obj.spec?.selector).requirements();
        if (selectable) selector = selector.add(...requirements);
      } catch {
        // An unparsable controller selector adds nothing.
      }
    }
  }
  return selector;
}
