// The kubelet's side of the container runtime (upstream's
// kubeGenericRuntimeManager, pkg/kubelet/kuberuntime, v1.32): reads what the
// runtime has for a pod, and drives it to the pod's spec through the CRI-shaped
// RuntimeService and ImageService. SyncPod: computePodActions → kill what must
// go → create the sandbox → start init containers in order → start containers,
// each behind its CrashLoopBackOff. KillPod: preStop hooks, stop containers
// within the grace period (sidecars last), stop the sandboxes.
import type { Container, EphemeralContainer, Pod, Secret } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";
import type { ContainerManager } from "../cm/container-manager.ts";
import type {
  ContainerStatus,
  ImageService,
  PodSandboxConfig,
  PodSandboxStatus,
  RuntimeService,
} from "../runtime/interface.ts";
import { LABELS } from "../runtime/interface.ts";
import type { KubeletContext, RuntimePodStatus } from "../types.ts";
import { type VolumeManager, VolumeMountError } from "../volume/manager.ts";
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./backoff.ts";
import { generateContainerConfig } from "./container-config.ts";
import { ContainerConfigError, type EnvLookups, makeEnvironmentVariables } from "./env.ts";
import { formatDuration, formatPod } from "./format.ts";
import {
  errorMessage,
  findContainerStatusByName,
  getContainerSpec,
  getStableKey,
  hasRestartableInitContainer,
  isHostNetworkPod,
  isNotFoundError,
  isRestartableInitContainer,
} from "./helpers.ts";
import { ensureHostsFile, makeHostsMount, shouldMountHostsFile } from "./hosts-file.ts";
import { ImageManager } from "./image-manager.ts";
import { containerInfo, restartCountOf } from "./labels.ts";
import { HandlerRunner } from "./lifecycle-handlers.ts";
import {
  type ContainerKillReason,
  type ContainerProbeResults,
  computePodActions,
  noProbeResults,
  type PodActions,
} from "./pod-actions.ts";
import { type RunningPod, runningPodFromStatus } from "./running-pod.ts";
import { generatePodSandboxConfig, podHostnameAndDomain } from "./sandbox-config.ts";
import { type ImageUser, verifyRunAsNonRoot } from "./security-context.ts";
import { PodSyncResult, type SyncError, SyncErrors } from "./sync-result.ts";
import { TerminationOrdering } from "./termination-ordering.ts";

/** The image user fields of CRI's Image message, when the runtime reports them. */
interface CriImageUser {
  uid?: { value: number } | number | null;
  username?: string;
}

/** A minimal shutdown window, so a container is never SIGKILLed without a chance (minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export interface KubeRuntimeManagerOptions {
  ctx: Pick<KubeletContext, "clock" | "event" | "log" | "node">;
  runtime: RuntimeService;
  images: ImageService;
  /** Liveness and startup results by container id (the prober); none when absent. */
  probes?: ContainerProbeResults;
  /** Default /var/log/pods. */
  podLogsDirectory?: string;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** The pod's resolver settings (the DNS configurer). */
  podDNS?: (pod: Pod) => PodSandboxConfig["dnsConfig"];
  /** A RuntimeClass's CRI handler (upstream's runtimeclass.Manager); without it every pod gets the default. */
  runtimeHandler?: (runtimeClassName: string) => Promise<string>;
  /** ConfigMaps and Secrets for env and envFrom. */
  envLookups?: EnvLookups;
  /** The image pull backoff; default 10 s doubling to 5 min. */
  imageBackOff?: Backoff;
  /** The pod workers' view: a sandbox that fails while the pod is being torn down is no error. */
  isPodTerminationRequested?: (uid: string) => boolean;
  /** The pod's volumes on the host; without it containers get no mounts. */
  volumes?: VolumeManager;
  /** The cgroup root pods' cgroups go under (cm/pod-cgroup.ts); none when undefined. */
  cgroupRoot?: string;
  /** Makes the pod's cgroup with its limits before its sandbox (cm/container-manager.ts); none for hollow nodes. */
  podCgroups?: Pick<ContainerManager, "ensurePodCgroup">;
}

/** How starting one container went: the waiting reason and message when it failed. */
interface StartOutcome {
  error?: SyncError;
  message?: string;
}

export class KubeRuntimeManager {
  private readonly ctx: KubeRuntimeManagerOptions["ctx"];
  private readonly runtime: RuntimeService;
  private readonly probes: ContainerProbeResults;
  private readonly imageManager: ImageManager;
  private readonly runner: HandlerRunner;
  private readonly podLogsDirectory: string;
  private readonly clusterDomain: string;

  constructor(private readonly opts: KubeRuntimeManagerOptions) {
    this.ctx = opts.ctx;
    this.runtime = opts.runtime;
    this.probes = opts.probes ?? noProbeResults;
    this.podLogsDirectory = opts.podLogsDirectory ?? "/var/log/pods";
    this.clusterDomain = opts.clusterDomain ?? "cluster.local";
    this.imageManager = new ImageManager({
      images: opts.images,
      backOff:
        opts.imageBackOff ??
        new Backoff({
          clock: opts.ctx.clock,
          initialMs: CONTAINER_BACKOFF_INITIAL_MS,
          maxMs: CONTAINER_BACKOFF_MAX_MS,
        }),
    });
    this.runner = new HandlerRunner(opts.runtime, opts.ctx.clock);
  }

  // ---- reading the runtime ----

  /** GetPodStatus: the pod's sandboxes and containers, newest first, and the ready sandbox's IPs. */
  async getPodStatus(uid: string, name: string, namespace: string): Promise<RuntimePodStatus> {
    const selector = { [LABELS.podUid]: uid };
    const sandboxes = (await this.runtime.listPodSandbox({ labelSelector: selector })).sort(
      (a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt,
    );
    const sandboxStatuses: PodSandboxStatus[] = [];
    let ips: string[] = [];
    for (const [i, s] of sandboxes.entries()) {
      let st: PodSandboxStatus;
      try {
        st = await this.runtime.podSandboxStatus(s.id);
      } catch (err) {
        // Removed between the list and the status: as if it was never listed.
        if (isNotFoundError(err)) continue;
        throw err;
      }
      sandboxStatuses.push(st);
      // Only the newest sandbox's IPs count.
      if (i === 0 && st.state === "SANDBOX_READY") ips = sandboxIPs(st);
    }
    const containers: ContainerStatus[] = [];
    for (const c of await this.runtime.listContainers({ labelSelector: selector })) {
      try {
        containers.push(await this.runtime.containerStatus(c.id));
      } catch (err) {
        if (isNotFoundError(err)) continue;
        throw err;
      }
    }
    // Timestamps in ns lose precision as numbers: the attempt breaks ties.
    containers.sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
    return { uid, name, namespace, sandboxes: sandboxStatuses, containers, ips };
  }

  /** GetPods: what the runtime runs (all: also exited containers and not-ready sandboxes), grouped by pod. */
  async getPods(all: boolean): Promise<RunningPod[]> {
    const pods = new Map<string, RunningPod & { createdAt: number }>();
    const podFor = (uid: string, name: string, namespace: string) => {
      let p = pods.get(uid);
      if (!p) {
        p = { uid, name, namespace, containers: [], sandboxes: [], createdAt: 0 };
        pods.set(uid, p);
      }
      return p;
    };
    const sandboxes = await this.runtime.listPodSandbox(all ? {} : { state: "SANDBOX_READY" });
    for (const s of sandboxes) {
      const p = podFor(s.metadata.uid, s.metadata.name, s.metadata.namespace);
      p.sandboxes.push({ id: s.id, state: s.state });
      p.createdAt = Math.max(p.createdAt, s.createdAt);
    }
    const containers = await this.runtime.listContainers(all ? {} : { state: "CONTAINER_RUNNING" });
    for (const c of containers) {
      const uid = c.labels[LABELS.podUid];
      if (!uid) continue;
      const p = podFor(uid, c.labels[LABELS.podName] ?? "", c.labels[LABELS.podNamespace] ?? "");
      p.containers.push({
        id: c.id,
        name: c.labels[LABELS.containerName] ?? c.metadata.name,
        state: c.state,
      });
    }
    return [...pods.values()].sort((a, b) => b.createdAt - a.createdAt).map(({ createdAt: _, ...p }) => p);
  }

  computePodActions(pod: Pod, podStatus: RuntimePodStatus): PodActions {
    return computePodActions(pod, podStatus, this.probes);
  }

  // ---- SyncPod ----

  /**
   * SyncPod: one pass toward the spec. The result lists each step; a
   * container in CrashLoopBackOff fails its StartContainer step with
   * `back-off 10s restarting failed container=c pod=p_ns(uid)`, and
   * backOffRemainingMs says when to come back.
   */
  async syncPod(
    pod: Pod,
    podStatus: RuntimePodStatus,
    backOff: Backoff,
    pullSecrets: readonly Secret[] = [],
  ): Promise<PodSyncResult> {
    const result = new PodSyncResult();
    const changes = this.computePodActions(pod, podStatus);
    const uid = pod.metadata?.uid ?? "";

    // kubelet.SyncPod: the pod's cgroup, with its limits, exists before anything runs in it.
    if (this.opts.podCgroups && !this.opts.isPodTerminationRequested?.(uid)) {
      try {
        this.opts.podCgroups.ensurePodCgroup(pod);
      } catch (err) {
        this.ctx.event(
          pod,
          "Warning",
          "FailedToCreatePodContainer",
          `unable to ensure pod container exists: ${errorMessage(err)}`,
        );
        result.fail(
          new Error(
            `failed to ensure that the pod: ${uid} cgroups exist and are correctly applied: ${errorMessage(err)}`,
          ),
        );
        return result;
      }
    }

    // WaitForAttachAndMount: every sync sets the volumes up again, so updates reach running pods.
    if (this.opts.volumes) {
      try {
        await this.opts.volumes.mountPod(pod);
      } catch (err) {
        if (!(err instanceof VolumeMountError)) throw err;
        this.ctx.event(pod, "Warning", "FailedMount", err.message);
        result.fail(
          new Error(`unable to attach or mount volumes: unmounted volumes=[${err.volume}]: ${err.reason}`),
        );
        return result;
      }
    }

    if (changes.createSandbox && changes.sandboxId !== "") {
      this.ctx.event(
        pod,
        "Normal",
        "SandboxChanged",
        "Pod sandbox changed, it will be killed and re-created.",
      );
    }

    // Kill the pod when its sandbox changed or nothing is left to run; else only the unwanted containers.
    if (changes.killPod) {
      const kill = await this.killPodWithSyncResult(pod, runningPodFromStatus(podStatus));
      result.merge(kill);
      if (kill.error()) return result;
      if (changes.createSandbox) await this.purgeInitContainers(pod, podStatus);
    } else {
      for (const [id, info] of changes.containersToKill) {
        const r = result.add("KillContainer", info.name);
        try {
          await this.killContainer(pod, id, info.name, info.message, info.reason);
        } catch (err) {
          r.error = SyncErrors.KillContainer;
          r.message = errorMessage(err);
          return result;
        }
      }
    }

    // Keep few terminated containers: the newest of each name is enough for lastState.
    await this.pruneContainersBeforeStart(pod, podStatus);

    let podIPs = podStatus.ips;
    let sandboxId = changes.sandboxId;
    if (changes.createSandbox) {
      const r = result.add("CreatePodSandbox", formatPod(pod));
      let config: PodSandboxConfig;
      try {
        config = this.sandboxConfig(pod, changes.attempt);
        const runtimeClass = pod.spec?.runtimeClassName;
        const handler =
          runtimeClass && this.opts.runtimeHandler ? await this.opts.runtimeHandler(runtimeClass) : "";
        sandboxId = await this.runtime.runPodSandbox(config, handler);
      } catch (err) {
        // A pod deleted while its sandbox was being created is no failure.
        if (this.opts.isPodTerminationRequested?.(uid)) return result;
        r.error = SyncErrors.CreatePodSandbox;
        r.message = `Failed to create sandbox for pod "${formatPod(pod)}": ${errorMessage(err)}`;
        this.ctx.event(
          pod,
          "Warning",
          "FailedCreatePodSandBox",
          `Failed to create pod sandbox: ${errorMessage(err)}`,
        );
        return result;
      }
      let status: PodSandboxStatus;
      try {
        status = await this.runtime.podSandboxStatus(sandboxId);
      } catch (err) {
        this.ctx.event(
          pod,
          "Warning",
          "FailedPodSandBoxStatus",
          `Unable to get pod sandbox status: ${errorMessage(err)}`,
        );
        result.fail(err instanceof Error ? err : new Error(String(err)));
        return result;
      }
      if (!isHostNetworkPod(pod)) podIPs = sandboxIPs(status);
    }

    const configResult = result.add("ConfigPodSandbox", sandboxId);
    let sandboxConfig: PodSandboxConfig;
    try {
      sandboxConfig = this.sandboxConfig(pod, changes.attempt);
    } catch (err) {
      configResult.error = SyncErrors.ConfigPodSandbox;
      configResult.message = `GeneratePodSandboxConfig for pod "${formatPod(pod)}" failed: ${errorMessage(err)}`;
      return result;
    }

    const start = async (c: Container): Promise<boolean> => {
      const r = result.add("StartContainer", c.name);
      const backoff = this.doBackOff(pod, c, podStatus, backOff);
      if (backoff) {
        r.error = SyncErrors.CrashLoopBackOff;
        r.message = backoff.message;
        result.backOffRemainingMs = Math.min(result.backOffRemainingMs ?? Infinity, backoff.remainingMs);
        return false;
      }
      const outcome = await this.startContainer(
        sandboxId,
        sandboxConfig,
        c,
        pod,
        podStatus,
        pullSecrets,
        podIPs,
      );
      if (outcome.error) {
        r.error = outcome.error;
        r.message = outcome.message ?? "";
        this.ctx.log("container start failed", {
          pod: formatPod(pod),
          container: c.name,
          error: outcome.error,
        });
        return false;
      }
      return true;
    };

    const spec = pod.spec!;
    for (const i of changes.ephemeralContainersToStart) {
      await start(spec.ephemeralContainers![i] as Container);
    }
    for (const i of changes.initContainersToStart) {
      const c = spec.initContainers![i];
      // A sidecar that fails to start does not hold back the next one; an init container does.
      if (!(await start(c)) && !isRestartableInitContainer(c)) return result;
    }
    for (const i of changes.containersToStart) await start(spec.containers[i]);
    return result;
  }

  private sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return generatePodSandboxConfig(pod, attempt, {
      podLogsDirectory: this.podLogsDirectory,
      clusterDomain: this.clusterDomain,
      dns: this.opts.podDNS?.(pod),
      cgroupRoot: this.opts.cgroupRoot,
    });
  }

  /** doBackOff: is the container's last exit too recent to start it again? */
  private doBackOff(
    pod: Pod,
    c: Container,
    podStatus: RuntimePodStatus,
    backOff: Backoff,
  ): { message: string; remainingMs: number } | undefined {
    const exited = podStatus.containers.find(
      (s) => s.metadata.name === c.name && s.state === "CONTAINER_EXITED",
    );
    if (!exited) return undefined;
    // The newest exit starts the backoff.
    const finishedAt = nanosToMillis(exited.finishedAt);
    const key = getStableKey(pod, c);
    if (backOff.isInBackOffSince(key, finishedAt)) {
      this.ctx.event(
        pod,
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`,
        containerFieldPath(pod, c.name),
      );
      return {
        message: `back-off ${formatDuration(backOff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}`,
        remainingMs: backOff.remainingSince(key, finishedAt),
      };
    }
    backOff.next(key, finishedAt);
    return undefined;
  }

  /** startContainer: pull the image, create, start, run the postStart hook. */
  private async startContainer(
    sandboxId: string,
    sandboxConfig: PodSandboxConfig,
    c: Container,
    pod: Pod,
    podStatus: RuntimePodStatus,
    pullSecrets: readonly Secret[],
    podIPs: readonly string[],
  ): Promise<StartOutcome> {
    const failed = (error: SyncError, message: string, eventMessage = message): StartOutcome => {
      this.ctx.event(pod, "Warning", "Failed", `Error: ${eventMessage}`, containerFieldPath(pod, c.name));
      return { error, message };
    };

    const image = await this.imageManager.ensureImageExists(
      pod,
      c.image ?? "",
      c.imagePullPolicy,
      pullSecrets,
      sandboxConfig,
      (type, reason, message) => this.ctx.event(pod, type, reason, message, containerFieldPath(pod, c.name)),
    );
    if (image.error) return failed(image.error, image.message ?? "", image.error);

    // A new attempt counts one more than the last one the runtime still has.
    const last = findContainerStatusByName(podStatus, c.name);
    const restartCount = last ? restartCountOf(last) + 1 : 0;

    // getTargetID: a debug container joins the processes of a container that has been created.
    const targetName = (c as EphemeralContainer).targetContainerName;
    const targetId = targetName ? findContainerStatusByName(podStatus, targetName)?.id : undefined;
    if (targetName && !targetId) {
      return failed(SyncErrors.CreateContainerConfig, `unable to find target container ${targetName}`);
    }

    const node = this.ctx.node();
    let envs: Awaited<ReturnType<typeof makeEnvironmentVariables>>;
    let mounts: ReturnType<VolumeManager["makeMounts"]> = [];
    const imageUser = await this.imageUser(c.image ?? "");
    try {
      // verifyRunAsNonRoot, before anything is created.
      verifyRunAsNonRoot(pod, c, imageUser);
      if (this.opts.volumes) {
        mounts = this.opts.volumes.makeMounts(pod, c);
        // makeMounts: the kubelet-managed /etc/hosts once the pod has an IP.
        if (shouldMountHostsFile(podIPs, c)) mounts.push(makeHostsMount(this.hostsFile(pod, podIPs)));
      }
      envs = await makeEnvironmentVariables({
        pod,
        container: c,
        podIP: podIPs[0] ?? "",
        podIPs,
        hostIPs: nodeIPs(node),
        nodeAllocatable: node?.status?.allocatable,
        lookups: this.opts.envLookups,
      });
    } catch (err) {
      if (err instanceof ContainerConfigError) return failed(SyncErrors.CreateContainerConfig, err.message);
      throw err;
    }
    const config = generateContainerConfig({
      pod,
      container: c,
      restartCount,
      envs,
      memoryCapacity: memoryCapacityOf(node),
      mounts,
      imageUser,
      targetId,
    });

    let containerId: string;
    try {
      containerId = await this.runtime.createContainer(sandboxId, config, sandboxConfig);
    } catch (err) {
      return failed(SyncErrors.CreateContainer, errorMessage(err));
    }
    this.ctx.event(pod, "Normal", "Created", `Created container ${c.name}`, containerFieldPath(pod, c.name));

    try {
      await this.runtime.startContainer(containerId);
    } catch (err) {
      return failed(SyncErrors.RunContainer, errorMessage(err).replaceAll(containerId, c.name));
    }
    this.ctx.event(pod, "Normal", "Started", `Started container ${c.name}`, containerFieldPath(pod, c.name));

    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const hook = await this.runner.run(containerId, pod, c, postStart);
      if (hook.error) {
        // The hook's output stays out of the event: it may hold secrets.
        this.ctx.event(
          pod,
          "Warning",
          "FailedPostStartHook",
          "PostStartHook failed",
          containerFieldPath(pod, c.name),
        );
        try {
          await this.killContainer(pod, containerId, c.name, "FailedPostStartHook", "FailedPostStartHook");
        } catch (err) {
          this.ctx.log("failed to kill container after postStart hook", { error: errorMessage(err) });
        }
        return { error: SyncErrors.PostStartHook, message: hook.message };
      }
    }
    return {};
  }

  /** getImageUser: the image's uid or user name from ImageStatus; an image that names neither runs as root. */
  private async imageUser(image: string): Promise<ImageUser> {
    let status: (Awaited<ReturnType<ImageService["imageStatus"]>> & CriImageUser) | undefined;
    try {
      status = await this.opts.images.imageStatus(image);
    } catch {
      return {};
    }
    const uid = typeof status?.uid === "object" ? status.uid?.value : status?.uid;
    if (uid !== undefined && uid !== null) return { uid: Number(uid) };
    if (status?.username) return { username: status.username };
    return {};
  }

  /** ensureHostsFile under the pod's directory: <pod dir>/etc-hosts. */
  private hostsFile(pod: Pod, podIPs: readonly string[]): string {
    const fileName = `${this.opts.volumes!.podDir(pod.metadata?.uid ?? "")}/etc-hosts`;
    const { hostname, domain } = podHostnameAndDomain(pod, this.clusterDomain);
    ensureHostsFile({
      fileName,
      hostIPs: podIPs,
      hostName: hostname,
      hostDomainName: domain,
      hostAliases: pod.spec?.hostAliases,
      useHostNetwork: isHostNetworkPod(pod),
    });
    return fileName;
  }

  // ---- KillPod ----

  /**
   * KillPod: preStop hooks, then every running container stopped within the
   * grace period (gracePeriodOverride, else the pod's), sidecars after the
   * containers they serve, then the sandboxes. pod may be undefined for an
   * orphan: the container annotations say what its spec said.
   */
  async killPod(pod: Pod | undefined, runningPod: RunningPod, gracePeriodOverride?: number): Promise<void> {
    const err = (await this.killPodWithSyncResult(pod, runningPod, gracePeriodOverride)).error();
    if (err) throw err;
  }

  private async killPodWithSyncResult(
    pod: Pod | undefined,
    runningPod: RunningPod,
    gracePeriodOverride?: number,
  ): Promise<PodSyncResult> {
    const result = new PodSyncResult();
    const ordering =
      pod && hasRestartableInitContainer(pod)
        ? new TerminationOrdering(
            pod,
            runningPod.containers.map((c) => c.name),
            this.ctx.clock,
          )
        : undefined;
    await Promise.all(
      runningPod.containers.map(async (c) => {
        const r = result.add("KillContainer", c.name);
        try {
          await this.killContainer(pod, c.id, c.name, "", "Unknown", gracePeriodOverride, ordering);
        } catch (err) {
          r.error = SyncErrors.KillContainer;
          r.message = errorMessage(err);
        }
      }),
    );
    const r = result.add("KillPodSandbox", runningPod.uid);
    for (const s of runningPod.sandboxes) {
      try {
        await this.runtime.stopPodSandbox(s.id);
      } catch (err) {
        if (isNotFoundError(err)) continue;
        r.error = SyncErrors.KillPodSandbox;
        r.message = errorMessage(err);
      }
    }
    return result;
  }

  /** killContainer: the Killing event, the preStop hook within the grace period, then StopContainer. */
  private async killContainer(
    pod: Pod | undefined,
    containerId: string,
    containerName: string,
    message: string,
    reason: ContainerKillReason,
    gracePeriodOverride?: number,
    ordering?: TerminationOrdering,
  ): Promise<void> {
    let spec: Container | undefined;
    if (pod) {
      spec = getContainerSpec(pod, containerName);
      if (!spec) {
        throw new Error(
          `failed to get containerSpec "${containerName}" (id="${containerId}") in pod "${formatPod(pod)}" when killing container for reason "${message}"`,
        );
      }
    } else {
      // No spec (an orphan after a restart): restore what killing needs from the container's annotations.
      ({ pod, container: spec } = await this.restoreSpecsFromContainer(containerId));
    }

    let gracePeriod = terminationGracePeriod(pod, spec, reason);
    this.ctx.event(
      pod,
      "Normal",
      "Killing",
      message || `Stopping container ${spec.name}`,
      containerFieldPath(pod, spec.name),
    );
    if (gracePeriodOverride !== undefined) gracePeriod = gracePeriodOverride;

    if (spec.lifecycle?.preStop && gracePeriod > 0) {
      gracePeriod -= await this.executePreStopHook(pod, containerId, spec, gracePeriod);
    }
    if (ordering && gracePeriod > 0) gracePeriod -= await ordering.waitForTurn(containerName, gracePeriod);
    if (gracePeriod < MINIMUM_GRACE_PERIOD_SECONDS) gracePeriod = MINIMUM_GRACE_PERIOD_SECONDS;

    try {
      await this.runtime.stopContainer(containerId, gracePeriod);
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
    ordering?.containerTerminated(containerName);
  }

  /** executePreStopHook: runs the hook for at most the grace period; returns the whole seconds it took. */
  private async executePreStopHook(
    pod: Pod,
    containerId: string,
    c: Container,
    gracePeriod: number,
  ): Promise<number> {
    const clock = this.ctx.clock;
    const start = clock.now();
    const timeout = new AbortController();
    const hook = this.runner.run(containerId, pod, c, c.lifecycle!.preStop!).then((r) => {
      if (r.error) {
        this.ctx.event(
          pod,
          "Warning",
          "FailedPreStopHook",
          "PreStopHook failed",
          containerFieldPath(pod, c.name),
        );
      }
    });
    await Promise.race([
      hook,
      new Promise<void>((resolve) => {
        const cancel = clock.after(gracePeriod * 1000, resolve);
        timeout.signal.addEventListener("abort", () => {
          cancel();
          resolve();
        });
      }),
    ]);
    timeout.abort();
    return Math.floor((clock.now() - start) / 1000);
  }

  private async restoreSpecsFromContainer(containerId: string): Promise<{ pod: Pod; container: Container }> {
    const s = await this.runtime.containerStatus(containerId);
    const info = containerInfo(s.labels, s.annotations);
    const container: Container = { name: info.containerName, ports: info.ports };
    if (info.preStopHandler) container.lifecycle = { preStop: info.preStopHandler };
    const pod: Pod = {
      metadata: {
        uid: info.podUid,
        name: info.podName,
        namespace: info.podNamespace,
        deletionGracePeriodSeconds: info.podDeletionGracePeriod,
      },
      spec: { containers: [container], terminationGracePeriodSeconds: info.podTerminationGracePeriod },
    };
    return { pod, container };
  }

  // ---- cleanup ----

  /** Removes every container and sandbox of a pod (what container GC does once the pod is gone). */
  async removePod(uid: string): Promise<void> {
    const selector = { [LABELS.podUid]: uid };
    for (const c of await this.runtime.listContainers({ labelSelector: selector })) {
      await this.removeContainer(c.id);
    }
    for (const s of await this.runtime.listPodSandbox({ labelSelector: selector })) {
      try {
        await this.runtime.stopPodSandbox(s.id);
        await this.runtime.removePodSandbox(s.id);
      } catch (err) {
        if (!isNotFoundError(err)) throw err;
      }
    }
    // The containers are gone: nothing holds the pod's mounts any more.
    await this.opts.volumes?.unmountPod(uid);
  }

  private async removeContainer(id: string): Promise<void> {
    try {
      await this.runtime.removeContainer(id);
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }

  /** purgeInitContainers: a new sandbox runs initialization again from the start. */
  private async purgeInitContainers(pod: Pod, podStatus: RuntimePodStatus): Promise<void> {
    const names = new Set((pod.spec?.initContainers ?? []).map((c) => c.name));
    for (const s of podStatus.containers) {
      if (names.has(s.metadata.name)) await this.removeContainer(s.id);
    }
  }

  /**
   * pruneInitContainersBeforeStart, and for regular containers what container
   * GC does (MaxPerPodContainer 1): only the newest terminated attempt of
   * each container is kept.
   */
  private async pruneContainersBeforeStart(pod: Pod, podStatus: RuntimePodStatus): Promise<void> {
    const initNames = new Set((pod.spec?.initContainers ?? []).map((c) => c.name));
    const seen = new Set<string>();
    for (const s of podStatus.containers) {
      const name = s.metadata.name;
      const prunable =
        s.state === "CONTAINER_EXITED" || (initNames.has(name) && s.state === "CONTAINER_UNKNOWN");
      if (!prunable) continue;
      if (!seen.has(name)) {
        seen.add(name);
        continue;
      }
      await this.removeContainer(s.id);
    }
  }
}

/** setTerminationGracePeriod: deletion grace, else a failing probe's own, else the pod's, else 2 s. */
export function terminationGracePeriod(pod: Pod, c: Container, reason: ContainerKillReason): number {
  const deletion = pod.metadata?.deletionGracePeriodSeconds;
  if (deletion !== undefined && deletion !== null) return deletion;
  const termination = pod.spec?.terminationGracePeriodSeconds;
  if (termination === undefined || termination === null) return MINIMUM_GRACE_PERIOD_SECONDS;
  if (reason === "StartupProbe" && c.startupProbe?.terminationGracePeriodSeconds != null) {
    return c.startupProbe.terminationGracePeriodSeconds;
  }
  if (reason === "LivenessProbe" && c.livenessProbe?.terminationGracePeriodSeconds != null) {
    return c.livenessProbe.terminationGracePeriodSeconds;
  }
  return termination;
}

/** determinePodSandboxIPs: the primary IP, then the additional ones. */
export function sandboxIPs(s: PodSandboxStatus): string[] {
  if (!s.network?.ip) return [];
  return [s.network.ip, ...(s.network.additionalIps ?? []).map((a) => a.ip).filter((ip) => ip !== "")];
}

function nanosToMillis(ns: number): number {
  return Math.floor(ns / 1e6);
}

function nodeIPs(node: ReturnType<KubeletContext["node"]>): string[] {
  const addrs = node?.status?.addresses ?? [];
  const internal = addrs.filter((a) => a.type === "InternalIP").map((a) => a.address);
  return internal.length > 0 ? internal : addrs.filter((a) => a.type === "ExternalIP").map((a) => a.address);
}

function memoryCapacityOf(node: ReturnType<KubeletContext["node"]>): number {
  const q = node?.status?.capacity?.memory;
  if (q === undefined) return 0;
  try {
    return Number(Quantity.parse(String(q)).value());
  } catch {
    return 0;
  }
}

/** The involvedObject.fieldPath of a container's events (upstream's GenerateContainerRef). */
export function containerFieldPath(pod: Pod, name: string): string | undefined {
  const spec = pod.spec;
  if (spec?.containers?.some((c) => c.name === name)) return `spec.containers{${name}}`;
  if (spec?.initContainers?.some((c) => c.name === name)) return `spec.initContainers{${name}}`;
  if (spec?.ephemeralContainers?.some((c) => c.name === name)) return `spec.ephemeralContainers{${name}}`;
  return undefined;
}
