// /pods's data: the pods the kubelet runs as a v1 PodList (upstream's
// server.getPods → kubelet.GetPods → encodePods). Static pods carry the
// status the kubelet holds, since no apiserver may have it (kubernetes#57106).
import type { Pod, PodList, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { isStaticPod } from "../config/annotations.ts";

export interface PodsListOptions {
  /** The kubelet's desired pods (its pod manager's). */
  pods: readonly Pod[];
  /** The status manager's status of a pod, for static pods. */
  statusOf?(uid: string): PodStatus | undefined;
}

export function podsList(opts: PodsListOptions): PodList {
  const items = opts.pods.map((p) => {
    const status = isStaticPod(p) && p.metadata?.uid ? opts.statusOf?.(p.metadata.uid) : undefined;
    const { kind: _k, apiVersion: _a, ...rest } = p;
    return status ? { ...rest, status } : rest;
  });
  return { kind: "PodList", apiVersion: "v1", metadata: {}, items };
}
