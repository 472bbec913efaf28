// upstream's rollingUpdate (pkg/controller/daemon/update.go) as a plan: which
// old pods to delete and which nodes get a new pod, within maxUnavailable
// (delete first; the manage loop then creates the replacement) or maxSurge
// (create the new pod beside the old one; delete the old one once the new one
// is available). OnDelete plans nothing: pods are replaced only when someone
// deletes them.
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodAvailable } from "../util/pods.ts";
import { getTemplateGeneration, isPodUpdated, surgeCount, unavailableCount } from "./daemonset-util.ts";
import { nodeShouldRunDaemonPod } from "./should-run.ts";

export interface UpdateCounts {
  maxSurge: number;
  maxUnavailable: number;
  desiredNumberScheduled: number;
}

/**
 * updatedDesiredNodeCounts: maxSurge and maxUnavailable scaled to the nodes
 * that should run the pod; adds an empty entry to nodeToDaemonPods for each
 * such node without pods. Both 0 is impossible: it falls back to
 * maxUnavailable 1, as upstream.
 */
export function updatedDesiredNodeCounts(
  ds: DaemonSet,
  nodeList: readonly Node[],
  nodeToDaemonPods: Map<string, Pod[]>,
  log?: (msg: string) => void,
): UpdateCounts {
  let desiredNumberScheduled = 0;
  for (const node of nodeList) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desiredNumberScheduled++;
    const name = node.metadata?.name ?? "";
    if (!nodeToDaemonPods.has(name)) nodeToDaemonPods.set(name, []);
  }
  let maxUnavailable: number;
  try {
    maxUnavailable = unavailableCount(ds, desiredNumberScheduled);
  } catch (e) {
    throw new Error(`invalid value for MaxUnavailable: ${(e as Error).message}`);
  }
  let maxSurge: number;
  try {
    maxSurge = surgeCount(ds, desiredNumberScheduled);
  } catch (e) {
    throw new Error(`invalid value for MaxSurge: ${(e as Error).message}`);
  }
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) {
    log?.(
      `DaemonSet ${ds.metadata?.namespace}/${ds.metadata?.name} is not configured for surge or unavailability, defaulting to accepting unavailability`,
    );
    maxUnavailable = 1;
  }
  return { maxSurge, maxUnavailable, desiredNumberScheduled };
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (ignoring pods
 * being deleted); ok is false when there are more of either, and the manage
 * loop prunes them first.
 */
export function findUpdatedPodsOnNode(
  ds: DaemonSet,
  podsOnNode: readonly Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = getTemplateGeneration(ds);
  for (const pod of podsOnNode) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingUpdatePlan {
  /** Names of pods to delete. */
  podsToDelete: string[];
  /** Nodes that get a new pod (surge only). */
  nodesToCreate: string[];
}

export interface RollingUpdateInput {
  ds: DaemonSet;
  nodeList: readonly Node[];
  /** From getNodesToDaemonPods (without deleted terminal pods); entries are added for nodes without pods. */
  nodeToDaemonPods: Map<string, Pod[]>;
  hash: string;
  nowMs: number;
  log?: (msg: string) => void;
}

/** rollingUpdate's decisions; the caller runs them through syncNodes. */
export function planRollingUpdate(input: RollingUpdateInput): RollingUpdatePlan {
  const { ds, nodeList, nodeToDaemonPods, hash, nowMs } = input;
  const { maxSurge, maxUnavailable, desiredNumberScheduled } = updatedDesiredNodeCounts(
    ds,
    nodeList,
    nodeToDaemonPods,
    input.log,
  );
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReadySeconds, nowMs);

  // Not surging: delete just enough old pods to stay within maxUnavailable;
  // the manage loop creates their replacements. Deleted pods do not count as
  // unavailable, so that updates make progress when nodes are down.
  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacementPods: string[] = [];
    const candidatePodsToDelete: string[] = [];
    for (const pods of nodeToDaemonPods.values()) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
      if (!ok) {
        // Excess pods: the manage loop cleans up this node; count it unavailable.
        numUnavailable++;
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) {
        // The manage loop creates or deletes the right pod; unavailable meanwhile.
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          // An old pod that is not available anyway is replaced at once.
          allowedReplacementPods.push(oldPod.metadata?.name ?? "");
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidatePodsToDelete.push(oldPod.metadata?.name ?? "");
        }
      }
    }
    const remainingUnavailable = Math.min(
      Math.max(maxUnavailable - numUnavailable, 0),
      candidatePodsToDelete.length,
    );
    return {
      podsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remainingUnavailable)],
      nodesToCreate: [],
    };
  }

  // Surging: a new pod is created beside an unavailable old pod at once, and
  // beside up to maxSurge available old pods; an old pod goes once the new
  // one on its node is available.
  const nodesByName = new Map(nodeList.map((n) => [n.metadata?.name ?? "", n]));
  const nodeOf = (nodeName: string): Node => {
    const node = nodesByName.get(nodeName);
    if (!node) throw new Error(`couldn't get node for nodeName "${nodeName}": node "${nodeName}" not found`);
    return node;
  };
  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of nodeToDaemonPods) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    // Availability counts every node, also those being sunset by scheduling constraints.
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod) {
      if (available(newPod)) numAvailable++;
    }
    if (!oldPod) continue; // the manage loop handles this node
    if (!newPod) {
      if (!available(oldPod)) {
        if (!nodeShouldRunDaemonPod(nodeOf(nodeName), ds).shouldRun) {
          oldPodsToDelete.push(oldPod.metadata?.name ?? "");
          continue;
        }
        allowedNewNodes.push(nodeName);
      } else {
        if (!nodeShouldRunDaemonPod(nodeOf(nodeName), ds).shouldRun) {
          shouldNotRunPodsToDelete.push(oldPod.metadata?.name ?? "");
          continue;
        }
        if (numSurge >= maxSurge) continue;
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then delete the old one.
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    oldPodsToDelete.push(oldPod.metadata?.name ?? "");
  }

  // With maxSurge the owner expects full availability: a pod on a node the
  // DaemonSet no longer wants goes only when others have become available.
  const deletable = Math.min(numAvailable - desiredNumberScheduled, shouldNotRunPodsToDelete.length);
  if (deletable > 0) oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));

  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return {
    podsToDelete: oldPodsToDelete,
    nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)],
  };
}
