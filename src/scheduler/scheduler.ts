// The scheduling loop (kube-scheduler's schedule_one.go): pop a pod, run the
// profile's filters over a snapshot until enough nodes fit, score them, pick
// the best, assume the pod there and bind it asynchronously, so the next
// cycle starts at once. A pod that fits nowhere gets preemption (PostFilter),
// a PodScheduled=False condition, a FailedScheduling event and a place in the
// unschedulable queue.
import type { Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "../client/clock.ts";
import type { EventRecorder } from "../client/event-recorder.ts";
import type { SchedulerCache } from "./cache/cache.ts";
import { type Explanation, ExplanationStore, feasibleNodes, rejections } from "./explain.ts";
import { ERR_NO_NODES_AVAILABLE, FitError } from "./fit-error.ts";
import type { CycleState } from "./framework/cycle-state.ts";
import type { PluginApi } from "./framework/interface.ts";
import type { NodeInfo } from "./framework/node-info.ts";
import {
  type Diagnosis,
  type Framework,
  newDiagnosis,
  type QueuedPodInfo,
  type ScoreResult,
} from "./framework/runtime.ts";
import { Code, Status } from "./framework/status.ts";
import type { SchedulerMetrics } from "./metrics.ts";
import type { SchedulingQueue } from "./queue/scheduling-queue.ts";

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Bindings in flight at once; beyond this the loop waits, so a slow apiserver is not flooded. */
const MAX_BINDINGS_IN_FLIGHT = 256;

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** upstream's numFeasibleNodesToFind: all nodes below 100, else an adaptive percentage (≥ 5%, ≥ 100 nodes). */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
      percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export interface SchedulingLoopOptions {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  frameworks: ReadonlyMap<string, Framework>;
  api: PluginApi;
  recorder: EventRecorder;
  metrics: SchedulerMetrics;
  /** The global percentageOfNodesToScore (0 = adaptive). */
  percentageOfNodesToScore: number;
  /** The latest version of a pod from the informer cache, or undefined once it is gone. */
  currentPod(pod: Pod): Pod | undefined;
  clock?: Clock;
  log?(msg: string): void;
}

export class SchedulingLoop {
  readonly explanations = new ExplanationStore();
  private nextStartNodeIndex = 0;
  private tieBreak = 0;
  private readonly clock: Clock;
  private bindingsInFlight = 0;
  private bindingSlot?: () => void;
  private readonly bindings = new Set<Promise<void>>();

  constructor(private readonly o: SchedulingLoopOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Schedules pods until the signal aborts; waits for bindings in flight before returning. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const q = await this.o.queue.pop(signal);
      if (!q) break;
      await this.scheduleOne(q);
      if (this.bindingsInFlight >= MAX_BINDINGS_IN_FLIGHT) {
        await new Promise<void>((r) => {
          this.bindingSlot = r;
        });
      }
    }
    await Promise.allSettled([...this.bindings]);
  }

  private log(msg: string): void {
    this.o.log?.(msg);
  }

  /** One scheduling cycle; the binding cycle continues in the background. */
  async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pod = q.pod;
    const fwk = this.o.frameworks.get(pod.spec?.schedulerName ?? "default-scheduler");
    if (!fwk || pod.metadata?.deletionTimestamp || this.o.cache.isAssumed(pod)) {
      this.o.queue.done(pod);
      return;
    }
    const start = this.clock.now();
    const cycle = this.o.queue.cycle;
    const state = fwk.newCycleState();
    let result: ScheduleResult;
    try {
      result = this.schedulePod(fwk, state, q);
    } catch (err) {
      await this.handleScheduleError(fwk, state, q, err, start, cycle);
      return;
    }

    // Assume: the next cycle must see this pod on its node before the binding lands.
    const host = result.suggestedHost;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: host } };
    this.o.cache.assumePod(pod, host);
    let s = fwk.runReservePluginsReserve(state, assumed, host);
    if (s) {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.o.cache.forgetPod(pod);
      this.failure(fwk, q, s, "SchedulerError", s.message(), cycle, start);
      return;
    }
    const permit = fwk.runPermitPlugins(state, assumed, host);
    if (permit.status && permit.status.code !== Code.Wait) {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.o.cache.forgetPod(pod);
      s = permit.status;
      const reason = s.isRejected() ? "Unschedulable" : "SchedulerError";
      this.failure(fwk, q, s, reason, s.message(), cycle, start);
      return;
    }
    this.o.queue.nominator.delete(pod);

    const binding = this.bindingCycle(
      fwk,
      state,
      q,
      host,
      permit.status ? permit.timeoutMs : 0,
      start,
      cycle,
    );
    this.bindings.add(binding);
    this.bindingsInFlight++;
    void binding.finally(() => {
      this.bindings.delete(binding);
      this.bindingsInFlight--;
      const slot = this.bindingSlot;
      this.bindingSlot = undefined;
      slot?.();
    });
  }

  private async bindingCycle(
    fwk: Framework,
    state: CycleState,
    q: QueuedPodInfo,
    host: string,
    permitWaitMs: number,
    start: number,
    cycle: number,
  ): Promise<void> {
    const pod = q.pod;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: host } };
    const fail = (s: Status) => {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.o.cache.forgetPod(pod);
      this.failure(fwk, q, s, "SchedulerError", s.message(), cycle, start);
    };
    try {
      if (permitWaitMs > 0) {
        // No plugin here can allow a waiting pod early: a Wait ends in its timeout.
        await new Promise((r) => this.clock.after(permitWaitMs, () => r(undefined)));
        fail(
          new Status(Code.Unschedulable, [
            `rejected due to timeout after waiting ${permitWaitMs / 1000}s at plugin`,
          ]),
        );
        return;
      }
      let s = await fwk.runPreBindPlugins(state, assumed, host);
      if (s) return fail(s);
      s = await fwk.runBindPlugins(state, assumed, host);
      if (s) return fail(s);
      const now = this.clock.now();
      this.o.metrics.observeAttempt("scheduled", fwk.profileName, (now - start) / 1000);
      if (q.initialAttemptTimestamp !== undefined) {
        this.o.metrics.sliDuration.observe(
          { attempts: String(q.attempts) },
          (now - q.initialAttemptTimestamp) / 1000,
        );
      }
      this.o.recorder.event(
        assumed,
        "Normal",
        "Scheduled",
        `Successfully assigned ${pod.metadata?.namespace}/${pod.metadata?.name} to ${host}`,
      );
    } catch (err) {
      fail(new Status(Code.Error, [(err as Error).message], err as Error));
    } finally {
      this.o.queue.done(pod);
    }
  }

  /** Filters and scores; throws FitError when no node fits. */
  schedulePod(fwk: Framework, state: CycleState, q: QueuedPodInfo): ScheduleResult {
    const pod = q.pod;
    const snapshot = this.o.cache.snapshot();
    const all = snapshot.nodeInfoList;
    if (all.length === 0) throw new Error(ERR_NO_NODES_AVAILABLE);
    const diagnosis = newDiagnosis();
    const feasible = this.findNodesThatFitPod(fwk, state, pod, diagnosis, all);
    if (feasible.length === 0) {
      q.unschedulablePlugins = diagnosis.unschedulablePlugins;
      q.pendingPlugins = diagnosis.pendingPlugins;
      throw new FitError(pod, all.length, diagnosis);
    }
    const evaluated = feasible.length + diagnosis.nodeToStatus.size;
    if (feasible.length === 1) {
      this.explain(
        fwk,
        q,
        "Scheduled",
        "",
        feasible[0].name,
        diagnosis,
        feasible,
        undefined,
        undefined,
        all.length,
      );
      return { suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    }
    const { totals, perPlugin } = this.prioritizeNodes(fwk, state, pod, feasible);
    const host = this.selectHost(feasible, totals);
    this.explain(fwk, q, "Scheduled", "", host, diagnosis, feasible, totals, perPlugin, all.length);
    return { suggestedHost: host, evaluatedNodes: evaluated, feasibleNodes: feasible.length };
  }

  private findNodesThatFitPod(
    fwk: Framework,
    state: CycleState,
    pod: Pod,
    diagnosis: Diagnosis,
    all: NodeInfo[],
  ): NodeInfo[] {
    const pre = fwk.runPreFilterPlugins(state, pod, all);
    if (pre.status) {
      if (!pre.status.isRejected()) throw pre.status.err ?? new Error(pre.status.message());
      // Every node gets the PreFilter's verdict; the message is the PreFilter's own.
      for (const n of all) diagnosis.nodeToStatus.set(n.name, pre.status);
      diagnosis.preFilterMsg = pre.status.message();
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return [];
    }
    // A pod nominated by an earlier preemption tries its nominated node first.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.o.cache.snapshot().get(nominated);
      if (ni && !fwk.runFilterPluginsWithNominatedPods(state, pod, ni)) return [ni];
    }
    let nodes = all;
    if (pre.result?.nodeNames) {
      const snap = this.o.cache.snapshot();
      nodes = [];
      for (const name of pre.result.nodeNames) {
        const ni = snap.get(name);
        if (ni) nodes.push(ni);
      }
      // The nodes a PreFilterResult left out count as refused by those plugins.
      diagnosis.absentStatus = new Status(Code.UnschedulableAndUnresolvable, [
        `node(s) didn't satisfy plugin(s) [${[...pre.pluginsWithNodes].sort().join(" ")}]`,
      ]);
    }
    return this.findNodesThatPassFilters(fwk, state, pod, diagnosis, nodes);
  }

  private findNodesThatPassFilters(
    fwk: Framework,
    state: CycleState,
    pod: Pod,
    diagnosis: Diagnosis,
    nodes: NodeInfo[],
  ): NodeInfo[] {
    const numAll = nodes.length;
    if (numAll === 0) return [];
    const numToFind = numFeasibleNodesToFind(
      fwk.percentageOfNodesToScore ?? this.o.percentageOfNodesToScore,
      numAll,
    );
    const start = this.nextStartNodeIndex % numAll;
    const feasible: NodeInfo[] = [];
    if (!fwk.hasFilterPlugins()) {
      for (let i = 0; i < numToFind; i++) feasible.push(nodes[(start + i) % numAll]);
      this.nextStartNodeIndex = (start + feasible.length) % numAll;
      return feasible;
    }
    let processed = 0;
    for (let i = 0; i < numAll && feasible.length < numToFind; i++) {
      const ni = nodes[(start + i) % numAll];
      processed++;
      const s = fwk.runFilterPluginsWithNominatedPods(state, pod, ni);
      if (!s) {
        feasible.push(ni);
        continue;
      }
      if (s.code === Code.Error) throw s.err ?? new Error(s.message());
      diagnosis.nodeToStatus.set(ni.name, s);
      if (s.code === Code.Pending) diagnosis.pendingPlugins.add(s.plugin);
      else diagnosis.unschedulablePlugins.add(s.plugin);
    }
    this.nextStartNodeIndex = (start + processed) % numAll;
    return feasible;
  }

  private prioritizeNodes(fwk: Framework, state: CycleState, pod: Pod, nodes: NodeInfo[]): ScoreResult {
    if (!fwk.hasScorePlugins()) return { totals: new Float64Array(nodes.length), perPlugin: [] };
    const s = fwk.runPreScorePlugins(state, pod, nodes);
    if (s) throw s.err ?? new Error(s.message());
    return fwk.runScorePlugins(state, pod, nodes);
  }

  /** The highest total; ties go round-robin, so identical pods on identical nodes spread out. */
  private selectHost(nodes: NodeInfo[], totals: Float64Array): string {
    let max = Number.NEGATIVE_INFINITY;
    let ties = 0;
    for (const t of totals) {
      if (t > max) {
        max = t;
        ties = 1;
      } else if (t === max) ties++;
    }
    let pick = this.tieBreak++ % ties;
    for (let i = 0; i < totals.length; i++) {
      if (totals[i] !== max) continue;
      if (pick-- === 0) return nodes[i].name;
    }
    return nodes[0].name;
  }

  private explain(
    fwk: Framework,
    q: QueuedPodInfo,
    result: "Scheduled" | "Unschedulable" | "Error",
    message: string,
    selectedNode: string | undefined,
    diagnosis: Diagnosis | undefined,
    feasible: NodeInfo[],
    totals: Float64Array | undefined,
    perPlugin: ScoreResult["perPlugin"] | undefined,
    totalNodes: number,
    nominatedNode?: string,
  ): void {
    const m = q.pod.metadata ?? {};
    const build = (): Explanation => ({
      namespace: m.namespace ?? "",
      name: m.name ?? "",
      uid: m.uid ?? "",
      profile: fwk.profileName,
      attempts: q.attempts,
      time: new Date(this.clock.now()).toISOString(),
      result,
      message,
      selectedNode,
      nominatedNode,
      evaluatedNodes: feasible.length + (diagnosis?.nodeToStatus.size ?? 0),
      totalNodes,
      rejected: rejections(diagnosis),
      feasible: feasibleNodes(
        feasible.map((n) => n.name),
        totals,
        perPlugin,
      ),
    });
    if (result === "Scheduled") this.explanations.recordScheduled(m.namespace ?? "", m.name ?? "", build);
    else this.explanations.record(build());
  }

  private async handleScheduleError(
    fwk: Framework,
    state: CycleState,
    q: QueuedPodInfo,
    err: unknown,
    start: number,
    cycle: number,
  ): Promise<void> {
    const total = this.o.cache.snapshot().nodeInfoList.length;
    if (!(err instanceof FitError)) {
      const msg = (err as Error).message ?? String(err);
      // No nodes at all is Unschedulable (a node joining fixes it), anything else an internal error.
      const reason = msg === ERR_NO_NODES_AVAILABLE ? "Unschedulable" : "SchedulerError";
      this.explain(
        fwk,
        q,
        reason === "Unschedulable" ? reason : "Error",
        msg,
        undefined,
        undefined,
        [],
        undefined,
        undefined,
        total,
      );
      this.failure(fwk, q, null, reason, msg, cycle, start);
      return;
    }
    let nominatedNode: string | undefined;
    if (fwk.plugins.postFilter.length > 0) {
      this.o.metrics.preemptionAttempts.inc({});
      const r = await fwk.runPostFilterPlugins(state, q.pod, err.diagnosis.nodeToStatus);
      if (r.status) {
        if (r.status.code === Code.Error) this.log(`preemption for ${podName(q.pod)}: ${r.status.message()}`);
        else err.diagnosis.postFilterMsg = r.status.message();
      } else if (r.result?.nominatedNodeName) {
        nominatedNode = r.result.nominatedNodeName;
      }
    }
    const msg = err.message;
    this.explain(
      fwk,
      q,
      "Unschedulable",
      msg,
      undefined,
      err.diagnosis,
      [],
      undefined,
      undefined,
      total,
      nominatedNode,
    );
    this.failure(fwk, q, null, "Unschedulable", msg, cycle, start, nominatedNode);
  }

  /** A failed attempt: requeue, tell the user (event + condition), remember a nomination. */
  private failure(
    fwk: Framework,
    q: QueuedPodInfo,
    status: Status | null,
    reason: "Unschedulable" | "SchedulerError",
    message: string,
    cycle: number,
    start: number,
    nominatedNode?: string,
  ): void {
    const result = reason === "Unschedulable" ? "unschedulable" : "error";
    this.o.metrics.observeAttempt(result, fwk.profileName, (this.clock.now() - start) / 1000);
    if (status?.isRejected() && status.plugin) {
      q.unschedulablePlugins = new Set([status.plugin]);
    } else if (reason === "SchedulerError") {
      q.unschedulablePlugins = new Set();
      q.pendingPlugins = new Set();
    }
    const current = this.o.currentPod(q.pod);
    if (!current || current.spec?.nodeName || current.metadata?.uid !== q.pod.metadata?.uid) {
      // Deleted or bound by someone else meanwhile: nothing to retry.
      this.o.queue.done(q.pod);
      return;
    }
    q.pod = current;
    if (nominatedNode) {
      q.pod = { ...current, status: { ...current.status, nominatedNodeName: nominatedNode } };
      q.podInfo = { ...q.podInfo, pod: q.pod } as typeof q.podInfo;
    }
    this.o.queue.addUnschedulableIfNotPresent(q, cycle);
    this.o.recorder.event(current, "Warning", "FailedScheduling", message);
    void this.updatePodStatus(current, reason, message, nominatedNode);
  }

  /** PodScheduled=False with the reason and message, and the nomination; only when they change. */
  private async updatePodStatus(
    pod: Pod,
    reason: string,
    message: string,
    nominatedNode?: string,
  ): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    const nominationChanged = nominatedNode !== undefined && nominatedNode !== pod.status?.nominatedNodeName;
    if (
      cur &&
      cur.status === "False" &&
      cur.reason === reason &&
      cur.message === message &&
      !nominationChanged
    )
      return;
    const condition: PodCondition = {
      type: "PodScheduled",
      status: "False",
      reason,
      message,
      lastProbeTime: null as unknown as string,
      lastTransitionTime:
        cur && cur.status === "False" && cur.lastTransitionTime
          ? cur.lastTransitionTime
          : new Date(Math.floor(this.clock.now() / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    };
    try {
      await this.o.api.patchPodCondition(pod, condition);
      if (nominationChanged) await this.o.api.setNominatedNodeName(pod, nominatedNode!);
    } catch (e) {
      this.log(`updating status of ${podName(pod)}: ${(e as Error).message}`);
    }
  }
}

const podName = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
