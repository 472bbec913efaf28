// The scheduling framework's extension points (kube-scheduler's
// framework/interface.go). A plugin implements any subset; the runtime calls
// them in the order of framework/runtime.ts. Success is `null`.
import type { Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { IndexerView } from "../../client/indexer.ts";
import type { KubeObject, ResourceRef } from "../../client/rest-client.ts";
import type { CycleState } from "./cycle-state.ts";
import type { NodeInfo, PodInfo } from "./node-info.ts";
import type { Snapshot } from "./snapshot.ts";
import type { Result, Status } from "./status.ts";

export interface Plugin {
  readonly name: string;
}

/** Nodes PreFilter narrowed the search to (e.g. NodeName, NodeAffinity's matchFields); undefined = all. */
export interface PreFilterResult {
  nodeNames?: ReadonlySet<string>;
}

/** Incremental updates of PreFilter state for preemption's "what if these pods were gone / those were here". */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Result;
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Result;
}

export interface PreFilterPlugin extends Plugin {
  /** Return a Skip status when Filter has nothing to check for this pod. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Result };
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result;
}

/** The rejection of each node, by node name. */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: Pod,
    filteredNodeStatus: NodeToStatus,
  ): Promise<{ result?: PostFilterResult; status: Result }>;
}

export interface PreScorePlugin extends Plugin {
  /** nodes are the feasible ones. Return Skip when Score has nothing to add. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Result;
}

export interface NodeScore {
  name: string;
  score: number;
}

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface ScorePlugin extends Plugin {
  /** A score for one feasible node; throw for an internal error. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Brings the scores into [0, 100], in place. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Result;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Result;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** A Wait status holds the pod up to timeoutMs until allowed or rejected through the handle. */
  permit(state: CycleState, pod: Pod, nodeName: string): { status: Result; timeoutMs?: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Result>;
}

export interface BindPlugin extends Plugin {
  /** Skip passes to the next bind plugin. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Result>;
}

/** What kinds of cluster change can make a pod this plugin rejected schedulable again. */
export type ClusterEventResource =
  | "Pod"
  | "AssignedPod"
  | "Node"
  | "PersistentVolume"
  | "PersistentVolumeClaim"
  | "StorageClass"
  | "CSINode"
  | "Namespace"
  | "Service"
  | "PodDisruptionBudget";

export type ActionType =
  | "Add"
  | "Update"
  | "Delete"
  | "UpdateNodeLabel"
  | "UpdateNodeTaint"
  | "UpdateNodeAllocatable"
  | "All";

export interface ClusterEvent {
  resource: ClusterEventResource;
  actions: readonly ActionType[];
}

export interface EnqueueExtensions extends Plugin {
  eventsToRegister(): ClusterEvent[];
}

/** The Kubernetes API as plugins may use it: reads from informer caches, writes for preemption and binding. */
export interface Handle {
  /** The snapshot of the current cycle. */
  snapshot(): Snapshot;
  /** An informer-backed read-only cache; the resource is watched from scheduler start. */
  lister<T extends KubeObject>(res: ResourceRef): IndexerView<T>;
  /** Namespace labels, for namespaceSelector terms. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  clock: Clock;
  /** The API writes a plugin may make. */
  api: PluginApi;
  /** Runs every Filter plugin (with nominated pods considered) on a node: preemption's what-if. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result;
  /** Runs PreFilter extensions' addPod/removePod for preemption. */
  runPreFilterExtensionAddPod(state: CycleState, pod: Pod, toAdd: PodInfo, nodeInfo: NodeInfo): Result;
  runPreFilterExtensionRemovePod(state: CycleState, pod: Pod, toRemove: PodInfo, nodeInfo: NodeInfo): Result;
  /** Pods nominated to a node (by an earlier preemption) and not yet bound. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

export interface PluginApi {
  bindPod(pod: Pod, nodeName: string): Promise<void>;
  /** Graceful deletion (preemption victims). */
  deletePod(pod: Pod, gracePeriodSeconds?: number): Promise<void>;
  /** Sets status.nominatedNodeName (empty clears it). */
  setNominatedNodeName(pod: Pod, nodeName: string): Promise<void>;
  /** Adds or replaces a pod condition (e.g. DisruptionTarget on a victim). */
  patchPodCondition(pod: Pod, condition: PodCondition): Promise<void>;
  /** A JSON merge patch (PVC annotations, PV claimRef during volume binding). */
  patch(res: ResourceRef, namespace: string | undefined, name: string, patch: unknown): Promise<KubeObject>;
  update<T extends KubeObject>(res: ResourceRef, obj: T): Promise<T>;
}

/** A plugin factory: args come from the profile's pluginConfig. */
export type PluginFactory = (args: Record<string, unknown> | undefined, handle: Handle) => Plugin;
