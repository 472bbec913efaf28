// The state of one probe of one container (pkg/kubelet/prober/worker.go) and
// its doProbe step. A worker holds no timer: the probe manager's TimerQueue
// calls it when due.
import type { Container, ContainerStatus, Pod, PodStatus, Probe } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { Prober, ProbeType } from "./prober.ts";

/** The results-manager value: unknown is a startup probe's value before any run. */
export type ProbeResultValue = "success" | "failure" | "unknown";

/** Probe defaults (SetDefaults_Probe), for pods that were not defaulted by an apiserver (static pods). */
export interface ProbeTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(p: Probe): ProbeTiming {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds || 10,
    timeoutSeconds: p.timeoutSeconds || 1,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

export interface WorkerHost {
  readonly clock: Clock;
  readonly prober: Prober;
  getPodStatus(uid: string): PodStatus | undefined;
  /** Whether the container has started: running, and its startup probe (if any) succeeded for this container. */
  isStarted(pod: Pod, c: ContainerStatus): boolean;
  /** The worker now probes another container (a restart). */
  containerChanged(w: Worker, previousId: string | undefined): void;
  /** The results value changed (upstream's results manager update). */
  resultChanged(w: Worker, previous: ProbeResultValue | undefined): void;
  /** A liveness or startup probe failed failureThreshold times: the container must restart. */
  probeFailed(w: Worker): void;
}

export class Worker {
  readonly timing: ProbeTiming;
  /** What the results manager holds for the current container; undefined before a container was seen. */
  result?: ProbeResultValue;
  /** The container the result is for: "<runtime>://<id>". */
  containerId?: string;
  lastResult?: "success" | "failure";
  resultRun = 0;
  /** After a liveness/startup failure: no probing until a new container appears. */
  onHold = false;
  stopped = false;
  /** A run is in flight. */
  running = false;
  /** Asked to run again as soon as the run in flight ends. */
  triggered = false;
  lastStart = 0;
  /** When the worker's ticker started: ticks fall on origin + k·period. */
  origin = 0;

  constructor(
    private readonly host: WorkerHost,
    public pod: Pod,
    readonly container: Container,
    readonly type: ProbeType,
    spec: Probe,
  ) {
    this.timing = probeTiming(spec);
  }

  get initialValue(): ProbeResultValue {
    // Not ready until proven ready; alive until proven dead; startup unknown.
    return this.type === "readiness" ? "failure" : this.type === "liveness" ? "success" : "unknown";
  }

  setResult(value: ProbeResultValue): void {
    const previous = this.result;
    this.result = value;
    if (previous !== value) this.host.resultChanged(this, previous);
  }

  /** One probe step; false when the worker should stop (pod terminal, or a pod being deleted for liveness/startup). */
  async doProbe(): Promise<boolean> {
    const uid = this.pod.metadata?.uid ?? "";
    const status = this.host.getPodStatus(uid);
    // No status yet: the pod has not been synced (or is gone already).
    if (!status) return true;
    if (status.phase === "Failed" || status.phase === "Succeeded") return false;

    let c = status.containerStatuses?.find((s) => s.name === this.container.name);
    if (!c?.containerID) c = status.initContainerStatuses?.find((s) => s.name === this.container.name);
    // Not created yet, or removed: wait for more information.
    if (!c?.containerID) return true;

    if (this.containerId !== c.containerID) {
      const previousId = this.containerId;
      this.containerId = c.containerID;
      this.host.containerChanged(this, previousId);
      this.setResult(this.initialValue);
      // A new container: probing resumes.
      this.onHold = false;
    }
    if (this.onHold) return true;

    if (!c.state?.running) {
      this.setResult("failure");
      // Stop only when the container will not be restarted.
      return !c.state?.terminated || this.pod.spec?.restartPolicy !== "Never";
    }

    // A pod being deleted shuts down quietly: alive and started to the end.
    if (this.pod.metadata?.deletionTimestamp && (this.type === "liveness" || this.type === "startup")) {
      this.setResult("success");
      return false;
    }

    const startedAt = Date.parse(c.state.running.startedAt ?? "");
    if (Number.isFinite(startedAt)) {
      const elapsed = Math.trunc((this.host.clock.now() - startedAt) / 1000);
      if (elapsed < this.timing.initialDelaySeconds) return true;
    }

    if (this.host.isStarted(this.pod, c)) {
      // The startup probe is done once the container started (kept for a restarted container).
      if (this.type === "startup") return true;
    } else if (this.type !== "startup") {
      // Other probes wait for the container to start.
      return true;
    }

    const result = await this.host.prober.probe(
      this.type,
      this.pod,
      status,
      this.container,
      this.containerId,
    );
    if (this.stopped) return false;
    // An error: the run does not count.
    if (result === undefined) return true;

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if (
      (result === "failure" && this.resultRun < this.timing.failureThreshold) ||
      (result === "success" && this.resultRun < this.timing.successThreshold)
    ) {
      // Below the threshold: the result stands.
      return true;
    }
    this.setResult(result);
    if ((this.type === "liveness" || this.type === "startup") && result === "failure") {
      // The container will be restarted: hold until a new container appears.
      this.onHold = true;
      this.resultRun = 0;
      this.host.probeFailed(this);
    }
    return true;
  }
}
