// DefaultPreemption (upstream's plugins/defaultpreemption, v1.32): the
// PostFilter that, when a pod fits nowhere, evicts lower-priority pods from
// one node and nominates the pod there. The flow lives in the Evaluator; this
// file is the policy: who may preempt, which pods on a node go (the fewest,
// sparing PDB-protected and higher-priority ones first), how many nodes to try.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { labelSelectorAsSelector, type Selector } from "../../machinery/labels.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  Handle,
  NodeToStatus,
  PluginFactory,
  PostFilterPlugin,
  PostFilterResult,
} from "../framework/interface.ts";
import type { NodeInfo, PodInfo } from "../framework/node-info.ts";
import { asStatus, Code, type Result, Status } from "../framework/status.ts";
import { moreImportantPod, podPriority } from "./default-preemption/candidates.ts";
import {
  DISRUPTION_TARGET,
  Evaluator,
  type PreemptionInterface,
  REASON_PREEMPTION_BY_SCHEDULER,
  type VictimSelection,
} from "./default-preemption/evaluator.ts";

export const NAME = "DefaultPreemption";

export const ERR_NO_VICTIMS = "No preemption victims found for incoming pod";
export const ERR_PREEMPTION_POLICY_NEVER = "not eligible due to preemptionPolicy=Never.";
export const ERR_TERMINATING_POD_ON_NOMINATED_NODE =
  "not eligible due to a terminating pod on the nominated node.";

export const DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** DefaultPreemptionArgs (kubescheduler.config.k8s.io/v1). */
export interface DefaultPreemptionArgs {
  /** At least this percentage of the potential nodes is dry-run, [0, 100]. */
  minCandidateNodesPercentage?: number;
  /** ...and at least this many, [0, inf). Both zero is invalid. */
  minCandidateNodesAbsolute?: number;
}

export interface DefaultPreemptionOptions {
  /** A random integer in [0, n): where in the potential nodes the dry run starts. */
  randomInt?: (n: number) => number;
}

const mathRandomInt = (n: number) => Math.floor(Math.random() * n);

/** ValidateDefaultPreemptionArgs, with upstream's field error wording. */
export function validateDefaultPreemptionArgs(args: Required<DefaultPreemptionArgs>): string[] {
  const errs: string[] = [];
  const pct = args.minCandidateNodesPercentage;
  const abs = args.minCandidateNodesAbsolute;
  if (pct < 0 || pct > 100)
    errs.push(`minCandidateNodesPercentage: Invalid value: ${pct}: not in valid range [0, 100]`);
  if (abs < 0) errs.push(`minCandidateNodesAbsolute: Invalid value: ${abs}: not in valid range [0, inf)`);
  if (pct === 0 && abs === 0) {
    errs.push(
      "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute",
      "minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage",
    );
  }
  return errs;
}

/** Terminating because the scheduler preempted it (DisruptionTarget=True, PreemptionByScheduler). */
function podTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  for (const c of p.status?.conditions ?? []) {
    if (c.type === DISRUPTION_TARGET)
      return c.status === "True" && c.reason === REASON_PREEMPTION_BY_SCHEDULER;
  }
  return false;
}

// PDB selectors parsed once per object; informer updates replace the object, so identity is a safe key.
const pdbSelectors = new WeakMap<PodDisruptionBudget, Selector | null>();

function pdbSelector(pdb: PodDisruptionBudget): Selector | null {
  let s = pdbSelectors.get(pdb);
  if (s === undefined) {
    try {
      s = labelSelectorAsSelector(pdb.spec?.selector);
    } catch {
      s = null; // an invalid selector matches no pod
    }
    pdbSelectors.set(pdb, s);
  }
  return s;
}

/**
 * Splits pods (order kept) into those whose eviction would exceed some
 * matching PDB's disruptionsAllowed, counting the earlier pods of the list
 * against the same budget, and the rest. Pods the PDB already counts as
 * disrupted do not use up its budget again.
 */
export function filterPodsWithPDBViolation(
  podInfos: readonly PodInfo[],
  pdbs: readonly PodDisruptionBudget[],
): [violating: PodInfo[], nonViolating: PodInfo[]] {
  const allowed = pdbs.map((pdb) => pdb.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of podInfos) {
    const pod = pi.pod;
    let violated = false;
    const labels = pod.metadata?.labels;
    // A pod without labels matches no PDB.
    if (labels && Object.keys(labels).length > 0) {
      for (let i = 0; i < pdbs.length; i++) {
        const pdb = pdbs[i];
        if ((pdb.metadata?.namespace ?? "") !== (pod.metadata?.namespace ?? "")) continue;
        const sel = pdbSelector(pdb);
        // A nil or empty selector matches nothing here.
        if (!sel || sel.empty() || !sel.matches(labels)) continue;
        if (pdb.status?.disruptedPods && Object.hasOwn(pdb.status.disruptedPods, pod.metadata?.name ?? ""))
          continue;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : nonViolating).push(pi);
  }
  return [violating, nonViolating];
}

export class DefaultPreemption implements PostFilterPlugin, EnqueueExtensions, PreemptionInterface {
  readonly name = NAME;
  readonly args: Required<DefaultPreemptionArgs>;
  readonly evaluator: Evaluator;
  private readonly randomInt: (n: number) => number;

  constructor(
    args: DefaultPreemptionArgs | undefined,
    private readonly handle: Handle,
    opts: DefaultPreemptionOptions = {},
  ) {
    this.args = {
      minCandidateNodesPercentage:
        args?.minCandidateNodesPercentage ?? DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE,
      minCandidateNodesAbsolute: args?.minCandidateNodesAbsolute ?? DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE,
    };
    const errs = validateDefaultPreemptionArgs(this.args);
    if (errs.length === 1) throw new Error(errs[0]);
    if (errs.length > 1) throw new Error(`[${errs.join(", ")}]`);
    this.randomInt = opts.randomInt ?? mathRandomInt;
    this.evaluator = new Evaluator(NAME, handle, this);
  }

  async postFilter(
    state: CycleState,
    pod: Pod,
    filteredNodeStatus: NodeToStatus,
  ): Promise<{ result?: PostFilterResult; status: Result }> {
    const { result, status } = await this.evaluator.preempt(state, pod, filteredNodeStatus);
    const msg = status?.message() ?? "";
    if (status && msg.length > 0)
      return { result, status: new Status(status.code, [`preemption: ${msg}`], status.err) };
    return { result, status };
  }

  /** Without async preemption (alpha, off in v1.32) this plugin never rejects a pod, so nothing requeues for it. */
  eventsToRegister(): ClusterEvent[] {
    return [];
  }

  /** max(numNodes * percentage / 100, absolute), at most numNodes. */
  calculateNumCandidates(numNodes: number): number {
    let n = Math.trunc((numNodes * this.args.minCandidateNodesPercentage) / 100);
    if (n < this.args.minCandidateNodesAbsolute) n = this.args.minCandidateNodesAbsolute;
    if (n > numNodes) n = numNodes;
    return n;
  }

  getOffsetAndNumCandidates(numNodes: number): [number, number] {
    return [this.randomInt(numNodes), this.calculateNumCandidates(numNodes)];
  }

  /**
   * Not eligible: preemptionPolicy Never, or a pod with a nomination whose
   * earlier victims (lower priority, preempted by the scheduler) are still
   * terminating there, unless the nominated node became unresolvable.
   */
  podEligibleToPreemptOthers(pod: Pod, nominatedNodeStatus: Result): [boolean, string] {
    if (pod.spec?.preemptionPolicy === "Never") return [false, ERR_PREEMPTION_POLICY_NEVER];
    const nomNodeName = pod.status?.nominatedNodeName;
    if (nomNodeName) {
      if (nominatedNodeStatus?.code === Code.UnschedulableAndUnresolvable) return [true, ""];
      const nodeInfo = this.handle.snapshot().get(nomNodeName);
      if (nodeInfo) {
        const prio = podPriority(pod);
        for (const p of nodeInfo.pods) {
          if (podPriority(p.pod) < prio && podTerminatingByPreemption(p.pod)) {
            return [false, ERR_TERMINATING_POD_ON_NOMINATED_NODE];
          }
        }
      }
    }
    return [true, ""];
  }

  /**
   * Removes every lower-priority pod; if pod then fits, adds them back one by
   * one, most important first, PDB-protected ones before the others, keeping
   * each that still lets pod fit. The rest are the victims, most important first.
   */
  selectVictimsOnNode(
    state: CycleState,
    pod: Pod,
    nodeInfo: NodeInfo,
    pdbs: readonly PodDisruptionBudget[],
  ): VictimSelection {
    const h = this.handle;
    const fail = (err: Error): VictimSelection => ({
      victims: [],
      numViolatingVictim: 0,
      status: asStatus(err),
    });
    const removePod = (pi: PodInfo): Error | undefined => {
      if (!nodeInfo.removePod(pi.pod)) {
        return new Error(`no corresponding pod ${pi.pod.metadata?.name} in pods of node ${nodeInfo.name}`);
      }
      const st = h.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
      return st ? (st.err ?? new Error(st.message())) : undefined;
    };
    const addPod = (pi: PodInfo): Error | undefined => {
      nodeInfo.addPod(pi);
      const st = h.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
      return st ? (st.err ?? new Error(st.message())) : undefined;
    };

    const prio = podPriority(pod);
    const potentialVictims = nodeInfo.pods.filter((pi) => podPriority(pi.pod) < prio);
    for (const pi of potentialVictims) {
      const err = removePod(pi);
      if (err) return fail(err);
    }
    // Nothing to remove: the node is as the failed Filter saw it.
    if (potentialVictims.length === 0) {
      return {
        victims: [],
        numViolatingVictim: 0,
        status: new Status(Code.UnschedulableAndUnresolvable, [ERR_NO_VICTIMS]),
      };
    }
    // Still no fit with all of them gone (affinity to a victim is deliberately not considered).
    const fit = h.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (fit) return { victims: [], numViolatingVictim: 0, status: fit };

    const now = h.clock.now();
    const byImportance = (a: PodInfo, b: PodInfo) =>
      moreImportantPod(a.pod, b.pod, now) ? -1 : moreImportantPod(b.pod, a.pod, now) ? 1 : 0;
    potentialVictims.sort(byImportance);
    const [violatingVictims, nonViolatingVictims] = filterPodsWithPDBViolation(potentialVictims, pdbs);

    const victims: PodInfo[] = [];
    let numViolatingVictim = 0;
    const reprieve = (pi: PodInfo): boolean | Error => {
      const addErr = addPod(pi);
      if (addErr) return addErr;
      const fits = h.runFilterPluginsWithNominatedPods(state, pod, nodeInfo) === null;
      if (!fits) {
        const removeErr = removePod(pi);
        if (removeErr) return removeErr;
        victims.push(pi);
      }
      return fits;
    };
    for (const pi of violatingVictims) {
      const fits = reprieve(pi);
      if (fits instanceof Error) return fail(fits);
      if (!fits) numViolatingVictim++;
    }
    for (const pi of nonViolatingVictims) {
      const fits = reprieve(pi);
      if (fits instanceof Error) return fail(fits);
    }
    // Two passes left two sorted runs; restore one order, most important first.
    if (violatingVictims.length > 0 && nonViolatingVictims.length > 0) victims.sort(byImportance);
    return { victims: victims.map((pi) => pi.pod), numViolatingVictim, status: null };
  }
}

/** A factory with injected randomness (tests pass a fixed randomInt). */
export const newDefaultPreemptionWith =
  (opts: DefaultPreemptionOptions = {}): PluginFactory =>
  (args, handle) =>
    new DefaultPreemption(args as DefaultPreemptionArgs | undefined, handle, opts);

export const newDefaultPreemption: PluginFactory = newDefaultPreemptionWith();
