// Builders and a fake Handle for plugin unit tests (upstream's
// pkg/scheduler/testing wrappers). Not used outside tests.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "../client/clock.ts";
import { Indexer, type IndexerView } from "../client/indexer.ts";
import type { KubeObject, ResourceRef } from "../client/rest-client.ts";
import type { CycleState } from "./framework/cycle-state.ts";
import type { Handle, PluginApi } from "./framework/interface.ts";
import { NodeInfo, PodInfo } from "./framework/node-info.ts";
import { Snapshot } from "./framework/snapshot.ts";

let uid = 0;

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  /** Requests of one container, e.g. { cpu: "500m", memory: "1Gi" }. */
  requests?: Record<string, string>;
  priority?: number;
  spec?: Partial<NonNullable<Pod["spec"]>>;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `uid-${name}-${++uid}`,
      labels: o.labels,
      creationTimestamp: new Date(1_700_000_000_000 + uid * 1000).toISOString(),
    },
    spec: {
      containers: [{ name: "c", image: "k8ts.local/busybox:latest", resources: { requests: o.requests } }],
      nodeName: o.nodeName,
      priority: o.priority,
      schedulerName: "default-scheduler",
      ...o.spec,
    },
    status: { phase: "Pending" },
  };
}

export interface NodeOptions {
  labels?: Record<string, string>;
  /** Allocatable (and capacity); defaults: 4 cpu, 8Gi, 110 pods. */
  allocatable?: Record<string, string>;
  spec?: Partial<NonNullable<Node["spec"]>>;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = {
    cpu: "4",
    memory: "8Gi",
    pods: "110",
    "ephemeral-storage": "100Gi",
    ...o.allocatable,
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { ...o.spec },
    status: { allocatable, capacity: allocatable, images: o.images },
  };
}

/** NodeInfos for nodes, with pods (which must have spec.nodeName) placed on them. */
export function nodeInfos(nodes: Node[], pods: Pod[] = []): NodeInfo[] {
  const byName = new Map(nodes.map((n) => [n.metadata!.name!, new NodeInfo(n)]));
  for (const p of pods) byName.get(p.spec!.nodeName!)?.addPod(new PodInfo(p));
  return [...byName.values()];
}

export interface FakeHandleOptions {
  nodes?: Node[];
  pods?: Pod[];
  /** Objects for listers, by "group/version/resource" (e.g. "/v1/services", "apps/v1/replicasets"). */
  objects?: Record<string, KubeObject[]>;
  namespaceLabels?: Record<string, Record<string, string>>;
  clock?: Clock;
  api?: Partial<PluginApi>;
}

/** A Handle over fixed objects; api writes are recorded in `calls`. */
export function fakeHandle(o: FakeHandleOptions = {}): Handle & { calls: Array<[string, ...unknown[]]> } {
  const snap = Snapshot.from(nodeInfos(o.nodes ?? [], o.pods ?? []));
  const calls: Array<[string, ...unknown[]]> = [];
  const listers = new Map<string, IndexerView<KubeObject>>();
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return undefined as never;
    };
  const api: PluginApi = {
    bindPod: record("bindPod"),
    deletePod: record("deletePod"),
    setNominatedNodeName: record("setNominatedNodeName"),
    patchPodCondition: record("patchPodCondition"),
    patch: record("patch"),
    update: record("update"),
    ...o.api,
  };
  return {
    calls,
    snapshot: () => snap,
    lister<T extends KubeObject>(res: ResourceRef): IndexerView<T> {
      const key = `${res.group}/${res.version}/${res.resource}`;
      let l = listers.get(key);
      if (!l) {
        const ix = new Indexer<KubeObject>();
        ix.replace(o.objects?.[key] ?? []);
        l = ix.view();
        listers.set(key, l);
      }
      return l as IndexerView<T>;
    },
    namespaceLabels: (ns) => o.namespaceLabels?.[ns] ?? { "kubernetes.io/metadata.name": ns },
    clock: o.clock ?? realClock,
    api,
    runFilterPluginsWithNominatedPods: () => null,
    runPreFilterExtensionAddPod: () => null,
    runPreFilterExtensionRemovePod: () => null,
    nominatedPodsForNode: () => [],
  };
}

export type { CycleState };
