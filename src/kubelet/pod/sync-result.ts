// What one SyncPod or KillPod did, step by step (upstream's
// kubecontainer.PodSyncResult, pkg/kubelet/container/sync_result.go). The
// error names are the waiting reasons users see (CrashLoopBackOff,
// ErrImagePull…); the reason cache hands them to status generation.

export type SyncAction =
  | "StartContainer"
  | "KillContainer"
  | "CreatePodSandbox"
  | "ConfigPodSandbox"
  | "KillPodSandbox";

/** The errors SyncPod reports; each is also a container's waiting reason. */
export const SyncErrors = {
  CrashLoopBackOff: "CrashLoopBackOff",
  RunContainer: "RunContainerError",
  KillContainer: "KillContainerError",
  CreatePodSandbox: "CreatePodSandboxError",
  ConfigPodSandbox: "ConfigPodSandboxError",
  KillPodSandbox: "KillPodSandboxError",
  CreateContainerConfig: "CreateContainerConfigError",
  CreateContainer: "CreateContainerError",
  PostStartHook: "PostStartHookError",
  ImagePull: "ErrImagePull",
  ImagePullBackOff: "ImagePullBackOff",
  ImageNeverPull: "ErrImageNeverPull",
  InvalidImageName: "InvalidImageName",
  ImageInspect: "ImageInspectError",
} as const;

export type SyncError = (typeof SyncErrors)[keyof typeof SyncErrors];

export interface SyncResult {
  action: SyncAction;
  /** The container name, sandbox id or pod full name the step acted on. */
  target: string;
  /** undefined when the step succeeded. */
  error?: SyncError;
  message?: string;
}

export class PodSyncResult {
  readonly results: SyncResult[] = [];
  /** An error of the sync as a whole (not of one step). */
  syncError?: Error;
  /** The soonest a container in CrashLoopBackOff may start again, for the pod worker to come back then. */
  backOffRemainingMs?: number;

  add(action: SyncAction, target: string): SyncResult {
    const r: SyncResult = { action, target };
    this.results.push(r);
    return r;
  }

  merge(other: PodSyncResult): void {
    this.results.push(...other.results);
    if (other.syncError) this.syncError = other.syncError;
  }

  fail(err: Error): void {
    this.syncError = err;
  }

  /** PodSyncResult.Error: every failed step, as upstream words it; undefined when all succeeded. */
  error(): Error | undefined {
    const errs: string[] = [];
    if (this.syncError) errs.push(`failed to SyncPod: ${this.syncError.message}`);
    for (const r of this.results) {
      if (r.error) {
        errs.push(
          `failed to ${goQuote(r.action)} for ${goQuote(r.target)} with ${r.error}: ${goQuote(r.message ?? "")}`,
        );
      }
    }
    if (errs.length === 0) return undefined;
    return new Error(errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`);
  }

  /**
   * What the kubelet's SyncPod returns: the error, unless every failure is a
   * backoff (CrashLoopBackOff, ImagePullBackOff), which is waiting, not failing.
   */
  errorUnlessOnlyBackOff(): Error | undefined {
    const err = this.error();
    if (!err) return undefined;
    if (this.syncError) return err;
    const onlyBackOff = this.results.every(
      (r) => !r.error || r.error === SyncErrors.CrashLoopBackOff || r.error === SyncErrors.ImagePullBackOff,
    );
    return onlyBackOff ? undefined : err;
  }
}

/** Go's %q for the plain strings these messages carry. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
