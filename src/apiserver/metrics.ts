// Prometheus metrics with upstream's names (apiserver_request_total,
// apiserver_request_duration_seconds, apiserver_current_inflight_requests…),
// in the text exposition format.

const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

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
class Scalar {
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

  set(labels: Record<string, string>, v: number): void {
    this.values.set(labelString(labels), v);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines.join("\n");
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}

  observe(labels: Record<string, string>, value: number): void {
    const k = labelString(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
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

export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

export class ApiserverMetrics {
  readonly requests = new Scalar(
    "apiserver_request_total",
    "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
    "counter",
  );
  readonly duration = new Histogram(
    "apiserver_request_duration_seconds",
    "[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
    DURATION_BUCKETS,
  );
  readonly inflight = new Scalar(
    "apiserver_current_inflight_requests",
    "[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
    "gauge",
  );
  readonly rejected = new Scalar(
    "apiserver_dropped_requests_total",
    "[ALPHA] Number of requests dropped with 'Try again later' response.",
    "counter",
  );

  observe(l: RequestLabels, code: number, seconds: number, dryRun: boolean): void {
    const dry = dryRun ? "All" : "";
    this.requests.inc({
      verb: l.verb,
      dry_run: dry,
      group: l.group,
      version: l.version,
      resource: l.resource,
      subresource: l.subresource,
      scope: l.scope,
      component: l.component,
      code: String(code),
    });
    if (l.verb !== "WATCH") {
      this.duration.observe(
        {
          verb: l.verb,
          dry_run: dry,
          group: l.group,
          version: l.version,
          resource: l.resource,
          subresource: l.subresource,
          scope: l.scope,
          component: l.component,
        },
        seconds,
      );
    }
  }

  render(): string {
    const mem = process.memoryUsage();
    const processMetrics = [
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${mem.rss}`,
      "# HELP nodejs_heap_used_bytes V8 heap in use, in bytes.",
      "# TYPE nodejs_heap_used_bytes gauge",
      `nodejs_heap_used_bytes ${mem.heapUsed}`,
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
      "# TYPE process_cpu_seconds_total counter",
      `process_cpu_seconds_total ${(process.cpuUsage().user + process.cpuUsage().system) / 1e6}`,
    ].join("\n");
    const all = [this.requests, this.duration, this.inflight, this.rejected].map((m) => m.render());
    return `${[...all, processMetrics].join("\n")}\n`;
  }
}
