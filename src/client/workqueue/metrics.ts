// Workqueue metrics as plain counters, after client-go's workqueue metrics
// (depth, adds_total, queue_duration_seconds, work_duration_seconds, retries_total).

export interface DurationSummary {
  count: number;
  /** Sum in seconds, as upstream's histograms. */
  sumSeconds: number;
  maxSeconds: number;
}

export class QueueMetrics {
  depth = 0;
  adds = 0;
  retries = 0;
  /** Time from add to get. */
  readonly latency: DurationSummary = { count: 0, sumSeconds: 0, maxSeconds: 0 };
  /** Time from get to done. */
  readonly workDuration: DurationSummary = { count: 0, sumSeconds: 0, maxSeconds: 0 };

  constructor(readonly name: string) {}

  observe(s: DurationSummary, ms: number): void {
    const sec = ms / 1000;
    s.count++;
    s.sumSeconds += sec;
    if (sec > s.maxSeconds) s.maxSeconds = sec;
  }

  /** Prometheus text lines with upstream's metric names. */
  render(): string {
    const l = `{name="${this.name}"}`;
    return [
      `workqueue_depth${l} ${this.depth}`,
      `workqueue_adds_total${l} ${this.adds}`,
      `workqueue_retries_total${l} ${this.retries}`,
      `workqueue_queue_duration_seconds_count${l} ${this.latency.count}`,
      `workqueue_queue_duration_seconds_sum${l} ${this.latency.sumSeconds}`,
      `workqueue_work_duration_seconds_count${l} ${this.workDuration.count}`,
      `workqueue_work_duration_seconds_sum${l} ${this.workDuration.sumSeconds}`,
      "",
    ].join("\n");
  }
}
