// How the kubelet names pods and durations in its messages: upstream's
// pkg/kubelet/util/format (format.Pod) and Go's time.Duration.String(), which
// event and error texts such as "back-off 1m20s restarting failed container"
// are built from.
import type { Pod } from "kubernetes-types/core/v1.d.ts";

/** format.Pod: "name_namespace(uid)". */
export function formatPod(pod: Pod): string {
  return formatPodRef(pod.metadata?.name ?? "", pod.metadata?.namespace ?? "", pod.metadata?.uid ?? "");
}

export function formatPodRef(name: string, namespace: string, uid: string): string {
  return `${name}_${namespace}(${uid})`;
}

/** kubecontainer.BuildPodFullName: "name_namespace", the key static pods are serialized on. */
export function buildPodFullName(name: string, namespace: string): string {
  return `${name}_${namespace}`;
}

/** Go's time.Duration.String() for a non-negative number of milliseconds: "0s", "523ms", "10s", "1m20s", "1h0m0s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${Number(ms.toFixed(6))}ms`;
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${rest / 1000}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}
