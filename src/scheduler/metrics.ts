// kube-scheduler's metrics, with upstream's names.
import { Histogram, processMetrics, Scalar } from "../machinery/metrics.ts";

const ATTEMPT_BUCKETS = [
  0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384,
];
const SLI_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68,
  655.36, 1310.72, 2621.44, 5242.88,
];

export class SchedulerMetrics {
  readonly attempts = new Scalar(
    "scheduler_schedule_attempts_total",
    "[STABLE] Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
    "counter",
  );
  readonly attemptDuration = new Histogram(
    "scheduler_scheduling_attempt_duration_seconds",
    "[STABLE] Scheduling attempt latency in seconds (scheduling algorithm + binding)",
    ATTEMPT_BUCKETS,
  );
  readonly sliDuration = new Histogram(
    "scheduler_pod_scheduling_sli_duration_seconds",
    "[BETA] E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.",
    SLI_BUCKETS,
  );
  readonly pending = new Scalar(
    "scheduler_pending_pods",
    "[STABLE] Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
    "gauge",
  );
  readonly preemptionAttempts = new Scalar(
    "scheduler_preemption_attempts_total",
    "[STABLE] Total preemption attempts in the cluster till now",
    "counter",
  );

  /** When set, every attempt's duration in ms is kept here too (benchmarks read percentiles from it). */
  samples?: number[];

  observeAttempt(result: "scheduled" | "unschedulable" | "error", profile: string, seconds: number): void {
    this.samples?.push(seconds * 1000);
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, seconds);
  }

  render(pending: Record<string, number>): string {
    for (const [queue, n] of Object.entries(pending)) this.pending.set({ queue }, n);
    const all = [
      this.attempts,
      this.attemptDuration,
      this.sliDuration,
      this.pending,
      this.preemptionAttempts,
    ];
    return `${[...all.map((m) => m.render()), processMetrics()].join("\n")}\n`;
  }
}
