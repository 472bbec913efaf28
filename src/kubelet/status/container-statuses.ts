// API container statuses from what the runtime reports (pkg/kubelet/kubelet_pods.go
// convertToAPIContainerStatuses, with the CRI → kubecontainer.Status step of
// kuberuntime's getPodContainerStatuses). v1.32's gates: RecursiveReadOnlyMounts
// on; InPlacePodVerticalScaling, SupplementalGroupsPolicy and ImageVolume off.
import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  VolumeMountStatus,
} from "kubernetes-types/core/v1.d.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { ContainerStatus as CRIContainerStatus } from "../runtime/interface.ts";
import type { RuntimePodStatus } from "../types.ts";
import { criTime } from "./pod-util.ts";

export const ContainerCreating = "ContainerCreating";
export const PodInitializing = "PodInitializing";
/** kubecontainer.ContainerReasonStatusUnknown */
export const ContainerStatusUnknown = "ContainerStatusUnknown";
/** The annotation kuberuntime keeps a container's restart count in. */
export const RestartCountAnnotation = "io.kubernetes.container.restartCount";

/** Why a container the kubelet has not (re)started waits, e.g. CrashLoopBackOff or ErrImagePull (upstream's reasonCache). */
export interface ContainerWaitingReason {
  reason: string;
  message: string;
}

/** Keyed by container name. */
export type ContainerWaitingReasons = ReadonlyMap<string, ContainerWaitingReason>;

/** kubecontainer.Status: one container attempt as the kubelet sees it. */
export interface KubeContainerStatus {
  /** "<runtime>://<id>" */
  id: string;
  name: string;
  state: "running" | "created" | "exited" | "unknown";
  createdAt: number;
  /** Nanoseconds; 0 when never started. */
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
}

/** The runtime's containers as kubecontainer.Status, newest first (kuberuntime sorts by creation time). */
export function toKubeContainerStatuses(
  runtime: RuntimePodStatus,
  runtimeName: string,
): KubeContainerStatus[] {
  return runtime.containers
    .map((c) => toKubeContainerStatus(c, runtimeName))
    .sort((a, b) => b.createdAt - a.createdAt);
}

function toKubeContainerStatus(c: CRIContainerStatus, runtimeName: string): KubeContainerStatus {
  const state =
    c.state === "CONTAINER_RUNNING"
      ? "running"
      : c.state === "CONTAINER_CREATED"
        ? "created"
        : c.state === "CONTAINER_EXITED"
          ? "exited"
          : "unknown";
  const annotated = Number.parseInt(c.annotations?.[RestartCountAnnotation] ?? "", 10);
  const s: KubeContainerStatus = {
    id: `${runtimeName}://${c.id}`,
    name: c.labels?.["io.kubernetes.container.name"] ?? c.metadata.name,
    state,
    createdAt: c.createdAt,
    // A created container has not been started yet.
    startedAt: state === "created" ? 0 : c.startedAt,
    finishedAt: 0,
    exitCode: 0,
    reason: "",
    message: "",
    image: c.image.image,
    imageRef: c.imageRef,
    restartCount: Number.isFinite(annotated) ? annotated : c.metadata.attempt,
  };
  if (state === "exited") {
    s.exitCode = c.exitCode;
    s.finishedAt = c.finishedAt;
    // containerd's reasons; a runtime that leaves it empty gets the same.
    s.reason = c.reason || (c.exitCode === 0 ? "Completed" : "Error");
    s.message = c.message;
  }
  return s;
}

/** kubecontainer.ShouldContainerBeRestarted */
export function shouldContainerBeRestarted(
  container: Container,
  pod: Pod,
  statuses: KubeContainerStatus[],
): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = statuses.find((x) => x.name === container.name);
  if (!s) return true;
  if (s.state === "running") return false;
  if (s.state === "unknown" || s.state === "created") return true;
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (policy === "Never") return false;
  if (policy === "OnFailure" && s.exitCode === 0) return false;
  return true;
}

export interface ConvertOptions {
  pod: Pod;
  statuses: KubeContainerStatus[];
  previous: ContainerStatus[] | undefined;
  containers: Container[];
  hasInitContainers: boolean;
  isInitContainer: boolean;
  reasons?: ContainerWaitingReasons;
}

function convertContainerStatus(cs: KubeContainerStatus, old: ContainerStatus | undefined): ContainerStatus {
  const status: ContainerStatus = {
    name: cs.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: cs.restartCount,
    image: cs.image,
    // The digested image ref as imageID is historical and intentional upstream.
    imageID: cs.imageRef,
    containerID: cs.id,
  };
  switch (cs.state) {
    case "running":
      status.state = { running: { startedAt: criTime(cs.startedAt) } };
      break;
    case "created":
      // created but not running: waiting to be running
      status.state = { waiting: {} };
      break;
    case "exited":
      status.state = {
        terminated: {
          exitCode: cs.exitCode,
          ...(cs.reason ? { reason: cs.reason } : {}),
          ...(cs.message ? { message: cs.message } : {}),
          ...(cs.startedAt ? { startedAt: criTime(cs.startedAt) } : {}),
          ...(cs.finishedAt ? { finishedAt: criTime(cs.finishedAt) } : {}),
          containerID: cs.id,
        },
      };
      break;
    default:
      if (old?.state?.running) {
        // It ran and is gone: terminated, not waiting, so a run-once pod does not run twice.
        status.state = {
          terminated: {
            reason: ContainerStatusUnknown,
            message: "The container could not be located when the pod was terminated",
            exitCode: 137,
          },
        };
        status.restartCount = (old.restartCount ?? 0) + 1;
      } else {
        status.state = { waiting: {} };
      }
  }
  return status;
}

/** status.volumeMounts from the spec (RecursiveReadOnlyMounts; no runtime here reports RRO support). */
function volumeMountStatuses(c: Container): VolumeMountStatus[] | undefined {
  if (!c.volumeMounts || c.volumeMounts.length === 0) return undefined;
  return c.volumeMounts.map((m) => {
    const v: VolumeMountStatus = { name: m.name, mountPath: m.mountPath };
    if (m.readOnly) {
      v.readOnly = true;
      v.recursiveReadOnly = "Disabled";
    }
    return v;
  });
}

export function convertToAPIContainerStatuses(o: ConvertOptions): ContainerStatus[] {
  const { pod, statuses: runtimeStatuses, containers } = o;
  const oldStatuses = new Map<string, ContainerStatus>();
  for (const s of o.previous ?? []) oldStatuses.set(s.name, s);

  const defaultWaiting = (): ContainerState => ({
    waiting: { reason: o.hasInitContainers ? PodInitializing : ContainerCreating },
  });

  const statuses = new Map<string, ContainerStatus>();
  for (const c of containers) {
    let status: ContainerStatus = {
      name: c.name,
      state: defaultWaiting(),
      lastState: {},
      ready: false,
      restartCount: 0,
      image: c.image ?? "",
      imageID: "",
    };
    const old = oldStatuses.get(c.name);
    if (old) {
      if (old.state?.terminated) status = deepCopyJson(old);
      else {
        status.restartCount = old.restartCount ?? 0;
        status.lastState = deepCopyJson(old.lastState ?? {});
      }
    }
    const mounts = volumeMountStatuses(c);
    if (mounts) status.volumeMounts = mounts;
    else delete status.volumeMounts;
    statuses.set(c.name, status);
  }

  // A container the runtime no longer has but that used to run: infer it terminated,
  // so the pod does not go back to Pending.
  for (const c of containers) {
    if (runtimeStatuses.some((s) => s.name === c.name)) continue;
    const old = oldStatuses.get(c.name);
    if (!old || old.state?.terminated || !old.state?.running) continue;
    const status = statuses.get(c.name)!;
    const isDefaultWaiting =
      status.state?.waiting?.reason === (o.hasInitContainers ? PodInitializing : ContainerCreating);
    if (!isDefaultWaiting || status.lastState?.terminated) continue;
    status.lastState = {
      terminated: {
        reason: ContainerStatusUnknown,
        message:
          "The container could not be located when the pod was deleted.  The container used to be Running",
        exitCode: 137,
      },
    };
    if (!pod.metadata?.deletionTimestamp) status.restartCount = (status.restartCount ?? 0) + 1;
  }

  // The newest attempt is the state, the one before it the last state.
  const seen = new Map<string, number>();
  for (const cs of runtimeStatuses) {
    if (!statuses.has(cs.name)) continue;
    const n = seen.get(cs.name) ?? 0;
    if (n >= 2) continue;
    const converted = convertContainerStatus(cs, oldStatuses.get(cs.name));
    const spec = containers.find((c) => c.name === cs.name);
    const mounts = spec ? volumeMountStatuses(spec) : undefined;
    if (mounts) converted.volumeMounts = mounts;
    if (n === 0) statuses.set(cs.name, converted);
    else statuses.get(cs.name)!.lastState = converted.state;
    seen.set(cs.name, n + 1);
  }

  // Containers that will be (re)started next sync wait, with the reason they are not running.
  for (const c of containers) {
    if (o.isInitContainer) {
      // An init container that exited 0 is not restarted.
      const s = runtimeStatuses.find((x) => x.name === c.name);
      if (s && s.state === "exited" && s.exitCode === 0) continue;
    }
    if (!shouldContainerBeRestarted(c, pod, runtimeStatuses)) continue;
    const reason = o.reasons?.get(c.name);
    if (!reason) continue;
    const status = statuses.get(c.name)!;
    if (status.state?.terminated) status.lastState = status.state;
    status.state = {
      waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) },
    };
  }

  // Init containers in spec order; regular ones sorted by name (kubetypes.SortedContainerStatuses).
  const out = containers.map((c) => statuses.get(c.name)!);
  if (!o.isInitContainer) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
