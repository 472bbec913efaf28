// upstream's garbagecollector/garbagecollector.go and operations.go: workers
// on two queues fed by the graph builder.
// - attemptToDelete: an object whose owners may all be gone is deleted once a
//   live GET confirms each owner is absent (NotFound, or another uid); an
//   owner deleting in foreground loses its foregroundDeletion finalizer once
//   no dependent blocks it, and its dependents that have dependents of their
//   own are deleted in foreground too.
// - attemptToOrphan: an owner deleted with the orphan finalizer has its
//   reference removed from every dependent, then loses the finalizer.
// Discovery runs again every 30 s so that resources served later (custom
// resources) are watched too.
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isConflict, isNotFound } from "../../client/api-error.ts";
import { sleep } from "../../client/clock.ts";
import type { DeleteOptions, KubeObject, PatchType, ResourceRef } from "../../client/rest-client.ts";
import type { ControllerContext, InitializedController } from "../context.ts";
import { Controller, type ReconcileResult } from "../controller.ts";
import {
  type Discover,
  type DiscoveredResource,
  type DiscoveryResult,
  deletableResources,
  discoveryFor,
  groupVersionOf,
  RestMapper,
  resourceKey,
} from "./discovery.ts";
import type { GraphNode, ObjectIdentity } from "./graph.ts";
import { identityOfOwnerReference, identityString } from "./graph.ts";
import {
  FINALIZER_DELETE_DEPENDENTS,
  FINALIZER_ORPHAN_DEPENDENTS,
  GraphBuilder,
  hasFinalizer,
  ownerReferenceEqual,
} from "./graph-builder.ts";
import {
  deleteOwnerRefJSONMergePatch,
  deleteOwnerRefStrategicMergePatch,
  finalizersPatch,
  unblockOwnerReferencesJSONMergePatch,
  unblockOwnerReferencesStrategicMergePatch,
} from "./patch.ts";

/** upstream's sync period of discovery (and the initial sync timeout). */
export const GC_RESYNC_PERIOD_MS = 30_000;

export interface GarbageCollectorOptions {
  /** Discovery; default GET /api, /apis and each group version through ctx.client. */
  discover?: Discover;
  /** How often discovery runs again; default 30 s. */
  resyncPeriodMs?: number;
  /** "group/resource" keys never monitored; default core and events.k8s.io events. */
  ignoredResources?: string[];
}

/** A virtual delete event was queued: the graph builder takes it from here. */
class EnqueuedVirtualDeleteEvent extends Error {}
/** A cluster-scoped object naming a namespaced owner: retrying cannot help. */
class NamespacedOwnerOfClusterScopedObject extends Error {
  constructor() {
    super("cluster-scoped objects cannot refer to namespaced owners");
  }
}
/** An apiVersion and kind discovery does not serve (yet). */
class RestMappingError extends Error {
  constructor(kind: string, version: string) {
    super(`unable to get REST mapping for ${version}/${kind}.`);
  }
}

const VIRTUAL_BASE_DELAY_MS = 5;
const VIRTUAL_MAX_DELAY_MS = 1_000_000;
/** client-go's retry.DefaultBackoff: 5 tries, 10 ms apart. */
const CONFLICT_RETRY_STEPS = 5;
const CONFLICT_RETRY_DELAY_MS = 10;

export class GarbageCollector {
  readonly graphBuilder: GraphBuilder;
  /** Keyed by uid: the worker reads the node from the graph when it runs. */
  readonly attemptToDelete: Controller;
  readonly attemptToOrphan: Controller;
  private mapper = new RestMapper();
  private readonly discover: Discover;
  private readonly resyncPeriodMs: number;
  /** The deletable resources of the last discovery that changed the monitors. */
  private oldResources = new Map<string, DiscoveredResource>();
  private lastDiscovered: DiscoveredResource[] = [];
  /** Requeues of virtual nodes not yet observed (upstream's per-item rate limiter). */
  private readonly virtualRequeues = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: GarbageCollectorOptions = {},
  ) {
    this.discover = opts.discover ?? discoveryFor(ctx.client);
    this.resyncPeriodMs = opts.resyncPeriodMs ?? GC_RESYNC_PERIOD_MS;
    this.attemptToDelete = new Controller({
      name: "garbage_collector_attempt_to_delete",
      clock: ctx.clock,
      log: ctx.log,
      reconciler: { reconcile: (uid) => this.attemptToDeleteWorker(uid) },
    });
    this.attemptToOrphan = new Controller({
      name: "garbage_collector_attempt_to_orphan",
      clock: ctx.clock,
      log: ctx.log,
      reconciler: { reconcile: (uid) => this.attemptToOrphanWorker(uid) },
    });
    const queue = (c: Controller) => ({
      add: (n: GraphNode) => c.enqueue(n.identity.uid),
      addRateLimited: (n: GraphNode) => c.queue.addRateLimited(n.identity.uid),
    });
    this.graphBuilder = new GraphBuilder({
      informers: ctx.informers,
      recorder: ctx.recorder,
      attemptToDelete: queue(this.attemptToDelete),
      attemptToOrphan: queue(this.attemptToOrphan),
      ignoredResources: opts.ignoredResources,
      log: ctx.log,
    });
  }

  /** Primes the monitors with a first discovery, so the manager starts and syncs their informers. */
  async init(): Promise<InitializedController> {
    try {
      await this.resyncMonitors(await this.discover(this.ctx.signal));
    } catch (e) {
      this.ctx.log(`failed to discover preferred resources: ${(e as Error).message}`);
    }
    return { controllers: [this.attemptToDelete, this.attemptToOrphan], run: () => this.run() };
  }

  /** The graph builder, the workers of both queues and periodic rediscovery, until ctx.signal aborts. */
  async run(): Promise<void> {
    const { signal, workers } = this.ctx;
    await Promise.all([
      this.graphBuilder.run(signal),
      this.attemptToDelete.run(workers, signal),
      this.attemptToOrphan.run(workers, signal),
      this.syncLoop(signal),
    ]);
  }

  private async syncLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Without monitors yet (discovery failed at start), try again at once.
      if (this.oldResources.size > 0) await sleep(this.ctx.clock, this.resyncPeriodMs, signal);
      if (signal.aborted) return;
      try {
        await this.resyncMonitors(await this.discover(signal));
      } catch (e) {
        if (!signal.aborted) this.ctx.log(`failed to discover preferred resources: ${(e as Error).message}`);
      }
      if (this.oldResources.size === 0) await sleep(this.ctx.clock, this.resyncPeriodMs, signal);
    }
  }

  /** upstream's Sync body: monitors follow discovery; a group that failed to answer keeps its synced monitors. */
  private async resyncMonitors(d: DiscoveryResult): Promise<void> {
    const failed = new Set(d.failedGroupVersions);
    const all = [...d.all, ...this.lastDiscovered.filter((r) => failed.has(groupVersionOf(r.ref)))];
    this.lastDiscovered = all;
    this.mapper = new RestMapper(all);
    const next = new Map(deletableResources(d).map((r) => [resourceKey(r.ref), r]));
    if (next.size === 0) {
      this.ctx.log("no resources reported by discovery, skipping garbage collector sync");
      return;
    }
    for (const [k, r] of this.oldResources) {
      if (failed.has(groupVersionOf(r.ref)) && this.graphBuilder.isResourceSynced(k)) next.set(k, r);
    }
    const added = [...next.keys()].filter((k) => !this.oldResources.has(k));
    const removed = [...this.oldResources.keys()].filter((k) => !next.has(k));
    if (added.length === 0 && removed.length === 0) return;
    if (this.oldResources.size > 0) {
      this.ctx.log(
        `syncing garbage collector with updated resources from discovery: added: [${added.join(" ")}], removed: [${removed.join(" ")}]`,
      );
    }
    this.graphBuilder.syncMonitors([...next.values()]);
    this.graphBuilder.startMonitors();
    this.oldResources = next;
  }

  // ---- attemptToDelete

  private async attemptToDeleteWorker(uid: string): Promise<ReconcileResult | undefined> {
    const n = this.graphBuilder.uidToNode.read(uid);
    if (!n) {
      // Deleted from the graph meanwhile (its deletion was observed).
      this.virtualRequeues.delete(uid);
      return undefined;
    }
    try {
      await this.attemptToDeleteItem(n);
    } catch (e) {
      if (e instanceof EnqueuedVirtualDeleteEvent || e instanceof NamespacedOwnerOfClusterScopedObject) {
        this.virtualRequeues.delete(uid);
        return undefined;
      }
      // Retried with the queue's backoff (a kind not served yet may be served after the next discovery).
      throw new Error(`error syncing item ${identityString(n.identity)}: ${(e as Error).message}`);
    }
    if (!n.isObserved()) {
      // Keep checking until an informer shows it, or a node added and removed while a watch was
      // re-established stays in the graph for ever (https://issue.k8s.io/56121).
      const tries = this.virtualRequeues.get(uid) ?? 0;
      this.virtualRequeues.set(uid, tries + 1);
      return { requeueAfterMs: Math.min(VIRTUAL_MAX_DELAY_MS, VIRTUAL_BASE_DELAY_MS * 2 ** tries) };
    }
    this.virtualRequeues.delete(uid);
    return undefined;
  }

  /**
   * Looks up the live object and deletes it if every owner is absent, removes
   * references to absent owners while another remains, or carries on a
   * foreground deletion. NotFound or another uid ends in a virtual delete event.
   */
  private async attemptToDeleteItem(item: GraphNode): Promise<void> {
    // Being deleted is a one-way trip: wait for the final deletion, then see to the dependents.
    if (item.isBeingDeleted() && !item.isDeletingDependents()) return;
    const latest = await this.getObjectOrVirtualDelete(item);
    if (item.isDeletingDependents()) {
      await this.processDeletingDependentsItem(item);
      return;
    }
    const ownerReferences = latest.metadata?.ownerReferences ?? [];
    if (ownerReferences.length === 0) return;
    const { solid, dangling, waitingForDependentsDeletion } = await this.classifyReferences(
      item,
      ownerReferences,
    );
    if (solid.length > 0) {
      if (dangling.length === 0 && waitingForDependentsDeletion.length === 0) return;
      // Owners waiting for their dependents must lose this reference, or they would wait for ever.
      const ownerUIDs = [...dangling, ...waitingForDependentsDeletion].map((r) => r.uid);
      await this.patch(item, deleteOwnerRefStrategicMergePatch(item.identity.uid, ownerUIDs), async (n) =>
        deleteOwnerRefJSONMergePatch(await this.getMetadata(n.identity), ownerUIDs),
      );
      return;
    }
    if (waitingForDependentsDeletion.length > 0 && item.dependentsLength() > 0) {
      for (const dep of item.getDependents()) {
        if (!dep.isDeletingDependents()) continue;
        // An owner and a dependent both deleting dependents may be a cycle: stop blocking the owners.
        await this.patch(
          item,
          unblockOwnerReferencesStrategicMergePatch(item.identity.uid, item.owners),
          async (n) => unblockOwnerReferencesJSONMergePatch(await this.getMetadata(n.identity), n.owners),
        );
        break;
      }
      // Its own dependents go first; processDeletingDependentsItem then finishes it.
      await this.deleteOrVirtualDelete(item, latest, "Foreground");
      return;
    }
    // No owner left: honour a finalizer already on the object, else background.
    const policy = hasFinalizer(latest, FINALIZER_ORPHAN_DEPENDENTS)
      ? "Orphan"
      : hasFinalizer(latest, FINALIZER_DELETE_DEPENDENTS)
        ? "Foreground"
        : "Background";
    await this.deleteOrVirtualDelete(item, latest, policy);
  }

  private async getObjectOrVirtualDelete(item: GraphNode): Promise<KubeObject> {
    let latest: KubeObject;
    try {
      latest = await this.getObject(item.identity);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // Also how a virtual node for an owner that never existed leaves the graph.
      this.graphBuilder.enqueueVirtualDeleteEvent(item.identity);
      throw new EnqueuedVirtualDeleteEvent();
    }
    if (latest.metadata?.uid !== item.identity.uid) {
      this.graphBuilder.enqueueVirtualDeleteEvent(item.identity);
      throw new EnqueuedVirtualDeleteEvent();
    }
    return latest;
  }

  private async deleteOrVirtualDelete(
    item: GraphNode,
    latest: KubeObject,
    policy: NonNullable<DeleteOptions["propagationPolicy"]>,
  ): Promise<void> {
    try {
      await this.deleteObject(
        item.identity,
        latest.metadata?.resourceVersion ?? "",
        latest.metadata?.ownerReferences ?? [],
        policy,
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.graphBuilder.enqueueVirtualDeleteEvent(item.identity);
      throw new EnqueuedVirtualDeleteEvent();
    }
  }

  /** Whether the owner a reference names is absent, asking the apiserver (with the absent-owner cache in front). */
  private async isDangling(
    reference: OwnerReference,
    item: GraphNode,
  ): Promise<{ dangling: true } | { dangling: false; owner: KubeObject }> {
    // A cluster-scoped owner recorded absent, then a namespaced one in the item's namespace.
    const key = identityOfOwnerReference(reference, "");
    if (this.graphBuilder.absentOwnerCache.has(key)) return { dangling: true };
    key.namespace = item.identity.namespace;
    if (this.graphBuilder.absentOwnerCache.has(key)) return { dangling: true };
    const resource = this.apiResource(reference.apiVersion, reference.kind);
    if (!resource.namespaced) key.namespace = "";
    if (item.identity.namespace === "" && resource.namespaced)
      throw new NamespacedOwnerOfClusterScopedObject();
    let owner: KubeObject;
    try {
      owner = await this.ctx.client.get(resource, reference.name, {
        namespace: resource.namespaced ? item.identity.namespace : undefined,
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.graphBuilder.absentOwnerCache.add(key);
      return { dangling: true };
    }
    // Same name, another object: the owner this reference meant is gone.
    if (owner.metadata?.uid !== reference.uid) {
      this.graphBuilder.absentOwnerCache.add(key);
      return { dangling: true };
    }
    return { dangling: false, owner };
  }

  /**
   * solid: the owner exists and is not deleting its dependents in foreground;
   * dangling: it does not exist; waitingForDependentsDeletion: it is being
   * deleted with the foregroundDeletion finalizer.
   */
  private async classifyReferences(
    item: GraphNode,
    refs: OwnerReference[],
  ): Promise<{
    solid: OwnerReference[];
    dangling: OwnerReference[];
    waitingForDependentsDeletion: OwnerReference[];
  }> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waitingForDependentsDeletion: OwnerReference[] = [];
    for (const ref of refs) {
      const r = await this.isDangling(ref, item);
      if (r.dangling) dangling.push(ref);
      else if (r.owner.metadata?.deletionTimestamp && hasFinalizer(r.owner, FINALIZER_DELETE_DEPENDENTS))
        waitingForDependentsDeletion.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waitingForDependentsDeletion };
  }

  /** An owner in foreground deletion: done when no dependent blocks it; else have the blocking ones deleted. */
  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, FINALIZER_DELETE_DEPENDENTS);
      return;
    }
    for (const dep of blocking)
      if (!dep.isDeletingDependents()) this.attemptToDelete.enqueue(dep.identity.uid);
  }

  // ---- attemptToOrphan

  private async attemptToOrphanWorker(uid: string): Promise<undefined> {
    const owner = this.graphBuilder.uidToNode.read(uid);
    if (!owner) return undefined;
    try {
      await this.orphanDependents(owner.identity, owner.getDependents());
    } catch (e) {
      throw new Error(
        `orphanDependents for ${identityString(owner.identity)} failed with ${(e as Error).message}`,
      );
    }
    try {
      await this.removeFinalizer(owner, FINALIZER_ORPHAN_DEPENDENTS);
    } catch (e) {
      throw new Error(
        `removeOrphanFinalizer for ${identityString(owner.identity)} failed with ${(e as Error).message}`,
      );
    }
    return undefined;
  }

  /** Removes owner's reference from every dependent (the dependent's uid guards each patch). */
  private async orphanDependents(owner: ObjectIdentity, dependents: GraphNode[]): Promise<void> {
    const errors: string[] = [];
    await Promise.all(
      dependents.map(async (dep) => {
        try {
          await this.patch(dep, deleteOwnerRefStrategicMergePatch(dep.identity.uid, [owner.uid]), async (n) =>
            deleteOwnerRefJSONMergePatch(await this.getMetadata(n.identity), [owner.uid]),
          );
        } catch (e) {
          // A reference already gone is no error for a strategic merge patch; a dependent gone is none either.
          if (!isNotFound(e))
            errors.push(`orphaning ${identityString(dep.identity)} failed, ${(e as Error).message}`);
        }
      }),
    );
    if (errors.length > 0) {
      const aggregate = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
      throw new Error(
        `failed to orphan dependents of owner ${identityString(owner)}, got errors: ${aggregate}`,
      );
    }
  }

  // ---- operations (upstream's operations.go)

  private apiResource(apiVersion: string, kind: string): ResourceRef {
    const ref = this.mapper.mapping(apiVersion, kind);
    if (!ref) throw new RestMappingError(kind, apiVersion);
    return ref;
  }

  private async getObject(item: ObjectIdentity): Promise<KubeObject> {
    const resource = this.apiResource(item.apiVersion, item.kind);
    if (resource.namespaced && item.namespace === "") throw new NamespacedOwnerOfClusterScopedObject();
    return this.ctx.client.get(resource, item.name, {
      namespace: resource.namespaced ? item.namespace : undefined,
    });
  }

  /** The informer's copy when it has one, else a GET (upstream's getMetadata). */
  private async getMetadata(item: ObjectIdentity): Promise<KubeObject> {
    const resource = this.apiResource(item.apiVersion, item.kind);
    const ns = resource.namespaced ? item.namespace : "";
    return this.graphBuilder.cached(resource, ns, item.name) ?? this.getObject(item);
  }

  /**
   * Deletes with the uid and, when known, the resourceVersion as
   * preconditions: a conflict caused by a change that left the owner
   * references alone is retried with the uid only.
   */
  private async deleteObject(
    item: ObjectIdentity,
    resourceVersion: string,
    ownersAtResourceVersion: OwnerReference[],
    policy: NonNullable<DeleteOptions["propagationPolicy"]>,
  ): Promise<void> {
    const resource = this.apiResource(item.apiVersion, item.kind);
    const namespace = resource.namespaced ? item.namespace : undefined;
    try {
      await this.ctx.client.delete(resource, item.name, {
        namespace,
        propagationPolicy: policy,
        preconditions: resourceVersion ? { uid: item.uid, resourceVersion } : { uid: item.uid },
      });
    } catch (e) {
      if (!isConflict(e) || !resourceVersion) throw e;
      let live: KubeObject;
      try {
        live = await this.ctx.client.get(resource, item.name, { namespace });
      } catch (liveErr) {
        if (isNotFound(liveErr)) return; // what we wanted to delete is gone
        throw e;
      }
      const liveOwners = live.metadata?.ownerReferences ?? [];
      if (
        live.metadata?.uid === item.uid &&
        live.metadata?.resourceVersion !== resourceVersion &&
        liveOwners.length === ownersAtResourceVersion.length &&
        liveOwners.every((r, i) => ownerReferenceEqual(r, ownersAtResourceVersion[i]))
      ) {
        await this.deleteObject(item, "", [], policy);
        return;
      }
      throw e;
    }
  }

  private patchObject(item: ObjectIdentity, patch: unknown, type: PatchType): Promise<KubeObject> {
    const resource = this.apiResource(item.apiVersion, item.kind);
    return this.ctx.client.patch(resource, item.name, patch, {
      namespace: resource.namespaced ? item.namespace : undefined,
      type,
    });
  }

  /** A strategic merge patch, or the JSON merge patch for resources that take none (415). */
  private async patch(
    item: GraphNode,
    smp: unknown,
    jmp: (n: GraphNode) => Promise<unknown>,
  ): Promise<KubeObject> {
    try {
      return await this.patchObject(item.identity, smp, "strategic");
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 415)) throw e;
    }
    return this.patchObject(item.identity, await jmp(item), "merge");
  }

  /** Removes one finalizer with a merge patch guarded by the resourceVersion, retrying conflicts. */
  private async removeFinalizer(owner: GraphNode, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let obj: KubeObject;
      try {
        obj = await this.getObject(owner.identity);
      } catch (e) {
        if (isNotFound(e)) return;
        throw new Error(
          `cannot finalize owner ${identityString(owner.identity)}, because cannot get it: ${(e as Error).message}. The garbage collector will retry later`,
        );
      }
      const finalizers = obj.metadata?.finalizers ?? [];
      if (!finalizers.includes(target)) return;
      try {
        await this.patchObject(
          owner.identity,
          finalizersPatch(
            obj.metadata?.resourceVersion ?? "",
            finalizers.filter((f) => f !== target),
          ),
          "merge",
        );
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
        if (attempt >= CONFLICT_RETRY_STEPS) {
          throw new Error(
            `updateMaxRetries(${CONFLICT_RETRY_STEPS}) has reached. The garbage collector will retry later for owner ${identityString(owner.identity)}`,
          );
        }
        await sleep(this.ctx.clock, CONFLICT_RETRY_DELAY_MS * (1 + 0.1 * this.ctx.random()), this.ctx.signal);
      }
    }
  }
}
