// The kubelet: registers its Node and keeps its lease and status, takes the
// pods bound to it (and static pods from a manifest directory), admits them,
// and runs each through a pod worker: syncPod (the runtime manager makes the
// runtime match the spec) → status (written to pods/status on change) →
// termination and cleanup. Runtime events (containers starting and exiting)
// wake the pod's worker, so nothing polls. A hollow kubelet is this same code
// over the fake runtime.
import type { ConfigMap, Node, Pod, PodStatus, Secret, Taint } from "kubernetes-types/core/v1.d.ts";
import type { RuntimeClass } from "kubernetes-types/node/v1.d.ts";
import { isNotFound } from "../client/api-error.ts";
import { type Clock, realClock } from "../client/clock.ts";
import { EventRecorder, type Recorder } from "../client/event-recorder.ts";
import { listerWatcher, Reflector } from "../client/reflector.ts";
import { Resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { ContainerManager } from "./cm/container-manager.ts";
import { buildPodFullName, isMirrorPod, isStaticPod } from "./config/annotations.ts";
import { ApiPodSource } from "./config/api-source.ts";
import { FileSource } from "./config/file-source.ts";
import { MirrorClient } from "./config/mirror-client.ts";
import { PodConfig, type PodConfigUpdate } from "./config/pod-config.ts";
import { PodManager } from "./config/pod-manager.ts";
import { ContainerLogManager } from "./logs/container-log-manager.ts";
import { DNSConfigurer } from "./network/dns.ts";
import { NodeLeaseController } from "./node/lease.ts";
import type { MachineInfo } from "./node/machine-info.ts";
import { registerNode } from "./node/registration.ts";
import { NodeStatusManager } from "./node/status.ts";
import { admitPod } from "./pod/admission.ts";
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./pod/backoff.ts";
import { getPullSecretsForPod } from "./pod/image-manager.ts";
import { type PodSyncer, PodWorkers, type SyncPodOutcome } from "./pod/pod-workers.ts";
import { ReasonCache } from "./pod/reason-cache.ts";
import { type RunningPod, runningPodFromStatus } from "./pod/running-pod.ts";
import { KubeRuntimeManager } from "./pod/runtime-manager.ts";
import { ProbeManager } from "./prober/manager.ts";
import type { ContainerEvent, ImageService, RuntimeService } from "./runtime/interface.ts";
import { generatePodReadyCondition } from "./status/conditions.ts";
import { generateAPIPodStatus } from "./status/generate.ts";
import { PodStatusManager } from "./status/manager.ts";
import type { KillPodOptions, KubeletContext, RuntimePodStatus, SyncPodType } from "./types.ts";
import { ensureCSINode } from "./volume/csi-node.ts";
import { VolumeManager } from "./volume/manager.ts";

export interface KubeletOptions {
  client: RestClient;
  nodeName: string;
  runtime: RuntimeService;
  images: ImageService;
  /** The runtime's name in container IDs ("fake", "containerd"). */
  runtimeName: string;
  machineInfo: MachineInfo;
  nodeIP: string;
  /** The kubelet server's real port, reported as daemonEndpoints.kubeletEndpoint.Port (default 10250). */
  kubeletPort?: number;
  clock?: Clock;
  /** Static pod manifests (none when absent). */
  manifestDir?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  maxPods?: number;
  podCIDR?: string;
  /** --node-lease-duration-seconds (40); the lease is renewed every quarter of it. */
  nodeLeaseDurationSeconds?: number;
  /** Probes of the fake runtime always succeed. */
  fakeProbes?: boolean;
  /** Root of the pods' log directories; default /var/log/pods. */
  podLogsDirectory?: string;
  /** --root-dir: where pods' volumes are prepared; without it (hollow nodes) pods get no volumes. */
  rootDir?: string;
  /** --cluster-dns: the DNS servers of ClusterFirst pods; none: they fall back to Default (hollow nodes write no resolv.conf). */
  clusterDNS?: string[];
  /** --cluster-domain (default cluster.local). */
  clusterDomain?: string;
  /** --resolv-conf: the node's resolver file for dnsPolicy Default (default /etc/resolv.conf). */
  resolvConf?: string;
  /** The cgroup root of pods' cgroups (cm/pod-cgroup.ts); none when undefined (the fake runtime). */
  cgroupRoot?: string;
  /** Pod status writes in flight at once (status manager; default 4, enough for a hollow node's few pods). */
  statusConcurrency?: number;
  /**
   * Dependencies.Recorder: where the kubelet's events go instead of the API
   * (kubemark's hollow kubelet passes a FakeRecorder).
   */
  recorder?: Recorder;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

const HOUSEKEEPING_MS = 2_000;

export class Kubelet implements PodSyncer {
  private readonly clock: Clock;
  private readonly ctx: KubeletContext;
  private readonly recorder: Recorder;
  private readonly nodeStatus: NodeStatusManager;
  private readonly lease: NodeLeaseController;
  private readonly podManager = new PodManager();
  private readonly mirrors: MirrorClient;
  private readonly statuses: PodStatusManager;
  private readonly runtimeManager: KubeRuntimeManager;
  /** The pods' and QoS tiers' cgroups; none without a cgroupRoot (hollow nodes). */
  private readonly containerManager?: ContainerManager;
  private readonly volumes?: VolumeManager;
  private readonly workers: PodWorkers;
  private readonly backoff: Backoff;
  private readonly reasons = new ReasonCache();
  private readonly config: PodConfig;
  private readonly probes: ProbeManager;
  private apiSource?: ApiPodSource;
  private fileSource?: FileSource;
  private readonly abort = new AbortController();
  private cancelHousekeeping?: () => void;
  private nodeWatch?: Promise<void>;
  private csiNode?: Promise<void>;
  private unsubscribeRuntime?: () => void;
  private logManager?: ContainerLogManager;
  /** Sandbox id → pod uid, for runtime events. */
  private readonly sandboxPods = new Map<string, string>();
  /** Pods admitted and not yet terminated, by uid (admission counts their requests). */
  private readonly admitted = new Set<string>();
  /** Pods admission refused: Failed, never run. */
  private readonly rejected = new Set<string>();

  constructor(private readonly opts: KubeletOptions) {
    this.clock = opts.clock ?? realClock;
    const log = opts.log ?? (() => {});
    this.recorder =
      opts.recorder ??
      new EventRecorder({
        client: opts.client,
        component: "kubelet",
        host: opts.nodeName,
        clock: this.clock,
        onError: (e) => log("event not recorded", { err: (e as Error).message }),
      });
    this.ctx = {
      nodeName: opts.nodeName,
      client: opts.client,
      clock: this.clock,
      node: () => this.nodeStatus.node(),
      event: (pod, type, reason, message, fieldPath) => {
        const m = pod.metadata ?? {};
        this.recorder.event(
          {
            kind: "Pod",
            apiVersion: "v1",
            namespace: m.namespace,
            name: m.name,
            uid: m.uid,
            resourceVersion: m.resourceVersion,
            fieldPath,
          },
          type,
          reason,
          message,
        );
      },
      log,
    };
    this.nodeStatus = new NodeStatusManager(this.ctx, {
      runtime: opts.runtime,
      images: opts.images,
      machineInfo: opts.machineInfo,
      nodeIP: opts.nodeIP,
      kubeletPort: opts.kubeletPort,
      capacity: { maxPods: opts.maxPods },
      recordNodeEvent: (type, reason, message) =>
        this.recorder.event(
          { kind: "Node", apiVersion: "v1", name: opts.nodeName, uid: opts.nodeName },
          type,
          reason,
          message,
        ),
    });
    this.lease = new NodeLeaseController(this.ctx, {
      leaseDurationSeconds: opts.nodeLeaseDurationSeconds,
      onRepeatedHeartbeatFailure: () => this.nodeStatus.invalidate(),
    });
    this.mirrors = new MirrorClient({
      client: opts.client,
      nodeName: opts.nodeName,
      node: this.ctx.node,
      log,
    });
    this.statuses = new PodStatusManager({
      client: opts.client,
      clock: this.clock,
      getApiPod: (uid) => {
        const pod = this.podManager.getPodByUID(uid);
        return pod && isStaticPod(pod) ? this.podManager.getMirrorPodByPod(pod) : pod;
      },
      concurrency: opts.statusConcurrency,
      log,
    });
    this.probes = new ProbeManager({
      clock: this.clock,
      runtime: opts.runtime,
      statusProvider: this.statuses,
      event: (pod, type, reason, message) => this.ctx.event(pod, type, reason, message),
      // A liveness or startup failure: the next sync restarts the container.
      onLivenessFailure: (pod) => this.resync(pod.metadata?.uid),
      onResultChange: (pod, _container, probe, success, containerId) => {
        const uid = pod.metadata!.uid!;
        if (probe === "readiness") this.statuses.setContainerReadiness(uid, containerId, success);
        else this.statuses.setContainerStartup(uid, containerId, success);
        this.resync(uid);
      },
      fakeProbes: opts.fakeProbes ?? opts.runtimeName === "fake",
      log,
    });
    this.backoff = new Backoff({
      clock: this.clock,
      initialMs: CONTAINER_BACKOFF_INITIAL_MS,
      maxMs: CONTAINER_BACKOFF_MAX_MS,
    });
    this.workers = new PodWorkers({
      clock: this.clock,
      syncer: this,
      getPodStatus: (uid, name, ns) => this.runtimeManager.getPodStatus(uid, name, ns),
      log,
    });
    this.volumes = opts.rootDir
      ? new VolumeManager({
          rootDir: opts.rootDir,
          client: opts.client,
          clock: this.clock,
          node: () => this.nodeStatus.node(),
        })
      : undefined;
    this.containerManager =
      opts.cgroupRoot !== undefined
        ? new ContainerManager({
            cgroupRoot: opts.cgroupRoot,
            // GetActivePods: the pods whose workers have not finished them.
            activePods: () =>
              this.podManager.getPods().filter((p) => !this.workers.isPodTerminated(p.metadata!.uid!)),
            // Node allocatable as enforced on kubepods: capacity, no reservations.
            nodeAllocatable: {
              milliCPU: opts.machineInfo.numCores * 1000,
              memory: opts.machineInfo.memoryCapacity,
            },
            now: () => this.clock.now(),
            log,
          })
        : undefined;
    this.runtimeManager = new KubeRuntimeManager({
      ctx: this.ctx,
      runtime: opts.runtime,
      images: opts.images,
      probes: this.probes,
      podLogsDirectory: opts.podLogsDirectory,
      volumes: this.volumes,
      clusterDomain: opts.clusterDomain,
      cgroupRoot: opts.cgroupRoot,
      podCgroups: this.containerManager,
      // LookupRuntimeHandler, read when a sandbox is made rather than kept by an informer in every kubelet.
      runtimeHandler: async (name) => {
        try {
          return (await opts.client.get<RuntimeClass>(Resources.runtimeclasses, name)).handler;
        } catch (e) {
          // The messages of upstream's lister and LookupRuntimeHandler.
          if (isNotFound(e)) throw new Error(`runtimeclass.node.k8s.io "${name}" not found`);
          throw new Error(`failed to lookup RuntimeClass ${name}: ${(e as Error).message}`);
        }
      },
      // configMapKeyRef and secretKeyRef: read through the API (the Node authorizer allows its pods' references).
      envLookups: {
        configMap: (namespace, name) =>
          getOrUndefined<ConfigMap>(opts.client, Resources.configmaps, namespace, name),
        secret: (namespace, name) => getOrUndefined<Secret>(opts.client, Resources.secrets, namespace, name),
      },
      podDNS: opts.clusterDNS
        ? (() => {
            const dns = new DNSConfigurer({
              clusterDNS: opts.clusterDNS,
              clusterDomain: opts.clusterDomain ?? "cluster.local",
              resolverConfig: opts.resolvConf,
              nodeIPs: [opts.nodeIP],
              event: (pod, type, reason, message) => this.ctx.event(pod, type, reason, message),
            });
            return (pod) => dns.getPodDNS(pod);
          })()
        : undefined,
      isPodTerminationRequested: (uid) => this.workers.isPodTerminationRequested(uid),
    });
    this.config = new PodConfig({
      handler: (u) => this.handleUpdate(u),
      clock: this.clock,
      event: (pod, type, reason, message) => this.ctx.event(pod, type, reason, message),
      log,
    });
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** A pod this kubelet runs, by namespace and name (upstream's GetPodByName, for the kubelet server). */
  getPodByName(namespace: string, name: string): Pod | undefined {
    return this.podManager.getPodByFullName(buildPodFullName(name, namespace));
  }

  /** The pods this kubelet should run (the pod manager's), for the server's /pods. */
  getPods(): Pod[] {
    return this.podManager.getPods();
  }

  /** The status the kubelet holds for a pod (its status manager's), for logs and /pods. */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.statuses.getPodStatus(uid);
  }

  /** The Node's spec.podCIDR once registered (the fake runtime's address pool). */
  podCIDR(): string | undefined {
    return this.nodeStatus.node()?.spec?.podCIDR;
  }

  /** Registers the Node, then starts the heartbeats, the pod sources and housekeeping. */
  async start(): Promise<void> {
    // setupNode: the QoS cgroups exist before any pod is synced.
    this.containerManager?.start();
    const node = await registerNode(this.ctx, {
      labels: this.opts.labels,
      taints: this.opts.taints,
      podCIDR: this.opts.podCIDR,
      setNodeStatus: (n) => this.nodeStatus.setNodeStatus(n),
      signal: this.abort.signal,
    });
    this.nodeStatus.start(node);
    this.csiNode = ensureCSINode(this.opts.client, node, this.clock, this.abort.signal, this.ctx.log);
    // The kubelet's own Node, watched: admission must see labels and taints others set (upstream's node lister).
    const nodeReflector = new Reflector<Node>({
      name: `node@${this.opts.nodeName}`,
      listerWatcher: listerWatcher<Node>(this.opts.client, Resources.nodes, {
        fieldSelector: `metadata.name=${this.opts.nodeName}`,
      }),
      clock: this.clock,
      resyncPeriodMs: 0,
      store: {
        replace: (items) => {
          for (const n of items) this.nodeStatus.observe(n);
        },
        add: (n) => this.nodeStatus.observe(n),
        update: (n) => this.nodeStatus.observe(n),
        delete: () => {},
      },
    });
    this.nodeWatch = nodeReflector.run(this.abort.signal).catch(() => {});
    this.lease.start();
    this.statuses.start();
    this.unsubscribeRuntime = this.opts.runtime.onContainerEvent((e) => this.onRuntimeEvent(e));
    this.apiSource = new ApiPodSource({
      client: this.opts.client,
      nodeName: this.opts.nodeName,
      onUpdate: this.config.channel("api"),
      clock: this.clock,
    });
    this.apiSource.start();
    if (this.opts.manifestDir) {
      this.fileSource = new FileSource({
        path: this.opts.manifestDir,
        nodeName: this.opts.nodeName,
        onUpdate: this.config.channel("file"),
        clock: this.clock,
        log: this.ctx.log,
      });
      this.fileSource.start();
    }
    this.scheduleHousekeeping();
    // Containers of a real runtime write log files under podLogsDirectory: rotate them (10 MiB, 5 files).
    if (this.opts.runtimeName !== "fake" && this.opts.runtime.reopenContainerLog) {
      this.logManager = new ContainerLogManager({
        runtime: this.opts.runtime,
        clock: this.clock,
        log: this.ctx.log,
      });
      this.logManager.start();
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.cancelHousekeeping?.();
    this.unsubscribeRuntime?.();
    await this.logManager?.stop();
    await this.apiSource?.stop();
    await this.nodeWatch;
    await this.csiNode;
    await this.fileSource?.stop();
    await this.workers.stop();
    this.probes.stop();
    this.lease.stop();
    this.nodeStatus.stop();
    await this.statuses.stop();
    await this.recorder.flush();
  }

  // ---- config updates (upstream's syncLoopIteration)

  private handleUpdate(u: PodConfigUpdate): void {
    for (const pod of u.pods) {
      switch (u.op) {
        case "ADD":
          this.podManager.addPod(pod);
          if (isMirrorPod(pod)) this.syncStaticOf(pod);
          else this.addPod(pod);
          break;
        case "UPDATE":
          this.podManager.updatePod(pod);
          if (isMirrorPod(pod)) this.syncStaticOf(pod);
          else this.dispatch(pod, "update");
          break;
        case "RECONCILE":
          // HandlePodReconcile: the kubelet's own status coming back is no
          // reason to sync (it would skip ErrImagePull's backoff wait); only a
          // readiness gate that an outside controller flipped is.
          this.podManager.updatePod(pod);
          if (isMirrorPod(pod)) this.syncStaticOf(pod);
          else if (needToReconcilePodReadiness(pod)) this.dispatch(pod, "update");
          break;
        case "DELETE":
          // Graceful deletion began: the worker kills with the pod's grace period.
          this.podManager.updatePod(pod);
          if (!isMirrorPod(pod)) this.dispatch(pod, "update");
          break;
        case "REMOVE":
          this.podManager.removePod(pod);
          if (isMirrorPod(pod)) {
            this.syncStaticOf(pod);
            break;
          }
          this.workers.updatePod({ type: "kill", pod, killOptions: { gracePeriodSeconds: 1 } });
          break;
      }
    }
  }

  /** A pod arrives: admit it (upstream's HandlePodAdditions), or reject it as Failed. */
  private addPod(pod: Pod): void {
    const uid = pod.metadata!.uid!;
    if (this.workers.isPodTerminated(uid)) return;
    if (!this.admitted.has(uid) && !isTerminal(pod)) {
      const active = this.podManager.getPods().filter((p) => this.admitted.has(p.metadata!.uid!));
      const r = admitPod(pod, this.nodeStatus.node(), active);
      if (!r.admit) {
        this.rejectPod(pod, r.reason ?? "UnexpectedAdmissionError", r.message ?? "");
        return;
      }
      this.admitted.add(uid);
    }
    this.dispatch(pod, "create");
  }

  /** upstream's rejectPod: Failed with the reason, and no worker ever runs it. */
  private rejectPod(pod: Pod, reason: string, message: string): void {
    this.ctx.event(pod, "Warning", reason, message);
    this.rejected.add(pod.metadata!.uid!);
    this.statuses.setPodStatus(pod, {
      qosClass: pod.status?.qosClass,
      phase: "Failed",
      reason,
      message: `Pod was rejected: ${message}`,
    });
  }

  private dispatch(pod: Pod, type: SyncPodType): void {
    if (this.rejected.has(pod.metadata!.uid!)) {
      // A rejected pod never runs; once deleted, its worker only finishes it (the status manager deletes it).
      if (!pod.metadata?.deletionTimestamp) return;
      this.rejected.delete(pod.metadata!.uid!);
    }
    const mirrorPod = isStaticPod(pod) ? this.podManager.getMirrorPodByPod(pod) : undefined;
    if (pod.metadata?.deletionTimestamp) {
      this.workers.updatePod({
        type: "kill",
        pod,
        mirrorPod,
        killOptions: { gracePeriodSeconds: pod.metadata.deletionGracePeriodSeconds },
      });
      return;
    }
    this.workers.updatePod({ type, pod, mirrorPod });
  }

  private resync(uid: string | undefined): void {
    const pod = uid ? this.podManager.getPodByUID(uid) : undefined;
    if (pod) this.dispatch(pod, "sync");
  }

  private syncStaticOf(mirrorPod: Pod): void {
    const pod = this.podManager.getPodByMirrorPod(mirrorPod);
    if (pod) this.dispatch(pod, "update");
  }

  /** Runtime events (PLEG): the pod whose container changed is synced again at once. */
  private onRuntimeEvent(e: ContainerEvent): void {
    const uid = this.sandboxPods.get(e.podSandboxId);
    const pod = uid ? this.podManager.getPodByUID(uid) : undefined;
    if (pod) this.dispatch(pod, "sync");
  }

  // ---- the pod syncer (upstream's SyncPod, SyncTerminatingPod, SyncTerminatedPod)

  private generateStatus(pod: Pod, status: RuntimePodStatus, podIsTerminal = false): PodStatus {
    return generateAPIPodStatus(pod, status, {
      probes: this.probes,
      oldStatus: this.statuses.getPodStatus(pod.metadata!.uid!),
      nodeIPs: [this.opts.nodeIP],
      now: this.clock.now(),
      podIsTerminal,
      reasons: this.reasons.forPod(pod.metadata!.uid!),
      runtimeName: this.opts.runtimeName,
    });
  }

  private remember(status: RuntimePodStatus): void {
    for (const s of status.sandboxes) this.sandboxPods.set(s.id, status.uid);
  }

  async syncPod(
    _type: SyncPodType,
    pod: Pod,
    mirrorPod: Pod | undefined,
    podStatus: RuntimePodStatus,
    signal: AbortSignal,
  ): Promise<SyncPodOutcome | undefined> {
    this.remember(podStatus);
    this.probes.addPod(pod);
    const apiStatus = this.generateStatus(pod, podStatus);
    this.statuses.setPodStatus(pod, apiStatus);
    if (apiStatus.phase === "Succeeded" || apiStatus.phase === "Failed") return { isTerminal: true };
    if (isStaticPod(pod)) await this.mirrors.syncMirrorPod(pod, mirrorPod);
    if (signal.aborted) return undefined;
    const pullSecrets = pod.spec?.imagePullSecrets?.length
      ? await getPullSecretsForPod(
          pod,
          (namespace, name) => this.opts.client.get<Secret>(Resources.secrets, name, { namespace }),
          (type, reason, message) => this.ctx.event(pod, type, reason, message),
        )
      : [];
    const result = await this.runtimeManager.syncPod(pod, podStatus, this.backoff, pullSecrets);
    this.reasons.update(pod.metadata!.uid!, result);
    const err = result.errorUnlessOnlyBackOff();
    // The status after this sync: started containers show Running, and a failed
    // step its reason (ErrImagePull before ImagePullBackOff), without waiting
    // for the next sync.
    let after: RuntimePodStatus | undefined;
    try {
      after = await this.runtimeManager.getPodStatus(
        pod.metadata!.uid!,
        pod.metadata!.name!,
        pod.metadata!.namespace!,
      );
    } catch (e) {
      if (!err) throw e;
    }
    if (after) {
      this.remember(after);
      this.statuses.setPodStatus(pod, this.generateStatus(pod, after));
    }
    if (err) throw err;
    return { requeueAfterMs: result.backOffRemainingMs };
  }

  async syncTerminatingPod(
    pod: Pod,
    podStatus: RuntimePodStatus,
    gracePeriodSeconds: number | undefined,
    statusOverride: KillPodOptions["status"],
    _signal: AbortSignal,
  ): Promise<void> {
    this.probes.stopLivenessAndStartup(pod);
    await this.runtimeManager.killPod(pod, runningPodFromStatus(podStatus), gracePeriodSeconds);
    const after = await this.runtimeManager.getPodStatus(
      pod.metadata!.uid!,
      pod.metadata!.name!,
      pod.metadata!.namespace!,
    );
    const status = this.generateStatus(pod, after, true);
    if (statusOverride) Object.assign(status, statusOverride);
    this.statuses.setPodStatus(pod, status);
  }

  async syncTerminatingRuntimePod(runningPod: RunningPod, _signal: AbortSignal): Promise<void> {
    await this.runtimeManager.killPod(undefined, runningPod, 1);
  }

  async syncTerminatedPod(pod: Pod, podStatus: RuntimePodStatus, _signal: AbortSignal): Promise<void> {
    const uid = pod.metadata!.uid!;
    this.statuses.setPodStatus(pod, this.generateStatus(pod, podStatus, true));
    this.statuses.terminatePod(pod);
    this.probes.removePod(pod);
    this.admitted.delete(uid);
    // A terminated pod's volumes go now; its sandbox and containers go later with housekeeping.
    await this.volumes?.unmountPod(uid);
  }

  // ---- housekeeping (upstream's HandlePodCleanups), one timer per kubelet

  private scheduleHousekeeping(): void {
    this.cancelHousekeeping = this.clock.after(HOUSEKEEPING_MS, () => {
      this.housekeeping()
        .catch((e) => this.ctx.log("housekeeping failed", { err: (e as Error).message }))
        .finally(() => {
          if (!this.abort.signal.aborted) this.scheduleHousekeeping();
        });
    });
  }

  private async housekeeping(): Promise<void> {
    if (!this.config.seenAllSources()) return;
    const desired = new Set(this.podManager.getPods().map((p) => p.metadata!.uid!));
    this.workers.syncKnownPods(desired);
    // Pods the runtime runs that no source wants (a restart's leftovers, deleted pods): kill and remove.
    const runtimePods = await this.runtimeManager.getPods(true);
    for (const running of runtimePods) {
      if (desired.has(running.uid)) continue;
      const alive =
        running.containers.some((c) => c.state === "CONTAINER_RUNNING") ||
        running.sandboxes.some((s) => s.state === "SANDBOX_READY");
      if (alive) {
        this.workers.updatePod({ type: "kill", runningPod: running });
      } else if (!this.workers.couldHaveRunningContainers(running.uid)) {
        await this.runtimeManager.removePod(running.uid);
        this.reasons.removePod(running.uid);
        for (const s of running.sandboxes) this.sandboxPods.delete(s.id);
      }
    }
    // A pod added while the runtime was listed has its cgroup and status already: what follows removes
    // what no pod owns, so it reads the pods again (a pod's cgroup removed here came back from runc
    // without its limits).
    const wanted = new Set(this.podManager.getPods().map((p) => p.metadata!.uid!));
    if (this.containerManager) {
      const keep = new Set([...wanted, ...runtimePods.map((p) => p.uid)]);
      this.containerManager.housekeeping(keep);
    }
    this.statuses.removeOrphanedStatuses(wanted);
    this.probes.cleanupPods(wanted);
    for (const name of this.podManager.getOrphanedMirrorPodNames()) await this.mirrors.deleteMirrorPod(name);
    this.backoff.gc();
  }
}

/** A namespaced object, or undefined when it does not exist. */
async function getOrUndefined<T>(
  client: RestClient,
  resource: (typeof Resources)[keyof typeof Resources],
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(resource, name, { namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** status.NeedToReconcilePodReadiness: a pod with readiness gates whose Ready condition no longer says what its conditions imply. */
function needToReconcilePodReadiness(pod: Pod): boolean {
  if ((pod.spec?.readinessGates ?? []).length === 0) return false;
  const conditions = pod.status?.conditions ?? [];
  const expected = generatePodReadyCondition(
    pod,
    conditions,
    pod.status?.containerStatuses,
    pod.status?.phase ?? "",
  );
  const current = conditions.find((c) => c.type === "Ready");
  return (
    current !== undefined && (current.status !== expected.status || current.message !== expected.message)
  );
}
