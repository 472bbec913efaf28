// upstream's node lifecycle controller (pkg/controller/nodelifecycle/
// node_lifecycle_controller.go), four loops:
//  - monitorNodeHealth, every --node-monitor-period: a node whose kubelet has
//    neither renewed its Lease nor changed its Ready heartbeat for
//    --node-monitor-grace-period gets Ready (and the pressure conditions)
//    Unknown, its pods Ready=False, and joins its zone's tainting queue; a
//    node Ready again leaves it and loses its NoExecute taints. Zone
//    disruption states set how fast each zone's queue may go.
//  - doNoExecuteTaintingPass, every 100 ms: takes nodes off the zone queues,
//    as fast as each zone's token bucket allows, and gives them the
//    unreachable or not-ready NoExecute taint (the taint eviction
//    controller then evicts their pods).
//  - the node queue ("taint nodes by condition"): each node's NoSchedule
//    taints follow its conditions and spec.unschedulable; beta os/arch
//    labels follow the stable ones.
//  - the pod queue: a pod newly bound to a node that is not Ready is marked
//    not Ready at once instead of at the next monitor pass.
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node, NodeCondition, NodeStatus, Pod, Taint } from "kubernetes-types/core/v1.d.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { Controller } from "../controller.ts";
import { addNodeNameIndex, NODE_NAME_INDEX } from "../tainteviction/taint-eviction.ts";
import { markPodsNotReady } from "./mark-pods.ts";
import { computeNodeHealth, type NodeHealthData, type NodeHealthResult } from "./node-health.ts";
import {
  addOrUpdateLabelsOnNode,
  getNodeCondition,
  NOT_READY_TAINT_TEMPLATE,
  type NodeWriter,
  noScheduleTaintChanges,
  removeTaintOffNode,
  swapNodeControllerTaint,
  taintExists,
  UNREACHABLE_TAINT_TEMPLATE,
} from "./node-taints.ts";
import {
  EVICTION_RATE_LIMITER_BURST,
  NODE_EVICTION_PERIOD_MS,
  RateLimitedTimedQueue,
  type TimedValue,
  TokenBucketRateLimiter,
} from "./rate-limited-queue.ts";
import {
  computeZoneState,
  DEFAULT_EVICTION_SETTINGS,
  type EvictionSettings,
  getZoneKey,
  healthyQPS,
  isNodeExcludedFromDisruptionChecks,
  reducedQPS,
  type ZoneState,
} from "./zones.ts";

/** v1.NamespaceNodeLease. */
export const NAMESPACE_NODE_LEASE = "kube-node-lease";
/** podUpdateWorkerSize. */
export const POD_UPDATE_WORKER_SIZE = 4;
/** nodeUpdateWorkerSize: node queue workers, and nodes checked at once per monitor pass. */
export const NODE_UPDATE_WORKER_SIZE = 8;
/** NodeHealthUpdateRetry: attempts at writing one node's health per pass. */
const NODE_HEALTH_UPDATE_RETRY = 5;
/** retrySleepTime. */
const RETRY_SLEEP_MS = 20;

/** Beta labels kept equal to the stable ones (labelReconcileInfo). */
const LABEL_RECONCILE_INFO = [
  { primaryKey: "kubernetes.io/os", secondaryKey: "beta.kubernetes.io/os", ensureSecondaryExists: true },
  { primaryKey: "kubernetes.io/arch", secondaryKey: "beta.kubernetes.io/arch", ensureSecondaryExists: true },
];

export interface NodeLifecycleControllerOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  random: () => number;
  nodeInformer: SharedInformer<Node>;
  podInformer: SharedInformer<Pod>;
  leaseInformer: SharedInformer<Lease>;
  /** --node-monitor-period (5 s). */
  nodeMonitorPeriodMs: number;
  /** --node-startup-grace-period (60 s). */
  nodeStartupGracePeriodMs: number;
  /** --node-monitor-grace-period (40 s). */
  nodeMonitorGracePeriodMs: number;
  eviction?: Partial<EvictionSettings>;
  log?(msg: string): void;
}

export class NodeLifecycleController {
  /** Node names: NoSchedule taints by condition, and labels. */
  readonly nodeController: Controller;
  /** Pod keys: pods bound to a node that is not Ready. */
  readonly podController: Controller;
  private readonly nodes: IndexerView<Node>;
  private readonly pods: IndexerView<Pod>;
  private readonly leases: IndexerView<Lease>;
  private readonly eviction: EvictionSettings;
  private readonly writer: NodeWriter & { log(msg: string): void };
  private readonly log: (msg: string) => void;
  private readonly knownNodeSet = new Map<string, Node>();
  /** Per node: last observed health, with the local time it was observed. */
  private readonly nodeHealthMap = new Map<string, NodeHealthData>();
  /** Per zone: the nodes waiting for their NoExecute taint. */
  private readonly zoneNoExecuteTainter = new Map<string, RateLimitedTimedQueue>();
  private readonly zoneStates = new Map<string, ZoneState>();
  /** Nodes whose pods still have to be marked not Ready after a failure. */
  private readonly nodesToRetry = new Set<string>();

  constructor(private readonly o: NodeLifecycleControllerOptions) {
    this.log = o.log ?? (() => {});
    this.eviction = { ...DEFAULT_EVICTION_SETTINGS, ...o.eviction };
    this.writer = { client: o.client, clock: o.clock, random: o.random, log: this.log };
    addNodeNameIndex(o.podInformer);
    this.nodes = o.nodeInformer.getIndexer();
    this.pods = o.podInformer.getIndexer();
    this.leases = o.leaseInformer.getIndexer();
    this.nodeController = new Controller({
      name: "node_lifecycle_controller",
      reconciler: { reconcile: async (name) => void (await this.processNode(name)) },
      clock: o.clock,
      log: o.log,
    });
    this.podController = new Controller({
      name: "node_lifecycle_controller_pods",
      reconciler: { reconcile: async (key) => void (await this.processPod(key)) },
      clock: o.clock,
      log: o.log,
    });
    o.podInformer.addEventHandler({
      onAdd: (pod) => this.podUpdated(undefined, pod),
      onUpdate: (oldPod, newPod) => this.podUpdated(oldPod, newPod),
    });
    o.nodeInformer.addEventHandler({
      onAdd: (node) => this.nodeController.enqueue(node.metadata?.name ?? ""),
      onUpdate: (_old, node) => this.nodeController.enqueue(node.metadata?.name ?? ""),
      onDelete: (node) => this.nodesToRetry.delete(node.metadata?.name ?? ""),
    });
  }

  /** Run: both queues, the NoExecute tainting pass and the health monitor, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.nodeController.run(NODE_UPDATE_WORKER_SIZE, signal),
      this.podController.run(POD_UPDATE_WORKER_SIZE, signal),
      this.until(NODE_EVICTION_PERIOD_MS, signal, "Error tainting nodes", () =>
        this.doNoExecuteTaintingPass(),
      ),
      this.until(this.o.nodeMonitorPeriodMs, signal, "Error monitoring node health", () =>
        this.monitorNodeHealth(),
      ),
    ]);
  }

  /** wait.UntilWithContext: fn now, then period after each run ends. */
  private async until(
    periodMs: number,
    signal: AbortSignal,
    what: string,
    fn: () => Promise<void>,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        await fn();
      } catch (e) {
        this.log(`${what}: ${(e as Error).message}`);
      }
      await sleep(this.o.clock, periodMs, signal);
    }
  }

  // ---- the node queue

  private async processNode(nodeName: string): Promise<void> {
    let err: unknown;
    try {
      await this.doNoScheduleTaintingPass(nodeName);
    } catch (e) {
      err = e;
    }
    await this.reconcileNodeLabels(nodeName);
    if (err) throw err;
  }

  /** doNoScheduleTaintingPass: the NoSchedule taints follow the node's conditions. */
  async doNoScheduleTaintingPass(nodeName: string): Promise<void> {
    const node = this.nodes.get(nodeName);
    if (!node) return;
    const { add, remove } = noScheduleTaintChanges(node);
    if (add.length === 0 && remove.length === 0) return;
    if (!(await swapNodeControllerTaint(this.writer, add, remove, node))) {
      throw new Error(`failed to swap taints of node ${nodeName}`);
    }
  }

  /** reconcileNodeLabels: beta os/arch labels equal to the stable ones. */
  async reconcileNodeLabels(nodeName: string): Promise<void> {
    const labels = this.nodes.get(nodeName)?.metadata?.labels;
    if (!labels) return;
    const toUpdate: Record<string, string> = {};
    for (const r of LABEL_RECONCILE_INFO) {
      if (!Object.hasOwn(labels, r.primaryKey)) continue;
      const primary = labels[r.primaryKey];
      const hasSecondary = Object.hasOwn(labels, r.secondaryKey);
      if (
        (hasSecondary && labels[r.secondaryKey] !== primary) ||
        (!hasSecondary && r.ensureSecondaryExists)
      ) {
        toUpdate[r.secondaryKey] = primary;
      }
    }
    if (Object.keys(toUpdate).length === 0) return;
    try {
      await addOrUpdateLabelsOnNode(this.writer, nodeName, toUpdate);
    } catch (e) {
      throw new Error(`failed update labels for node ${nodeName}: ${(e as Error).message}`);
    }
  }

  // ---- the pod queue

  private podUpdated(oldPod: Pod | undefined, newPod: Pod): void {
    const nodeName = newPod.spec?.nodeName;
    if (nodeName && (!oldPod || oldPod.spec?.nodeName !== nodeName)) {
      this.podController.enqueue(`${newPod.metadata?.namespace}/${newPod.metadata?.name}`);
    }
  }

  /** processPod: a pod just bound to a node that is not Ready is marked not Ready too. */
  private async processPod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName ?? "";
    const health = this.nodeHealthMap.get(nodeName);
    // Not seen by the monitor yet, or gone: its next pass or event handles the pod.
    if (!health) return;
    if (!this.nodes.get(nodeName)) throw new Error(`Failed to read node ${nodeName}`);
    const ready = getNodeCondition(health.status.conditions, "Ready");
    if (!ready) return;
    if (ready.status !== "True") {
      await markPodsNotReady(this.o.client, this.o.recorder, [pod], nodeName, this.o.clock.now());
    }
  }

  // ---- NoExecute tainting

  /** doNoExecuteTaintingPass: taint the queued nodes as fast as their zone allows. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const queue of [...this.zoneNoExecuteTainter.values()]) {
      await queue.try((v) => this.taintNode(v));
    }
  }

  private async taintNode(v: TimedValue): Promise<{ done: boolean; waitMs?: number }> {
    const node = this.nodes.get(v.value);
    if (!node) {
      this.log(`Node no longer present in nodeLister node=${v.value}`);
      return { done: true };
    }
    const condition = getNodeCondition(node.status?.conditions, "Ready");
    if (!condition) {
      this.log(`Failed to get NodeCondition from the node status node=${v.value}`);
      return { done: false, waitMs: 50 };
    }
    // The unreachable and not-ready taints mirror Ready, so they exclude each other.
    let taintToAdd: Taint;
    let oppositeTaint: Taint;
    switch (condition.status) {
      case "False":
        taintToAdd = NOT_READY_TAINT_TEMPLATE;
        oppositeTaint = UNREACHABLE_TAINT_TEMPLATE;
        break;
      case "Unknown":
        taintToAdd = UNREACHABLE_TAINT_TEMPLATE;
        oppositeTaint = NOT_READY_TAINT_TEMPLATE;
        break;
      default:
        // Ready again meanwhile: nothing to taint.
        return { done: true };
    }
    return { done: await swapNodeControllerTaint(this.writer, [taintToAdd], [oppositeTaint], node) };
  }

  // ---- health monitoring

  /** monitorNodeHealth: one pass over every node. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    const { added, deleted, newZoneRepresentatives } = this.classifyNodes(nodes);
    for (const n of newZoneRepresentatives) this.addPodEvictorForNewZone(n);
    for (const n of added) {
      const name = n.metadata?.name ?? "";
      this.log(`Controller observed a new Node node=${name}`);
      this.recordNodeEvent(n, "Normal", "RegisteredNode", `Registered Node ${name} in Controller`);
      this.knownNodeSet.set(name, n);
      this.addPodEvictorForNewZone(n);
      await this.markNodeAsReachable(n).catch(() => {});
    }
    for (const n of deleted) {
      const name = n.metadata?.name ?? "";
      this.log(`Controller observed a Node deletion node=${name}`);
      this.recordNodeEvent(n, "Normal", "RemovingNode", `Removing Node ${name} from Controller`);
      this.knownNodeSet.delete(name);
    }

    const zoneToNodeConditions = new Map<string, (NodeCondition | undefined)[]>();
    await parallelize(NODE_UPDATE_WORKER_SIZE, nodes, async (cached) => {
      const name = cached.metadata?.name ?? "";
      let node = withStatus(cached);
      let health: NodeHealthResult | undefined;
      for (let i = 0; i < NODE_HEALTH_UPDATE_RETRY; i++) {
        try {
          health = await this.tryUpdateNodeHealth(node);
          break;
        } catch {
          try {
            node = withStatus(await this.o.client.get<Node>(Resources.nodes, name));
          } catch {
            this.log(
              `Failed while getting a Node to retry updating node health. Probably Node was deleted node=${name}`,
            );
            break;
          }
          await sleep(this.o.clock, RETRY_SLEEP_MS);
        }
      }
      if (!health) {
        this.log(
          `Update health of Node from Controller error, Skipping - no pods will be evicted node=${name}`,
        );
        return;
      }
      const { observedReadyCondition: observed, currentReadyCondition: current } = health;
      if (!isNodeExcludedFromDisruptionChecks(node)) {
        const zone = getZoneKey(node);
        zoneToNodeConditions.set(zone, [...(zoneToNodeConditions.get(zone) ?? []), current]);
      }
      if (current) {
        const pods = this.pods.byIndex(NODE_NAME_INDEX, name);
        await this.processTaintBaseEviction(node, observed);
        const needsRetry = this.nodesToRetry.has(name);
        const becameNotReady = current.status !== "True" && observed.status === "True";
        if (becameNotReady) {
          // Reported once, when the status changes.
          this.recordNodeStatusChange(node, "NodeNotReady");
        }
        if (becameNotReady || (needsRetry && observed.status !== "True")) {
          try {
            await markPodsNotReady(this.o.client, this.o.recorder, pods, name, this.o.clock.now());
          } catch (e) {
            this.log(
              `unable to mark all pods NotReady on node ${name}: ${(e as Error).message}; queuing for retry`,
            );
            this.nodesToRetry.add(name);
            return;
          }
        }
      }
      this.nodesToRetry.delete(name);
    });

    await this.handleDisruption(zoneToNodeConditions, nodes);
  }

  /** tryUpdateNodeHealth: the check, then the status write when the node just went stale. */
  private async tryUpdateNodeHealth(node: Node & { status: NodeStatus }): Promise<NodeHealthResult> {
    const name = node.metadata?.name ?? "";
    const r = computeNodeHealth(
      node,
      this.nodeHealthMap.get(name),
      this.leases.get(`${NAMESPACE_NODE_LEASE}/${name}`),
      this.o.clock.now(),
      { ...this.o, log: this.log },
    );
    if (r.statusChanged) {
      try {
        await this.o.client.update(Resources.nodes, node as Node & { metadata: object }, {
          subresource: "status",
        });
      } catch (e) {
        this.log(`Error updating node node=${name}: ${(e as Error).message}`);
        this.nodeHealthMap.set(name, r.nodeHealth);
        throw e;
      }
      r.nodeHealth = {
        status: node.status,
        probeTimestamp: r.nodeHealth.probeTimestamp,
        readyTransitionTimestamp: this.o.clock.now(),
        lease: this.leases.get(`${NAMESPACE_NODE_LEASE}/${name}`),
      };
    }
    this.nodeHealthMap.set(name, r.nodeHealth);
    return r;
  }

  /** processTaintBaseEviction: queue a node for its NoExecute taint, swap it, or clear it. */
  private async processTaintBaseEviction(node: Node, observed: NodeCondition): Promise<void> {
    const name = node.metadata?.name ?? "";
    const taints = node.spec?.taints;
    switch (observed.status) {
      case "False":
        // Already tainted unreachable: switch the taint at once rather than through the queue.
        if (taintExists(taints, UNREACHABLE_TAINT_TEMPLATE)) {
          if (
            !(await swapNodeControllerTaint(
              this.writer,
              [NOT_READY_TAINT_TEMPLATE],
              [UNREACHABLE_TAINT_TEMPLATE],
              node,
            ))
          ) {
            this.log(
              "Failed to instantly swap UnreachableTaint to NotReadyTaint. Will try again in the next cycle",
            );
          }
        } else if (this.markNodeForTainting(node, "False")) {
          this.log(`Node is NotReady. Adding it to the Taint queue node=${name}`);
        }
        break;
      case "Unknown":
        if (taintExists(taints, NOT_READY_TAINT_TEMPLATE)) {
          if (
            !(await swapNodeControllerTaint(
              this.writer,
              [UNREACHABLE_TAINT_TEMPLATE],
              [NOT_READY_TAINT_TEMPLATE],
              node,
            ))
          ) {
            this.log(
              "Failed to instantly swap NotReadyTaint to UnreachableTaint. Will try again in the next cycle",
            );
          }
        } else if (this.markNodeForTainting(node, "Unknown")) {
          this.log(`Node is unresponsive. Adding it to the Taint queue node=${name}`);
        }
        break;
      case "True":
        try {
          if (await this.markNodeAsReachable(node))
            this.log(`Node is healthy again, removed all taints node=${name}`);
        } catch {
          this.log(`Failed to remove taints from node. Will retry in next iteration node=${name}`);
        }
        break;
    }
  }

  private markNodeForTainting(node: Node, status: "False" | "Unknown"): boolean {
    const name = node.metadata?.name ?? "";
    const queue = this.zoneQueue(node);
    // A node that lost the taint some other way may be queued again.
    const template = status === "False" ? NOT_READY_TAINT_TEMPLATE : UNREACHABLE_TAINT_TEMPLATE;
    if (!taintExists(node.spec?.taints, template)) queue.remove(name);
    return queue.add(name, node.metadata?.uid ?? "");
  }

  /** markNodeAsReachable: no NoExecute taint of ours, and out of the queue. */
  private async markNodeAsReachable(node: Node): Promise<boolean> {
    const name = node.metadata?.name ?? "";
    for (const t of [UNREACHABLE_TAINT_TEMPLATE, NOT_READY_TAINT_TEMPLATE]) {
      try {
        await removeTaintOffNode(this.writer, name, node, [t]);
      } catch (e) {
        this.log(`Failed to remove ${t.key} taint from node node=${name}: ${(e as Error).message}`);
        throw e;
      }
    }
    return this.zoneQueue(node).remove(name);
  }

  private zoneQueue(node: Node): RateLimitedTimedQueue {
    // Every node's zone got its queue in classifyNodes' pass.
    this.addPodEvictorForNewZone(node);
    return this.zoneNoExecuteTainter.get(getZoneKey(node))!;
  }

  /** classifyNodes: new nodes, nodes gone, and known nodes of a zone without a state. */
  private classifyNodes(all: Node[]): { added: Node[]; deleted: Node[]; newZoneRepresentatives: Node[] } {
    const added: Node[] = [];
    const deleted: Node[] = [];
    const newZoneRepresentatives: Node[] = [];
    for (const n of all) {
      if (!this.knownNodeSet.has(n.metadata?.name ?? "")) added.push(n);
      else if (!this.zoneStates.has(getZoneKey(n))) newZoneRepresentatives.push(n);
    }
    if (this.knownNodeSet.size + added.length !== all.length) {
      const present = new Set(all.map((n) => n.metadata?.name ?? ""));
      for (const [name, n] of this.knownNodeSet) if (!present.has(name)) deleted.push(n);
    }
    return { added, deleted, newZoneRepresentatives };
  }

  private addPodEvictorForNewZone(node: Node): void {
    const zone = getZoneKey(node);
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, "Initial");
    this.zoneNoExecuteTainter.set(
      zone,
      new RateLimitedTimedQueue(
        new TokenBucketRateLimiter(
          this.eviction.evictionLimiterQPS,
          EVICTION_RATE_LIMITER_BURST,
          this.o.clock,
        ),
        this.o.clock,
      ),
    );
    this.log(`Initializing eviction metric for zone zone=${JSON.stringify(zone)}`);
  }

  /** handleDisruption: new zone states, and the tainting rate each implies. */
  private async handleDisruption(
    zoneToNodeConditions: Map<string, (NodeCondition | undefined)[]>,
    nodes: Node[],
  ): Promise<void> {
    const newZoneStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of zoneToNodeConditions) {
      const { state } = computeZoneState(conditions, this.eviction.unhealthyZoneThreshold);
      if (state !== "FullDisruption") allAreFullyDisrupted = false;
      newZoneStates.set(zone, state);
      if (!this.zoneStates.has(zone)) {
        this.log(`Setting initial state for unseen zone zone=${JSON.stringify(zone)}`);
        this.zoneStates.set(zone, "Initial");
      }
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneToNodeConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== "FullDisruption") {
        allWasFullyDisrupted = false;
        break;
      }
    }
    // Some node answered in this pass or the last one.
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // Every zone down at once: most likely the control plane's own network. Stop all tainting.
      this.log("Controller detected that all Nodes are not-Ready. Entering master disruption mode");
      for (const n of nodes) {
        await this.markNodeAsReachable(n).catch(() =>
          this.log(`Failed to remove taints from Node node=${n.metadata?.name}`),
        );
      }
      for (const zone of this.zoneStates.keys()) this.zoneNoExecuteTainter.get(zone)?.swapLimiter(0);
      for (const zone of this.zoneStates.keys()) this.zoneStates.set(zone, "FullDisruption");
      return;
    }
    if (allWasFullyDisrupted) {
      this.log("Controller detected that some Nodes are Ready. Exiting master disruption mode");
      // Every node gets a fresh grace period: nobody could reach them until now.
      const now = this.o.clock.now();
      for (const n of nodes) {
        const h = this.nodeHealthMap.get(n.metadata?.name ?? "");
        if (h)
          this.nodeHealthMap.set(n.metadata?.name ?? "", {
            ...h,
            probeTimestamp: now,
            readyTransitionTimestamp: now,
          });
      }
      for (const zone of [...this.zoneStates.keys()]) {
        const state = newZoneStates.get(zone)!;
        this.setLimiterInZone(zone, zoneToNodeConditions.get(zone)?.length ?? 0, state);
        this.zoneStates.set(zone, state);
      }
      return;
    }
    for (const [zone, state] of [...this.zoneStates]) {
      const newState = newZoneStates.get(zone)!;
      if (state === newState) continue;
      this.log(
        `Controller detected that zone is now in new state zone=${JSON.stringify(zone)} newState=${newState}`,
      );
      this.setLimiterInZone(zone, zoneToNodeConditions.get(zone)?.length ?? 0, newState);
      this.zoneStates.set(zone, newState);
    }
  }

  private setLimiterInZone(zone: string, zoneSize: number, state: ZoneState): void {
    const queue = this.zoneNoExecuteTainter.get(zone);
    if (!queue) return;
    switch (state) {
      case "Normal":
        queue.swapLimiter(this.eviction.evictionLimiterQPS);
        break;
      case "PartialDisruption":
        queue.swapLimiter(reducedQPS(this.eviction, zoneSize));
        break;
      case "FullDisruption":
        queue.swapLimiter(healthyQPS(this.eviction, zoneSize));
        break;
      case "Initial":
        break;
    }
  }

  /** The state of a zone ("" without topology labels), for tests and metrics. */
  zoneState(zone: string): ZoneState | undefined {
    return this.zoneStates.get(zone);
  }

  // ---- events (util/node RecordNodeEvent, RecordNodeStatusChange)

  private nodeRef(node: Node) {
    return {
      apiVersion: "v1",
      kind: "Node",
      name: node.metadata?.name,
      uid: node.metadata?.uid,
      namespace: "",
    };
  }

  private recordNodeEvent(node: Node, type: "Normal" | "Warning", reason: string, event: string): void {
    this.o.recorder.event(this.nodeRef(node), type, reason, `Node ${node.metadata?.name} event: ${event}`);
  }

  private recordNodeStatusChange(node: Node, newStatus: string): void {
    this.o.recorder.event(
      this.nodeRef(node),
      "Normal",
      newStatus,
      `Node ${node.metadata?.name} status is now: ${newStatus}`,
    );
  }
}

/** The controller's own copy of a node, with a status to change. */
function withStatus(node: Node): Node & { status: NodeStatus } {
  const copy = deepCopyJson(node);
  return { ...copy, status: copy.status ?? {} };
}

/** workqueue.ParallelizeUntil: fn over items, at most `workers` at a time. */
async function parallelize<T>(workers: number, items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, loop));
}
