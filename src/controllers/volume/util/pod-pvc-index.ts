// Pods by the claims they use (pkg/controller/volume/common PodPVCIndex),
// shared by the PV controller and PVC protection, and the pod helpers both
// need (pkg/volume/util IsPodTerminated, storage/ephemeral).
import type { ContainerStatus, Pod, Volume } from "kubernetes-types/core/v1.d.ts";
import type { SharedInformer } from "../../../client/shared-informer.ts";

export const POD_PVC_INDEX = "pod-pvc-index";

/** ephemeral.VolumeClaimName: the claim a generic ephemeral volume gets. */
export function ephemeralVolumeClaimName(pod: Pod, vol: Volume): string {
  return `${pod.metadata?.name ?? ""}-${vol.name}`;
}

/** The claim a pod volume uses, if any. */
export function podVolumeClaimName(pod: Pod, vol: Volume): string | undefined {
  if (vol.persistentVolumeClaim) return vol.persistentVolumeClaim.claimName || undefined;
  if (vol.ephemeral) return ephemeralVolumeClaimName(pod, vol);
  return undefined;
}

/** PodPVCIndexFunc: "namespace/claim" for every claim the pod's volumes name. */
export function podPVCIndexFunc(pod: Pod): string[] {
  const keys: string[] = [];
  for (const vol of pod.spec?.volumes ?? []) {
    const claim = podVolumeClaimName(pod, vol);
    if (claim) keys.push(`${pod.metadata?.namespace ?? ""}/${claim}`);
  }
  return keys;
}

/** AddPodPVCIndexerIfNotPresent: the shared pod informer gets the index once. */
export function addPodPVCIndex(informer: SharedInformer<Pod>): void {
  try {
    informer.addIndexers({ [POD_PVC_INDEX]: podPVCIndexFunc });
  } catch (e) {
    // Another volume controller added it first.
    if (!(e instanceof Error && e.message.startsWith("indexer conflict"))) throw e;
  }
}

function notRunning(statuses: ContainerStatus[] | undefined): boolean {
  return (statuses ?? []).every((s) => !!s.state?.terminated || !!s.state?.waiting);
}

/**
 * IsPodTerminated: finished, or being deleted with no container running
 * (the kubelet may still start a waiting one, a known imprecision upstream keeps).
 */
export function isPodTerminated(pod: Pod): boolean {
  const st = pod.status;
  return (
    st?.phase === "Failed" ||
    st?.phase === "Succeeded" ||
    (!!pod.metadata?.deletionTimestamp &&
      notRunning(st?.initContainerStatuses) &&
      notRunning(st?.containerStatuses) &&
      notRunning(st?.ephemeralContainerStatuses))
  );
}
