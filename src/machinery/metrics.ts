// Prometheus metrics in the text exposition format (component-base/metrics):
// counters, gauges and histograms keyed by label set, and the process metrics
// every component exposes.

const labelCache = new Map<string, string>();

function labelString(labels: Record<string, string>): string {
  // Label sets repeat (one per verb and resource), so their rendering is cached.
  const key = Object.values(labels).join("\u0000");
  const hit = labelCache.get(key);
  if (hit !== undefined) return hit;
  const s = renderLabels(labels);
  if (labelCache.size < 10_000) labelCache.set(key, s);
  return s;
}

function renderLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A counter or gauge: one value per label set. */
export class Scalar {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: "counter" | "gauge",
  ) {}

  inc(labels: Record<string, string>, by = 1): void {
    const k = labelString(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  /** inc for one label set, its labels rendered once (client_golang's WithLabelValues): for hot paths. */
  counter(labels: Record<string, string>): (by?: number) => void {
    const k = labelString(labels);
    return (by = 1) => {
      this.values.set(k, (this.values.get(k) ?? 0) + by);
    };
  }

  get(labels: Record<string, string>): number {
    return this.values.get(labelString(labels)) ?? 0;
  }

  set(labels: Record<string, string>, v: number): void {
    this.values.set(labelString(labels), v);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines.join("\n");
  }
}

interface Series {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  private readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}

  observe(labels: Record<string, string>, value: number): void {
    this.record(this.seriesFor(labels), value);
  }

  /** observe for one label set, its series found once (client_golang's WithLabelValues): for hot paths. */
  observer(labels: Record<string, string>): (value: number) => void {
    const s = this.seriesFor(labels);
    return (value) => this.record(s, value);
  }

  private seriesFor(labels: Record<string, string>): Series {
    const k = labelString(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    return s;
  }

  private record(s: Series, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelString({ ...s.labels, le: String(b) })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelString({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelString(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelString(s.labels)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** process_resident_memory_bytes and friends, as every component exposes. */
export function processMetrics(): string {
  const mem = process.memoryUsage();
  return [
    "# HELP process_resident_memory_bytes Resident memory size in bytes.",
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${mem.rss}`,
    "# HELP nodejs_heap_used_bytes V8 heap in use, in bytes.",
    "# TYPE nodejs_heap_used_bytes gauge",
    `nodejs_heap_used_bytes ${mem.heapUsed}`,
    "# HELP nodejs_heap_size_total_bytes V8 heap reserved, in bytes.",
    "# TYPE nodejs_heap_size_total_bytes gauge",
    `nodejs_heap_size_total_bytes ${mem.heapTotal}`,
    "# HELP nodejs_external_memory_bytes Memory outside the V8 heap held by JavaScript objects (Buffers), in bytes.",
    "# TYPE nodejs_external_memory_bytes gauge",
    `nodejs_external_memory_bytes ${mem.external}`,
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
    "# TYPE process_cpu_seconds_total counter",
    `process_cpu_seconds_total ${(process.cpuUsage().user + process.cpuUsage().system) / 1e6}`,
  ].join("\n");
}
