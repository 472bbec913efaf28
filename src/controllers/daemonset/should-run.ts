// upstream's NodeShouldRunDaemonPod and predicates (daemon_controller.go):
// which nodes a DaemonSet wants a pod on. A daemon pod is simulated for the
// node (template plus the default tolerations) and checked against the node's
// name, the pod's nodeSelector and required node affinity, and the node's
// NoSchedule/NoExecute taints. A node whose only untolerated taints are
// NoSchedule should not get a new pod, but a pod already there keeps running
// (shouldRun false, shouldContinueRunning true); an untolerated NoExecute
// taint means neither.
import type { DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Node, Pod, Taint } from "kubernetes-types/core/v1.d.ts";
import { getRequiredNodeAffinity } from "../../api/scheduling/node-affinity.ts";
import { findMatchingUntoleratedTaint } from "../../api/scheduling/taints.ts";
import { addOrUpdateDaemonPodTolerations } from "./daemonset-util.ts";

export interface NodeShouldRun {
  /** A daemon pod should be created on the node if there is none. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

/** NewPod: the pod the DaemonSet would run on nodeName, with the default daemon tolerations. */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const template = ds.spec?.template;
  const spec = { ...(template?.spec ?? { containers: [] }) };
  const pod: Pod = {
    metadata: { ...template?.metadata, namespace: ds.metadata?.namespace },
    spec,
  };
  spec.nodeName = nodeName;
  addOrUpdateDaemonPodTolerations(spec);
  return pod;
}

/** predicates: does the pod fit the node by name, by nodeSelector and required affinity, and by taints? */
export function predicates(
  pod: Pod,
  node: Node,
  taints: readonly Taint[] | undefined,
): { fitsNodeName: boolean; fitsNodeAffinity: boolean; fitsTaints: boolean } {
  const nodeName = pod.spec?.nodeName ?? "";
  const fitsNodeName = nodeName.length === 0 || nodeName === node.metadata?.name;
  // Parse errors of the affinity count as no match (upstream ignores them for backwards compatibility).
  const fitsNodeAffinity = getRequiredNodeAffinity(pod).match(node);
  const untolerated = findMatchingUntoleratedTaint(
    taints,
    pod.spec?.tolerations,
    (t) => t.effect === "NoExecute" || t.effect === "NoSchedule",
  );
  return { fitsNodeName, fitsNodeAffinity, fitsTaints: untolerated === undefined };
}

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeShouldRun {
  const name = node.metadata?.name ?? "";
  const pod = newDaemonPod(ds, name);
  // A template that names a node runs only there.
  const templateNode = ds.spec?.template?.spec?.nodeName ?? "";
  if (!(templateNode === "" || templateNode === name))
    return { shouldRun: false, shouldContinueRunning: false };

  const taints = node.spec?.taints;
  const { fitsNodeName, fitsNodeAffinity, fitsTaints } = predicates(pod, node, taints);
  if (!fitsNodeName || !fitsNodeAffinity) return { shouldRun: false, shouldContinueRunning: false };

  if (!fitsTaints) {
    // Scheduled daemon pods should continue running if they tolerate the NoExecute taints.
    const untoleratedNoExecute = findMatchingUntoleratedTaint(
      taints,
      pod.spec?.tolerations,
      (t) => t.effect === "NoExecute",
    );
    return { shouldRun: false, shouldContinueRunning: untoleratedNoExecute === undefined };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
