// Pods: graceful deletion (upstream's podStrategy.CheckGracefulDelete). A pod on
// a node gets time for the kubelet to stop it; a pod that never ran, or already
// finished, goes at once. And what a write through pods/ephemeralcontainers keeps.
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy, resetTo } from "./strategy.ts";

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

/**
 * The pods/ephemeralcontainers write (upstream's dropNonEphemeralContainerUpdates):
 * the stored pod with only spec.ephemeralContainers taken from `next`, and
 * metadata reset as for a status write (ResetObjectMetaForStatus).
 */
export function dropNonEphemeralContainerUpdates(next: Obj, old: Obj): void {
  const ephemeral = next.spec?.ephemeralContainers;
  const meta = next.metadata;
  resetTo(next, old);
  next.spec ??= {};
  if (ephemeral === undefined) delete next.spec.ephemeralContainers;
  else next.spec.ephemeralContainers = ephemeral;
  const stored = next.metadata;
  next.metadata = { ...meta };
  for (const k of RESET_METADATA) {
    if (stored[k] === undefined) delete next.metadata[k];
    else next.metadata[k] = stored[k];
  }
}

/** What ResetObjectMetaForStatus takes from the stored object. */
const RESET_METADATA = [
  "deletionTimestamp",
  "generation",
  "selfLink",
  "labels",
  "annotations",
  "finalizers",
  "ownerReferences",
] as const;
