// The annotations the kubelet puts on the pods it is given (kubetypes,
// pkg/kubelet/types/pod_update.go) and the helpers that read them: where a pod
// came from, static and mirror pods, and the kubelet's pod full name.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import type { PodSource } from "../types.ts";

export const ConfigSourceAnnotationKey = "kubernetes.io/config.source";
export const ConfigMirrorAnnotationKey = "kubernetes.io/config.mirror";
export const ConfigFirstSeenAnnotationKey = "kubernetes.io/config.seen";
export const ConfigHashAnnotationKey = "kubernetes.io/config.hash";

/** Where the pod came from, or undefined if it has not been through PodConfig. */
export function getPodSource(pod: Pod): PodSource | undefined {
  return pod.metadata?.annotations?.[ConfigSourceAnnotationKey] as PodSource | undefined;
}

/** A pod the kubelet runs without the API (upstream: any known source but "api"). */
export function isStaticPod(pod: Pod): boolean {
  const source = getPodSource(pod);
  return source !== undefined && source !== "api";
}

/** The API's copy of a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  const annotations = pod.metadata?.annotations;
  return annotations !== undefined && Object.hasOwn(annotations, ConfigMirrorAnnotationKey);
}

/** The static pod's hash (the annotation exists on every static pod). */
export function getPodHash(pod: Pod): string {
  return pod.metadata?.annotations?.[ConfigHashAnnotationKey] ?? "";
}

/** The hash of the static pod a mirror pod was made from. */
export function getHashFromMirrorPod(pod: Pod): string | undefined {
  return pod.metadata?.annotations?.[ConfigMirrorAnnotationKey];
}

/** Whether mirrorPod is the current mirror of pod: same name and namespace, and pod's hash. */
export function isMirrorPodOf(mirrorPod: Pod, pod: Pod): boolean {
  if (pod.metadata?.name !== mirrorPod.metadata?.name) return false;
  if (pod.metadata?.namespace !== mirrorPod.metadata?.namespace) return false;
  const hash = getHashFromMirrorPod(mirrorPod);
  return hash !== undefined && hash === getPodHash(pod);
}

/** kubecontainer.BuildPodFullName: `name_namespace`, unique on a node. */
export function buildPodFullName(name: string, namespace: string): string {
  return `${name}_${namespace}`;
}

/** kubecontainer.GetPodFullName. */
export function podFullName(pod: Pod): string {
  return buildPodFullName(pod.metadata?.name ?? "", pod.metadata?.namespace ?? "");
}

/** kubecontainer.ParsePodFullName. */
export function parsePodFullName(fullName: string): { name: string; namespace: string } {
  const parts = fullName.split("_");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
    throw new Error(`failed to parse the pod full name ${goQuote(fullName)}`);
  }
  return { name: parts[0], namespace: parts[1] };
}

/** time.Time.Format(time.RFC3339Nano) in UTC: the fraction without trailing zeros. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const [whole, frac] = iso.slice(0, -1).split(".");
  const trimmed = (frac ?? "").replace(/0+$/, "");
  return trimmed ? `${whole}.${trimmed}Z` : `${whole}Z`;
}
