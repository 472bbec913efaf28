// The probe manager (pkg/kubelet/prober/prober_manager.go): a worker record per
// container and probe type (startup, readiness, liveness), all scheduled on one
// TimerQueue — one timer per kubelet, never one per probe. Results are read by
// the status generator (ProbeResults); a failed liveness or startup probe calls
// onLivenessFailure so that the pod worker restarts the container.
//
// With fakeProbes (the fake runtime), a probe succeeds without running; once a
// readiness or startup probe has succeeded the worker parks, off the queue,
// until the runtime reports its container stopped; liveness needs no worker.
import type { Container, ContainerStatus, Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { RuntimeService } from "../runtime/interface.ts";
import type { ProbeResults } from "../types.ts";
import { Prober, type ProbeType, probeSpecOf } from "./prober.ts";
import { TimerQueue } from "./timer-queue.ts";
import { type ProbeResultValue, Worker, type WorkerHost } from "./worker.ts";

export interface ProbeManagerOptions {
  clock: Clock;
  /** execSync for exec probes; container stop events (if the runtime pushes them) wake parked workers. */
  runtime: Pick<RuntimeService, "execSync"> & Partial<Pick<RuntimeService, "onContainerEvent">>;
  /** The status manager: workers read each container's ID, state and start time from the pod's latest status. */
  statusProvider: { getPodStatus(uid: string): PodStatus | undefined };
  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string): void;
  /** A liveness (or startup) probe failed failureThreshold times: restart the container. */
  onLivenessFailure(pod: Pod, container: Container, probe: "liveness" | "startup"): void;
  /**
   * A readiness or startup result changed for the container with this ID: the pod's status
   * is out of date (upstream's results update channel → SetContainerReadiness/Startup and a sync).
   */
  onResultChange?(
    pod: Pod,
    container: Container,
    probe: "readiness" | "startup",
    success: boolean,
    containerId: string,
  ): void;
  /** Hollow nodes: probes succeed without running. */
  fakeProbes?: boolean;
  /** [0,1) for the start-up jitter. */
  random?: () => number;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

const probeTypes: ProbeType[] = ["startup", "readiness", "liveness"];

/** "containerd://abc" → "abc", as the runtime names containers. */
function rawId(id: string | undefined): string | undefined {
  return id?.replace(/^[^:]*:\/\//, "") || undefined;
}

export class ProbeManager implements ProbeResults, WorkerHost {
  readonly clock: Clock;
  readonly prober: Prober;
  private readonly opts: ProbeManagerOptions;
  /** pod UID → "<type>/<container>" → worker */
  private readonly workers = new Map<string, Map<string, Worker>>();
  /** Raw container ID → the workers probing it, for runtime events. */
  private readonly byContainer = new Map<string, Set<Worker>>();
  private readonly queue: TimerQueue<Worker>;
  private readonly startedAt: number;
  private readonly unsubscribe?: () => void;

  constructor(opts: ProbeManagerOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.startedAt = opts.clock.now();
    this.prober = new Prober({
      runtime: opts.runtime,
      clock: opts.clock,
      event: opts.event,
      fake: opts.fakeProbes,
    });
    this.queue = new TimerQueue(opts.clock, (w) => void this.run(w));
    this.unsubscribe = opts.runtime.onContainerEvent?.((e) => {
      if (e.type !== "CONTAINER_STOPPED_EVENT" && e.type !== "CONTAINER_DELETED_EVENT") return;
      // The container a worker probes has gone: look again now rather than a period later.
      for (const w of this.byContainer.get(e.containerId) ?? []) this.trigger(w);
    });
  }

  /** Probe workers in total (tests, metrics). */
  get workerCount(): number {
    let n = 0;
    for (const m of this.workers.values()) n += m.size;
    return n;
  }

  /** Workers on the timer queue; parked ones are not. */
  get scheduledCount(): number {
    return this.queue.size;
  }

  /**
   * Starts workers for the probes of the pod's containers and sidecars (AddPod).
   * Calling it again for the same pod only refreshes the pod the workers see.
   */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    let forPod = this.workers.get(uid);
    const containers = [
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
      ...(pod.spec?.containers ?? []),
    ];
    for (const c of containers) {
      for (const type of probeTypes) {
        const spec = probeSpecOf(c, type);
        // A fake liveness probe never fails: nothing to run.
        if (!spec || (type === "liveness" && this.opts.fakeProbes)) continue;
        const key = `${type}/${c.name}`;
        const existing = forPod?.get(key);
        if (existing) {
          existing.pod = pod;
          continue;
        }
        if (!forPod) {
          forPod = new Map();
          this.workers.set(uid, forPod);
        }
        const w = new Worker(this, pod, c, type, spec);
        forPod.set(key, w);
        // Right after a kubelet (re)start, spread the first runs over a period.
        const period = w.timing.periodSeconds * 1000;
        const now = this.clock.now();
        const jitter =
          now - this.startedAt < period ? Math.floor((this.opts.random ?? Math.random)() * period) : 0;
        w.origin = now + jitter;
        this.queue.schedule(w, w.origin);
      }
    }
  }

  /** Stops every worker of the pod (RemovePod). */
  removePod(pod: Pod | string): void {
    const uid = typeof pod === "string" ? pod : (pod.metadata?.uid ?? "");
    for (const w of this.workers.get(uid)?.values() ?? []) this.stopWorker(w);
    this.workers.delete(uid);
  }

  /** A pod starts terminating: its liveness and startup probes stop (StopLivenessAndStartup). */
  stopLivenessAndStartup(pod: Pod): void {
    const forPod = this.workers.get(pod.metadata?.uid ?? "");
    if (!forPod) return;
    for (const [key, w] of forPod) {
      if (w.type === "readiness") continue;
      this.stopWorker(w);
      forPod.delete(key);
    }
  }

  /** Stops the workers of pods not in desired (CleanupPods). */
  cleanupPods(desired: ReadonlySet<string>): void {
    for (const uid of [...this.workers.keys()]) if (!desired.has(uid)) this.removePod(uid);
  }

  stop(): void {
    for (const uid of [...this.workers.keys()]) this.removePod(uid);
    this.queue.clear();
    this.unsubscribe?.();
  }

  /**
   * Readiness for the status generator: undefined without a readiness probe (the
   * container counts as ready), else whether it has succeeded for the current
   * container. A probe that has not succeeded is asked to run now, as upstream's
   * UpdatePodStatus triggers it.
   */
  ready(podUid: string, containerName: string): boolean | undefined {
    const w = this.workers.get(podUid)?.get(`readiness/${containerName}`);
    if (!w) return undefined;
    if (w.result === "success") return true;
    this.trigger(w);
    return false;
  }

  /** Startup for the status generator: undefined without a startup probe. */
  started(podUid: string, containerName: string): boolean | undefined {
    const w = this.workers.get(podUid)?.get(`startup/${containerName}`);
    if (!w) return undefined;
    return w.result === "success";
  }

  /**
   * The liveness result for a container by its runtime ID (upstream's livenessManager.Get),
   * as the runtime manager's computePodActions reads it: "Failure" once the threshold was reached.
   */
  liveness(containerId: string): "Success" | "Failure" | "Unknown" | undefined {
    return this.resultFor(containerId, "liveness");
  }

  /** The startup result for a container by its runtime ID (startupManager.Get). */
  startup(containerId: string): "Success" | "Failure" | "Unknown" | undefined {
    return this.resultFor(containerId, "startup");
  }

  private resultFor(containerId: string, type: ProbeType): "Success" | "Failure" | "Unknown" | undefined {
    for (const w of this.byContainer.get(rawId(containerId) ?? "") ?? []) {
      if (w.type !== type || w.result === undefined) continue;
      return w.result === "success" ? "Success" : w.result === "failure" ? "Failure" : "Unknown";
    }
    return undefined;
  }

  // WorkerHost

  getPodStatus(uid: string): PodStatus | undefined {
    return this.opts.statusProvider.getPodStatus(uid);
  }

  isStarted(pod: Pod, c: ContainerStatus): boolean {
    if (!c.state?.running) return false;
    const startup = this.workers.get(pod.metadata?.uid ?? "")?.get(`startup/${c.name}`);
    if (!startup) return true;
    return startup.result === "success" && startup.containerId === c.containerID;
  }

  resultChanged(w: Worker, previous: ProbeResultValue | undefined): void {
    if (w.type === "liveness") return;
    // A new container's initial value after none is no news.
    if (previous === undefined && w.result !== "success") return;
    this.opts.onResultChange?.(w.pod, w.container, w.type, w.result === "success", w.containerId ?? "");
  }

  probeFailed(w: Worker): void {
    if (w.type === "readiness") return;
    this.opts.log?.("Probe failed, container will be restarted", {
      pod: `${w.pod.metadata?.namespace}/${w.pod.metadata?.name}`,
      container: w.container.name,
      probe: w.type,
    });
    this.opts.onLivenessFailure(w.pod, w.container, w.type);
  }

  /** Indexes the worker under its new container's raw ID, for runtime events. */
  containerChanged(w: Worker, previousId: string | undefined): void {
    this.untrack(w, previousId);
    const raw = rawId(w.containerId);
    if (!raw || w.stopped) return;
    let set = this.byContainer.get(raw);
    if (!set) {
      set = new Set();
      this.byContainer.set(raw, set);
    }
    set.add(w);
  }

  private untrack(w: Worker, containerId: string | undefined): void {
    const raw = rawId(containerId);
    if (!raw) return;
    const set = this.byContainer.get(raw);
    set?.delete(w);
    if (set?.size === 0) this.byContainer.delete(raw);
  }

  private stopWorker(w: Worker): void {
    w.stopped = true;
    this.queue.cancel(w);
    this.untrack(w, w.containerId);
  }

  /** Runs the worker as soon as possible (upstream's manualTriggerCh). */
  private trigger(w: Worker): void {
    if (w.stopped) return;
    if (w.running) {
      w.triggered = true;
      return;
    }
    const now = this.clock.now();
    const due = this.queue.dueAt(w);
    if (due === undefined || due > now) this.queue.schedule(w, now);
  }

  private async run(w: Worker): Promise<void> {
    if (w.stopped || w.running) return;
    w.running = true;
    w.lastStart = this.clock.now();
    let keepGoing = true;
    try {
      keepGoing = await w.doProbe();
    } catch (err) {
      // A bug in one probe must not stop the others (upstream's HandleCrash).
      this.opts.log?.("Probe worker crashed", { err: String(err), container: w.container.name });
    } finally {
      w.running = false;
    }
    if (w.stopped) return;
    if (!keepGoing) {
      this.stopWorker(w);
      const forPod = this.workers.get(w.pod.metadata?.uid ?? "");
      forPod?.delete(`${w.type}/${w.container.name}`);
      if (forPod?.size === 0) this.workers.delete(w.pod.metadata?.uid ?? "");
      return;
    }
    const now = this.clock.now();
    if (w.triggered) {
      w.triggered = false;
      this.queue.schedule(w, now);
      return;
    }
    // A fake probe that has succeeded will not change: park until the container goes.
    if (this.opts.fakeProbes && w.result === "success") return;
    // Ticker semantics: the next tick after the run started (manual runs do not move ticks),
    // at once if the run took past it.
    const period = w.timing.periodSeconds * 1000;
    const next = w.origin + period * (Math.floor((w.lastStart - w.origin) / period) + 1);
    this.queue.schedule(w, Math.max(now, next));
  }
}
