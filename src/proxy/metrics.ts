// kube-proxy's metrics (pkg/proxy/metrics/metrics.go), the ones the iptables
// proxier maintains, with upstream's names, labels and buckets.
import { Histogram, processMetrics, Scalar } from "../machinery/metrics.ts";

/** prometheus.ExponentialBuckets(0.001, 2, 15) */
const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export class ProxyMetrics {
  readonly syncProxyRulesLatency = new Histogram(
    "kubeproxy_sync_proxy_rules_duration_seconds",
    "SyncProxyRules latency in seconds",
    SYNC_BUCKETS,
  );
  readonly syncFullProxyRulesLatency = new Histogram(
    "kubeproxy_sync_full_proxy_rules_duration_seconds",
    "SyncProxyRules latency in seconds for full resyncs",
    SYNC_BUCKETS,
  );
  readonly syncPartialProxyRulesLatency = new Histogram(
    "kubeproxy_sync_partial_proxy_rules_duration_seconds",
    "SyncProxyRules latency in seconds for partial resyncs",
    SYNC_BUCKETS,
  );
  readonly iptablesRulesTotal = new Scalar(
    "kubeproxy_sync_proxy_rules_iptables_total",
    "Total number of iptables rules owned by kube-proxy",
    "gauge",
  );
  readonly iptablesRulesLastSync = new Scalar(
    "kubeproxy_sync_proxy_rules_iptables_last",
    "Number of iptables rules written by kube-proxy in last sync",
    "gauge",
  );
  readonly iptablesRestoreFailuresTotal = new Scalar(
    "kubeproxy_sync_proxy_rules_iptables_restore_failures_total",
    "Cumulative proxy iptables restore failures",
    "counter",
  );
  readonly iptablesPartialRestoreFailuresTotal = new Scalar(
    "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total",
    "Cumulative proxy iptables partial restore failures",
    "counter",
  );
  readonly syncProxyRulesLastTimestamp = new Scalar(
    "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
    "The last time proxy rules were successfully synced",
    "gauge",
  );
  readonly noLocalEndpointsTotal = new Scalar(
    "kubeproxy_sync_proxy_rules_no_local_endpoints_total",
    "Number of services with a Local traffic policy and no endpoints",
    "gauge",
  );

  render(): string {
    return `${[
      this.syncProxyRulesLatency,
      this.syncFullProxyRulesLatency,
      this.syncPartialProxyRulesLatency,
      this.iptablesRulesTotal,
      this.iptablesRulesLastSync,
      this.iptablesRestoreFailuresTotal,
      this.iptablesPartialRestoreFailuresTotal,
      this.syncProxyRulesLastTimestamp,
      this.noLocalEndpointsTotal,
    ]
      .map((m) => m.render())
      .join("\n")}\n${processMetrics()}\n`;
  }
}
