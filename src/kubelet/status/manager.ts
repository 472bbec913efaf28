// The status manager (pkg/kubelet/status/status_manager.go): the source of truth
// for the status of the pods on this node. It caches the latest status per pod,
// bumps a version when it changes, and one sync loop per kubelet drains the set
// of changed pods into pods/<name>/status patches, a few at a time. Several
// changes of one pod while its write is in flight become one write. A periodic
// sweep (one timer) retries failed writes and re-sends a status the API lost.
// A finished pod that the API has marked for deletion is then deleted with
// grace 0; a static pod's status goes to its mirror pod.
import type { Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { isConflict, isInvalid, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { StatusManager } from "../types.ts";
import { generateContainersReadyCondition, generatePodReadyCondition } from "./conditions.ts";
import { transitionTimedConditions, updateLastTransitionTime } from "./generate.ts";
import { preparePodStatusPatch } from "./patch.ts";
import { isMirrorPod, isPodPhaseTerminal, isStaticPod, metaTime, translatePodUID } from "./pod-util.ts";
import {
  checkContainerStateTransition,
  isPodStatusByKubeletEqual,
  mergePodStatus,
  normalizeStatus,
  terminatedPodStatus,
} from "./reconcile.ts";

export interface PodStatusManagerOptions {
  client: RestClient;
  clock: Clock;
  /**
   * The pod as the API last showed it to the kubelet (the pod manager's informer
   * copy; for a static pod, its mirror pod). Used to skip writes the API already
   * has and to notice deletions. Optional: without it the manager relies on
   * what its own reads and writes returned.
   */
  getApiPod?(uid: string): Pod | undefined;
  /** Status writes in flight at once (default 4). */
  concurrency?: number;
  /** The sweep that retries and reconciles (upstream's syncPeriod, 10 s). */
  syncPeriodMs?: number;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

interface Entry {
  /** The pod as the kubelet knows it (a static pod from its manifest). */
  pod: Pod;
  status: PodStatus;
  /** Increases on every change of status. */
  version: number;
  /** The version the API has (apiStatusVersions); 0 for none. */
  apiVersion: number;
  /** Set by terminatePod: the pod worker is done with the pod. */
  podIsFinished: boolean;
  /** The API object as our last read or write returned it: the base of the next patch. */
  apiPod?: Pod;
  /** resourceVersion of the API pod last found in line with status, to skip re-comparing. */
  reconciledAt?: string;
}

const fieldManager = "kubelet";

export class PodStatusManager implements StatusManager {
  private readonly client: RestClient;
  private readonly clock: Clock;
  private readonly opts: PodStatusManagerOptions;
  private readonly concurrency: number;
  private readonly syncPeriodMs: number;
  private readonly entries = new Map<string, Entry>();
  /** Pods whose status changed since their last write. */
  private readonly dirty = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private started = false;
  private pumpScheduled?: () => void;
  private sweepTimer?: () => void;

  constructor(opts: PodStatusManagerOptions) {
    this.opts = opts;
    this.client = opts.client;
    this.clock = opts.clock;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.syncPeriodMs = opts.syncPeriodMs ?? 10_000;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.armSweep();
    this.kick();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.pumpScheduled?.();
    this.pumpScheduled = undefined;
    this.sweepTimer?.();
    this.sweepTimer = undefined;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  setPodStatus(pod: Pod, status: PodStatus): void {
    // A pod being deleted must be able to trigger a write (and the deletion) even when unchanged.
    this.updateStatusInternal(pod, deepCopyJson(status), !!pod.metadata?.deletionTimestamp, false);
  }

  /** The readiness a probe found for one container (SetContainerReadiness); recomputes Ready and ContainersReady. */
  setContainerReadiness(podUid: string, containerId: string, ready: boolean): void {
    const entry = this.entries.get(podUid);
    if (!entry) return;
    const status = deepCopyJson(entry.status);
    const cs = findContainerStatus(status, containerId);
    if (!cs || cs.ready === ready) return;
    cs.ready = ready;
    const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
    const conditions = status.conditions ?? [];
    const replace = (c: (typeof conditions)[number]) => {
      const i = conditions.findIndex((x) => x.type === c.type);
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    };
    replace(generatePodReadyCondition(entry.pod, conditions, all, status.phase ?? ""));
    replace(generateContainersReadyCondition(entry.pod, all, status.phase ?? ""));
    status.conditions = conditions;
    this.updateStatusInternal(entry.pod, status, false, false);
  }

  /** The startup probe's verdict for one container (SetContainerStartup). */
  setContainerStartup(podUid: string, containerId: string, started: boolean): void {
    const entry = this.entries.get(podUid);
    if (!entry) return;
    const status = deepCopyJson(entry.status);
    const cs = findContainerStatus(status, containerId);
    if (!cs || cs.started === started) return;
    cs.started = started;
    this.updateStatusInternal(entry.pod, status, false, false);
  }

  /**
   * The pod worker has finished the pod (TerminatePod): containers without a
   * terminated state are reported failed, the phase becomes terminal, and once the
   * API pod carries a deletionTimestamp it is deleted with grace 0.
   */
  terminatePod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    const cached = this.entries.get(uid);
    const status = terminatedPodStatus(pod, cached?.status ?? pod.status ?? {});
    this.updateStatusInternal(pod, status, true, true);
  }

  /** Forgets a pod that is gone from the node (RemoveOrphanedStatuses for one pod). */
  removePod(uid: string): void {
    this.entries.delete(uid);
    this.dirty.delete(uid);
  }

  /** Forgets every pod not in keep (RemoveOrphanedStatuses). */
  removeOrphanedStatuses(keep: ReadonlySet<string>): void {
    for (const uid of this.entries.keys()) if (!keep.has(uid)) this.removePod(uid);
  }

  /** Sends what is pending now and resolves when no write is in flight (tests, shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      this.pump();
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight.values()]);
    }
  }

  private log(msg: string, fields?: Record<string, unknown>): void {
    this.opts.log?.(msg, fields);
  }

  private updateStatusInternal(
    pod: Pod,
    status: PodStatus,
    forceUpdate: boolean,
    podIsFinished: boolean,
  ): void {
    const uid = pod.metadata?.uid ?? "";
    const cached = this.entries.get(uid);
    let oldStatus: PodStatus;
    if (cached) {
      oldStatus = cached.status;
      // Once finished, always finished (static pods excepted upstream too).
      if (!isStaticPod(pod) && cached.podIsFinished) podIsFinished = true;
    } else if (isStaticPod(pod)) {
      oldStatus = this.opts.getApiPod?.(uid)?.status ?? {};
    } else {
      oldStatus = pod.status ?? {};
    }
    const illegal = checkContainerStateTransition(oldStatus, status, pod);
    if (illegal) {
      this.log("Status update on pod aborted", { pod: podRef(pod), err: illegal });
      return;
    }
    const now = this.clock.now();
    for (const type of transitionTimedConditions) updateLastTransitionTime(status, oldStatus, type, now);
    status.startTime = oldStatus.startTime || status.startTime || metaTime(now);
    normalizeStatus(pod, status);

    if (cached && !forceUpdate && isPodStatusByKubeletEqual(cached.status, status)) return;
    this.entries.set(uid, {
      pod,
      status,
      version: (cached?.version ?? 0) + 1,
      apiVersion: cached?.apiVersion ?? 0,
      podIsFinished,
      apiPod: cached?.apiPod,
    });
    this.dirty.add(uid);
    this.kick();
  }

  /** Wakes the sync loop on the next tick, so that changes made together go out together. */
  private kick(): void {
    if (!this.started || this.pumpScheduled) return;
    this.pumpScheduled = this.clock.after(0, () => {
      this.pumpScheduled = undefined;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.started) return;
    for (const uid of this.dirty) {
      if (this.inFlight.size >= this.concurrency) break;
      // A pod already being written waits; its newer status goes out after.
      if (this.inFlight.has(uid)) continue;
      this.dirty.delete(uid);
      const p = this.syncPod(uid)
        .catch((err) => this.log("Failed to update status for pod", { podUID: uid, err: String(err) }))
        .finally(() => {
          this.inFlight.delete(uid);
          // The loop goes on draining: no timer between writes.
          this.pump();
        });
      this.inFlight.set(uid, p);
    }
  }

  private armSweep(): void {
    this.sweepTimer = this.clock.after(this.syncPeriodMs, () => {
      if (!this.started) return;
      this.sweep();
      this.armSweep();
    });
  }

  /** syncBatch(all): a status the API does not have yet, or has lost, or a pod ready for deletion. */
  private sweep(): void {
    for (const [uid, entry] of this.entries) {
      if (this.dirty.has(uid) || this.inFlight.has(uid)) continue;
      if (entry.apiVersion < entry.version || this.canBeDeleted(this.latestApiPod(uid, entry), entry)) {
        this.dirty.add(uid);
      } else if (this.needsReconcile(uid, entry)) {
        entry.apiVersion = 0;
        this.dirty.add(uid);
      }
    }
    if (this.dirty.size > 0) this.kick();
  }

  private needsReconcile(uid: string, entry: Entry): boolean {
    const apiPod = this.opts.getApiPod?.(uid);
    if (!apiPod) return false;
    const rv = apiPod.metadata?.resourceVersion;
    if (rv !== undefined && rv === entry.reconciledAt) return false;
    const equal = isPodStatusByKubeletEqual(
      normalizeStatus(entry.pod, deepCopyJson(apiPod.status ?? {})),
      entry.status,
    );
    if (equal) entry.reconciledAt = rv;
    else
      this.log(
        "Pod status is inconsistent with cached status for pod, a reconciliation should be triggered",
        { pod: podRef(apiPod) },
      );
    return !equal;
  }

  /** The freshest API copy we know of: our last read/write, the informer's, or (non-static) the pod we were given. */
  private latestApiPod(uid: string, entry: Entry): Pod | undefined {
    const candidates = [entry.apiPod, this.opts.getApiPod?.(uid)];
    if (!isStaticPod(entry.pod)) candidates.push(entry.pod);
    let best: Pod | undefined;
    for (const p of candidates) {
      if (!p?.metadata?.uid || !p.metadata.resourceVersion) continue;
      if (isStaticPod(entry.pod) && !isMirrorPod(p)) continue;
      if (!best || rvNumber(p) > rvNumber(best)) best = p;
    }
    return best;
  }

  private canBeDeleted(apiPod: Pod | undefined, entry: Entry): boolean {
    if (!apiPod?.metadata?.deletionTimestamp || isMirrorPod(apiPod)) return false;
    // Deletion waits until the API shows a terminal phase and the pod worker is done.
    return isPodPhaseTerminal(apiPod.status?.phase) && entry.podIsFinished;
  }

  private async getPod(entry: Entry): Promise<Pod | undefined> {
    const meta = entry.pod.metadata ?? {};
    try {
      return await this.client.get<Pod>(Resources.pods, meta.name ?? "", { namespace: meta.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async syncPod(uid: string): Promise<void> {
    let entry = this.entries.get(uid);
    if (!entry) return;
    let apiPod = this.latestApiPod(uid, entry);
    for (let attempt = 0; ; attempt++) {
      if (!apiPod) {
        apiPod = await this.getPod(entry);
        if (!apiPod) {
          // Gone from the API: the pod worker cleans up, and removePod forgets it.
          this.log("Pod does not exist on the server", { podUID: uid, pod: podRef(entry.pod) });
          return;
        }
      }
      if (isStaticPod(entry.pod) && !isMirrorPod(apiPod)) {
        this.log("Static pod does not have a corresponding mirror pod; skipping", { podUID: uid });
        return;
      }
      if (translatePodUID(apiPod) !== uid) {
        this.log("Pod was deleted and then recreated, skipping status update", {
          pod: podRef(apiPod),
          oldPodUID: uid,
        });
        this.entries.delete(uid);
        return;
      }
      const { version, status } = entry;
      const merged = mergePodStatus(apiPod.status ?? {}, status, this.clock.now());
      const { patch, unchanged } = preparePodStatusPatch(apiPod.metadata?.uid ?? "", apiPod.status, merged);
      if (!unchanged) {
        try {
          apiPod = await this.client.patch<Pod>(Resources.pods, apiPod.metadata?.name ?? "", patch, {
            type: "strategic",
            subresource: "status",
            namespace: apiPod.metadata?.namespace,
            fieldManager,
          });
        } catch (err) {
          if (isNotFound(err)) return;
          // A stale base (409) or a pod recreated under the name (422, uid immutable): read it again, once.
          if (attempt === 0 && (isConflict(err) || isInvalid(err))) {
            apiPod = undefined;
            continue;
          }
          throw err;
        }
      }
      entry = this.entries.get(uid);
      if (!entry) return;
      entry.apiPod = apiPod;
      entry.apiVersion = Math.max(entry.apiVersion, version);
      if (this.canBeDeleted(apiPod, entry)) await this.deletePod(uid, apiPod);
      return;
    }
  }

  private async deletePod(uid: string, apiPod: Pod): Promise<void> {
    const meta = apiPod.metadata ?? {};
    try {
      // The UID precondition keeps a pod recreated under the same name alive.
      await this.client.delete(Resources.pods, meta.name ?? "", {
        namespace: meta.namespace,
        gracePeriodSeconds: 0,
        preconditions: { uid: meta.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.log("Pod fully terminated and removed from etcd", { pod: podRef(apiPod) });
    this.entries.delete(uid);
    this.dirty.delete(uid);
  }
}

function findContainerStatus(status: PodStatus, containerId: string) {
  return (
    status.containerStatuses?.find((c) => c.containerID === containerId) ??
    status.initContainerStatuses?.find((c) => c.containerID === containerId)
  );
}

function rvNumber(p: Pod): number {
  const n = Number(p.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}
