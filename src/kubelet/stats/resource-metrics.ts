// /metrics/resource: the kubelet's resource metrics endpoint, which
// metrics-server scrapes, as upstream's collectors/resource_metrics.go writes
// it from the same Summary as /stats/summary: cumulative CPU seconds and
// working sets for the node, each pod and each container, every sample with
// the time it was read.
import type { ContainerStats, CPUStats, MemoryStats, PodStats, Summary } from "./types.ts";

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: string[];
}

function family(name: string, help: string, type: Family["type"]): Family {
  return { name, help: `[STABLE] ${help}`, type, samples: [] };
}

/** Prometheus' label value escaping. */
function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Labels sorted by name, as client_golang writes them. */
function labels(pairs: Record<string, string>): string {
  const keys = Object.keys(pairs).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${labelValue(pairs[k])}"`).join(",")}}` : "";
}

/**
 * Go's strconv.FormatFloat(v, 'g', -1, 64), as client_golang writes values:
 * the shortest digits, with an exponent (of two digits at least) below 1e-4
 * and from 1e6 on: 12345678 is 1.2345678e+07.
 */
export function formatValue(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return v === 0 ? "0" : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
  const e = v.toExponential();
  const exp = Number(e.slice(e.indexOf("e") + 1));
  if (exp < -4 || exp >= 6) return e.replace(/e([+-])(\d)$/, "e$10$2");
  return String(v);
}

export function resourceMetrics(s: Summary, nowMs: number): string {
  const nodeCpu = family(
    "node_cpu_usage_seconds_total",
    "Cumulative cpu time consumed by the node in core-seconds",
    "counter",
  );
  const nodeMemory = family(
    "node_memory_working_set_bytes",
    "Current working set of the node in bytes",
    "gauge",
  );
  const containerCpu = family(
    "container_cpu_usage_seconds_total",
    "Cumulative cpu time consumed by the container in core-seconds",
    "counter",
  );
  const containerMemory = family(
    "container_memory_working_set_bytes",
    "Current working set of the container in bytes",
    "gauge",
  );
  const containerStart = family(
    "container_start_time_seconds",
    "Start time of the container since unix epoch in seconds",
    "gauge",
  );
  const podCpu = family(
    "pod_cpu_usage_seconds_total",
    "Cumulative cpu time consumed by the pod in core-seconds",
    "counter",
  );
  const podMemory = family(
    "pod_memory_working_set_bytes",
    "Current working set of the pod in bytes",
    "gauge",
  );
  const scrapeError = family(
    "resource_scrape_error",
    "1 if there was an error while getting container metrics, 0 otherwise",
    "gauge",
  );

  const add = (f: Family, l: Record<string, string>, v: number | undefined) => {
    if (v !== undefined) f.samples.push(`${f.name}${labels(l)} ${formatValue(v)} ${nowMs}`);
  };
  const cpuSeconds = (c?: CPUStats) =>
    c?.usageCoreNanoSeconds === undefined ? undefined : c.usageCoreNanoSeconds / 1e9;
  const workingSet = (m?: MemoryStats) => m?.workingSetBytes;

  add(nodeCpu, {}, cpuSeconds(s.node.cpu));
  add(nodeMemory, {}, workingSet(s.node.memory));
  for (const pod of s.pods) {
    const podLabels = { namespace: pod.podRef.namespace, pod: pod.podRef.name };
    addPod(pod, podLabels);
  }
  function addPod(pod: PodStats, podLabels: Record<string, string>) {
    add(podCpu, podLabels, cpuSeconds(pod.cpu));
    add(podMemory, podLabels, workingSet(pod.memory));
    for (const c of pod.containers) addContainer(c, podLabels);
  }
  function addContainer(c: ContainerStats, podLabels: Record<string, string>) {
    const l = { ...podLabels, container: c.name };
    add(containerCpu, l, cpuSeconds(c.cpu));
    add(containerMemory, l, workingSet(c.memory));
    const started = Date.parse(c.startTime);
    if (Number.isFinite(started)) add(containerStart, l, started / 1000);
  }
  // Collection itself cannot fail here: a pod the runtime could not read is left out of the Summary.
  scrapeError.samples.push(`${scrapeError.name} 0`);

  // client_golang writes families sorted by name, and leaves out those without samples.
  return `${[
    containerCpu,
    containerMemory,
    containerStart,
    nodeCpu,
    nodeMemory,
    podCpu,
    podMemory,
    scrapeError,
  ]
    .filter((f) => f.samples.length)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.samples].join("\n"))
    .join("\n")}\n`;
}
