// Why a container last failed to start (upstream's pkg/kubelet/reason_cache.go):
// the runtime manager's SyncPod result goes in, status generation reads the
// waiting reason and message out (CrashLoopBackOff "back-off 10s restarting
// failed container=…", ErrImagePull…). Bounded like upstream's LRU.
import type { PodSyncResult, SyncError } from "./sync-result.ts";

export interface ReasonInfo {
  reason: SyncError;
  message: string;
}

/** upstream's maxReasonCacheEntries */
const MAX_ENTRIES = 1000;

export class ReasonCache {
  /** By pod uid, then container name; Map order is the age order the bound evicts by. */
  private readonly pods = new Map<string, Map<string, ReasonInfo>>();
  private size = 0;

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** Records each StartContainer step: its failure, or forgets the old one when it succeeded. */
  update(podUid: string, result: PodSyncResult): void {
    for (const r of result.results) {
      if (r.action !== "StartContainer") continue;
      if (r.error) this.add(podUid, r.target, { reason: r.error, message: r.message ?? "" });
      else this.remove(podUid, r.target);
    }
  }

  get(podUid: string, containerName: string): ReasonInfo | undefined {
    return this.pods.get(podUid)?.get(containerName);
  }

  /** The pod's reasons by container name (what status generation takes as `reasons`). */
  forPod(podUid: string): ReadonlyMap<string, ReasonInfo> {
    return this.pods.get(podUid) ?? new Map();
  }

  remove(podUid: string, containerName: string): void {
    const m = this.pods.get(podUid);
    if (!m?.delete(containerName)) return;
    this.size--;
    if (m.size === 0) this.pods.delete(podUid);
  }

  /** Forgets every container of a pod that is gone. */
  removePod(podUid: string): void {
    const m = this.pods.get(podUid);
    if (!m) return;
    this.size -= m.size;
    this.pods.delete(podUid);
  }

  private add(podUid: string, containerName: string, info: ReasonInfo): void {
    this.remove(podUid, containerName);
    let m = this.pods.get(podUid);
    if (!m) {
      m = new Map();
      this.pods.set(podUid, m);
    }
    m.set(containerName, info);
    this.size++;
    while (this.size > this.maxEntries) {
      const [oldestPod, entries] = this.pods.entries().next().value!;
      const oldest = entries.keys().next().value!;
      this.remove(oldestPod, oldest);
    }
  }
}
