// What the scheduler decided about a pod in its last attempt, node by node:
// the filter that rejected each node and its reasons, or the score each
// plugin gave. Kept for pending pods (until bound or deleted) and for the
// most recent scheduled ones, served at /debug/explain for `k8ts explain-schedule`.
import type { Diagnosis, ScoreResult } from "./framework/runtime.ts";

/** Nodes a filter rejected for the same reasons, grouped: 5,000 nodes usually share a handful. */
export interface Rejection {
  plugin: string;
  code: string;
  reasons: string[];
  nodes: string[];
}

/** A node that passed every filter, with each score plugin's normalized score and the weighted total. */
export interface FeasibleNode {
  node: string;
  totalScore?: number;
  scores?: Record<string, number>;
}

export interface Explanation {
  namespace: string;
  name: string;
  uid: string;
  profile: string;
  attempts: number;
  time: string;
  result: "Scheduled" | "Unschedulable" | "Error";
  message: string;
  selectedNode?: string;
  nominatedNode?: string;
  /** Nodes looked at in the attempt (percentageOfNodesToScore may stop early). */
  evaluatedNodes: number;
  totalNodes: number;
  rejected: Rejection[];
  /** Best first. */
  feasible: FeasibleNode[];
}

export function rejections(diagnosis: Diagnosis | undefined): Rejection[] {
  const groups = new Map<string, Rejection>();
  for (const [node, s] of diagnosis?.nodeToStatus ?? []) {
    const key = `${s.plugin}\u0000${s.code}\u0000${s.reasons.join("\u0000")}`;
    let g = groups.get(key);
    if (!g) {
      g = { plugin: s.plugin, code: s.code, reasons: [...s.reasons], nodes: [] };
      groups.set(key, g);
    }
    g.nodes.push(node);
  }
  return [...groups.values()].sort((a, b) => b.nodes.length - a.nodes.length);
}

export function feasibleNodes(
  feasible: string[],
  totals: Float64Array | undefined,
  perPlugin: ScoreResult["perPlugin"] | undefined,
): FeasibleNode[] {
  const out = feasible.map((node, i): FeasibleNode => {
    if (!totals) return { node };
    const scores: Record<string, number> = {};
    for (const p of perPlugin ?? []) scores[p.plugin] = p.values[i];
    return { node, totalScore: totals[i], scores };
  });
  return out.sort((a, b) => (b.totalScore ?? 0) - (a.totalScore ?? 0) || (a.node < b.node ? -1 : 1));
}

/** Pending pods' explanations, plus a bounded history of scheduled ones. */
export class ExplanationStore {
  private readonly pending = new Map<string, Explanation>();
  /** Scheduled pods' explanations are built only when asked for: most never are. */
  private readonly scheduled = new Map<string, () => Explanation>();

  constructor(
    private readonly maxPending = 2_000,
    private readonly maxScheduled = 256,
  ) {}

  recordScheduled(namespace: string, name: string, build: () => Explanation): void {
    const key = `${namespace}/${name}`;
    this.pending.delete(key);
    this.scheduled.delete(key);
    this.scheduled.set(key, build);
    if (this.scheduled.size > this.maxScheduled) this.scheduled.delete(this.scheduled.keys().next().value!);
  }

  record(e: Explanation): void {
    const key = `${e.namespace}/${e.name}`;
    this.pending.delete(key);
    this.pending.set(key, e);
    if (this.pending.size > this.maxPending) this.pending.delete(this.pending.keys().next().value!);
  }

  /** Drops a pod's pending explanation, and its scheduled one too when the pod is deleted. */
  forget(namespace: string, name: string, deleted: boolean): void {
    this.pending.delete(`${namespace}/${name}`);
    if (deleted) this.scheduled.delete(`${namespace}/${name}`);
  }

  get(namespace: string, name: string): Explanation | undefined {
    const key = `${namespace}/${name}`;
    return this.pending.get(key) ?? this.scheduled.get(key)?.();
  }
}
