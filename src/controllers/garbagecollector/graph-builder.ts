// upstream's garbagecollector/graph_builder.go: one monitor (a handler on the
// shared informer) per deletable resource funnels every add, update and
// delete into the graphChanges queue; a single loop applies them to the
// graph and hands the GC the nodes to look at: dependents of owners that
// went away or started a foreground deletion (attemptToDelete), owners that
// started an orphaning deletion (attemptToOrphan).
import type { ObjectReference } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { SharedInformerFactory } from "../../client/informer-factory.ts";
import type { KubeObject, ResourceRef } from "../../client/rest-client.ts";
import type { HandlerRegistration, SharedInformer } from "../../client/shared-informer.ts";
import { WorkQueue } from "../../client/workqueue/queue.ts";
import { type DiscoveredResource, groupVersionOf, resourceKey } from "./discovery.ts";
import {
  GraphNode,
  identityEquals,
  identityOfOwnerReference,
  identityString,
  type ObjectIdentity,
  ownerReferenceMatchesCoordinates,
  UIDToNode,
} from "./graph.ts";
import { ReferenceCache } from "./reference-cache.ts";

export const FINALIZER_ORPHAN_DEPENDENTS = "orphan";
export const FINALIZER_DELETE_DEPENDENTS = "foregroundDeletion";

/** Events are never owners worth collecting for (upstream's DefaultIgnoredResources). */
export const DEFAULT_IGNORED_RESOURCES = ["/events", "events.k8s.io/events"];

/** Where the graph builder puts nodes for the GC's workers. */
export interface NodeQueue {
  add(node: GraphNode): void;
  addRateLimited(node: GraphNode): void;
}

export interface GraphEvent {
  type: "add" | "update" | "delete";
  /** Made up by the GC (the object was proved absent), not seen by an informer. */
  virtual: boolean;
  obj: KubeObject;
  oldObj?: KubeObject;
  apiVersion: string;
  kind: string;
}

interface Monitor {
  resource: DiscoveredResource;
  informer: SharedInformer<KubeObject>;
  registration: HandlerRegistration;
}

export interface GraphBuilderOptions {
  informers: SharedInformerFactory;
  recorder: EventRecorder;
  attemptToDelete: NodeQueue;
  attemptToOrphan: NodeQueue;
  /** "group/resource" keys never monitored; default DEFAULT_IGNORED_RESOURCES. */
  ignoredResources?: string[];
  log(msg: string): void;
}

export class GraphBuilder {
  readonly uidToNode = new UIDToNode();
  /** Owners the apiserver said are gone; shared with the GC. */
  readonly absentOwnerCache = new ReferenceCache(500);
  private monitors = new Map<string, Monitor>();
  private readonly graphChanges = new WorkQueue<GraphEvent>({ name: "garbage_collector_graph_changes" });
  private readonly ignored: Set<string>;
  private running = false;

  constructor(private readonly opts: GraphBuilderOptions) {
    this.ignored = new Set(opts.ignoredResources ?? DEFAULT_IGNORED_RESOURCES);
  }

  /**
   * Makes the monitor set match resources: a handler on each one's shared
   * informer, removed for resources no longer served. New informers start
   * with startMonitors (before run, the controller-manager starts them).
   */
  syncMonitors(resources: DiscoveredResource[]): { added: number; kept: number; removed: number } {
    const toRemove = this.monitors;
    const current = new Map<string, Monitor>();
    let added = 0;
    let kept = 0;
    for (const r of resources) {
      if (this.ignored.has(`${r.ref.group}/${r.ref.resource}`)) continue;
      const key = resourceKey(r.ref);
      const m = toRemove.get(key);
      if (m) {
        current.set(key, m);
        toRemove.delete(key);
        kept++;
        continue;
      }
      current.set(key, this.monitorFor(r));
      added++;
    }
    this.monitors = current;
    // The shared informer stays (others may use it); only our handler goes.
    for (const m of toRemove.values()) m.registration.remove();
    return { added, kept, removed: toRemove.size };
  }

  private monitorFor(resource: DiscoveredResource): Monitor {
    const apiVersion = groupVersionOf(resource.ref);
    const kind = resource.kind;
    const informer = this.opts.informers.forResource<KubeObject>(resource.ref);
    const push = (e: Omit<GraphEvent, "apiVersion" | "kind" | "virtual">) =>
      this.graphChanges.add({ ...e, virtual: false, apiVersion, kind });
    const registration = informer.addEventHandler({
      onAdd: (obj) => push({ type: "add", obj }),
      onUpdate: (oldObj, obj) => push({ type: "update", obj, oldObj }),
      onDelete: (obj) => push({ type: "delete", obj }),
    });
    return { resource, informer, registration };
  }

  /** Starts the informers of monitors added since (a no-op until run). */
  startMonitors(): void {
    if (this.running) this.opts.informers.start();
  }

  /** True when there are monitors and every one has synced. */
  isSynced(): boolean {
    if (this.monitors.size === 0) return false;
    for (const m of this.monitors.values()) if (!m.informer.hasSynced()) return false;
    return true;
  }

  isResourceSynced(key: string): boolean {
    return this.monitors.get(key)?.informer.hasSynced() ?? false;
  }

  monitoredResources(): string[] {
    return [...this.monitors.keys()];
  }

  /** The informer's copy of an object, if its resource is monitored and the object cached. */
  cached(ref: ResourceRef, namespace: string, name: string): KubeObject | undefined {
    const m = this.monitors.get(resourceKey(ref));
    return m?.informer.getIndexer().get(namespace ? `${namespace}/${name}` : name);
  }

  /** Applies graph changes until the signal aborts; then removes every handler. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.startMonitors();
    const stop = () => this.graphChanges.shutDown();
    if (signal.aborted) stop();
    signal.addEventListener("abort", stop, { once: true });
    for (;;) {
      const next = await this.graphChanges.get();
      if (next.shutdown) break;
      try {
        this.processGraphChanges(next.item);
      } catch (e) {
        this.opts.log(`processing a graph change failed: ${(e as Error).message}`);
      } finally {
        this.graphChanges.done(next.item);
      }
    }
    this.running = false;
    for (const m of this.monitors.values()) m.registration.remove();
    this.monitors = new Map();
  }

  /** A delete for a node the GC proved absent (GET said NotFound or another uid). */
  enqueueVirtualDeleteEvent(ref: ObjectIdentity): void {
    this.graphChanges.add({
      type: "delete",
      virtual: true,
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      obj: {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { namespace: ref.namespace || undefined, uid: ref.uid, name: ref.name },
      },
    });
  }

  /** Adds n to its owners' dependents, making virtual nodes for owners not seen yet. */
  private addDependentToOwners(n: GraphNode, owners: OwnerReference[]): void {
    // Some referenced owner is observed, and the reference does not match what was observed.
    let hasPotentiallyInvalidOwnerReference = false;
    for (const owner of owners) {
      let ownerNode = this.uidToNode.read(owner.uid);
      const found = ownerNode !== undefined;
      if (!ownerNode) {
        ownerNode = new GraphNode({
          identity: identityOfOwnerReference(owner, n.identity.namespace),
          virtual: true,
        });
        this.uidToNode.write(ownerNode);
      }
      ownerNode.addDependent(n);
      if (!found) {
        // attemptToDelete asks the apiserver whether it exists; a virtual delete removes it if not.
        this.opts.attemptToDelete.add(ownerNode);
      } else if (!hasPotentiallyInvalidOwnerReference) {
        const ownerIsNamespaced = ownerNode.identity.namespace.length > 0;
        if (ownerIsNamespaced && ownerNode.identity.namespace !== n.identity.namespace) {
          // A namespaced owner in another namespace: definitely wrong once the owner was observed.
          if (ownerNode.isObserved()) this.reportInvalidNamespaceOwnerRef(n, owner.uid);
          hasPotentiallyInvalidOwnerReference = true;
        } else if (!ownerReferenceMatchesCoordinates(owner, ownerNode.identity)) {
          hasPotentiallyInvalidOwnerReference = true;
        } else if (
          !ownerIsNamespaced &&
          ownerNode.identity.namespace !== n.identity.namespace &&
          !ownerNode.isObserved()
        ) {
          // A cluster-scoped virtual owner may be a missing namespaced one named by a cluster-scoped child.
          hasPotentiallyInvalidOwnerReference = true;
        }
      }
    }
    // attemptToDelete verifies the references and deletes n only if all owners are confirmed absent.
    if (hasPotentiallyInvalidOwnerReference) this.opts.attemptToDelete.add(n);
  }

  private reportInvalidNamespaceOwnerRef(n: GraphNode, invalidOwnerUID: string): void {
    const ref = n.owners.find((o) => o.uid === invalidOwnerUID);
    if (!ref) return;
    const invalid = identityOfOwnerReference(ref, n.identity.namespace);
    const involved: ObjectReference = {
      kind: n.identity.kind,
      apiVersion: n.identity.apiVersion,
      namespace: n.identity.namespace || undefined,
      name: n.identity.name,
      uid: n.identity.uid,
    };
    this.opts.recorder.event(
      involved,
      "Warning",
      "OwnerRefInvalidNamespace",
      `ownerRef ${identityString(invalid)} does not exist in namespace ${JSON.stringify(n.identity.namespace)}`,
    );
  }

  private insertNode(n: GraphNode): void {
    this.uidToNode.write(n);
    this.addDependentToOwners(n, n.owners);
  }

  private removeDependentFromOwners(n: GraphNode, owners: OwnerReference[]): void {
    for (const owner of owners) this.uidToNode.read(owner.uid)?.deleteDependent(n);
  }

  private removeNode(n: GraphNode): void {
    this.uidToNode.delete(n.identity.uid);
    this.removeDependentFromOwners(n, n.owners);
  }

  /** A blocking reference removed or made non-blocking may free an owner waiting in foreground deletion. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: OwnerRefPair[]): void {
    for (const ref of removed) {
      if (ref.blockOwnerDeletion !== true) continue;
      const node = this.uidToNode.read(ref.uid);
      if (node) this.opts.attemptToDelete.add(node);
    }
    for (const c of changed) {
      const wasBlocked = c.oldRef.blockOwnerDeletion === true;
      const isUnblocked = c.newRef.blockOwnerDeletion !== true;
      if (!wasBlocked || !isUnblocked) continue;
      const node = this.uidToNode.read(c.newRef.uid);
      if (node) this.opts.attemptToDelete.add(node);
    }
  }

  private processTransitions(oldObj: KubeObject | undefined, newObj: KubeObject, n: GraphNode): void {
    if (deletionStartsWithFinalizer(oldObj, newObj, FINALIZER_ORPHAN_DEPENDENTS)) {
      this.opts.attemptToOrphan.add(n);
      return;
    }
    if (deletionStartsWithFinalizer(oldObj, newObj, FINALIZER_DELETE_DEPENDENTS)) {
      // A node added as virtual has not got deletingDependents set: set it here.
      n.markDeletingDependents();
      for (const dep of n.dependents) this.opts.attemptToDelete.add(dep);
      this.opts.attemptToDelete.add(n);
    }
  }

  private identityFromEvent(e: GraphEvent): ObjectIdentity {
    const m = e.obj.metadata ?? {};
    return {
      apiVersion: e.apiVersion,
      kind: e.kind,
      uid: m.uid ?? "",
      name: m.name ?? "",
      namespace: m.namespace ?? "",
    };
  }

  /** One graph change: update uidToNode and queue what needs a look (upstream's processGraphChanges). */
  processGraphChanges(event: GraphEvent): void {
    const obj = event.obj;
    const meta = obj.metadata ?? {};
    const uid = meta.uid ?? "";
    const existing = this.uidToNode.read(uid);
    if (existing && !event.virtual && !existing.isObserved()) {
      // First informer event for a node made up as virtual.
      const observed = this.identityFromEvent(event);
      if (!identityEquals(observed, existing.identity)) {
        // Dependents whose reference does not match what we observed may be invalid: have them verified.
        const [, potentiallyInvalid] = partitionDependents(existing.getDependents(), observed);
        for (const dep of potentiallyInvalid) {
          if (observed.namespace.length > 0 && dep.identity.namespace !== observed.namespace) {
            this.reportInvalidNamespaceOwnerRef(dep, observed.uid);
          }
          this.opts.attemptToDelete.add(dep);
        }
        // upstream replaces the node by a clone because workers hold pointers; ours look nodes up by uid.
        existing.identity = observed;
      }
      existing.markObserved();
    }
    const owners = meta.ownerReferences ?? [];
    switch (event.type) {
      case "add":
      case "update": {
        if (!existing) {
          const node = new GraphNode({
            identity: this.identityFromEvent(event),
            owners,
            deletingDependents: beingDeleted(obj) && hasFinalizer(obj, FINALIZER_DELETE_DEPENDENTS),
            beingDeleted: beingDeleted(obj),
          });
          this.insertNode(node);
          // A creation and a deletion may arrive as one event.
          this.processTransitions(event.oldObj, obj, node);
          return;
        }
        if (
          !event.virtual &&
          (existing.identity.apiVersion !== event.apiVersion || existing.identity.kind !== event.kind)
        ) {
          // The same object seen through another group version (e.g. events and events.k8s.io).
          existing.identity = { ...existing.identity, apiVersion: event.apiVersion, kind: event.kind };
        }
        const { added, removed, changed } = referencesDiffs(existing.owners, owners);
        if (added.length > 0 || removed.length > 0 || changed.length > 0) {
          this.addUnblockedOwnersToDeleteQueue(removed, changed);
          existing.owners = owners;
          this.addDependentToOwners(existing, added);
          this.removeDependentFromOwners(existing, removed);
        }
        if (beingDeleted(obj)) existing.markBeingDeleted();
        this.processTransitions(event.oldObj, obj, existing);
        return;
      }
      case "delete": {
        if (!existing) return;
        let removeExistingNode = true;
        if (event.virtual) {
          const deletedIdentity = this.identityFromEvent(event);
          if (!existing.isObserved()) {
            // A virtual node: dependents may disagree on its coordinates.
            const [matching, nonmatching] = partitionDependents(existing.getDependents(), deletedIdentity);
            if (nonmatching.length > 0) {
              removeExistingNode = false;
              if (matching.length > 0) {
                this.absentOwnerCache.add(deletedIdentity);
                for (const dep of matching) this.opts.attemptToDelete.add(dep);
              }
              if (identityEquals(existing.identity, deletedIdentity)) {
                // Try the next identity the other dependents know it by.
                const replacement = getAlternateOwnerIdentity(nonmatching, deletedIdentity);
                if (replacement) {
                  existing.identity = replacement;
                  this.opts.attemptToDelete.addRateLimited(existing);
                }
              }
            }
          } else if (!identityEquals(existing.identity, deletedIdentity)) {
            // The observed node disagrees with the virtual delete: keep it; only matching dependents lose their owner.
            removeExistingNode = false;
            const [matching] = partitionDependents(existing.getDependents(), deletedIdentity);
            if (matching.length > 0) {
              this.absentOwnerCache.add(deletedIdentity);
              for (const dep of matching) this.opts.attemptToDelete.add(dep);
            }
          }
        }
        if (!removeExistingNode) return;
        this.removeNode(existing);
        if (existing.dependentsLength() > 0) this.absentOwnerCache.add(this.identityFromEvent(event));
        for (const dep of existing.dependents) this.opts.attemptToDelete.add(dep);
        for (const owner of existing.owners) {
          const ownerNode = this.uidToNode.read(owner.uid);
          // An owner deleting its dependents in foreground may now be free to go.
          if (ownerNode?.isDeletingDependents()) this.opts.attemptToDelete.add(ownerNode);
        }
        return;
      }
    }
  }
}

function beingDeleted(obj: KubeObject): boolean {
  return !!obj.metadata?.deletionTimestamp;
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** The object has just started a deletion held by finalizer (it was not deleting, or not with it). */
function deletionStartsWithFinalizer(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  finalizer: string,
): boolean {
  if (!beingDeleted(newObj) || !hasFinalizer(newObj, finalizer)) return false;
  if (!oldObj) return true;
  return !beingDeleted(oldObj) || !hasFinalizer(oldObj, finalizer);
}

interface OwnerRefPair {
  oldRef: OwnerReference;
  newRef: OwnerReference;
}

/** Field-by-field equality of two owner references (upstream's reflect.DeepEqual). */
export function ownerReferenceEqual(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}

export function referencesDiffs(
  old: OwnerReference[],
  next: OwnerReference[],
): { added: OwnerReference[]; removed: OwnerReference[]; changed: OwnerRefPair[] } {
  const oldByUID = new Map(old.map((r) => [r.uid, r]));
  const remaining = new Set(oldByUID.keys());
  const added: OwnerReference[] = [];
  const changed: OwnerRefPair[] = [];
  for (const r of next) {
    const o = oldByUID.get(r.uid);
    if (o && remaining.has(r.uid)) {
      if (!ownerReferenceEqual(o, r)) changed.push({ oldRef: o, newRef: r });
      remaining.delete(r.uid);
    } else {
      added.push(r);
    }
  }
  const removed = [...remaining].map((uid) => oldByUID.get(uid)!);
  return { added, removed, changed };
}

/**
 * Splits dependents into those whose reference to the owner's uid matches its
 * identity and those that do not (a dependent can be in both).
 */
export function partitionDependents(
  dependents: GraphNode[],
  owner: ObjectIdentity,
): [matching: GraphNode[], nonmatching: GraphNode[]] {
  const ownerIsNamespaced = owner.namespace.length > 0;
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of dependents) {
    let foundMatch = false;
    let foundMismatch = false;
    if (ownerIsNamespaced && owner.namespace !== dep.identity.namespace) {
      // A namespaced owner can only own dependents of its own namespace.
      foundMismatch = true;
    } else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (ownerReferenceMatchesCoordinates(ref, owner)) foundMatch = true;
        else foundMismatch = true;
      }
    }
    if (foundMatch) matching.push(dep);
    if (foundMismatch) nonmatching.push(dep);
  }
  return [matching, nonmatching];
}

/** kind and apiVersion before namespace, name and uid: a stable order across scopes. */
function referenceLessThan(a: ObjectIdentity, b: ObjectIdentity): boolean {
  if (a.kind !== b.kind) return a.kind < b.kind;
  if (a.apiVersion !== b.apiVersion) return a.apiVersion < b.apiVersion;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace;
  if (a.name !== b.name) return a.name < b.name;
  if (a.uid !== b.uid) return a.uid < b.uid;
  return false;
}

/**
 * Another identity dependents give the absent owner's uid: the first after
 * the absent one in referenceLessThan order, else the first of all.
 */
export function getAlternateOwnerIdentity(
  deps: GraphNode[],
  verifiedAbsent: ObjectIdentity,
): ObjectIdentity | undefined {
  const absentIsClusterScoped = verifiedAbsent.namespace.length === 0;
  const key = (r: ObjectIdentity) => JSON.stringify([r.apiVersion, r.kind, r.namespace, r.name, r.uid]);
  const seen = new Set([key(verifiedAbsent)]);
  let first: ObjectIdentity | undefined;
  let firstFollowing: ObjectIdentity | undefined;
  for (const dep of deps) {
    for (const ownerRef of dep.owners) {
      if (ownerRef.uid !== verifiedAbsent.uid) continue;
      if (
        ownerReferenceMatchesCoordinates(ownerRef, verifiedAbsent) &&
        (absentIsClusterScoped || verifiedAbsent.namespace === dep.identity.namespace)
      ) {
        continue;
      }
      const ref = identityOfOwnerReference(ownerRef, dep.identity.namespace);
      // That apiVersion and kind are known to be cluster-scoped: drop the namespace.
      if (
        absentIsClusterScoped &&
        ref.apiVersion === verifiedAbsent.apiVersion &&
        ref.kind === verifiedAbsent.kind
      ) {
        ref.namespace = "";
      }
      if (seen.has(key(ref))) continue;
      seen.add(key(ref));
      if (!first || referenceLessThan(ref, first)) first = ref;
      if (
        referenceLessThan(verifiedAbsent, ref) &&
        (!firstFollowing || referenceLessThan(ref, firstFollowing))
      ) {
        firstFollowing = ref;
      }
    }
  }
  return firstFollowing ?? first;
}
