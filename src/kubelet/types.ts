// Contracts between the kubelet's parts (upstream's kubecontainer types,
// status.Manager, prober.Manager, pod workers). The Kubelet (kubelet.ts)
// wires them: config sources → pod manager → pod workers → syncPod
// (runtime manager) → status manager → pods/status.
import type { Node, Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../client/clock.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { ContainerStatus, PodSandboxStatus } from "./runtime/interface.ts";

/** What the runtime has for one pod (upstream's kubecontainer.PodStatus). */
export interface RuntimePodStatus {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxes: PodSandboxStatus[];
  /** Every container the runtime has for the pod, newest attempt first per name. */
  containers: ContainerStatus[];
  /** Pod IPs of the ready sandbox. */
  ips: string[];
}

/** Where a pod comes from: the API (bound to this node) or a static manifest file. */
export type PodSource = "api" | "file";

/** A change from a config source (upstream's kubetypes.PodUpdate). */
export type PodUpdate =
  /** The complete set of a source's pods (first list, relist). */
  | { op: "SET"; source: PodSource; pods: Pod[] }
  | { op: "ADD" | "UPDATE" | "DELETE"; source: PodSource; pod: Pod };

/** What a pod worker is asked to do (upstream's kubetypes.SyncPodType). */
export type SyncPodType = "create" | "update" | "sync" | "kill";

/** Why and how to kill, for a kill (upstream's KillPodOptions). */
export interface KillPodOptions {
  gracePeriodSeconds?: number;
  /** Status to record once killed, e.g. Failed with an eviction or admission reason. */
  status?: { phase: "Failed" | "Succeeded"; reason: string; message: string };
}

/** The decision of pod admission (upstream's lifecycle.PodAdmitResult). */
export interface PodAdmitResult {
  admit: boolean;
  /** e.g. "OutOfcpu", "OutOfpods", "NodeAffinity", "UnexpectedAdmissionError". */
  reason?: string;
  message?: string;
}

/** Probe results the status generator reads (upstream's prober results cache). */
export interface ProbeResults {
  /** undefined: no readiness probe (false until it first succeeds). */
  ready(podUid: string, containerName: string): boolean | undefined;
  /** undefined: no startup probe. */
  started(podUid: string, containerName: string): boolean | undefined;
}

/** Keeps the API's pod status in line with what the kubelet computed; writes only changes. */
export interface StatusManager {
  setPodStatus(pod: Pod, status: PodStatus): void;
  /** The last status set (or read back from the API at start). */
  getPodStatus(uid: string): PodStatus | undefined;
  /** The pod is gone from the node: forget it (and delete it from the API with grace 0 when terminated). */
  terminatePod(pod: Pod): void;
  removePod(uid: string): void;
  start(): void;
  stop(): Promise<void>;
}

/** Everything a kubelet part may need, injected (tests use fakes and a fake clock). */
export interface KubeletContext {
  nodeName: string;
  client: RestClient;
  clock: Clock;
  /** The Node as last registered/updated (allocatable for admission, podCIDR for the fake runtime). */
  node(): Node | undefined;
  /** Records an event about a pod (Pulling, Started, BackOff…); fieldPath names the container (spec.containers{c}). */
  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void;
  log(msg: string, fields?: Record<string, unknown>): void;
}
