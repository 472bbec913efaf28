// upstream's DaemonSetsController (pkg/controller/daemon/daemon_controller.go):
// one daemon pod on every node that should run it. Each pod is created with
// a required node affinity on metadata.name (the default scheduler binds
// it), labelled with the current revision's hash; pods on nodes that should
// not run them, surplus pods, and failed pods (with backoff per node) are
// deleted. Then the rolling update (update.ts), revision cleanup (history.ts)
// and the status (status.ts). Handlers only map events to DaemonSet keys.
import type { ControllerRevision, DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, NodeCondition, Pod } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import { labelSelectorAsSelector } from "../../machinery/labels.ts";
import type { ControllerContext } from "../context.ts";
import { Controller, type ReconcileResult, splitKey } from "../controller.ts";
import { claimObjects, recheckDeletionTimestamp } from "../util/controller-ref-manager.ts";
import { ControllerExpectations } from "../util/expectations.ts";
import { stableStringify } from "../util/hash.ts";
import { getControllerOf, newControllerRef } from "../util/owner.ts";
import { getPodFromTemplate, PodControl } from "../util/pod-control.ts";
import { isPodAvailable, isPodReady, isPodTerminal } from "../util/pods.ts";
import { Backoff } from "./backoff.ts";
import {
  allowsSurge,
  comparePodsByCreationTimestampAndPhase,
  createPodTemplate,
  DAEMONSET_UNIQUE_LABEL_KEY,
  getTargetNodeName,
  getTemplateGeneration,
  replaceDaemonSetPodNodeNameNodeAffinity,
} from "./daemonset-util.ts";
import { cleanupHistory, constructHistory, DAEMONSET_KIND, type HistoryDeps } from "./history.ts";
import { nodeShouldRunDaemonPod } from "./should-run.ts";
import { calculateDaemonSetCounts, storeDaemonSetStatus } from "./status.ts";
import { planRollingUpdate } from "./update.ts";

/** BurstReplicas: at most this many creates (and deletes) per sync. */
export const BURST_REPLICAS = 250;
/** SlowStartInitialBatchSize: creates go out in batches of 1, 2, 4… and stop at the first failing batch. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** BackoffGCInterval. */
export const BACKOFF_GC_INTERVAL_MS = 60_000;
/** The controller-manager's failedPodsBackoff: flowcontrol.NewBackOff(1*time.Second, 15*time.Minute). */
export const FAILED_PODS_BACKOFF_INITIAL_MS = 1_000;
export const FAILED_PODS_BACKOFF_MAX_MS = 15 * 60_000;

// Reasons for DaemonSet events.
export const SELECTING_ALL_REASON = "SelectingAll";
export const FAILED_PLACEMENT_REASON = "FailedPlacement";
export const FAILED_DAEMON_POD_REASON = "FailedDaemonPod";
export const SUCCEEDED_DAEMON_POD_REASON = "SucceededDaemonPod";

/** What one sync asks for besides success: come back after the shortest of these delays. */
class Requeue {
  ms: number | undefined;
  after(ms: number): void {
    this.ms = this.ms === undefined ? ms : Math.min(this.ms, ms);
  }
  result(): ReconcileResult | undefined {
    return this.ms === undefined ? undefined : { requeueAfterMs: this.ms };
  }
}

/** utilerrors.NewAggregate's message: one error as it is, several in brackets. */
function aggregate(errors: unknown[]): Error | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  return new Error(`[${errors.map((e) => (e instanceof Error ? e.message : String(e))).join(", ")}]`);
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

function isEmptySelector(ds: DaemonSet): boolean {
  const s = ds.spec?.selector as Record<string, unknown> | undefined;
  return !!s && s.matchLabels === undefined && s.matchExpressions === undefined;
}

/** nodeInSameCondition: the same condition types are True on both. */
export function nodeInSameCondition(old: NodeCondition[] = [], cur: NodeCondition[] = []): boolean {
  if (old.length === 0 && cur.length === 0) return true;
  const trueOld = new Set(old.filter((c) => c.status === "True").map((c) => c.type));
  for (const c of cur) {
    if (c.status !== "True") continue;
    if (!trueOld.has(c.type)) return false;
    trueOld.delete(c.type);
  }
  return trueOld.size === 0;
}

/** shouldIgnoreNodeUpdate: only heartbeats changed (managedFields too, for an informer that keeps them). */
export function shouldIgnoreNodeUpdate(oldNode: Node, curNode: Node): boolean {
  if (!nodeInSameCondition(oldNode.status?.conditions, curNode.status?.conditions)) return false;
  const strip = (n: Node) => ({
    ...n,
    metadata: { ...n.metadata, resourceVersion: undefined, managedFields: undefined },
    status: { ...n.status, conditions: undefined },
  });
  return stableStringify(strip(oldNode)) === stableStringify(strip(curNode));
}

export class DaemonSetsController {
  readonly controller: Controller;
  readonly expectations: ControllerExpectations;
  readonly failedPodsBackoff: Backoff;
  private readonly podControl: PodControl;
  private readonly daemonSets: IndexerView<DaemonSet>;
  private readonly revisions: IndexerView<ControllerRevision>;
  private readonly pods: IndexerView<Pod>;
  private readonly nodes: IndexerView<Node>;
  private readonly history: HistoryDeps;
  private lastBackoffGC = 0;

  constructor(private readonly ctx: ControllerContext) {
    this.controller = new Controller({
      name: "daemonset",
      reconciler: this,
      clock: ctx.clock,
      log: (m) => ctx.log(m),
    });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.failedPodsBackoff = new Backoff(
      ctx.clock,
      FAILED_PODS_BACKOFF_INITIAL_MS,
      FAILED_PODS_BACKOFF_MAX_MS,
    );
    this.podControl = new PodControl(ctx.client, ctx.recorder);

    const dsInformer = ctx.informers.forResource<DaemonSet>(Resources.daemonsets);
    const historyInformer = ctx.informers.forResource<ControllerRevision>(Resources.controllerrevisions);
    const podInformer = ctx.informers.forResource<Pod>(Resources.pods);
    const nodeInformer = ctx.informers.forResource<Node>(Resources.nodes);
    this.daemonSets = dsInformer.getIndexer();
    this.revisions = historyInformer.getIndexer();
    this.pods = podInformer.getIndexer();
    this.nodes = nodeInformer.getIndexer();
    this.history = {
      client: ctx.client,
      revisions: this.revisions,
      getDaemonPods: (ds) => this.getDaemonPods(ds),
      log: (m) => ctx.log(m),
    };

    dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (oldDS, curDS) => {
        // A DaemonSet recreated under the same name: the old one's expectations go.
        if (oldDS.metadata?.uid !== curDS.metadata?.uid) this.deleteDaemonSet(oldDS);
        this.enqueue(curDS);
      },
      onDelete: (ds) => this.deleteDaemonSet(ds),
    });
    historyInformer.addEventHandler({
      onAdd: (h) => this.addHistory(h),
      onUpdate: (o, c) => this.updateHistory(o, c),
      onDelete: (h) => this.deleteHistory(h),
    });
    podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (o, c) => this.updatePod(o, c),
      onDelete: (p) => this.deletePod(p),
    });
    nodeInformer.addEventHandler({
      onAdd: (n) => this.addNode(n),
      onUpdate: (o, c) => this.updateNode(o, c),
    });
  }

  private enqueue(ds: DaemonSet): void {
    this.controller.enqueue(metaNamespaceKey(ds));
  }

  // ---- event handlers: map every change to the keys of the DaemonSets it concerns ----

  private deleteDaemonSet(ds: DaemonSet): void {
    const key = metaNamespaceKey(ds);
    // A DaemonSet created again under this name starts clean.
    this.expectations.deleteExpectations(key);
    this.controller.enqueue(key);
  }

  /** resolveControllerRef: the DaemonSet ref names, if it is still the same object. */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): DaemonSet | undefined {
    if (ref.kind !== DAEMONSET_KIND.kind) return undefined;
    const ds = this.daemonSets.get(`${namespace}/${ref.name}`);
    if (!ds || ds.metadata?.uid !== ref.uid) return undefined;
    return ds;
  }

  /** GetPodDaemonSets / GetHistoryDaemonSets: DaemonSets of the namespace whose (non-empty) selector matches the labels. */
  private daemonSetsSelecting(
    namespace: string | undefined,
    labels: Record<string, string> | undefined,
  ): DaemonSet[] {
    if (!labels || Object.keys(labels).length === 0) return [];
    const out: DaemonSet[] = [];
    for (const ds of this.daemonSets.byNamespace(namespace ?? "")) {
      let selector: ReturnType<typeof labelSelectorAsSelector>;
      try {
        selector = labelSelectorAsSelector(ds.spec?.selector);
      } catch {
        continue; // an invalid selector matches nothing
      }
      // A nil or empty selector matches nothing, not everything.
      if (selector.empty() || !selector.matches(labels)) continue;
      out.push(ds);
    }
    return out;
  }

  private addHistory(history: ControllerRevision): void {
    if (history.metadata?.deletionTimestamp) {
      this.deleteHistory(history);
      return;
    }
    // An owned revision wakes nobody (upstream only logs it); an orphan wakes the DaemonSets that may adopt it.
    if (getControllerOf(history)) return;
    for (const ds of this.daemonSetsSelecting(history.metadata?.namespace, history.metadata?.labels))
      this.enqueue(ds);
  }

  private updateHistory(oldH: ControllerRevision, curH: ControllerRevision): void {
    if (curH.metadata?.resourceVersion === oldH.metadata?.resourceVersion) return;
    const curRef = getControllerOf(curH);
    const oldRef = getControllerOf(oldH);
    const refChanged = stableStringify(curRef ?? null) !== stableStringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(oldH.metadata?.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(curH.metadata?.namespace, curRef);
      if (ds) this.enqueue(ds);
      return;
    }
    const labelsChanged =
      stableStringify(curH.metadata?.labels ?? null) !== stableStringify(oldH.metadata?.labels ?? null);
    if (labelsChanged || refChanged) {
      for (const ds of this.daemonSetsSelecting(curH.metadata?.namespace, curH.metadata?.labels))
        this.enqueue(ds);
    }
  }

  private deleteHistory(history: ControllerRevision): void {
    const ref = getControllerOf(history);
    if (!ref) return;
    const ds = this.resolveControllerRef(history.metadata?.namespace, ref);
    if (ds) this.enqueue(ds);
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Already being deleted when first seen (a restart): not a creation.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata?.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(metaNamespaceKey(ds));
      this.enqueue(ds);
      return;
    }
    // An orphan: its DaemonSets may want to adopt it. No creation observed: nobody waits for orphans.
    for (const ds of this.daemonSetsSelecting(pod.metadata?.namespace, pod.metadata?.labels))
      this.enqueue(ds);
  }

  private updatePod(oldPod: Pod, curPod: Pod): void {
    if (curPod.metadata?.resourceVersion === oldPod.metadata?.resourceVersion) return;
    if (curPod.metadata?.deletionTimestamp) {
      // A graceful deletion started: act now rather than when the kubelet removes it.
      this.deletePod(curPod);
      return;
    }
    const curRef = getControllerOf(curPod);
    const oldRef = getControllerOf(oldPod);
    const refChanged = stableStringify(curRef ?? null) !== stableStringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(oldPod.metadata?.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(curPod.metadata?.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldPod) && isPodReady(curPod) && minReadySeconds > 0) {
        // A second more, against millisecond skew.
        this.controller.enqueueAfter(metaNamespaceKey(ds), minReadySeconds * 1000 + 1000);
      }
      return;
    }
    const dss = this.daemonSetsSelecting(curPod.metadata?.namespace, curPod.metadata?.labels);
    const labelsChanged =
      stableStringify(curPod.metadata?.labels ?? null) !== stableStringify(oldPod.metadata?.labels ?? null);
    if (labelsChanged || refChanged) for (const ds of dss) this.enqueue(ds);
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const ds = this.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!ds) return;
    this.expectations.deletionObserved(metaNamespaceKey(ds));
    this.enqueue(ds);
  }

  private addNode(node: Node): void {
    for (const ds of this.daemonSets.list()) {
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
    }
  }

  private updateNode(oldNode: Node, curNode: Node): void {
    if (shouldIgnoreNodeUpdate(oldNode, curNode)) return;
    for (const ds of this.daemonSets.list()) {
      const o = nodeShouldRunDaemonPod(oldNode, ds);
      const c = nodeShouldRunDaemonPod(curNode, ds);
      if (o.shouldRun !== c.shouldRun || o.shouldContinueRunning !== c.shouldContinueRunning)
        this.enqueue(ds);
    }
  }

  // ---- the sync ----

  /** getDaemonPods: the pods ds owns, after adopting matching orphans and releasing owned pods that stopped matching. */
  async getDaemonPods(ds: DaemonSet): Promise<Pod[]> {
    const selector = labelSelectorAsSelector(ds.spec?.selector);
    // All pods of the namespace: also those that stopped matching but still name ds as controller.
    const pods = this.pods.byNamespace(ds.metadata?.namespace ?? "");
    return claimObjects(pods, {
      client: this.ctx.client,
      owner: ds,
      ownerKind: DAEMONSET_KIND,
      resource: Resources.pods,
      matches: (labels) => selector.matches(labels),
      canAdopt: recheckDeletionTimestamp(this.ctx.client, Resources.daemonsets, ds),
    });
  }

  /** getNodesToDaemonPods: ds's pods by the node they are (or will be) on. */
  async getNodesToDaemonPods(ds: DaemonSet, includeDeletedTerminal: boolean): Promise<Map<string, Pod[]>> {
    const claimed = await this.getDaemonPods(ds);
    const byNode = new Map<string, Pod[]>();
    for (const pod of claimed) {
      // A terminal pod being deleted is left to the kubelet or the pod GC.
      if (!includeDeletedTerminal && isPodTerminal(pod) && pod.metadata?.deletionTimestamp) continue;
      let nodeName: string;
      try {
        nodeName = getTargetNodeName(pod);
      } catch {
        continue;
      }
      const list = byNode.get(nodeName);
      if (list) list.push(pod);
      else byNode.set(nodeName, [pod]);
    }
    return byNode;
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const requeue = new Requeue();
    await this.syncDaemonSet(key, requeue);
    return requeue.result();
  }

  private gcBackoff(): void {
    const now = this.ctx.clock.now();
    if (now - this.lastBackoffGC < BACKOFF_GC_INTERVAL_MS) return;
    this.lastBackoffGC = now;
    this.failedPodsBackoff.gc();
  }

  private async syncDaemonSet(key: string, requeue: Requeue): Promise<void> {
    this.gcBackoff();
    const { namespace, name } = splitKey(key);
    const ds = this.daemonSets.get(`${namespace}/${name}`);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const nodeList = this.nodes.list();

    if (isEmptySelector(ds)) {
      this.ctx.recorder.event(
        ds,
        "Warning",
        SELECTING_ALL_REASON,
        "This daemon set is selecting all pods. A non-empty selector is required.",
      );
      return;
    }

    // Neither revisions nor status can be trusted while the DaemonSet is being deleted.
    if (ds.metadata?.deletionTimestamp) return;

    let cur: ControllerRevision;
    let old: ControllerRevision[];
    try {
      ({ cur, old } = await constructHistory(this.history, ds));
    } catch (e) {
      throw new Error(`failed to construct revisions of DaemonSet: ${(e as Error).message}`);
    }
    const hash = cur.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] ?? "";

    if (!this.expectations.satisfiedExpectations(key)) {
      // Status only; this generation has not been acted on, so observedGeneration stays.
      await this.updateDaemonSetStatus(ds, nodeList, hash, false, requeue);
      return;
    }

    let err: unknown;
    try {
      await this.updateDaemonSet(ds, nodeList, hash, key, old, requeue);
    } catch (e) {
      err = e;
    }
    let statusErr: unknown;
    try {
      await this.updateDaemonSetStatus(ds, nodeList, hash, true, requeue);
    } catch (e) {
      statusErr = e;
    }
    if (err !== undefined) {
      if (statusErr !== undefined)
        this.ctx.log(`Failed to update status of ${key}: ${(statusErr as Error).message}`);
      throw err;
    }
    if (statusErr !== undefined) throw statusErr;
  }

  private async updateDaemonSet(
    ds: DaemonSet,
    nodeList: Node[],
    hash: string,
    key: string,
    old: ControllerRevision[],
    requeue: Requeue,
  ): Promise<void> {
    await this.manage(ds, nodeList, hash, requeue);
    // Roll only once the manage loop's creates and deletes have been seen.
    if (this.expectations.satisfiedExpectations(key)) {
      if (ds.spec?.updateStrategy?.type === "RollingUpdate") await this.rollingUpdate(ds, nodeList, hash);
    }
    try {
      await cleanupHistory(this.history, ds, old, await this.getNodesToDaemonPods(ds, true));
    } catch (e) {
      throw new Error(`failed to clean up revisions of DaemonSet: ${(e as Error).message}`);
    }
  }

  private async rollingUpdate(ds: DaemonSet, nodeList: Node[], hash: string): Promise<void> {
    let nodeToDaemonPods: Map<string, Pod[]>;
    try {
      nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    } catch (e) {
      throw new Error(
        `couldn't get node to daemon pod mapping for daemon set "${ds.metadata?.name}": ${(e as Error).message}`,
      );
    }
    let plan: ReturnType<typeof planRollingUpdate>;
    try {
      plan = planRollingUpdate({
        ds,
        nodeList,
        nodeToDaemonPods,
        hash,
        nowMs: this.ctx.clock.now(),
        log: (m) => this.ctx.log(m),
      });
    } catch (e) {
      throw new Error(`couldn't get unavailable numbers: ${(e as Error).message}`);
    }
    await this.syncNodes(ds, plan.podsToDelete, plan.nodesToCreate, hash);
  }

  /** manage: create daemon pods where missing, delete them where they should not be. */
  private async manage(ds: DaemonSet, nodeList: Node[], hash: string, requeue: Requeue): Promise<void> {
    let nodeToDaemonPods: Map<string, Pod[]>;
    try {
      nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    } catch (e) {
      throw new Error(
        `couldn't get node to daemon pod mapping for daemon set "${ds.metadata?.name}": ${(e as Error).message}`,
      );
    }
    const nodesNeedingDaemonPods: string[] = [];
    const podsToDelete: string[] = [];
    for (const node of nodeList) {
      const r = this.podsShouldBeOnNode(node, nodeToDaemonPods, ds, hash, requeue);
      nodesNeedingDaemonPods.push(...r.nodesNeedingDaemonPods);
      podsToDelete.push(...r.podsToDelete);
    }
    // Pods pinned to nodes that no longer exist are never scheduled, so the pod GC never removes them.
    podsToDelete.push(...getUnscheduledPodsWithoutNode(nodeList, nodeToDaemonPods));
    await this.syncNodes(ds, podsToDelete, nodesNeedingDaemonPods, hash);
  }

  /** podsShouldBeOnNode: the pod to create on node, and the pods on it to delete. */
  private podsShouldBeOnNode(
    node: Node,
    nodeToDaemonPods: ReadonlyMap<string, Pod[]>,
    ds: DaemonSet,
    hash: string,
    requeue: Requeue,
  ): { nodesNeedingDaemonPods: string[]; podsToDelete: string[] } {
    const nodesNeedingDaemonPods: string[] = [];
    const podsToDelete: string[] = [];
    const nodeName = node.metadata?.name ?? "";
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const daemonPods = nodeToDaemonPods.get(nodeName);
    const exists = daemonPods !== undefined;

    if (shouldRun && !exists) {
      nodesNeedingDaemonPods.push(nodeName);
    } else if (shouldContinueRunning) {
      // Failed pods go (with backoff: this is where a DaemonSet fights a kubelet that rejects its pods).
      const running: Pod[] = [];
      for (const pod of daemonPods ?? []) {
        if (pod.metadata?.deletionTimestamp) continue;
        const podName = pod.metadata?.name ?? "";
        if (pod.status?.phase === "Failed") {
          const backoffKey = failedPodsBackoffKey(ds, nodeName);
          const now = this.failedPodsBackoff.clock.now();
          if (this.failedPodsBackoff.isInBackOffSinceUpdate(backoffKey, now)) {
            requeue.after(this.failedPodsBackoff.get(backoffKey));
            continue;
          }
          this.failedPodsBackoff.next(backoffKey, now);
          this.ctx.recorder.event(
            ds,
            "Warning",
            FAILED_DAEMON_POD_REASON,
            `Found failed daemon pod ${pod.metadata?.namespace}/${podName} on node ${nodeName}, will try to kill it`,
          );
          podsToDelete.push(podName);
        } else if (pod.status?.phase === "Succeeded") {
          this.ctx.recorder.event(
            ds,
            "Normal",
            SUCCEEDED_DAEMON_POD_REASON,
            `Found succeeded daemon pod ${pod.metadata?.namespace}/${podName} on node ${nodeName}, will try to delete it`,
          );
          podsToDelete.push(podName);
        } else {
          running.push(pod);
        }
      }
      running.sort(comparePodsByCreationTimestampAndPhase);
      if (!allowsSurge(ds)) {
        // Without surge, only the oldest pod stays.
        for (const p of running.slice(1)) podsToDelete.push(p.metadata?.name ?? "");
      } else if (running.length <= 1) {
        // Surging: the node needs at least one pod that is not being deleted.
        if (running.length === 0 && shouldRun) nodesNeedingDaemonPods.push(nodeName);
      } else {
        // Surging allows two pods only while the oldest new pod is not yet
        // available and the oldest old pod is ready; every other pod goes.
        let oldestNewPod: Pod | undefined;
        let oldestOldPod: Pod | undefined;
        for (const pod of running) {
          if (pod.metadata?.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] === hash) {
            if (!oldestNewPod) {
              oldestNewPod = pod;
              continue;
            }
          } else if (!oldestOldPod) {
            oldestOldPod = pod;
            continue;
          }
          podsToDelete.push(pod.metadata?.name ?? "");
        }
        if (oldestNewPod && oldestOldPod) {
          if (!isPodReady(oldestOldPod)) {
            podsToDelete.push(oldestOldPod.metadata?.name ?? "");
          } else if (isPodAvailable(oldestNewPod, ds.spec?.minReadySeconds ?? 0, this.ctx.clock.now())) {
            podsToDelete.push(oldestOldPod.metadata?.name ?? "");
          }
        }
      }
    } else if (exists) {
      // The node should not run the pod (an untolerated NoExecute taint, a selector it no longer matches): all go.
      for (const pod of daemonPods) {
        if (pod.metadata?.deletionTimestamp) continue;
        podsToDelete.push(pod.metadata?.name ?? "");
      }
    }
    return { nodesNeedingDaemonPods, podsToDelete };
  }

  /** syncNodes: deletes podsToDelete and creates a pod for each of nodesNeedingDaemonPods, under expectations. */
  private async syncNodes(
    ds: DaemonSet,
    podsToDelete: string[],
    nodesNeedingDaemonPods: string[],
    hash: string,
  ): Promise<void> {
    const dsKey = metaNamespaceKey(ds);
    const namespace = ds.metadata?.namespace ?? "";
    const createDiff = Math.min(nodesNeedingDaemonPods.length, BURST_REPLICAS);
    const deleteDiff = Math.min(podsToDelete.length, BURST_REPLICAS);
    // Expectations first, so that the informer's events never beat them.
    this.expectations.setExpectations(dsKey, createDiff, deleteDiff);
    const errors: unknown[] = [];

    const template = createPodTemplate(
      ds.spec?.template ?? { spec: { containers: [] } },
      getTemplateGeneration(ds),
      hash,
    );
    const controllerRef = newControllerRef(ds, DAEMONSET_KIND);
    let batchSize = Math.min(createDiff, SLOW_START_INITIAL_BATCH_SIZE);
    for (let pos = 0; createDiff > pos; ) {
      const errorCount = errors.length;
      await Promise.all(
        nodesNeedingDaemonPods.slice(pos, pos + batchSize).map(async (nodeName) => {
          const podTemplate = structuredClone(template);
          podTemplate.spec!.affinity = replaceDaemonSetPodNodeNameNodeAffinity(
            podTemplate.spec?.affinity,
            nodeName,
          );
          try {
            await this.podControl.createPod(getPodFromTemplate(podTemplate, ds, controllerRef), ds);
          } catch (e) {
            // Creating in a terminating namespace fails for every pod: nothing to retry.
            if (isNamespaceTerminating(e)) return;
            this.ctx.log(`Failed creation, decrementing expectations for daemon set ${dsKey}`);
            this.expectations.creationObserved(dsKey);
            errors.push(e);
          }
        }),
      );
      // Pods never attempted after a failing batch are not expected.
      const skippedPods = createDiff - (batchSize + pos);
      if (errorCount < errors.length && skippedPods > 0) {
        this.expectations.lowerExpectations(dsKey, skippedPods, 0);
        break;
      }
      pos += batchSize;
      batchSize = Math.min(2 * batchSize, createDiff - pos);
    }

    await Promise.all(
      podsToDelete.slice(0, deleteDiff).map(async (podName) => {
        try {
          await this.podControl.deletePod(namespace, podName, ds);
        } catch (e) {
          this.expectations.deletionObserved(dsKey);
          if (!isNotFound(e)) {
            this.ctx.log(`Failed deletion, decremented expectations for daemon set ${dsKey}`);
            errors.push(e);
          }
        }
      }),
    );
    const err = aggregate(errors);
    if (err) throw err;
  }

  private async updateDaemonSetStatus(
    ds: DaemonSet,
    nodeList: Node[],
    hash: string,
    updateObservedGen: boolean,
    requeue: Requeue,
  ): Promise<void> {
    let nodeToDaemonPods: Map<string, Pod[]>;
    try {
      nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    } catch (e) {
      throw new Error(
        `couldn't get node to daemon pod mapping for daemon set "${ds.metadata?.name}": ${(e as Error).message}`,
      );
    }
    const counts = calculateDaemonSetCounts(ds, nodeList, nodeToDaemonPods, hash, this.ctx.clock.now());
    try {
      await storeDaemonSetStatus(this.ctx.client, ds, counts, updateObservedGen);
    } catch (e) {
      throw new Error(
        `error storing status for daemon set ${ds.metadata?.namespace}/${ds.metadata?.name}: ${(e as Error).message}`,
      );
    }
    // Come back after minReadySeconds, a last line of defence against clock skew.
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable)
      requeue.after(minReadySeconds * 1000);
  }
}

/** failedPodsBackoffKey: per DaemonSet, observed generation and node. */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata?.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/** getUnscheduledPodsWithoutNode: unbound pods pinned to nodes that do not exist. */
export function getUnscheduledPodsWithoutNode(
  nodeList: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, Pod[]>,
): string[] {
  const running = new Set(nodeList.map((n) => n.metadata?.name ?? ""));
  const out: string[] = [];
  for (const [nodeName, pods] of nodeToDaemonPods) {
    if (running.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.push(pod.metadata?.name ?? "");
  }
  return out;
}
