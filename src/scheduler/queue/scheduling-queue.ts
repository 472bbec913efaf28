// The scheduling queue (upstream's internal/queue PriorityQueue):
// - activeQ: pods to try now, ordered by the profile's QueueSort (priority, then age);
// - backoffQ: pods that failed recently, until their backoff (initial × 2^(attempts-1), capped) expires;
// - unschedulable: pods no node fits; a cluster event that one of the plugins
//   that rejected them cares about moves them back, or they retry after 5 minutes.
// A pod whose scheduling attempt overlapped such an event goes to backoffQ instead
// of unschedulable (the moveRequestCycle rule), so no wake-up is lost.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { ActionType, ClusterEvent, ClusterEventResource } from "../framework/interface.ts";
import { PodInfo, podKey } from "../framework/node-info.ts";
import type { QueuedPodInfo } from "../framework/runtime.ts";
import type { Result } from "../framework/status.ts";
import { Heap } from "./heap.ts";
import { Nominator } from "./nominator.ts";

/** A change in the cluster, as the event handlers report it. */
export interface QueueEvent {
  resource: ClusterEventResource;
  action: ActionType;
  label: string;
}

export interface SchedulingQueueOptions {
  clock: Clock;
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A pod unschedulable this long is retried anyway (upstream: 5 minutes). */
  maxInUnschedulableMs?: number;
  /** PreEnqueue plugins of the pod's profile (scheduling gates). */
  preEnqueue(pod: Pod): Result;
  /** The cluster events each plugin registered. */
  pluginEvents(plugin: string): readonly ClusterEvent[] | undefined;
}

const qKey = (q: QueuedPodInfo) => podKey(q.pod);

/** Everything but status and bookkeeping: upstream retries an unschedulable pod on any other change (isPodUpdated). */
function schedulingRelevant(pod: Pod): string {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = pod.metadata ?? {};
  return JSON.stringify([meta, pod.spec]);
}

function actionMatches(registered: readonly ActionType[], action: ActionType): boolean {
  for (const a of registered) {
    if (a === "All" || a === action) return true;
    if (a === "Update" && action.startsWith("Update")) return true;
  }
  return false;
}

function resourceMatches(registered: ClusterEventResource, resource: ClusterEventResource): boolean {
  return registered === resource || (registered === "Pod" && resource === "AssignedPod");
}

export class SchedulingQueue {
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done: their attempt is in progress. */
  private readonly inFlight = new Set<string>();
  readonly nominator = new Nominator();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiters: Array<() => void> = [];
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private timers: Array<() => void> = [];

  constructor(private readonly opts: SchedulingQueueOptions) {
    this.activeQ = new Heap(qKey, opts.less);
    this.backoffQ = new Heap(qKey, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 5 * 60_000;
  }

  /** Starts the flush loops: backoffQ every second, unschedulable every 30 s. */
  run(): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        fn();
        if (!this.closed) this.timers.push(this.opts.clock.after(ms, tick));
      };
      this.timers.push(this.opts.clock.after(ms, tick));
    };
    every(1000, () => this.flushBackoffQCompleted());
    every(30_000, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    for (const w of this.waiters.splice(0)) w();
  }

  private newQueued(pod: Pod): QueuedPodInfo {
    const now = this.opts.clock.now();
    return {
      pod,
      podInfo: new PodInfo(pod),
      timestamp: now,
      initialAttemptTimestamp: undefined,
      attempts: 0,
      unschedulablePlugins: new Set(),
      pendingPlugins: new Set(),
    };
  }

  private backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.opts.clock.now();
  }

  /** Into activeQ unless a PreEnqueue plugin gates it (then it waits in unschedulable). */
  private moveToActiveQ(q: QueuedPodInfo): void {
    const s = this.opts.preEnqueue(q.pod);
    if (s) {
      q.gatingPlugin = s.plugin;
      q.unschedulablePlugins = new Set([s.plugin]);
      this.unschedulable.set(qKey(q), q);
      return;
    }
    q.gatingPlugin = undefined;
    this.unschedulable.delete(qKey(q));
    this.backoffQ.delete(qKey(q));
    this.activeQ.addOrUpdate(q);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters.shift();
    w?.();
  }

  /** A new unscheduled pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (
      this.activeQ.has(key) ||
      this.backoffQ.has(key) ||
      this.unschedulable.has(key) ||
      this.inFlight.has(key)
    ) {
      this.update(pod);
      return;
    }
    const q = this.newQueued(pod);
    this.moveToActiveQ(q);
    this.nominator.addFromPod(q.podInfo);
  }

  /** The pod object changed while pending. */
  update(pod: Pod): void {
    const key = podKey(pod);
    const refresh = (q: QueuedPodInfo) => {
      q.pod = pod;
      q.podInfo = new PodInfo(pod);
      this.nominator.addFromPod(q.podInfo);
    };
    let q = this.activeQ.get(key);
    if (q) {
      refresh(q);
      this.activeQ.addOrUpdate(q);
      return;
    }
    q = this.backoffQ.get(key);
    if (q) {
      refresh(q);
      this.backoffQ.addOrUpdate(q);
      return;
    }
    q = this.unschedulable.get(key);
    if (q) {
      const specChanged = schedulingRelevant(q.pod) !== schedulingRelevant(pod);
      refresh(q);
      if (!specChanged) return;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q);
      else this.moveToActiveQ(q);
      return;
    }
    if (this.inFlight.has(key)) {
      this.nominator.addFromPod(new PodInfo(pod));
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.nominator.delete(pod);
  }

  /** The next pod to schedule, waiting for one; undefined once closed or aborted. */
  async pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    while (this.activeQ.size === 0) {
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener("abort", done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
    if (this.closed || signal?.aborted) return undefined;
    const q = this.activeQ.pop()!;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.opts.clock.now();
    this.schedulingCycle++;
    this.inFlight.add(qKey(q));
    return q;
  }

  get cycle(): number {
    return this.schedulingCycle;
  }

  /** The attempt of a popped pod ended (bound, requeued or dropped). */
  done(pod: Pod): void {
    this.inFlight.delete(podKey(pod));
  }

  /**
   * A failed attempt: back to backoffQ if an interesting event happened
   * during it (or it failed with an error), otherwise to unschedulable.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = qKey(q);
    this.inFlight.delete(key);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.opts.clock.now();
    this.nominator.addFromPod(q.podInfo);
    const noPlugin = q.unschedulablePlugins.size === 0 && q.pendingPlugins.size === 0;
    if (noPlugin || this.moveRequestCycle >= podSchedulingCycle) this.backoffQ.addOrUpdate(q);
    else this.unschedulable.set(key, q);
  }

  /** Moves pods from backoffQ whose backoff has expired. */
  flushBackoffQCompleted(): void {
    const now = this.opts.clock.now();
    for (let q = this.backoffQ.peek(); q && this.backoffExpiry(q) <= now; q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.moveToActiveQ(q);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.opts.clock.now();
    const move: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) {
      if (!q.gatingPlugin && now - q.timestamp > this.maxInUnschedulableMs) move.push(q);
    }
    this.movePods(move);
  }

  private interested(q: QueuedPodInfo, ev: QueueEvent): boolean {
    const plugins = [...q.unschedulablePlugins, ...q.pendingPlugins];
    if (plugins.length === 0) return true;
    for (const name of plugins) {
      const events = this.opts.pluginEvents(name);
      // A plugin that does not say which events help it is woken by every event (upstream's fillEventToPluginMap).
      if (events === undefined) return true;
      for (const e of events) {
        if (resourceMatches(e.resource, ev.resource) && actionMatches(e.actions, ev.action)) return true;
      }
    }
    return false;
  }

  /** A cluster event: move the unschedulable pods it may help (filter narrows further). */
  movePodsToActiveOrBackoffQueue(ev: QueueEvent, filter?: (q: QueuedPodInfo) => boolean): void {
    this.moveRequestCycle = this.schedulingCycle;
    const move: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) {
      if (q.gatingPlugin) continue;
      if (filter && !filter(q)) continue;
      if (this.interested(q, ev)) move.push(q);
    }
    this.movePods(move);
  }

  private movePods(pods: QueuedPodInfo[]): void {
    if (pods.length > 0) this.moveRequestCycle = this.schedulingCycle;
    for (const q of pods) {
      this.unschedulable.delete(qKey(q));
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q);
      else this.moveToActiveQ(q);
    }
  }

  /** Sizes for scheduler_pending_pods. */
  pending(): { active: number; backoff: number; unschedulable: number; gated: number } {
    let gated = 0;
    for (const q of this.unschedulable.values()) if (q.gatingPlugin) gated++;
    return {
      active: this.activeQ.size,
      backoff: this.backoffQ.size,
      unschedulable: this.unschedulable.size - gated,
      gated,
    };
  }

  /** Every pod waiting (not in flight), for the explain API and tests. */
  pendingPods(): QueuedPodInfo[] {
    return [...this.activeQ.list(), ...this.backoffQ.list(), ...this.unschedulable.values()];
  }
}
