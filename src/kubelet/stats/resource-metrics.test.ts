import assert from "node:assert/strict";
import { test } from "node:test";
import { formatValue, resourceMetrics } from "./resource-metrics.ts";
import type { Summary } from "./types.ts";

test("values as Go's FormatFloat 'g' -1 writes them", () => {
  assert.equal(formatValue(0), "0");
  assert.equal(formatValue(123456), "123456");
  assert.equal(formatValue(12345678), "1.2345678e+07");
  assert.equal(formatValue(1.5e9), "1.5e+09");
  assert.equal(formatValue(0.25), "0.25");
  assert.equal(formatValue(0.00001), "1e-05");
  assert.equal(formatValue(1712345678.5), "1.7123456785e+09");
});

test("node, pod and container figures as the kubelet's /metrics/resource, families sorted, labels sorted", () => {
  const t = "2026-11-28T16:00:00Z";
  const s: Summary = {
    node: {
      nodeName: "n1",
      startTime: t,
      cpu: { time: t, usageCoreNanoSeconds: 2_500_000_000 },
      memory: { time: t, workingSetBytes: 52_428_800 },
    },
    pods: [
      {
        podRef: { name: "web", namespace: "default", uid: "u1" },
        startTime: t,
        cpu: { time: t, usageCoreNanoSeconds: 1_000_000 },
        memory: { time: t, workingSetBytes: 4096 },
        containers: [
          {
            name: "app",
            startTime: "2026-11-28T15:59:00Z",
            cpu: { time: t, usageCoreNanoSeconds: 1_000_000 },
            memory: { time: t, workingSetBytes: 4096 },
          },
          // Not read (no cgroup): left out, not written as zero.
          { name: "sidecar", startTime: "2026-11-28T15:59:30Z" },
        ],
      },
    ],
  };
  const at = 1_796_000_000_123;
  assert.equal(
    resourceMetrics(s, at),
    [
      "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds",
      "# TYPE container_cpu_usage_seconds_total counter",
      `container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 0.001 ${at}`,
      "# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes",
      "# TYPE container_memory_working_set_bytes gauge",
      `container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 4096 ${at}`,
      "# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds",
      "# TYPE container_start_time_seconds gauge",
      `container_start_time_seconds{container="app",namespace="default",pod="web"} 1.79588154e+09 ${at}`,
      `container_start_time_seconds{container="sidecar",namespace="default",pod="web"} 1.79588157e+09 ${at}`,
      "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds",
      "# TYPE node_cpu_usage_seconds_total counter",
      `node_cpu_usage_seconds_total 2.5 ${at}`,
      "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes",
      "# TYPE node_memory_working_set_bytes gauge",
      `node_memory_working_set_bytes 5.24288e+07 ${at}`,
      "# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds",
      "# TYPE pod_cpu_usage_seconds_total counter",
      `pod_cpu_usage_seconds_total{namespace="default",pod="web"} 0.001 ${at}`,
      "# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes",
      "# TYPE pod_memory_working_set_bytes gauge",
      `pod_memory_working_set_bytes{namespace="default",pod="web"} 4096 ${at}`,
      "# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
      "# TYPE resource_scrape_error gauge",
      "resource_scrape_error 0",
      "",
    ].join("\n"),
  );
});
