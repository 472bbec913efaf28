// upstream's PodGCController (pkg/controller/podgc/gc_controller.go): a sweep
// every gcCheckPeriod (20 s) over the pod and node caches that force-deletes
//  - terminated pods beyond --terminated-pod-gc-threshold, evicted ones
//    first, then oldest first;
//  - pods terminating on a node that is not Ready and carries the
//    node.kubernetes.io/out-of-service taint;
//  - pods bound to a node that no longer exists, once the node has been
//    missing for quarantineTime (40 s) and a GET confirms it is gone;
//  - terminating pods never bound to a node.
// A pod that is not yet terminal is first patched to phase Failed (with the
// DisruptionTarget condition for orphans), since no kubelet will ever do it.
// A periodic sweep rather than a queue of keys, as upstream: "too many
// terminated pods" is a property of the whole set, not of one pod.
import type { Node, Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import { TaintNodeOutOfService } from "../../api/scheduling/taints.ts";
import { isNotFound } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { DISRUPTION_TARGET, patchPodStatus, updatePodCondition } from "../util/pod-status.ts";

/** gcCheckPeriod: how often the sweep runs. */
export const GC_CHECK_PERIOD_MS = 20_000;
/** quarantineTime: how long a node must be missing before its pods count as orphans. */
export const QUARANTINE_TIME_MS = 40_000;
/** The default --terminated-pod-gc-threshold. */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;

/** isPodTerminated: any phase but Pending, Running and Unknown. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Pending" && phase !== "Running" && phase !== "Unknown";
}

/** eviction.PodIsEvicted: Failed with reason Evicted. */
export function podIsEvicted(pod: Pod): boolean {
  return pod.status?.phase === "Failed" && pod.status?.reason === "Evicted";
}

/** byEvictionAndCreationTimestamp: evicted pods first, then by creation time, then by name. */
export function byEvictionAndCreationTimestamp(a: Pod, b: Pod): number {
  const ae = podIsEvicted(a);
  const be = podIsEvicted(b);
  if (ae !== be) return ae ? -1 : 1;
  const at = Date.parse(a.metadata?.creationTimestamp ?? "") || 0;
  const bt = Date.parse(b.metadata?.creationTimestamp ?? "") || 0;
  if (at === bt) {
    const an = a.metadata?.name ?? "";
    const bn = b.metadata?.name ?? "";
    return an < bn ? -1 : an > bn ? 1 : 0;
  }
  return at - bt;
}

/** The terminated pods gcTerminated deletes: the first (count - threshold) in eviction and age order. */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  const terminated = pods.filter(isPodTerminated);
  const deleteCount = terminated.length - threshold;
  if (deleteCount <= 0) return [];
  return terminated.sort(byEvictionAndCreationTimestamp).slice(0, deleteCount);
}

/** nodeutil.IsNodeReady. */
function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export interface PodGCControllerOptions {
  client: RestClient;
  podInformer: { getIndexer(): IndexerView<Pod> };
  nodeInformer: { getIndexer(): IndexerView<Node> };
  clock: Clock;
  /** --terminated-pod-gc-threshold; ≤ 0 turns the terminated-pod sweep off. */
  terminatedPodThreshold: number;
  gcCheckPeriodMs?: number;
  quarantineTimeMs?: number;
  log?(msg: string): void;
}

export class PodGCController {
  private readonly pods: IndexerView<Pod>;
  private readonly nodes: IndexerView<Node>;
  private readonly gcCheckPeriodMs: number;
  private readonly quarantineTimeMs: number;
  private readonly log: (msg: string) => void;
  /**
   * Upstream's nodeQueue, a delaying queue of missing node names: when each
   * becomes due. Adding a name already waiting keeps the earlier time, as
   * the delaying queue does.
   */
  private readonly quarantine = new Map<string, number>();

  constructor(private readonly o: PodGCControllerOptions) {
    this.pods = o.podInformer.getIndexer();
    this.nodes = o.nodeInformer.getIndexer();
    this.gcCheckPeriodMs = o.gcCheckPeriodMs ?? GC_CHECK_PERIOD_MS;
    this.quarantineTimeMs = o.quarantineTimeMs ?? QUARANTINE_TIME_MS;
    this.log = o.log ?? (() => {});
  }

  /** wait.UntilWithContext: a sweep now, then one gcCheckPeriod after each ends, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (e) {
        this.log(`pod GC sweep failed: ${(e as Error).message}`);
      }
      await sleep(this.o.clock, this.gcCheckPeriodMs, signal);
    }
  }

  /** One sweep. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    const nodes = this.nodes.list();
    if (this.o.terminatedPodThreshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods, nodes);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: Pod[]): Promise<void> {
    const toDelete = terminatedPodsToDelete(pods, this.o.terminatedPodThreshold);
    if (toDelete.length === 0) return;
    this.log(`Garbage collecting pods numPods=${toDelete.length}`);
    await Promise.all(toDelete.map((pod) => this.deleteReportingErrors(pod)));
  }

  /** gcTerminating: pods being deleted on a node that is down and declared out of service. */
  private async gcTerminating(pods: Pod[]): Promise<void> {
    const terminating: Pod[] = [];
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp) continue;
      const nodeName = pod.spec?.nodeName ?? "";
      const node = this.nodes.get(nodeName);
      if (!node) {
        this.log(`Failed to get node node=${JSON.stringify(nodeName)}: node "${nodeName}" not found`);
        continue;
      }
      if (!isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TaintNodeOutOfService)) {
        terminating.push(pod);
      }
    }
    if (terminating.length === 0) return;
    this.log(
      `Garbage collecting pods that are terminating on node tainted with node.kubernetes.io/out-of-service numPods=${terminating.length}`,
    );
    terminating.sort(byEvictionAndCreationTimestamp);
    await Promise.all(terminating.map((pod) => this.deleteReportingErrors(pod)));
  }

  /** gcOrphaned: pods bound to nodes that stayed missing through the quarantine. */
  private async gcOrphaned(pods: Pod[], nodes: Node[]): Promise<void> {
    const existing = new Set(nodes.map((n) => n.metadata?.name ?? ""));
    const now = this.o.clock.now();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || existing.has(nodeName)) continue;
      const due = now + this.quarantineTimeMs;
      const waiting = this.quarantine.get(nodeName);
      if (waiting === undefined || due < waiting) this.quarantine.set(nodeName, due);
    }
    const deleted = await this.discoverDeletedNodes(existing);
    for (const pod of pods) {
      if (!deleted.has(pod.spec?.nodeName ?? "")) continue;
      this.log(
        `Found orphaned Pod assigned to the Node, deleting pod=${podName(pod)} node=${pod.spec?.nodeName}`,
      );
      const condition: PodCondition = {
        type: DISRUPTION_TARGET,
        status: "True",
        reason: "DeletionByPodGC",
        message: "PodGC: node no longer exists",
      };
      try {
        await this.markFailedAndDeletePod(pod, condition);
        this.log(`Forced deletion of orphaned Pod succeeded pod=${podName(pod)}`);
      } catch (e) {
        this.log(`deleting orphaned pod ${podName(pod)}: ${(e as Error).message}`);
      }
    }
  }

  /** discoverDeletedNodes: the quarantined names now due that are still missing, confirmed by a GET. */
  private async discoverDeletedNodes(existing: Set<string>): Promise<Set<string>> {
    const deleted = new Set<string>();
    const now = this.o.clock.now();
    for (const [nodeName, due] of [...this.quarantine]) {
      if (due > now) continue;
      this.quarantine.delete(nodeName);
      if (existing.has(nodeName)) continue;
      try {
        await this.o.client.get<Node>(Resources.nodes, nodeName);
      } catch (e) {
        // Any other error: the node comes back to quarantine on the next sweep if still needed.
        if (isNotFound(e)) deleted.add(nodeName);
        else this.log(`Error while getting node node=${nodeName}: ${(e as Error).message}`);
      }
    }
    return deleted;
  }

  /** gcUnscheduledTerminating: pods being deleted that no kubelet will ever finish. */
  private async gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp || pod.spec?.nodeName) continue;
      this.log(`Found unscheduled terminating Pod not assigned to any Node, deleting pod=${podName(pod)}`);
      try {
        await this.markFailedAndDeletePod(pod);
        this.log(`Forced deletion of unscheduled terminating Pod succeeded pod=${podName(pod)}`);
      } catch (e) {
        this.log(`deleting unscheduled terminating pod ${podName(pod)}: ${(e as Error).message}`);
      }
    }
  }

  private async deleteReportingErrors(pod: Pod): Promise<void> {
    try {
      await this.markFailedAndDeletePod(pod);
    } catch (e) {
      this.log(`deleting pod ${podName(pod)}: ${(e as Error).message}`);
    }
  }

  /** markFailedAndDeletePodWithCondition: phase Failed (plus condition) unless terminal, then delete with grace 0. */
  private async markFailedAndDeletePod(pod: Pod, condition?: PodCondition): Promise<void> {
    this.log(`PodGC is force deleting Pod pod=${podName(pod)}`);
    const phase = pod.status?.phase;
    if (phase !== "Succeeded" && phase !== "Failed") {
      const oldStatus = pod.status ?? {};
      const newStatus = structuredClone(oldStatus);
      newStatus.phase = "Failed";
      if (condition) updatePodCondition(newStatus, { ...condition }, this.o.clock.now());
      await patchPodStatus(this.o.client, pod, oldStatus, newStatus);
    }
    await this.o.client.delete(Resources.pods, pod.metadata?.name ?? "", {
      namespace: pod.metadata?.namespace,
      gracePeriodSeconds: 0,
    });
  }
}

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}
