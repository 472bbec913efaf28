// pkg/proxy/healthcheck/proxy_health.go ProxierHealthServer's state: the proxy
// is unhealthy when a queued change has waited longer than healthTimeout
// (2 × syncPeriod, as kube-proxy's server.go sets it) without a sync.
export class ProxierHealth {
  private lastUpdated = 0;
  private oldestPendingQueued = 0;

  constructor(
    private readonly healthTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A change was queued; keeps the oldest unsynced one. */
  queuedUpdate(): void {
    if (this.oldestPendingQueued === 0) this.oldestPendingQueued = this.now();
  }

  /** A sync finished. */
  updated(): void {
    this.lastUpdated = this.now();
    this.oldestPendingQueued = 0;
  }

  isHealthy(): boolean {
    return this.oldestPendingQueued === 0 || this.now() - this.oldestPendingQueued < this.healthTimeoutMs;
  }

  /** The /healthz response body, in upstream's words. */
  body(): string {
    return `{"lastUpdated": ${JSON.stringify(goTime(this.lastUpdated))},"currentTime": ${JSON.stringify(goTime(this.now()))}, "nodeEligible": true}`;
  }
}

/** Go's time.Time String() in UTC ("2006-01-02 15:04:05.999999999 +0000 UTC"). */
function goTime(ms: number): string {
  if (ms === 0) return "0001-01-01 00:00:00 +0000 UTC";
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.123Z
  const [date, rest] = iso.split("T");
  let [clock, frac] = rest.replace("Z", "").split(".");
  frac = (frac ?? "").replace(/0+$/, "");
  if (frac) clock += `.${frac}`;
  return `${date} ${clock} +0000 UTC`;
}
