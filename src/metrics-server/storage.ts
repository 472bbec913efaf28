// What metrics-server keeps of its scrapes (its pkg/storage): the last two
// points of every node and container, so that CPU usage is the rate between
// them and memory the latest working set. A point older than the last one is
// ignored; a counter that went down or a container that started again starts
// over, as upstream's storage does.

/** One sample: cumulative CPU in core-seconds and the working set in bytes, at a time in ms. */
export interface MetricsPoint {
  /** Container start time (ms), to tell a restarted container from a counter that went down. */
  startTime?: number;
  timestamp: number;
  cpuSeconds: number;
  memoryBytes: number;
}

/** A rate over a window, as NodeMetrics and PodMetrics report it. */
export interface Usage {
  /** The later point's time (ms). */
  timestamp: number;
  /** ms between the two points. */
  windowMs: number;
  /** CPU in nanocores (core-seconds per second × 1e9). */
  cpuNanoCores: number;
  memoryBytes: number;
}

interface Pair {
  prev?: MetricsPoint;
  last: MetricsPoint;
}

function advance(pair: Pair | undefined, p: MetricsPoint): Pair {
  if (!pair) return { last: p };
  if (p.timestamp <= pair.last.timestamp) return pair;
  const restarted = p.startTime !== pair.last.startTime || p.cpuSeconds < pair.last.cpuSeconds;
  return restarted ? { last: p } : { prev: pair.last, last: p };
}

function usage(pair: Pair | undefined): Usage | undefined {
  if (!pair?.prev) return undefined;
  const windowMs = pair.last.timestamp - pair.prev.timestamp;
  return {
    timestamp: pair.last.timestamp,
    windowMs,
    cpuNanoCores: Math.round(((pair.last.cpuSeconds - pair.prev.cpuSeconds) / (windowMs / 1000)) * 1e9),
    memoryBytes: pair.last.memoryBytes,
  };
}

/** A pod's containers by name. */
export type PodPoints = Map<string, MetricsPoint>;

export class MetricsStorage {
  private nodes = new Map<string, Pair>();
  /** "<namespace>/<pod>" → container → points. */
  private pods = new Map<string, Map<string, Pair>>();

  /**
   * One node's scrape: its own point and its pods'. Pods of that node that the
   * scrape no longer lists are forgotten (they were deleted or moved).
   */
  storeNode(
    node: string,
    point: MetricsPoint | undefined,
    pods: Map<string, PodPoints>,
    podsOfNode: Set<string>,
  ): void {
    if (point) this.nodes.set(node, advance(this.nodes.get(node), point));
    else this.nodes.delete(node);
    for (const key of podsOfNode) if (!pods.has(key)) this.pods.delete(key);
    for (const [key, containers] of pods) {
      const before = this.pods.get(key) ?? new Map<string, Pair>();
      const after = new Map<string, Pair>();
      for (const [name, p] of containers) after.set(name, advance(before.get(name), p));
      this.pods.set(key, after);
    }
  }

  /** Nodes no longer in the cluster. */
  forgetNode(node: string, podsOfNode: Iterable<string>): void {
    this.nodes.delete(node);
    for (const key of podsOfNode) this.pods.delete(key);
  }

  node(name: string): Usage | undefined {
    return usage(this.nodes.get(name));
  }

  /** A pod's containers' usage; undefined until every container it reported has two points. */
  pod(
    namespace: string,
    name: string,
  ): { timestamp: number; windowMs: number; containers: Map<string, Usage> } | undefined {
    const containers = this.pods.get(`${namespace}/${name}`);
    if (!containers?.size) return undefined;
    const out = new Map<string, Usage>();
    for (const [c, pair] of containers) {
      const u = usage(pair);
      if (!u) return undefined;
      out.set(c, u);
    }
    // Upstream reports the pod at its earliest container point and the widest window.
    const first = [...out.values()];
    return {
      timestamp: Math.min(...first.map((u) => u.timestamp)),
      windowMs: Math.max(...first.map((u) => u.windowMs)),
      containers: out,
    };
  }
}
