// One logical worker per pod (upstream's pkg/kubelet/pod_workers.go, v1.32).
// A worker drives its pod through three phases, one step at a time:
//
//   syncing ──(deleted, terminal phase, kill)──► terminating ──► terminated ──► finished
//   syncPod                                      syncTerminatingPod   syncTerminatedPod
//
// updatePod never blocks: it records the update as the worker's pending work
// (a newer update replaces an older one), and the worker's async loop takes
// the latest when its current step ends, so there is never more than one step
// at a time per pod. Once terminating, every later update is a kill (the grace
// period can only shrink), and a terminated pod never runs again under its uid.
// Retries and the periodic resync go through one PodWorkQueue (one timer for
// all pods); a step that needs to come back sooner (CrashLoopBackOff) says so.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { KillPodOptions, RuntimePodStatus, SyncPodType } from "../types.ts";
import { buildPodFullName, formatPodRef } from "./format.ts";
import { errorMessage, isStaticPod } from "./helpers.ts";
import type { RunningPod } from "./running-pod.ts";
import { PodWorkQueue } from "./work-queue.ts";

export type PodWorkType = "sync" | "terminating" | "terminated";

export interface UpdatePodOptions {
  type: SyncPodType;
  /** The pod; absent only for a kill of a runtime-only pod (runningPod). */
  pod?: Pod;
  mirrorPod?: Pod;
  /** A pod the runtime runs that no config source knows (an orphan): it can only be killed. */
  runningPod?: RunningPod;
  killOptions?: KillPodOptions;
  /** Called once the pod has stopped (terminating done), or at once when it is not being terminated. */
  onKilled?: () => void;
}

export interface SyncPodOutcome {
  /** The pod reached a terminal phase (Succeeded/Failed): move to terminating. */
  isTerminal?: boolean;
  /** Come back no later than this (e.g. when a CrashLoopBackOff ends). */
  requeueAfterMs?: number;
}

/** The kubelet's three sync functions (upstream's podSyncer). The signal aborts when a kill supersedes the step. */
export interface PodSyncer {
  syncPod(
    type: SyncPodType,
    pod: Pod,
    mirrorPod: Pod | undefined,
    podStatus: RuntimePodStatus,
    signal: AbortSignal,
  ): Promise<SyncPodOutcome | undefined>;
  /**
   * Stops every container. gracePeriodSeconds is the effective grace period (at least 1), or undefined
   * when the pod's own applies; statusOverride is the last status a kill asked for (eviction, rejection).
   */
  syncTerminatingPod(
    pod: Pod,
    podStatus: RuntimePodStatus,
    gracePeriodSeconds: number | undefined,
    statusOverride: KillPodOptions["status"],
    signal: AbortSignal,
  ): Promise<void>;
  /** Kills a runtime-only pod (an orphan found after a restart). */
  syncTerminatingRuntimePod(runningPod: RunningPod, signal: AbortSignal): Promise<void>;
  /** Final status and cleanup once nothing runs. */
  syncTerminatedPod(pod: Pod, podStatus: RuntimePodStatus, signal: AbortSignal): Promise<void>;
}

export interface PodWorkersOptions {
  clock: Clock;
  syncer: PodSyncer;
  /** What the runtime has for the pod, read before every step (the runtime manager's getPodStatus). */
  getPodStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus>;
  /** Periodic resync of a healthy pod; upstream's syncFrequency, default 1 min (+ up to 50 % jitter). */
  resyncIntervalMs?: number;
  /** Retry after a failed step; upstream's backOffPeriod, default 10 s (+ up to 50 % jitter). */
  backOffPeriodMs?: number;
  /** Due work is handed out at most once per tick (the sync loop's 1 s ticker). */
  tickMs?: number;
  random?: () => number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface PodWorkerState {
  uid: string;
  state: PodWorkType;
  /** The latest pod the worker was given (undefined for a runtime-only pod). */
  pod?: Pod;
  /** Neither config knows the pod any more (set by syncKnownPods). */
  orphan: boolean;
  static: boolean;
  finished: boolean;
}

const RESYNC_JITTER = 0.5;
const BACKOFF_JITTER = 0.5;
/** backOffOnTransientErrorPeriod: a network that is not ready yet is retried sooner. */
const TRANSIENT_BACKOFF_MS = 1000;
const NETWORK_NOT_READY = "network is not ready";

interface PodSyncStatus {
  fullname: string;
  syncedAt: number;
  startedAt?: number;
  terminatingAt?: number;
  startedTerminating: boolean;
  /** Deleted from the API (or orphaned): its content may be removed once terminated. */
  deleted: boolean;
  /** The effective grace period once terminating; 0 until then. */
  gracePeriod: number;
  notifyPostTerminating: Array<() => void>;
  statusPostTerminating: Array<KillPodOptions["status"]>;
  terminatedAt?: number;
  finished: boolean;
  restartRequested: boolean;
  observedRuntime: boolean;
  orphan: boolean;
  /** An update is pending or being worked on. */
  working: boolean;
  loopRunning: boolean;
  pendingUpdate?: UpdatePodOptions;
  activeUpdate?: UpdatePodOptions;
  abort?: AbortController;
}

function workTypeOf(s: PodSyncStatus): PodWorkType {
  if (s.terminatedAt !== undefined) return "terminated";
  if (s.terminatingAt !== undefined) return "terminating";
  return "sync";
}

function podFromRunningPod(p: RunningPod): Pod {
  return { metadata: { uid: p.uid, name: p.name, namespace: p.namespace } };
}

export class PodWorkers {
  private readonly statuses = new Map<string, PodSyncStatus>();
  private readonly queue: PodWorkQueue;
  private readonly clock: Clock;
  private readonly syncer: PodSyncer;
  private readonly resyncIntervalMs: number;
  private readonly backOffPeriodMs: number;
  private readonly random: () => number;
  private readonly log: NonNullable<PodWorkersOptions["log"]>;
  /** Static pods waiting for an older pod of the same full name to stop, in arrival order. */
  private readonly waitingToStartStaticPods = new Map<string, string[]>();
  private readonly startedStaticPods = new Map<string, string>();
  private readonly loops = new Set<Promise<void>>();
  /** syncKnownPods was called: pods not known by now never will be. */
  private podsSynced = false;
  private stopped = false;

  constructor(private readonly opts: PodWorkersOptions) {
    this.clock = opts.clock;
    this.syncer = opts.syncer;
    this.resyncIntervalMs = opts.resyncIntervalMs ?? 60_000;
    this.backOffPeriodMs = opts.backOffPeriodMs ?? 10_000;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? (() => {});
    this.queue = new PodWorkQueue({
      clock: opts.clock,
      tickMs: opts.tickMs,
      onReady: (uids) => this.resync(uids),
    });
  }

  /** UpdatePod: hands the worker of the pod its next piece of work; never blocks. */
  updatePod(options: UpdatePodOptions): void {
    if (this.stopped) return;
    let opts = options;
    let isRuntimePod = false;
    let uid: string;
    let name: string;
    let namespace: string;
    if (opts.runningPod && !opts.pod) {
      if (opts.type !== "kill") {
        this.log("pod update is ignored, runtime pods can only be killed", { podUID: opts.runningPod.uid });
        return;
      }
      ({ uid, name, namespace } = opts.runningPod);
      isRuntimePod = true;
    } else if (opts.pod) {
      const p = opts.pod;
      if (opts.runningPod) opts = { ...opts, runningPod: undefined };
      uid = p.metadata?.uid ?? "";
      name = p.metadata?.name ?? "";
      namespace = p.metadata?.namespace ?? "";
    } else {
      return;
    }

    const now = this.clock.now();
    let status = this.statuses.get(uid);
    const firstTime = status === undefined;
    if (!status) {
      status = {
        fullname: buildPodFullName(name, namespace),
        syncedAt: now,
        startedTerminating: false,
        deleted: false,
        gracePeriod: 0,
        notifyPostTerminating: [],
        statusPostTerminating: [],
        finished: false,
        restartRequested: false,
        observedRuntime: false,
        orphan: false,
        working: false,
        loopRunning: false,
      };
      this.statuses.set(uid, status);
    }

    // A runtime pod carries no spec: use the latest real pod we were given, if any.
    let pod: Pod;
    if (isRuntimePod) {
      status.observedRuntime = true;
      const known = status.pendingUpdate?.pod ?? status.activeUpdate?.pod;
      if (known) {
        opts = { ...opts, pod: known, runningPod: undefined };
        pod = known;
      } else {
        pod = podFromRunningPod(opts.runningPod!);
      }
    } else {
      pod = opts.pod!;
    }

    // A create for a uid being torn down: the same uid came back (a static pod); restart once it is gone.
    if (!firstTime && status.terminatingAt !== undefined && opts.type === "create") {
      status.restartRequested = true;
      this.log("pod is terminating but has been requested to restart with same UID", { podUID: uid });
      return;
    }
    // A terminated uid never runs again.
    if (status.finished) return;

    let becameTerminating = false;
    if (status.terminatingAt === undefined) {
      const phase = pod.status?.phase;
      if (isRuntimePod || pod.metadata?.deletionTimestamp) {
        status.deleted = true;
        becameTerminating = true;
      } else if (phase === "Failed" || phase === "Succeeded" || opts.type === "kill") {
        becameTerminating = true;
      }
      if (becameTerminating) status.terminatingAt = now;
    }

    // Once terminating, every update is a kill and the grace period can only shrink.
    let gracePeriodShortened = false;
    let killOptions: KillPodOptions | undefined;
    if (status.terminatedAt !== undefined) {
      // An old runtime pod seen again while cleanup finishes: ignore it.
      if (isRuntimePod) return;
      opts.onKilled?.();
    } else if (status.terminatingAt !== undefined) {
      if (opts.onKilled) status.notifyPostTerminating.push(opts.onKilled);
      if (opts.killOptions?.status) status.statusPostTerminating.push(opts.killOptions.status);
      const grace = effectiveGracePeriod(status.gracePeriod, pod, opts.killOptions);
      gracePeriodShortened = status.gracePeriod !== 0 && status.gracePeriod !== grace;
      status.gracePeriod = grace;
      killOptions = { ...opts.killOptions, gracePeriodSeconds: grace };
    } else {
      // Kill options mean nothing outside of termination.
      opts.onKilled?.();
    }

    if (firstTime && !isRuntimePod && isStaticPod(pod)) {
      // Static pods with the same full name start in the order they arrived.
      const waiting = this.waitingToStartStaticPods.get(status.fullname) ?? [];
      waiting.push(uid);
      this.waitingToStartStaticPods.set(status.fullname, waiting);
    }

    status.pendingUpdate = { ...opts, killOptions, onKilled: undefined };
    status.working = true;
    // A step in flight that a kill supersedes (or whose grace period shrank) is told to stop;
    // before the loop starts, so the next step gets a fresh signal.
    if ((becameTerminating || gracePeriodShortened) && status.abort && !status.abort.signal.aborted) {
      this.log("cancelling current pod sync", { podUID: uid });
      status.abort.abort();
    }
    if (!status.loopRunning) this.startLoop(uid, status);
  }

  /** IsPodKnownTerminated: the worker stopped every container of the pod. */
  isPodTerminated(uid: string): boolean {
    return this.statuses.get(uid)?.terminatedAt !== undefined;
  }

  /** IsPodTerminationRequested: the pod is being (or has been) torn down. */
  isPodTerminationRequested(uid: string): boolean {
    return this.statuses.get(uid)?.terminatingAt !== undefined;
  }

  /** CouldHaveRunningContainers: false once terminated, or for unknown pods after syncKnownPods. */
  couldHaveRunningContainers(uid: string): boolean {
    const s = this.statuses.get(uid);
    if (s) return s.terminatedAt === undefined;
    return !this.podsSynced;
  }

  /** ShouldPodRuntimeBeRemoved: the runtime's containers and sandboxes may go. */
  shouldPodRuntimeBeRemoved(uid: string): boolean {
    const s = this.statuses.get(uid);
    if (s) return s.terminatedAt !== undefined;
    return this.podsSynced;
  }

  /** ShouldPodContentBeRemoved: the pod was deleted and has terminated, so volumes and dirs may go too. */
  shouldPodContentBeRemoved(uid: string): boolean {
    const s = this.statuses.get(uid);
    if (s) return s.deleted && s.terminatedAt !== undefined;
    return this.podsSynced;
  }

  /** The pods that have a worker. */
  knownPods(): PodWorkerState[] {
    return [...this.statuses].map(([uid, s]) => this.workerState(uid, s));
  }

  /**
   * SyncKnownPods: forgets finished workers of pods no longer desired (or
   * whose uid was created again), and marks the others orphans. Returns the
   * workers left; a desired pod missing from it may be started again.
   */
  syncKnownPods(desiredUids: Iterable<string>): Map<string, PodWorkerState> {
    const desired = new Set(desiredUids);
    this.podsSynced = true;
    const out = new Map<string, PodWorkerState>();
    for (const [uid, s] of this.statuses) {
      const orphan = !desired.has(uid);
      s.orphan = orphan;
      if ((s.restartRequested || orphan) && this.removeTerminatedWorker(uid, s, orphan)) continue;
      out.set(uid, this.workerState(uid, s));
    }
    return out;
  }

  /** Resolves once no worker has work in flight (for tests and shutdown). */
  async waitForIdle(): Promise<void> {
    while (this.loops.size > 0) await Promise.all([...this.loops]);
  }

  /** Stops the resync timer and asks running steps to stop; waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    for (const s of this.statuses.values()) s.abort?.abort();
    await this.waitForIdle();
  }

  /** When the pod's worker is next due for a resync or retry (for tests and debugging). */
  nextSyncAt(uid: string): number | undefined {
    return this.queue.dueAt(uid);
  }

  private workerState(uid: string, s: PodSyncStatus): PodWorkerState {
    const pod = s.activeUpdate?.pod ?? s.pendingUpdate?.pod;
    return {
      uid,
      state: workTypeOf(s),
      pod,
      orphan: s.orphan,
      static: pod ? isStaticPod(pod) : false,
      finished: s.finished,
    };
  }

  private removeTerminatedWorker(uid: string, s: PodSyncStatus, orphan: boolean): boolean {
    if (!s.finished) {
      // Not done yet: a pod no config knows is deleted; its worker finishes tearing it down.
      if (orphan) s.deleted = true;
      return false;
    }
    this.statuses.delete(uid);
    this.queue.remove(uid);
    if (this.startedStaticPods.get(s.fullname) === uid) this.startedStaticPods.delete(s.fullname);
    return true;
  }

  /** The periodic resync and retries: the worker's latest pod, synced again. */
  private resync(uids: string[]): void {
    for (const uid of uids) {
      const s = this.statuses.get(uid);
      if (!s || s.finished) continue;
      const last = s.pendingUpdate ?? s.activeUpdate;
      if (last?.pod) this.updatePod({ type: "sync", pod: last.pod, mirrorPod: last.mirrorPod });
      else if (last?.runningPod) this.updatePod({ type: "kill", runningPod: last.runningPod });
    }
  }

  private startLoop(uid: string, status: PodSyncStatus): void {
    status.loopRunning = true;
    const loop = this.podWorkerLoop(uid).finally(() => {
      this.loops.delete(loop);
    });
    this.loops.add(loop);
  }

  private async podWorkerLoop(uid: string): Promise<void> {
    for (;;) {
      const work = this.startPodSync(uid);
      if (!work) return;
      const { update, workType, signal } = work;
      let err: unknown;
      let outcome: SyncPodOutcome | undefined;
      try {
        let podStatus: RuntimePodStatus | undefined;
        if (!update.runningPod) {
          const m = update.pod!.metadata ?? {};
          podStatus = await this.opts.getPodStatus(m.uid ?? "", m.name ?? "", m.namespace ?? "");
        }
        switch (workType) {
          case "terminated":
            await this.syncer.syncTerminatedPod(update.pod!, podStatus!, signal);
            break;
          case "terminating": {
            const statusOverride = this.acknowledgeTerminating(uid);
            if (update.runningPod) await this.syncer.syncTerminatingRuntimePod(update.runningPod, signal);
            else {
              await this.syncer.syncTerminatingPod(
                update.pod!,
                podStatus!,
                update.killOptions?.gracePeriodSeconds,
                statusOverride,
                signal,
              );
            }
            break;
          }
          case "sync":
            outcome =
              (await this.syncer.syncPod(update.type, update.pod!, update.mirrorPod, podStatus!, signal)) ??
              undefined;
            break;
        }
      } catch (e) {
        err = e;
      }

      const ref = update.pod
        ? formatPodRef(update.pod.metadata?.name ?? "", update.pod.metadata?.namespace ?? "", uid)
        : uid;
      let phaseTransition = false;
      if (err !== undefined) {
        // A cancelled step expects a newer update to be queued already.
        if (signal.aborted) this.log("sync exited with context cancellation", { pod: ref });
        else this.log("error syncing pod, skipping", { pod: ref, error: errorMessage(err) });
      } else if (workType === "terminated") {
        this.completeTerminated(uid);
        return;
      } else if (workType === "terminating") {
        if (update.runningPod) {
          this.completeTerminatingRuntimePod(uid);
          return;
        }
        this.completeTerminating(uid);
        phaseTransition = true;
      } else if (outcome?.isTerminal) {
        this.completeSync(uid);
        phaseTransition = true;
      }
      if (this.completeWork(uid, phaseTransition, err, outcome?.requeueAfterMs)) return;
    }
  }

  /** startPodSync: takes the pending update, or says why the worker stops here. */
  private startPodSync(
    uid: string,
  ): { update: UpdatePodOptions; workType: PodWorkType; signal: AbortSignal } | undefined {
    const s = this.statuses.get(uid);
    if (!s) return undefined;
    const stop = () => {
      s.working = false;
      s.loopRunning = false;
      return undefined;
    };
    if (this.stopped || !s.pendingUpdate) return stop();
    const update = s.pendingUpdate;
    const workType = workTypeOf(s);
    s.pendingUpdate = undefined;
    if (!s.abort || s.abort.signal.aborted) s.abort = new AbortController();
    const signal = s.abort.signal;

    if (s.startedAt !== undefined || (update.runningPod && workType === "terminating")) {
      mergeLastUpdate(s, update);
      return { update, workType, signal };
    }
    if (!update.pod) return stop();
    const { canStart, canEverStart } = this.allowPodStart(uid, update.pod, s);
    if (!canEverStart) {
      this.cleanupUnstartedPod(uid, s);
      return stop();
    }
    if (!canStart) {
      // Wait for the older static pod of the same name; the requeue brings this update back.
      s.pendingUpdate = update;
      return stop();
    }
    s.startedAt = this.clock.now();
    mergeLastUpdate(s, update);
    return { update, workType, signal };
  }

  private allowPodStart(
    uid: string,
    pod: Pod,
    s: PodSyncStatus,
  ): { canStart: boolean; canEverStart: boolean } {
    if (!isStaticPod(pod)) return { canStart: true, canEverStart: true };
    if (s.terminatingAt !== undefined) return { canStart: false, canEverStart: false };
    if (!this.allowStaticPodStart(s.fullname, uid)) {
      this.queue.enqueue(uid, this.jitter(this.backOffPeriodMs, BACKOFF_JITTER));
      return { canStart: false, canEverStart: true };
    }
    return { canStart: true, canEverStart: true };
  }

  /** allowStaticPodStart: only one pod of a static full name runs at a time, the oldest waiting first. */
  private allowStaticPodStart(fullname: string, uid: string): boolean {
    const started = this.startedStaticPods.get(fullname);
    if (started !== undefined) return started === uid;
    let waiting = this.waitingToStartStaticPods.get(fullname) ?? [];
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i];
      const ws = this.statuses.get(w);
      if (!ws || ws.terminatingAt !== undefined || ws.terminatedAt !== undefined) continue;
      if (w !== uid) {
        this.waitingToStartStaticPods.set(fullname, waiting.slice(i));
        return false;
      }
      waiting = waiting.slice(i + 1);
      break;
    }
    if (waiting.length > 0) this.waitingToStartStaticPods.set(fullname, waiting);
    else this.waitingToStartStaticPods.delete(fullname);
    this.startedStaticPods.set(fullname, uid);
    return true;
  }

  /** cleanupUnstartedPod: a pod torn down before it ever started is finished at once. */
  private cleanupUnstartedPod(uid: string, s: PodSyncStatus): void {
    const now = this.clock.now();
    s.terminatingAt ??= now;
    s.terminatedAt ??= now;
    s.finished = true;
    s.working = false;
    this.notifyTerminated(s);
    if (this.startedStaticPods.get(s.fullname) === uid) this.startedStaticPods.delete(s.fullname);
  }

  /** acknowledgeTerminating: the status a kill asked for, if any (the latest wins). */
  private acknowledgeTerminating(uid: string): KillPodOptions["status"] {
    const s = this.statuses.get(uid);
    if (!s) return undefined;
    if (s.terminatingAt !== undefined) s.startedTerminating = true;
    return s.statusPostTerminating.at(-1);
  }

  /** completeSync: syncPod found the pod terminal; tear it down next. */
  private completeSync(uid: string): void {
    const s = this.statuses.get(uid);
    if (!s) return;
    s.terminatingAt ??= this.clock.now();
    s.startedTerminating = true;
    requeueLastPodUpdate(s);
  }

  /** completeTerminating: every container stopped; syncTerminatedPod comes next. */
  private completeTerminating(uid: string): void {
    const s = this.statuses.get(uid);
    if (!s) return;
    s.terminatedAt = this.clock.now();
    this.notifyTerminated(s);
    requeueLastPodUpdate(s);
  }

  /** An orphan is transient: once its containers are stopped, forget it. */
  private completeTerminatingRuntimePod(uid: string): void {
    const s = this.statuses.get(uid);
    if (!s) return;
    s.terminatedAt = this.clock.now();
    s.finished = true;
    s.working = false;
    s.loopRunning = false;
    this.notifyTerminated(s);
    if (this.startedStaticPods.get(s.fullname) === uid) this.startedStaticPods.delete(s.fullname);
    this.statuses.delete(uid);
    this.queue.remove(uid);
  }

  /** completeTerminated: the worker is done for good. */
  private completeTerminated(uid: string): void {
    const s = this.statuses.get(uid);
    if (!s) return;
    s.finished = true;
    s.working = false;
    s.loopRunning = false;
    s.pendingUpdate = undefined;
    this.queue.remove(uid);
    if (this.startedStaticPods.get(s.fullname) === uid) this.startedStaticPods.delete(s.fullname);
  }

  private notifyTerminated(s: PodSyncStatus): void {
    const callbacks = s.notifyPostTerminating;
    s.notifyPostTerminating = [];
    s.statusPostTerminating = [];
    for (const cb of callbacks) cb();
  }

  /**
   * completeWork: schedules the next sync (at once after a phase change,
   * the resync interval after success, the backoff period after an error),
   * then says whether the loop ends (no pending update).
   */
  private completeWork(
    uid: string,
    phaseTransition: boolean,
    err: unknown,
    requeueAfterMs?: number,
  ): boolean {
    if (phaseTransition) {
      this.queue.enqueue(uid, 0);
    } else if (err === undefined) {
      let delay = this.jitter(this.resyncIntervalMs, RESYNC_JITTER);
      if (requeueAfterMs !== undefined) delay = Math.min(delay, requeueAfterMs);
      this.queue.enqueue(uid, delay);
    } else if (errorMessage(err).includes(NETWORK_NOT_READY)) {
      this.queue.enqueue(uid, this.jitter(TRANSIENT_BACKOFF_MS, BACKOFF_JITTER));
    } else {
      this.queue.enqueue(uid, this.jitter(this.backOffPeriodMs, BACKOFF_JITTER));
    }
    const s = this.statuses.get(uid);
    if (!s) return true;
    if (s.pendingUpdate && !this.stopped) return false;
    s.working = false;
    s.loopRunning = false;
    return true;
  }

  /** wait.Jitter: d plus up to factor × d. */
  private jitter(d: number, factor: number): number {
    return d + this.random() * factor * d;
  }
}

/** mergeLastUpdate: remembers the latest real pod (a runtime pod never replaces it) for replay. */
function mergeLastUpdate(s: PodSyncStatus, other: UpdatePodOptions): void {
  const prev = s.activeUpdate;
  s.activeUpdate = {
    type: other.type,
    pod: !prev?.pod || !other.runningPod ? other.pod : prev.pod,
    runningPod: other.runningPod,
    mirrorPod: other.mirrorPod ?? prev?.mirrorPod,
  };
}

/** requeueLastPodUpdate: replays the last update so the next phase starts without waiting for one. */
function requeueLastPodUpdate(s: PodSyncStatus): void {
  if (s.pendingUpdate || !s.activeUpdate) return;
  s.pendingUpdate = { ...s.activeUpdate };
  s.working = true;
}

/**
 * calculateEffectiveGracePeriod: the smallest of the recorded one, the API's
 * deletionGracePeriodSeconds and the kill's override; else the pod's
 * terminationGracePeriodSeconds; never below 1.
 */
export function effectiveGracePeriod(current: number, pod: Pod, killOptions?: KillPodOptions): number {
  let grace = current;
  const deletion = pod.metadata?.deletionGracePeriodSeconds;
  if (deletion !== undefined && deletion !== null && (grace === 0 || deletion < grace)) grace = deletion;
  const override = killOptions?.gracePeriodSeconds;
  if (override !== undefined && (grace === 0 || override < grace)) grace = override;
  const spec = pod.spec?.terminationGracePeriodSeconds;
  if (grace === 0 && spec !== undefined && spec !== null) grace = spec;
  return Math.max(grace, 1);
}
