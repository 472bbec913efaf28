// One node's scrape (metrics-server's pkg/scraper): GET the kubelet's
// /metrics/resource over HTTPS with the server's client certificate, at the
// node's preferred address and kubelet port, and decode the figures into
// points for the storage. Only the families metrics-server reads are kept.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { kubeletPort, preferredNodeAddress } from "../api/node-address.ts";
import { type HttpsAnswer, httpsGet } from "../machinery/https-get.ts";
import type { MetricsPoint, PodPoints } from "./storage.ts";

export interface NodeScrape {
  node?: MetricsPoint;
  /** "<namespace>/<pod>" → its containers' points. */
  pods: Map<string, PodPoints>;
}

/** One sample line: name{labels} value timestamp. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** Decodes /metrics/resource (the Prometheus text format); a sample without a time gets `now`. */
export function decodeResourceMetrics(text: string, now: number): NodeScrape {
  let nodeCpu: { v: number; t: number } | undefined;
  let nodeMemory: { v: number; t: number } | undefined;
  type Partial = { cpu?: number; memory?: number; start?: number; t?: number };
  const containers = new Map<string, Map<string, Partial>>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labelText, valueText, ts] = m;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    const t = ts === undefined ? now : Number(ts);
    if (name === "node_cpu_usage_seconds_total") nodeCpu = { v: value, t };
    else if (name === "node_memory_working_set_bytes") nodeMemory = { v: value, t };
    else if (name.startsWith("container_")) {
      const l: Record<string, string> = {};
      for (const [, k, v] of (labelText ?? "").matchAll(LABEL)) l[k] = unescapeLabel(v);
      if (!l.namespace || !l.pod || !l.container) continue;
      const key = `${l.namespace}/${l.pod}`;
      const pod = containers.get(key) ?? new Map<string, Partial>();
      containers.set(key, pod);
      const c = pod.get(l.container) ?? {};
      if (name === "container_cpu_usage_seconds_total") {
        c.cpu = value;
        c.t = t;
      } else if (name === "container_memory_working_set_bytes") c.memory = value;
      else if (name === "container_start_time_seconds") c.start = value * 1000;
      pod.set(l.container, c);
    }
  }
  const pods = new Map<string, PodPoints>();
  for (const [key, cs] of containers) {
    const points: PodPoints = new Map();
    for (const [name, c] of cs) {
      // A container without both figures (not running, not read) is left out, as upstream's decoder does.
      if (c.cpu === undefined || c.memory === undefined || c.t === undefined) continue;
      points.set(name, { startTime: c.start, timestamp: c.t, cpuSeconds: c.cpu, memoryBytes: c.memory });
    }
    if (points.size) pods.set(key, points);
  }
  return {
    node:
      nodeCpu && nodeMemory
        ? { timestamp: nodeCpu.t, cpuSeconds: nodeCpu.v, memoryBytes: nodeMemory.v }
        : undefined,
    pods,
  };
}

/**
 * The node's kubelet: its preferred address (InternalIP first) and
 * daemonEndpoints' port; undefined for a node without an address or whose
 * kubelet serves nothing (Port 0, a hollow node), which is never dialled.
 */
export function kubeletAddress(node: Node): { host: string; port: number } | undefined {
  const host = preferredNodeAddress(node);
  const port = kubeletPort(node);
  return host === undefined || port === undefined ? undefined : { host, port };
}

export interface KubeletClient {
  /** PEM: the CA of the kubelets' serving certificates, and this server's client certificate. */
  ca?: string;
  cert?: string;
  key?: string;
  /** --kubelet-insecure-tls: the kubelets' certificates are not verified. */
  insecure?: boolean;
  timeoutMs?: number;
}

export async function scrapeNode(node: Node, kc: KubeletClient): Promise<NodeScrape> {
  const where = kubeletAddress(node);
  const name = node.metadata?.name ?? "";
  if (!where) throw new Error(`node ${name} has no kubelet to reach: no address, or Port 0`);
  const timeout = kc.timeoutMs ?? 10_000;
  let answer: HttpsAnswer;
  try {
    answer = await httpsGet(
      {
        host: where.host,
        port: where.port,
        path: "/metrics/resource",
        ca: kc.ca,
        cert: kc.cert,
        key: kc.key,
        rejectUnauthorized: !kc.insecure,
        timeout,
        headers: { "User-Agent": "k8ts-metrics-server" },
      },
      () => new Error(`kubelet of node ${name}: no answer in ${timeout} ms`),
    );
  } catch (e) {
    throw new Error(`scraping node ${name} at ${where.host}:${where.port}: ${(e as Error).message}`);
  }
  if (answer.status !== 200) {
    throw new Error(
      `kubelet of node ${name} at ${where.host}:${where.port}: ${answer.status} ${answer.body.trim()}`,
    );
  }
  return decodeResourceMetrics(answer.body, Date.now());
}
