import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeResourceMetrics, kubeletAddress } from "./scrape.ts";

test("the kubelet's /metrics/resource decodes into node and container points", () => {
  const text = [
    "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds",
    "# TYPE container_cpu_usage_seconds_total counter",
    'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 0.5 1700000000123',
    'container_cpu_usage_seconds_total{container="idle",namespace="default",pod="web"} 0.1 1700000000123',
    'container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 1.2e+07 1700000000123',
    'container_start_time_seconds{container="app",namespace="default",pod="web"} 1.69999e+09 1700000000123',
    'container_cpu_usage_seconds_total{container="c",namespace="o\\"dd",pod="p"} 1 1700000000000',
    'container_memory_working_set_bytes{container="c",namespace="o\\"dd",pod="p"} 2 1700000000000',
    "node_cpu_usage_seconds_total 1234.5 1700000000123",
    "node_memory_working_set_bytes 5.24288e+07 1700000000123",
    "resource_scrape_error 0",
    "",
  ].join("\n");
  const r = decodeResourceMetrics(text, 1);
  assert.deepEqual(r.node, { timestamp: 1700000000123, cpuSeconds: 1234.5, memoryBytes: 52428800 });
  // "idle" has no working set: left out, as upstream's decoder leaves incomplete containers out.
  assert.deepEqual([...r.pods.keys()], ["default/web", 'o"dd/p']);
  assert.deepEqual(r.pods.get("default/web")?.get("app"), {
    startTime: 1699990000000,
    timestamp: 1700000000123,
    cpuSeconds: 0.5,
    memoryBytes: 12_000_000,
  });
  assert.equal(r.pods.get("default/web")?.has("idle"), false);
});

test("a node without figures, without an address, or whose kubelet serves nothing (Port 0), is not scraped", () => {
  assert.equal(decodeResourceMetrics("resource_scrape_error 0\n", 1).node, undefined);
  assert.equal(kubeletAddress({ status: { addresses: [] } }), undefined);
  assert.equal(
    kubeletAddress({
      status: {
        addresses: [{ type: "InternalIP", address: "10.255.0.1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      },
    }),
    undefined,
  );
  assert.deepEqual(
    kubeletAddress({
      status: {
        addresses: [
          { type: "Hostname", address: "n1" },
          { type: "InternalIP", address: "10.0.0.5" },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 11250 } },
      },
    }),
    { host: "10.0.0.5", port: 11250 },
  );
});
