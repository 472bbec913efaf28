// One scheduling profile's plugins, called in extension-point order
// (kube-scheduler's framework/runtime). Filters stop at the first rejection,
// so a node's recorded reason is that of the first plugin that refused it;
// the order of the profile (NodeUnschedulable, NodeName, TaintToleration,
// NodeAffinity, NodePorts, NodeResourcesFit, volumes, spreading, affinity)
// puts the cheap checks that reject most nodes first.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "./cycle-state.ts";
import type {
  BindPlugin,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  NodeScore,
  NodeToStatus,
  PermitPlugin,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreBindPlugin,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
} from "./interface.ts";
import { MAX_NODE_SCORE, MIN_NODE_SCORE } from "./interface.ts";
import type { NodeInfo, PodInfo } from "./node-info.ts";
import { asStatus, Code, type Result, Status } from "./status.ts";

/** A plugin that can keep a pod out of the queue (SchedulingGates). */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Result;
}

/** Orders the active queue (PrioritySort). */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** A pod in the scheduling queue. */
export interface QueuedPodInfo {
  pod: Pod;
  podInfo: PodInfo;
  /** When the pod was last added to the queue (ms). */
  timestamp: number;
  /** When the pod first entered the queue (ms): scheduling latency runs from here. */
  initialAttemptTimestamp?: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt: only their events move it back. */
  unschedulablePlugins: Set<string>;
  /** Plugins that said Pending. */
  pendingPlugins: Set<string>;
  /** Set when a SchedulingGates/PreEnqueue plugin holds the pod. */
  gatingPlugin?: string;
}

export interface ScorePluginEntry {
  plugin: ScorePlugin;
  weight: number;
}

/** The plugins of a profile per extension point, in call order. */
export interface ProfilePlugins {
  preEnqueue: PreEnqueuePlugin[];
  queueSort: QueueSortPlugin[];
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: ScorePluginEntry[];
  reserve: ReservePlugin[];
  permit: PermitPlugin[];
  preBind: PreBindPlugin[];
  bind: BindPlugin[];
  /** Every plugin that says which cluster events can help a pod it rejected. */
  enqueueExtensions: EnqueueExtensions[];
}

/** Weighted totals per feasible node, and each plugin's normalized scores (in node order). */
export interface ScoreResult {
  totals: Float64Array;
  perPlugin: Array<{ plugin: string; values: Float64Array }>;
}

export interface Diagnosis {
  /** Why each node was rejected. */
  nodeToStatus: NodeToStatus;
  /** Set when a PreFilter plugin rejected the pod outright (every node then has that status). */
  preFilterMsg: string;
  /** The verdict of nodes missing from nodeToStatus (left out by a PreFilterResult). */
  absentStatus?: Status;
  postFilterMsg: string;
  unschedulablePlugins: Set<string>;
  pendingPlugins: Set<string>;
}

export const newDiagnosis = (): Diagnosis => ({
  nodeToStatus: new Map(),
  preFilterMsg: "",
  postFilterMsg: "",
  unschedulablePlugins: new Set(),
  pendingPlugins: new Set(),
});

export class Framework {
  constructor(
    readonly profileName: string,
    readonly plugins: ProfilePlugins,
    readonly handle: Handle,
    /** The profile's percentageOfNodesToScore, if it sets one. */
    readonly percentageOfNodesToScore?: number,
  ) {}

  hasFilterPlugins(): boolean {
    return this.plugins.filter.length > 0;
  }

  hasScorePlugins(): boolean {
    return this.plugins.score.length > 0;
  }

  queueSortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.plugins.queueSort[0]?.less(a, b) ?? a.timestamp < b.timestamp;
  }

  runPreEnqueuePlugins(pod: Pod): Result {
    for (const p of this.plugins.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  /** Runs every PreFilter; the intersection of their node sets narrows the search. */
  runPreFilterPlugins(
    state: CycleState,
    pod: Pod,
    nodes: NodeInfo[],
  ): { result?: PreFilterResult; status: Result; pluginsWithNodes: string[] } {
    let result: PreFilterResult | undefined;
    let returnStatus: Result = null;
    const pluginsWithNodes: string[] = [];
    for (const p of this.plugins.preFilter) {
      let r: { result?: PreFilterResult; status: Result };
      try {
        r = p.preFilter(state, pod, nodes);
      } catch (e) {
        r = { status: asStatus(e) };
      }
      const s = r.status;
      if (s) {
        if (s.code === Code.Skip) {
          state.skipFilterPlugins.add(p.name);
          continue;
        }
        s.withPlugin(p.name);
        // Unresolvable: preemption cannot help, so the other PreFilters need not run.
        if (s.code === Code.UnschedulableAndUnresolvable) return { status: s, pluginsWithNodes };
        // Unschedulable: preemption may run later this cycle, and needs every PreFilter's state.
        if (s.code === Code.Unschedulable) {
          returnStatus = s;
          continue;
        }
        const err = new Error(`running PreFilter plugin "${p.name}": ${s.err?.message ?? s.message()}`);
        return { status: new Status(Code.Error, [err.message], err).withPlugin(p.name), pluginsWithNodes };
      }
      if (r.result?.nodeNames) {
        pluginsWithNodes.push(p.name);
        const names = result?.nodeNames
          ? new Set([...result.nodeNames].filter((n) => r.result!.nodeNames!.has(n)))
          : r.result.nodeNames;
        result = { nodeNames: names };
        if (names.size === 0) {
          const sorted = [...pluginsWithNodes].sort();
          const msg =
            sorted.length === 1
              ? `node(s) didn't satisfy plugin ${sorted[0]}`
              : `node(s) didn't satisfy plugin(s) [${sorted.join(" ")}] simultaneously`;
          return {
            result,
            status: new Status(Code.UnschedulableAndUnresolvable, [msg]).withPlugin(p.name),
            pluginsWithNodes,
          };
        }
      }
    }
    return { result, status: returnStatus, pluginsWithNodes };
  }

  /** The first rejection of a node, or null if every filter passes. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const filters = this.plugins.filter;
    const skip = state.skipFilterPlugins;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i];
      if (skip.size > 0 && skip.has(p.name)) continue;
      let s: Result;
      try {
        s = p.filter(state, pod, nodeInfo);
      } catch (e) {
        return asStatus(e).withPlugin(p.name);
      }
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  /**
   * Filters with the pods nominated to this node (of priority ≥ the pod's)
   * counted as if running, then without them: a pod must fit both ways, as
   * upstream's RunFilterPluginsWithNominatedPods.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result {
    const all = this.handle.nominatedPodsForNode(nodeInfo.name);
    // Almost always empty: the common path allocates nothing.
    const nominated =
      all.length === 0
        ? all
        : all.filter(
            (pi) =>
              pi.pod.metadata?.uid !== pod.metadata?.uid &&
              (pi.pod.spec?.priority ?? 0) >= (pod.spec?.priority ?? 0),
          );
    if (nominated.length > 0) {
      const s2 = state.clone();
      const n2 = nodeInfo.clone();
      for (const pi of nominated) {
        n2.addPod(pi);
        const st = this.runPreFilterExtensionAddPod(s2, pod, pi, n2);
        if (st) return st;
      }
      const st = this.runFilterPlugins(s2, pod, n2);
      if (st) return st;
    }
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: Pod, toAdd: PodInfo, nodeInfo: NodeInfo): Result {
    for (const p of this.plugins.preFilter) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.addPod(state, pod, toAdd, nodeInfo);
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: Pod, toRemove: PodInfo, nodeInfo: NodeInfo): Result {
    for (const p of this.plugins.preFilter) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.removePod(state, pod, toRemove, nodeInfo);
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  /** PostFilter plugins (preemption) until one succeeds or says unresolvable. */
  async runPostFilterPlugins(
    state: CycleState,
    pod: Pod,
    nodeToStatus: NodeToStatus,
  ): Promise<{ result?: PostFilterResult; status: Result }> {
    const reasons: string[] = [];
    let last: Status | null = null;
    for (const p of this.plugins.postFilter) {
      let r: { result?: PostFilterResult; status: Result };
      try {
        r = await p.postFilter(state, pod, nodeToStatus);
      } catch (e) {
        return { status: asStatus(e).withPlugin(p.name) };
      }
      if (!r.status) return r;
      if (r.status.code === Code.UnschedulableAndUnresolvable) return { status: r.status.withPlugin(p.name) };
      if (r.status.code === Code.Error) return { status: r.status.withPlugin(p.name) };
      reasons.push(...r.status.reasons);
      last = r.status.withPlugin(p.name);
    }
    if (!last) return { status: new Status(Code.Unschedulable, []) };
    return { status: new Status(last.code, reasons).withPlugin(last.plugin) };
  }

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): Result {
    for (const p of this.plugins.preScore) {
      let s: Result;
      try {
        s = p.preScore(state, pod, nodes);
      } catch (e) {
        return asStatus(e).withPlugin(p.name);
      }
      if (s) {
        if (s.code === Code.Skip) {
          state.skipScorePlugins.add(p.name);
          continue;
        }
        return s.withPlugin(p.name);
      }
    }
    return null;
  }

  /** Reused NodeScore arrays, one per score plugin: 500 nodes × 7 plugins per pod would otherwise feed the GC. */
  private readonly scorePool: NodeScore[][] = [];

  private pooledScores(index: number, nodes: NodeInfo[]): NodeScore[] {
    let arr = this.scorePool[index];
    if (!arr) {
      arr = [];
      this.scorePool[index] = arr;
    }
    if (arr.length > nodes.length) arr.length = nodes.length;
    for (let i = 0; i < nodes.length; i++) {
      if (i < arr.length) arr[i].name = nodes[i].name;
      else arr.push({ name: nodes[i].name, score: 0 });
    }
    return arr;
  }

  /**
   * Each plugin scores each node, normalizes its scores into [0, 100], and
   * the weighted sum is the node's total. Per-plugin normalized scores are
   * returned too (copies), for explain-schedule.
   */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): ScoreResult {
    const totals = new Float64Array(nodes.length);
    const perPlugin: ScoreResult["perPlugin"] = [];
    for (let p = 0; p < this.plugins.score.length; p++) {
      const { plugin, weight } = this.plugins.score[p];
      if (state.skipScorePlugins.has(plugin.name)) continue;
      const scores = this.pooledScores(p, nodes);
      for (let i = 0; i < nodes.length; i++) scores[i].score = plugin.score(state, pod, nodes[i]);
      if (plugin.normalizeScore) {
        const s = plugin.normalizeScore(state, pod, scores);
        if (s) throw new Error(`normalizing scores of plugin ${plugin.name}: ${s.message()}`);
      }
      const values = new Float64Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        const v = scores[i].score;
        if (v > MAX_NODE_SCORE || v < MIN_NODE_SCORE) {
          throw new Error(
            `plugin "${plugin.name}" returns an invalid score ${v}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`,
          );
        }
        values[i] = v;
        totals[i] += v * weight;
      }
      perPlugin.push({ plugin: plugin.name, values });
    }
    return { totals, perPlugin };
  }

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Result {
    for (const p of this.plugins.reserve) {
      let s: Result;
      try {
        s = p.reserve(state, pod, nodeName);
      } catch (e) {
        s = asStatus(e);
      }
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  /** In reverse order, as upstream. */
  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.plugins.reserve.length - 1; i >= 0; i--) {
      try {
        this.plugins.reserve[i].unreserve(state, pod, nodeName);
      } catch {
        // Unreserve must not fail the cleanup of the others.
      }
    }
  }

  /** Permit: Success, a rejection, or Wait with the longest timeout any plugin asked for. */
  runPermitPlugins(state: CycleState, pod: Pod, nodeName: string): { status: Result; timeoutMs: number } {
    let wait = false;
    let timeoutMs = 0;
    for (const p of this.plugins.permit) {
      const r = p.permit(state, pod, nodeName);
      if (!r.status) continue;
      if (r.status.code === Code.Wait) {
        wait = true;
        timeoutMs = Math.max(timeoutMs, Math.min(r.timeoutMs ?? 0, 15 * 60_000));
        continue;
      }
      return { status: r.status.withPlugin(p.name), timeoutMs: 0 };
    }
    return { status: wait ? new Status(Code.Wait) : null, timeoutMs };
  }

  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Result> {
    for (const p of this.plugins.preBind) {
      let s: Result;
      try {
        s = await p.preBind(state, pod, nodeName);
      } catch (e) {
        s = asStatus(e);
      }
      if (s) return s.withPlugin(p.name);
    }
    return null;
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Result> {
    for (const p of this.plugins.bind) {
      let s: Result;
      try {
        s = await p.bind(state, pod, nodeName);
      } catch (e) {
        s = asStatus(e);
      }
      if (s?.code === Code.Skip) continue;
      return s ? s.withPlugin(p.name) : null;
    }
    return new Status(Code.Error, ["no bind plugin bound the pod"]);
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}
