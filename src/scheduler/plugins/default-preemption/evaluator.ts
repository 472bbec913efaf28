// The preemption flow every preemption plugin shares (upstream's
// framework/preemption Evaluator, v1.32): is the pod allowed to preempt,
// which nodes might help, a what-if run per node on copies of its NodeInfo
// and CycleState, the best candidate, then evicting its victims. The plugin
// supplies the policy (PreemptionInterface): which pods are victims on a node,
// how many nodes to try.
import type { Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { isNotFound } from "../../../client/api-error.ts";
import type { IndexerView } from "../../../client/indexer.ts";
import { metaNamespaceKey } from "../../../client/indexer.ts";
import { Resources } from "../../../client/resources.ts";
import type { ResourceRef } from "../../../client/rest-client.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type { Handle, NodeToStatus, PostFilterResult } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import { asStatus, Code, type Result, Status, unschedulable } from "../../framework/status.ts";
import {
  type Candidate,
  type CandidateScoreFunc,
  pickOneNodeForPreemption,
  podPriority,
  type Victims,
} from "./candidates.ts";

export const POD_DISRUPTION_BUDGETS: ResourceRef = {
  group: "policy",
  version: "v1",
  resource: "poddisruptionbudgets",
  namespaced: true,
};

/** What a node that was not worth a dry run counts as in the failure message. */
export const ERR_PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const ERR_NO_CANDIDATE = "no candidate node for preemption";
export const ERR_NO_NODES = "no nodes available";

/** v1.DisruptionTarget / v1.PodReasonPreemptionByScheduler. */
export const DISRUPTION_TARGET = "DisruptionTarget";
export const REASON_PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";

/** The outcome of SelectVictimsOnNode: success is a null status and at least one victim. */
export interface VictimSelection {
  victims: Pod[];
  numViolatingVictim: number;
  status: Result;
}

/** The policy a preemption plugin plugs into the Evaluator (upstream's preemption.Interface). */
export interface PreemptionInterface {
  /** A random offset into the potential nodes and how many candidates to collect. */
  getOffsetAndNumCandidates(numNodes: number): [offset: number, numCandidates: number];
  /** [false, reason] when the pod should not preempt anything now; null status is success, as Go's nil. */
  podEligibleToPreemptOthers(pod: Pod, nominatedNodeStatus: Result): [boolean, string];
  /** The fewest pods to remove from nodeInfo (a copy, as is state) for pod to fit. */
  selectVictimsOnNode(
    state: CycleState,
    pod: Pod,
    nodeInfo: NodeInfo,
    pdbs: readonly PodDisruptionBudget[],
  ): VictimSelection;
  /** Custom ordering of candidates; undefined or empty uses the default criteria. */
  orderedScoreFuncs?(nodesToVictims: ReadonlyMap<string, Victims>): CandidateScoreFunc[] | undefined;
}

/**
 * FitError.Error() over the statuses a preemption attempt left: "0/N nodes are
 * available: 2 Insufficient cpu, 1 Preemption is not helpful for scheduling."
 * Nodes without a status count under absentReasons.
 */
export function nodesAvailableMessage(
  numAllNodes: number,
  nodeStatuses: ReadonlyMap<string, Status>,
  absentReasons: readonly string[],
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  const histogram = new Map<string, number>();
  for (const st of nodeStatuses.values()) {
    for (const r of st.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  }
  if (nodeStatuses.size < numAllNodes) {
    const absent = numAllNodes - nodeStatuses.size;
    for (const r of absentReasons) histogram.set(r, (histogram.get(r) ?? 0) + absent);
  }
  // Go's sort.Strings over "count reason": byte order, so "10 x" sorts before "2 y".
  const sorted = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  if (sorted.length > 0) msg += ` ${sorted.join(", ")}.`;
  return msg;
}

/**
 * The message of a preemption that found no candidate, without the plugin's
 * "preemption: " prefix. The scheduler appends the PostFilter status's
 * message to its own FitError message as " <msg>." (hence the ".." upstream's
 * FailedScheduling events end with).
 */
export function preemptionFailureMessage(
  numAllNodes: number,
  nodeStatuses: ReadonlyMap<string, Status>,
): string {
  return nodesAvailableMessage(numAllNodes, nodeStatuses, [ERR_PREEMPTION_NOT_HELPFUL]);
}

/** utilerrors.NewAggregate(errs).Error(): one message, or "[a, b]" with duplicates dropped. */
function aggregate(errors: readonly Error[]): Error | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  const seen = [...new Set(errors.map((e) => e.message))];
  return new Error(seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`);
}

const statusError = (st: Status): Error => st.err ?? new Error(st.message());

/** metav1.Time's RFC 3339 form: whole seconds. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export interface DryRunResult {
  /** Non-PDB-violating candidates first. */
  candidates: Candidate[];
  nodeStatuses: NodeToStatus;
  error?: Error;
}

export class Evaluator {
  private readonly pods: IndexerView<Pod>;
  private readonly pdbs: IndexerView<PodDisruptionBudget>;

  /** Evicts one victim; replaceable in tests, as upstream's PreemptPod. */
  preemptPod: (c: Candidate, preemptor: Pod, victim: Pod) => Promise<void>;

  constructor(
    readonly pluginName: string,
    readonly handle: Handle,
    readonly policy: PreemptionInterface,
  ) {
    // Asked for up front so the informers are running before the first preemption.
    this.pods = handle.lister<Pod>(Resources.pods);
    this.pdbs = handle.lister<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.preemptPod = (c, preemptor, victim) => this.defaultPreemptPod(c, preemptor, victim);
  }

  /**
   * Nominates a node for pod by evicting lower-priority pods there. No
   * candidate: Unschedulable with the per-node reasons and a result that
   * clears the pod's nomination. Not eligible or failed: no result, so the
   * nomination stays.
   */
  async preempt(
    state: CycleState,
    pod: Pod,
    m: NodeToStatus,
  ): Promise<{ result?: PostFilterResult; status: Result }> {
    // The cycle's pod may predate a status update (e.g. its nomination); the
    // informer cache can also lag behind a pod it just handed us, so fall back.
    const latest = this.pods.get(metaNamespaceKey(pod)) ?? pod;

    // A node missing from m counts as UnschedulableAndUnresolvable, as upstream's absent-node status.
    const nominatedNodeStatus =
      m.get(latest.status?.nominatedNodeName ?? "") ?? new Status(Code.UnschedulableAndUnresolvable);
    const [eligible, msg] = this.policy.podEligibleToPreemptOthers(latest, nominatedNodeStatus);
    if (!eligible) return { status: unschedulable(msg) };

    const allNodes = this.handle.snapshot().nodeInfoList;
    const { candidates, nodeStatuses, error } = this.findCandidates(state, allNodes, latest, m);
    if (error && candidates.length === 0) return { status: asStatus(error) };
    if (candidates.length === 0) {
      return {
        result: { nominatedNodeName: "" },
        status: unschedulable(preemptionFailureMessage(allNodes.length, nodeStatuses)),
      };
    }

    const best = this.selectCandidate(candidates);
    if (!best?.name) return { status: unschedulable(ERR_NO_CANDIDATE) };

    const st = await this.prepareCandidate(best, latest);
    if (st) return { status: st };
    return { result: { nominatedNodeName: best.name }, status: null };
  }

  /** Dry-runs preemption on the nodes whose rejection was Unschedulable (removing pods may help). */
  findCandidates(state: CycleState, allNodes: readonly NodeInfo[], pod: Pod, m: NodeToStatus): DryRunResult {
    if (allNodes.length === 0)
      return { candidates: [], nodeStatuses: new Map(), error: new Error(ERR_NO_NODES) };
    // Walk the snapshot, not the map, so the order (and so the offset) is the scheduler's node order.
    const potentialNodes = allNodes.filter((n) => m.get(n.name)?.code === Code.Unschedulable);
    if (potentialNodes.length === 0) return { candidates: [], nodeStatuses: new Map() };
    const pdbs = this.pdbs.list();
    const [offset, numCandidates] = this.policy.getOffsetAndNumCandidates(potentialNodes.length);
    return this.dryRunPreemption(state, pod, potentialNodes, pdbs, offset, numCandidates);
  }

  /**
   * Tries nodes from offset on (wrapping) until it holds numCandidates
   * candidates of which at least one violates no PDB; each kind is capped at
   * numCandidates, as upstream's fixed-size candidate lists.
   */
  dryRunPreemption(
    state: CycleState,
    pod: Pod,
    potentialNodes: readonly NodeInfo[],
    pdbs: readonly PodDisruptionBudget[],
    offset: number,
    numCandidates: number,
  ): DryRunResult {
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    const nodeStatuses: NodeToStatus = new Map();
    const errors: Error[] = [];
    for (let i = 0; i < potentialNodes.length; i++) {
      const nodeInfoCopy = potentialNodes[(offset + i) % potentialNodes.length].clone();
      const name = nodeInfoCopy.name;
      const { victims, numViolatingVictim, status } = this.policy.selectVictimsOnNode(
        state.clone(),
        pod,
        nodeInfoCopy,
        pdbs,
      );
      if (status === null && victims.length > 0) {
        const c: Candidate = { name, victims: { pods: victims, numPDBViolations: numViolatingVictim } };
        const list = numViolatingVictim === 0 ? nonViolating : violating;
        if (list.length < numCandidates) list.push(c);
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
        continue;
      }
      const st =
        status ?? asStatus(new Error(`expected at least one victim pod on node ${JSON.stringify(name)}`));
      if (st.code === Code.Error) errors.push(statusError(st));
      nodeStatuses.set(name, st);
    }
    return { candidates: [...nonViolating, ...violating], nodeStatuses, error: aggregate(errors) };
  }

  /** The best candidate by the plugin's score functions or pickOneNodeForPreemption's criteria. */
  selectCandidate(candidates: readonly Candidate[]): Candidate | undefined {
    if (candidates.length === 0) return undefined;
    if (candidates.length === 1) return candidates[0];
    const nodesToVictims = new Map(candidates.map((c) => [c.name, c.victims]));
    const scoreFuncs = this.policy.orderedScoreFuncs?.(nodesToVictims);
    const node = pickOneNodeForPreemption(nodesToVictims, this.handle.clock.now(), scoreFuncs);
    const victims = nodesToVictims.get(node);
    return victims ? { name: node, victims } : candidates[0];
  }

  /**
   * Evicts the victims (those not already terminating), then drops the
   * nomination of lower-priority pods nominated to the node: they may no
   * longer fit, and clearing it sends them back to the active queue sooner.
   */
  async prepareCandidate(c: Candidate, pod: Pod): Promise<Result> {
    try {
      await Promise.all(
        c.victims.pods.map((victim) =>
          victim.metadata?.deletionTimestamp ? undefined : this.preemptPod(c, pod, victim),
        ),
      );
    } catch (e) {
      return asStatus(e);
    }
    const prio = podPriority(pod);
    for (const pi of this.handle.nominatedPodsForNode(c.name)) {
      const p = pi.pod;
      if (podPriority(p) >= prio || !p.status?.nominatedNodeName) continue;
      try {
        await this.handle.api.setNominatedNodeName(p, "");
      } catch {
        // Not critical: the pod is retried and re-nominated or cleared later.
      }
    }
    return null;
  }

  /** Marks the victim with DisruptionTarget, then deletes it gracefully; a victim already gone is fine. */
  private async defaultPreemptPod(_c: Candidate, preemptor: Pod, victim: Pod): Promise<void> {
    const condition: PodCondition = {
      type: DISRUPTION_TARGET,
      status: "True",
      reason: REASON_PREEMPTION_BY_SCHEDULER,
      message: `${preemptor.spec?.schedulerName ?? ""}: preempting to accommodate a higher priority pod`,
    };
    const old = victim.status?.conditions?.find((x) => x.type === DISRUPTION_TARGET);
    // apipod.UpdatePodCondition: the transition time moves only when the status does.
    const changed =
      !old ||
      old.status !== condition.status ||
      old.reason !== condition.reason ||
      old.message !== condition.message ||
      !!old.lastProbeTime;
    if (changed) {
      condition.lastTransitionTime =
        old && old.status === condition.status && old.lastTransitionTime
          ? old.lastTransitionTime
          : rfc3339(this.handle.clock.now());
      try {
        await this.handle.api.patchPodCondition(victim, condition);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    try {
      await this.handle.api.deletePod(victim);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
