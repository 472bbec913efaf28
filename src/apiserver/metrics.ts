// Prometheus metrics with upstream's names (apiserver_request_total,
// apiserver_request_duration_seconds, apiserver_current_inflight_requests…),
// in the text exposition format.

import { Histogram, processMetrics, Scalar } from "../machinery/metrics.ts";

const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

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

  readonly terminations = new Scalar(
    "apiserver_request_terminations_total",
    "[ALPHA] Number of requests which apiserver terminated in self-defense.",
    "counter",
  );

  /** Each label set's counter by code and its histogram, so that a request renders no labels. */
  private readonly bound = new Map<
    string,
    { count: Map<number, (by?: number) => void>; duration?: (seconds: number) => void }
  >();

  observe(l: RequestLabels, code: number, seconds: number, dryRun: boolean): void {
    const dry = dryRun ? "All" : "";
    const id = `${l.verb}\u0000${dry}\u0000${l.group}\u0000${l.version}\u0000${l.resource}\u0000${l.subresource}\u0000${l.scope}\u0000${l.component}`;
    let b = this.bound.get(id);
    if (!b) {
      b = { count: new Map() };
      // Label sets are few (verbs × resources); the bound only guards against a flood of odd paths.
      if (this.bound.size < 10_000) this.bound.set(id, b);
    }
    let inc = b.count.get(code);
    if (!inc) {
      inc = this.requests.counter({ ...durationLabels(l, dry), code: String(code) });
      b.count.set(code, inc);
    }
    inc();
    if (l.verb !== "WATCH") {
      b.duration ??= this.duration.observer(durationLabels(l, dry));
      b.duration(seconds);
    }
  }

  render(): string {
    const all = [this.requests, this.duration, this.inflight, this.rejected, this.terminations].map((m) =>
      m.render(),
    );
    return `${[...all, processMetrics()].join("\n")}\n`;
  }
}

/** The labels of apiserver_request_duration_seconds (apiserver_request_total adds the code). */
function durationLabels(l: RequestLabels, dryRun: string): Record<string, string> {
  return {
    verb: l.verb,
    dry_run: dryRun,
    group: l.group,
    version: l.version,
    resource: l.resource,
    subresource: l.subresource,
    scope: l.scope,
    component: l.component,
  };
}
