// Builders for this plugin's tests, after upstream's st.MakePod().SpreadConstraint(...)
// and st.MakeNode().Label(...). Not used outside tests.
import type { Node, Pod, Taint, TopologySpreadConstraint } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import { makeNode, makePod } from "../../testing.ts";

export const fooSelector: LabelSelector = { matchExpressions: [{ key: "foo", operator: "Exists" }] };
export const barSelector: LabelSelector = { matchExpressions: [{ key: "bar", operator: "Exists" }] };
export const unschedulableTaints: Taint[] = [
  { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
];

export interface SpreadOptions {
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
  matchLabelKeys?: string[];
}

/** st.SpreadConstraint(maxSkew, key, when, selector, minDomains, affinityPolicy, taintsPolicy, matchLabelKeys). */
export function spread(
  maxSkew: number,
  topologyKey: string,
  whenUnsatisfiable: string,
  labelSelector: LabelSelector | undefined,
  o: SpreadOptions = {},
): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable, labelSelector, ...o };
}

export interface TestPodOptions {
  namespace?: string;
  nodeSelector?: Record<string, string>;
  /** Required node affinity: one term with these expressions. */
  nodeAffinity?: Array<{ key: string; operator: string; values?: string[] }>;
  constraints?: TopologySpreadConstraint[];
  terminating?: boolean;
  owner?: { apiVersion: string; kind: string; name: string };
}

export function pod(name: string, labels: Record<string, string> = {}, o: TestPodOptions = {}): Pod {
  const p = makePod(name, {
    namespace: o.namespace,
    labels,
    spec: {
      nodeSelector: o.nodeSelector,
      topologySpreadConstraints: o.constraints,
      affinity: o.nodeAffinity
        ? {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: o.nodeAffinity }],
              },
            },
          }
        : undefined,
    },
  });
  if (o.terminating) terminating(p);
  if (o.owner) p.metadata!.ownerReferences = [{ ...o.owner, uid: `uid-${o.owner.name}`, controller: true }];
  return p;
}

/** An existing pod bound to nodeName. */
export function podOn(
  name: string,
  nodeName: string,
  labels: Record<string, string> = {},
  namespace?: string,
): Pod {
  const p = pod(name, labels, { namespace });
  p.spec!.nodeName = nodeName;
  return p;
}

/** Marks p as being deleted (metadata.deletionTimestamp set). */
export function terminating(p: Pod): Pod {
  p.metadata = { ...p.metadata, deletionTimestamp: "2024-01-01T00:00:00Z" };
  return p;
}

/** A node with exactly these labels (no implicit hostname label). */
export function node(name: string, labels: Record<string, string>, taints?: Taint[]): Node {
  const n = makeNode(name, { spec: taints ? { taints } : {} });
  n.metadata!.labels = { ...labels };
  return n;
}

/** Nodes named node-<suffix> with zone and node labels, as most upstream cases use. */
export function zoneNodes(spec: Record<string, string>): Node[] {
  return Object.entries(spec).map(([suffix, zone]) =>
    node(`node-${suffix}`, { zone, node: `node-${suffix}` }),
  );
}
