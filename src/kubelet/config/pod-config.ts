// PodConfig merges the pod sources (upstream's pkg/kubelet/config/config.go,
// PodConfig and podStorage in PodConfigNotificationIncremental mode, v1.32).
// It keeps each source's pods by uid, diffs every change against them and
// hands one handler what changed, in upstream's order: REMOVE, ADD, UPDATE,
// DELETE (graceful deletion began), then RECONCILE (only the status differs).
// A change that means nothing to the kubelet (resourceVersion, managedFields,
// an identical re-list) is dropped. The first SET of a source is always
// announced, with an empty ADD if need be, so the kubelet learns the source
// is ready.
//
// Pods handed out are shared and must be treated as read-only: a change
// replaces a pod object, it never edits one.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "../../client/clock.ts";
import type { PodSource, PodUpdate } from "../types.ts";
import {
  ConfigFirstSeenAnnotationKey,
  ConfigMirrorAnnotationKey,
  ConfigSourceAnnotationKey,
  formatRFC3339Nano,
  podFullName,
} from "./annotations.ts";

/** What the merged config tells the kubelet (upstream's kubetypes.PodOperation). */
export type PodConfigOp = "ADD" | "UPDATE" | "DELETE" | "REMOVE" | "RECONCILE";

/**
 * ADD: new pods; UPDATE: spec, labels or annotations changed; DELETE: graceful
 * deletion began (deletionTimestamp set); REMOVE: gone from the source;
 * RECONCILE: only the status changed.
 */
export interface PodConfigUpdate {
  op: PodConfigOp;
  source: PodSource;
  pods: Pod[];
}

export interface PodConfigOptions {
  /** Called with every update, in order, one at a time. */
  handler(update: PodConfigUpdate): void;
  clock?: Clock;
  /** The kubelet's event recorder, for pods dropped for a duplicate name. */
  event?(pod: Pod, type: "Normal" | "Warning", reason: string, message: string): void;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

/** Annotations the kubelet itself puts on pods; a source cannot change them. */
const localAnnotations = [ConfigSourceAnnotationKey, ConfigMirrorAnnotationKey, ConfigFirstSeenAnnotationKey];

export class PodConfig {
  private readonly clock: Clock;
  /** source → uid → pod (podStorage.pods). */
  private readonly pods = new Map<PodSource, Map<string, Pod>>();
  private readonly sources = new Set<PodSource>();
  private readonly sourcesSeen = new Set<PodSource>();
  private readonly queue: PodConfigUpdate[] = [];
  private delivering = false;

  constructor(private readonly opts: PodConfigOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /** Registers a source and returns where it sends its updates (upstream's Channel). */
  channel(source: PodSource): (update: PodUpdate) => void {
    this.sources.add(source);
    return (update) => this.merge(source, update);
  }

  /** True once every registered source has sent its first full set. */
  seenAllSources(): boolean {
    for (const s of this.sources) if (!this.sourcesSeen.has(s)) return false;
    return true;
  }

  /** The pods of a source (or of all sources) as merged so far. */
  getPods(source?: PodSource): Pod[] {
    if (source) return [...(this.pods.get(source)?.values() ?? [])];
    return [...this.pods.values()].flatMap((m) => [...m.values()]);
  }

  /** podStorage.Merge. */
  merge(source: PodSource, update: PodUpdate): void {
    const seenBefore = this.sourcesSeen.has(source);
    const adds: Pod[] = [];
    const updates: Pod[] = [];
    const deletes: Pod[] = [];
    const removes: Pod[] = [];
    const reconciles: Pod[] = [];
    let pods = this.pods.get(source) ?? new Map<string, Pod>();
    const seen = formatRFC3339Nano(this.clock.now());

    // Merges newPods over oldPods into pods (the same map but for a SET).
    const updatePods = (newPods: Pod[], oldPods: Map<string, Pod>, into: Map<string, Pod>) => {
      for (const pod of this.filterInvalidPods(newPods, source)) {
        // The source annotation goes on before any comparison.
        const ref = withAnnotations(pod, { [ConfigSourceAnnotationKey]: source });
        const uid = ref.metadata?.uid ?? "";
        const existing = oldPods.get(uid);
        if (existing) {
          const { pod: merged, change } = checkAndUpdatePod(existing, ref);
          into.set(uid, merged);
          if (change === "update") updates.push(merged);
          else if (change === "reconcile") reconciles.push(merged);
          else if (change === "delete") deletes.push(merged);
          continue;
        }
        const added = withAnnotations(ref, { [ConfigFirstSeenAnnotationKey]: seen });
        into.set(uid, added);
        adds.push(added);
      }
    };

    switch (update.op) {
      case "ADD":
      case "UPDATE":
        updatePods([update.pod], pods, pods);
        break;
      case "DELETE": {
        // The pod is gone from the source (upstream's REMOVE).
        const uid = update.pod.metadata?.uid ?? "";
        const existing = pods.get(uid);
        if (existing) {
          pods.delete(uid);
          removes.push(existing);
        }
        break;
      }
      case "SET": {
        this.sourcesSeen.add(source);
        const oldPods = pods;
        pods = new Map();
        updatePods(update.pods, oldPods, pods);
        for (const [uid, existing] of oldPods) if (!pods.has(uid)) removes.push(existing);
        break;
      }
      default: {
        const never: never = update;
        this.opts.log?.("Received invalid update type", { update: never });
      }
    }
    this.pods.set(source, pods);
    const firstSet = !seenBefore && this.sourcesSeen.has(source);

    if (removes.length > 0) this.queue.push({ op: "REMOVE", source, pods: removes });
    if (adds.length > 0) this.queue.push({ op: "ADD", source, pods: adds });
    if (updates.length > 0) this.queue.push({ op: "UPDATE", source, pods: updates });
    if (deletes.length > 0) this.queue.push({ op: "DELETE", source, pods: deletes });
    if (firstSet && adds.length === 0 && updates.length === 0 && deletes.length === 0) {
      // Tells the kubelet the source is ready even when it has nothing.
      this.queue.push({ op: "ADD", source, pods: [] });
    }
    if (reconciles.length > 0) this.queue.push({ op: "RECONCILE", source, pods: reconciles });
    this.deliver();
  }

  // A handler that makes a source send again (synchronously) must not see updates out of order.
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let u = this.queue.shift(); u; u = this.queue.shift()) {
        try {
          this.opts.handler(u);
        } catch (err) {
          this.opts.log?.("Pod config handler failed", { op: u.op, source: u.source, err: String(err) });
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Pods of one source are validated already; only a full name given twice is dropped. */
  private filterInvalidPods(pods: Pod[], source: PodSource): Pod[] {
    const names = new Set<string>();
    const filtered: Pod[] = [];
    pods.forEach((pod, i) => {
      const name = podFullName(pod);
      if (names.has(name)) {
        this.opts.log?.("Pod failed validation due to duplicate pod name, ignoring", {
          index: i,
          pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
          source,
        });
        this.opts.event?.(
          pod,
          "Warning",
          "FailedValidation",
          `Error validating pod ${formatPod(pod)} from ${source} due to duplicate pod name ${JSON.stringify(pod.metadata?.name ?? "")}, ignoring`,
        );
        return;
      }
      names.add(name);
      filtered.push(pod);
    });
    return filtered;
  }
}

type Change = "none" | "update" | "reconcile" | "delete";

/**
 * checkAndUpdatePod: what ref changes in existing, and existing with the change.
 * A meaningful change is an update, or a graceful delete when ref has a
 * deletionTimestamp; a change to the status alone is a reconcile.
 */
export function checkAndUpdatePod(existing: Pod, ref: Pod): { pod: Pod; change: Change } {
  if (!podsDifferSemantically(existing, ref)) {
    // Only the kubelet decides the status: a different one must be reconciled.
    if (!deepEqual(existing.status, ref.status)) {
      return { pod: setFields(existing, { status: ref.status }), change: "reconcile" };
    }
    return { pod: existing, change: "none" };
  }
  // Keep our own annotations (first-seen time, source, mirror) from what we had.
  const annotations: Record<string, string> = { ...ref.metadata?.annotations };
  for (const k of localAnnotations) {
    const v = existing.metadata?.annotations?.[k];
    if (v !== undefined) annotations[k] = v;
  }
  const metadata = setFields(existing.metadata ?? {}, {
    labels: ref.metadata?.labels,
    deletionTimestamp: ref.metadata?.deletionTimestamp,
    deletionGracePeriodSeconds: ref.metadata?.deletionGracePeriodSeconds,
    annotations,
  });
  const pod = setFields(existing, { metadata, spec: ref.spec, status: ref.status });
  return { pod, change: ref.metadata?.deletionTimestamp ? "delete" : "update" };
}

/** Whether ref differs from existing in what the kubelet acts on. */
export function podsDifferSemantically(existing: Pod, ref: Pod): boolean {
  const a = existing.metadata ?? {};
  const b = ref.metadata ?? {};
  return !(
    deepEqual(existing.spec, ref.spec) &&
    deepEqual(a.labels, b.labels) &&
    deepEqual(a.deletionTimestamp, b.deletionTimestamp) &&
    deepEqual(a.deletionGracePeriodSeconds, b.deletionGracePeriodSeconds) &&
    isAnnotationMapEqual(a.annotations, b.annotations)
  );
}

/** Equal annotations but for the kubelet's own. */
export function isAnnotationMapEqual(
  existing: Record<string, string> | undefined,
  candidate: Record<string, string> | undefined,
): boolean {
  const e = existing ?? {};
  const c = candidate ?? {};
  for (const [k, v] of Object.entries(c)) {
    if (localAnnotations.includes(k)) continue;
    if (!Object.hasOwn(e, k) || e[k] !== v) return false;
  }
  for (const k of Object.keys(e)) {
    if (localAnnotations.includes(k)) continue;
    if (!Object.hasOwn(c, k)) return false;
  }
  return true;
}

/** A copy of pod with these annotations set. */
function withAnnotations(pod: Pod, set: Record<string, string>): Pod {
  const metadata = pod.metadata ?? {};
  return { ...pod, metadata: { ...metadata, annotations: { ...metadata.annotations, ...set } } };
}

/** A copy of obj with fields set; undefined removes a field. */
function setFields<T extends object>(obj: T, fields: Partial<T>): T {
  const out = { ...obj } as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as T;
}

/** format.Pod: `name_namespace(uid)`. */
function formatPod(pod: Pod): string {
  return `${pod.metadata?.name ?? ""}_${pod.metadata?.namespace ?? ""}(${pod.metadata?.uid ?? ""})`;
}

/** Deep equality of JSON values; an absent field equals undefined. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(ao)) if (!deepEqual(ao[k], bo[k])) return false;
  for (const k of Object.keys(bo)) if (!(k in ao) && bo[k] !== undefined) return false;
  return true;
}
