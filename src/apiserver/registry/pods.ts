// Pods: graceful deletion (upstream's podStrategy.CheckGracefulDelete). A pod on
// a node gets time for the kubelet to stop it; a pod that never ran, or already
// finished, goes at once.
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

export class PodStrategy extends GenericStrategy {
  /** Status writes never touch owner references: old kubelets corrupted them and broke garbage collection. */
  override prepareForStatusUpdate(pod: Obj, old: Obj): void {
    super.prepareForStatusUpdate(pod, old);
    if (old.metadata.ownerReferences === undefined) delete pod.metadata.ownerReferences;
    else pod.metadata.ownerReferences = old.metadata.ownerReferences;
  }

  override deletionGracePeriod(pod: Obj, requested: number | undefined): number | undefined {
    if (!pod.spec?.nodeName) return 0;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return 0;
    if (requested !== undefined) return Math.max(requested, 0);
    const g = pod.spec?.terminationGracePeriodSeconds;
    return typeof g === "number" && g >= 0 ? g : 30;
  }
}
