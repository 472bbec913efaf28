// upstream's garbagecollector/graph.go: the dependency graph the GC keeps in
// memory. A node per object uid; each node knows its owners (its
// ownerReferences as last observed) and its dependents (the nodes naming it
// as an owner). An owner a dependent names before any informer has shown it
// is a "virtual" node until the object is observed or proved absent.
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";

/** upstream's objectReference: an owner reference's coordinates plus the namespace. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
}

/** upstream's objectReference.String(), used in the GC's event messages. */
export function identityString(r: ObjectIdentity): string {
  return `[${r.apiVersion}/${r.kind}, namespace: ${r.namespace}, name: ${r.name}, uid: ${r.uid}]`;
}

export function identityEquals(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return (
    a.uid === b.uid &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.apiVersion === b.apiVersion &&
    a.namespace === b.namespace
  );
}

/** An identity from an owner reference's coordinates (uid, name, kind, apiVersion) in a namespace. */
export function identityOfOwnerReference(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

/** True when all coordinate fields (uid, name, kind, apiVersion) match. */
export function ownerReferenceMatchesCoordinates(
  a: Pick<OwnerReference, "uid" | "name" | "kind" | "apiVersion">,
  b: Pick<OwnerReference, "uid" | "name" | "kind" | "apiVersion">,
): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion;
}

export class GraphNode {
  identity: ObjectIdentity;
  /** The nodes that name this one in their ownerReferences. */
  readonly dependents = new Set<GraphNode>();
  /** The object's ownerReferences as last observed (empty for virtual nodes). */
  owners: OwnerReference[];
  /** deletionTimestamp set and the foregroundDeletion finalizer present. */
  private deletingDependents: boolean;
  /** deletionTimestamp set: a one-way trip, so it is only ever set. */
  private beingDeleted: boolean;
  /** Made up from a dependent's reference; never observed through an informer. */
  private virtual: boolean;

  constructor(o: {
    identity: ObjectIdentity;
    owners?: OwnerReference[];
    deletingDependents?: boolean;
    beingDeleted?: boolean;
    virtual?: boolean;
  }) {
    this.identity = o.identity;
    this.owners = o.owners ?? [];
    this.deletingDependents = o.deletingDependents ?? false;
    this.beingDeleted = o.beingDeleted ?? false;
    this.virtual = o.virtual ?? false;
  }

  markBeingDeleted(): void {
    this.beingDeleted = true;
  }

  isBeingDeleted(): boolean {
    return this.beingDeleted;
  }

  markObserved(): void {
    this.virtual = false;
  }

  isObserved(): boolean {
    return !this.virtual;
  }

  markDeletingDependents(): void {
    this.deletingDependents = true;
  }

  isDeletingDependents(): boolean {
    return this.deletingDependents;
  }

  addDependent(dep: GraphNode): void {
    this.dependents.add(dep);
  }

  deleteDependent(dep: GraphNode): void {
    this.dependents.delete(dep);
  }

  replaceDependentIfItExists(old: GraphNode, next: GraphNode): void {
    if (this.dependents.delete(old)) this.dependents.add(next);
  }

  dependentsLength(): number {
    return this.dependents.size;
  }

  getDependents(): GraphNode[] {
    return [...this.dependents];
  }

  /** Dependents whose reference to this node has blockOwnerDeletion: true. */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const dep of this.dependents) {
      for (const owner of dep.owners) {
        if (owner.uid === this.identity.uid && owner.blockOwnerDeletion === true) out.push(dep);
      }
    }
    return out;
  }
}

/** upstream's concurrentUIDToNode (no lock: one event loop). */
export class UIDToNode {
  private readonly nodes = new Map<string, GraphNode>();

  read(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  write(node: GraphNode): void {
    this.nodes.set(node.identity.uid, node);
  }

  delete(uid: string): void {
    this.nodes.delete(uid);
  }

  get size(): number {
    return this.nodes.size;
  }
}
