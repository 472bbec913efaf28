// The labels and annotations the kubelet writes on sandboxes and containers
// (upstream's pkg/kubelet/kuberuntime/labels.go, v1.32). Labels identify the
// pod and container so a restarted kubelet finds them again; annotations carry
// what it needs later without the pod spec: the spec hash, the restart count,
// grace periods and the preStop hook (to kill an orphan properly).
import type { Container, ContainerPort, LifecycleHandler, Pod } from "kubernetes-types/core/v1.d.ts";
import { LABELS } from "../runtime/interface.ts";
import { hashContainer, isRestartableInitContainer } from "./helpers.ts";

export const ANNOTATIONS = {
  podDeletionGracePeriod: "io.kubernetes.pod.deletionGracePeriod",
  podTerminationGracePeriod: "io.kubernetes.pod.terminationGracePeriod",
  containerHash: "io.kubernetes.container.hash",
  containerRestartCount: "io.kubernetes.container.restartCount",
  containerTerminationMessagePath: "io.kubernetes.container.terminationMessagePath",
  containerTerminationMessagePolicy: "io.kubernetes.container.terminationMessagePolicy",
  containerPreStopHandler: "io.kubernetes.container.preStopHandler",
  containerPorts: "io.kubernetes.container.ports",
  /** Upstream (newer releases): "init", "container" or "ephemeral". */
  containerType: "io.kubernetes.container.type",
  /** k8ts: "true" on init containers that are not sidecars (the fake runtime completes them at once). */
  containerInit: "io.kubernetes.container.init",
} as const;

export type ContainerType = "init" | "container" | "ephemeral";

/** newPodLabels: the pod's own labels plus the identifying ones. */
export function newPodLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [LABELS.podName]: pod.metadata?.name ?? "",
    [LABELS.podNamespace]: pod.metadata?.namespace ?? "",
    [LABELS.podUid]: pod.metadata?.uid ?? "",
  };
}

/** newPodAnnotations: the pod's annotations, unchanged (the fake runtime reads fake.k8ts.io/* there). */
export function newPodAnnotations(pod: Pod): Record<string, string> {
  return { ...(pod.metadata?.annotations ?? {}) };
}

export function newContainerLabels(c: Container, pod: Pod): Record<string, string> {
  return {
    [LABELS.podName]: pod.metadata?.name ?? "",
    [LABELS.podNamespace]: pod.metadata?.namespace ?? "",
    [LABELS.podUid]: pod.metadata?.uid ?? "",
    [LABELS.containerName]: c.name,
  };
}

export function containerTypeOf(pod: Pod, name: string): ContainerType | undefined {
  const spec = pod.spec;
  if (spec?.initContainers?.some((c) => c.name === name)) return "init";
  if (spec?.containers?.some((c) => c.name === name)) return "container";
  if (spec?.ephemeralContainers?.some((c) => c.name === name)) return "ephemeral";
  return undefined;
}

export function newContainerAnnotations(
  c: Container,
  pod: Pod,
  restartCount: number,
): Record<string, string> {
  const a: Record<string, string> = {
    [ANNOTATIONS.containerHash]: hashContainer(c),
    [ANNOTATIONS.containerRestartCount]: String(restartCount),
    [ANNOTATIONS.containerTerminationMessagePath]: c.terminationMessagePath ?? "",
    [ANNOTATIONS.containerTerminationMessagePolicy]: c.terminationMessagePolicy ?? "",
  };
  const deletionGrace = pod.metadata?.deletionGracePeriodSeconds;
  if (deletionGrace !== undefined && deletionGrace !== null) {
    a[ANNOTATIONS.podDeletionGracePeriod] = String(deletionGrace);
  }
  const terminationGrace = pod.spec?.terminationGracePeriodSeconds;
  if (terminationGrace !== undefined && terminationGrace !== null) {
    a[ANNOTATIONS.podTerminationGracePeriod] = String(terminationGrace);
  }
  if (c.lifecycle?.preStop) a[ANNOTATIONS.containerPreStopHandler] = JSON.stringify(c.lifecycle.preStop);
  if (c.ports && c.ports.length > 0) a[ANNOTATIONS.containerPorts] = JSON.stringify(c.ports);
  const type = containerTypeOf(pod, c.name);
  if (type) a[ANNOTATIONS.containerType] = type;
  // Sidecars run like regular containers (the fake runtime exits marked ones at once).
  if (type === "init" && !isRestartableInitContainer(c)) a[ANNOTATIONS.containerInit] = "true";
  return a;
}

/** What getContainerInfoFromLabels and getContainerInfoFromAnnotations recover from a runtime container. */
export interface ContainerInfo {
  podName: string;
  podNamespace: string;
  podUid: string;
  containerName: string;
  hash: string;
  restartCount: number;
  isInit: boolean;
  podDeletionGracePeriod?: number;
  podTerminationGracePeriod?: number;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  preStopHandler?: LifecycleHandler;
  ports?: ContainerPort[];
}

function intOr(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : fallback;
}

function optionalInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

function jsonOr<T>(v: string | undefined): T | undefined {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

export function containerInfo(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): ContainerInfo {
  return {
    podName: labels[LABELS.podName] ?? "",
    podNamespace: labels[LABELS.podNamespace] ?? "",
    podUid: labels[LABELS.podUid] ?? "",
    containerName: labels[LABELS.containerName] ?? "",
    hash: annotations[ANNOTATIONS.containerHash] ?? "",
    // Containers without the annotation count as a first attempt, as upstream.
    restartCount: intOr(annotations[ANNOTATIONS.containerRestartCount], 0),
    isInit:
      annotations[ANNOTATIONS.containerInit] === "true" || annotations[ANNOTATIONS.containerType] === "init",
    podDeletionGracePeriod: optionalInt(annotations[ANNOTATIONS.podDeletionGracePeriod]),
    podTerminationGracePeriod: optionalInt(annotations[ANNOTATIONS.podTerminationGracePeriod]),
    terminationMessagePath: annotations[ANNOTATIONS.containerTerminationMessagePath] ?? "",
    terminationMessagePolicy: annotations[ANNOTATIONS.containerTerminationMessagePolicy] ?? "",
    preStopHandler: jsonOr<LifecycleHandler>(annotations[ANNOTATIONS.containerPreStopHandler]),
    ports: jsonOr<ContainerPort[]>(annotations[ANNOTATIONS.containerPorts]),
  };
}

/** The restart count recorded on a runtime container (what status generation reports as restartCount). */
export function restartCountOf(c: { annotations: Record<string, string> }): number {
  return intOr(c.annotations[ANNOTATIONS.containerRestartCount], 0);
}

export function hashOf(c: { annotations: Record<string, string> }): string {
  return c.annotations[ANNOTATIONS.containerHash] ?? "";
}
