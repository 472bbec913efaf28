// upstream's taint eviction controller (pkg/controller/tainteviction/taint_eviction.go):
// a pod on a node with a NoExecute taint it does not tolerate is deleted at
// once; one that tolerates every such taint, some only for a while, is deleted
// when the shortest tolerationSeconds runs out, unless the taint goes or the
// pod does first. Before the delete the pod gets the DisruptionTarget
// condition, so that its controller (a Job's pod failure policy) knows why.
//
// Two queues, as upstream: node keys (their NoExecute taints changed) and pod
// keys (their node or tolerations changed). Both reconciles only read the
// caches and schedule or cancel timed work, synchronously, so a node's and a
// pod's never interleave (upstream shards them onto one worker per node for
// the same reason).
import type { Node, Pod, PodCondition, Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import { TaintEffect, toleratesTaint } from "../../api/scheduling/taints.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler, splitKey } from "../controller.ts";
import { DISRUPTION_TARGET, patchPodStatus, updatePodCondition } from "../util/pod-status.ts";
import { TimedWorkerQueue } from "./timed-workers.ts";

/** The pod informer's index of pods by spec.nodeName (upstream's "spec.nodeName" indexer). */
export const NODE_NAME_INDEX = "spec.nodeName";

/** Attempts at a pod's condition and delete before giving up (upstream's retries). */
const RETRIES = 5;
const RETRY_DELAY_MS = 10;

/** UpdateWorkerSize: workers per queue. */
export const UPDATE_WORKER_SIZE = 8;

/** Adds the spec.nodeName index to the shared pod informer, unless another controller already did. */
export function addNodeNameIndex(informer: SharedInformer<Pod>): void {
  try {
    informer.addIndexers({
      [NODE_NAME_INDEX]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []),
    });
  } catch (e) {
    if (!(e instanceof Error && e.message.startsWith("indexer conflict"))) throw e;
  }
}

/** getNoExecuteTaints. */
export function getNoExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === TaintEffect.NoExecute);
}

/**
 * v1helper.GetMatchingTolerations: whether every taint is tolerated, and for
 * each taint the first toleration that tolerates it.
 */
export function getMatchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
): { allTolerated: boolean; used: Toleration[] } {
  if (taints.length === 0) return { allTolerated: true, used: [] };
  if (!tolerations?.length) return { allTolerated: false, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** getMinTolerationTime: the shortest tolerationSeconds in ms; 0 with none given; -1 for "forever". */
export function getMinTolerationTime(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (t.tolerationSeconds == null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    if (t.tolerationSeconds < min) min = t.tolerationSeconds;
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000;
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameTolerations(
  a: readonly Toleration[] | undefined,
  b: readonly Toleration[] | undefined,
): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export interface TaintEvictionControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  podInformer: SharedInformer<Pod>;
  nodeInformer: SharedInformer<Node>;
  log?(msg: string): void;
}

export class TaintEvictionController {
  /** Node names whose NoExecute taints changed. */
  readonly nodeController: Controller;
  /** Pod keys whose node or tolerations changed. */
  readonly podController: Controller;
  readonly taintEvictionQueue: TimedWorkerQueue;
  /** Node name → its NoExecute taints (nodes without any are absent). */
  private readonly taintedNodes = new Map<string, Taint[]>();
  private readonly pods: IndexerView<Pod>;
  private readonly nodes: IndexerView<Node>;
  private readonly log: (msg: string) => void;

  constructor(private readonly o: TaintEvictionControllerOptions) {
    this.log = o.log ?? (() => {});
    addNodeNameIndex(o.podInformer);
    this.pods = o.podInformer.getIndexer();
    this.nodes = o.nodeInformer.getIndexer();
    this.taintEvictionQueue = new TimedWorkerQueue(
      (key, fireAt) => this.deletePodHandler(key, fireAt),
      o.clock,
      (key, e) =>
        this.log(`TaintEvictionController: timed worker failed for ${key}: ${(e as Error).message ?? e}`),
    );
    const reconciler = (fn: (key: string) => void): Reconciler => ({
      reconcile: async (key) => {
        fn(key);
        return undefined as ReconcileResult | undefined;
      },
    });
    this.nodeController = new Controller({
      name: "noexec_taint_node",
      reconciler: reconciler((k) => this.handleNodeUpdate(k)),
      clock: o.clock,
      log: o.log,
    });
    this.podController = new Controller({
      name: "noexec_taint_pod",
      reconciler: reconciler((k) => this.handlePodUpdate(k)),
      clock: o.clock,
      log: o.log,
    });

    o.podInformer.addEventHandler({
      onAdd: (pod) => this.podUpdated(undefined, pod),
      onUpdate: (oldPod, newPod) => this.podUpdated(oldPod, newPod),
      onDelete: (pod) => this.podUpdated(pod, undefined),
    });
    o.nodeInformer.addEventHandler({
      onAdd: (node) => this.nodeUpdated(undefined, node),
      onUpdate: (oldNode, newNode) => this.nodeUpdated(oldNode, newNode),
      onDelete: (node) => this.nodeUpdated(node, undefined),
    });
  }

  /** Runs both queues until the signal aborts, then cancels the timed work. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.nodeController.run(UPDATE_WORKER_SIZE, signal),
      this.podController.run(UPDATE_WORKER_SIZE, signal),
    ]);
    await this.taintEvictionQueue.cancelAndWait();
  }

  // Event handlers: only enqueue.

  /** PodUpdated: only a pod's node and tolerations matter. */
  private podUpdated(oldPod: Pod | undefined, newPod: Pod | undefined): void {
    if (
      oldPod &&
      newPod &&
      sameTolerations(oldPod.spec?.tolerations, newPod.spec?.tolerations) &&
      oldPod.spec?.nodeName === newPod.spec?.nodeName
    ) {
      return;
    }
    const p = (newPod ?? oldPod)!;
    this.podController.enqueue(`${p.metadata?.namespace}/${p.metadata?.name}`);
  }

  /** NodeUpdated: only a node's NoExecute taints matter. */
  private nodeUpdated(oldNode: Node | undefined, newNode: Node | undefined): void {
    if (
      oldNode &&
      newNode &&
      sameTaints(getNoExecuteTaints(oldNode.spec?.taints), getNoExecuteTaints(newNode.spec?.taints))
    ) {
      return;
    }
    this.nodeController.enqueue((newNode ?? oldNode)?.metadata?.name ?? "");
  }

  // Reconciles.

  /** handlePodUpdate: a pod appeared, moved, changed its tolerations or went. */
  handlePodUpdate(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) {
      this.cancelWorkWithEvent(key);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const taints = this.taintedNodes.get(nodeName);
    // The node went, or lost its taints, and that cancelled any eviction already.
    if (!taints) return;
    this.processPodOnNode(key, nodeName, pod.spec?.tolerations, taints, this.o.clock.now());
  }

  /** handleNodeUpdate: a node's NoExecute taints changed; so may every eviction of its pods. */
  handleNodeUpdate(nodeName: string): void {
    const node = this.nodes.get(nodeName);
    if (!node) {
      this.taintedNodes.delete(nodeName);
      return;
    }
    const taints = getNoExecuteTaints(node.spec?.taints);
    // Before reading its pods: a pod bound later looks the taints up itself.
    if (taints.length === 0) this.taintedNodes.delete(nodeName);
    else this.taintedNodes.set(nodeName, taints);
    const pods = this.pods.byIndex(NODE_NAME_INDEX, nodeName);
    if (pods.length === 0) return;
    if (taints.length === 0) {
      for (const pod of pods) this.cancelWorkWithEvent(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
      return;
    }
    const now = this.o.clock.now();
    for (const pod of pods) {
      this.processPodOnNode(
        `${pod.metadata?.namespace}/${pod.metadata?.name}`,
        nodeName,
        pod.spec?.tolerations,
        taints,
        now,
      );
    }
  }

  /** processPodOnNode: delete now, at the end of the shortest toleration, or never. */
  private processPodOnNode(
    key: string,
    nodeName: string,
    tolerations: Toleration[] | undefined,
    taints: Taint[],
    now: number,
  ): void {
    if (taints.length === 0) this.cancelWorkWithEvent(key);
    const { allTolerated, used } = getMatchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.log(`Not all taints are tolerated after update for pod ${key} on node ${nodeName}`);
      // Any scheduled deletion is replaced by one right now.
      this.cancelWorkWithEvent(key);
      this.taintEvictionQueue.addWork(key, now, now);
      return;
    }
    const minTolerationTime = getMinTolerationTime(used);
    if (minTolerationTime < 0) {
      // Tolerated forever.
      this.cancelWorkWithEvent(key);
      return;
    }
    let startTime = now;
    const triggerTime = startTime + minTolerationTime;
    const scheduled = this.taintEvictionQueue.getWorker(key);
    if (scheduled) {
      startTime = scheduled.createdAt;
      // The eviction already scheduled comes first: keep it.
      if (startTime + minTolerationTime < triggerTime) return;
      this.cancelWorkWithEvent(key);
    }
    this.taintEvictionQueue.addWork(key, startTime, triggerTime);
  }

  private cancelWorkWithEvent(key: string): void {
    if (this.taintEvictionQueue.cancelWork(key)) {
      this.o.recorder.event(
        podRef(key),
        "Normal",
        "TaintManagerEviction",
        `Cancelling deletion of Pod ${key}`,
      );
    }
  }

  /** deletePodHandler: the event, then the condition and the delete, retried a few times. */
  private async deletePodHandler(key: string, _fireAt: number): Promise<void> {
    this.log(`Deleting pod ${key}`);
    this.o.recorder.event(podRef(key), "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    let err: unknown;
    for (let i = 0; i < RETRIES; i++) {
      try {
        await this.addConditionAndDeletePod(key);
        return;
      } catch (e) {
        err = e;
      }
      await sleep(this.o.clock, RETRY_DELAY_MS);
    }
    throw err;
  }

  /** addConditionAndDeletePod: DisruptionTarget (DeletionByTaintManager) on a fresh read, then delete. */
  private async addConditionAndDeletePod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = await this.o.client.get<Pod>(Resources.pods, name, { namespace });
    const oldStatus = pod.status ?? {};
    const newStatus = structuredClone(oldStatus);
    const condition: PodCondition = {
      type: DISRUPTION_TARGET,
      status: "True",
      reason: "DeletionByTaintManager",
      message: "Taint manager: deleting due to NoExecute taint",
    };
    if (updatePodCondition(newStatus, condition, this.o.clock.now())) {
      await patchPodStatus(this.o.client, pod, oldStatus, newStatus);
    }
    await this.o.client.delete(Resources.pods, name, { namespace });
  }
}

function podRef(key: string) {
  const { namespace, name } = splitKey(key);
  return { apiVersion: "v1", kind: "Pod", name, namespace };
}
