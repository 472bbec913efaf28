// upstream's pkg/controller/namespace/deletion/namespaced_resources_deleter.go:
// empties a Terminating namespace. Every namespaced resource discovery lists
// as deletable goes with one deletecollection (or list, then delete each),
// then a metadata list checks what is left: pods still terminating or objects
// held by finalizers make an estimate of seconds to wait; once nothing is
// left the namespace loses the `kubernetes` finalizer through /finalize and
// the apiserver deletes it.
import type { Namespace, Pod } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isConflict, isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import { resourceKey } from "../garbagecollector/discovery.ts";
import type { DiscoverNamespacedResources } from "./discovery.ts";
import { type ContentTotals, NamespaceConditionUpdater } from "./status-conditions.ts";

/** api.FinalizerKubernetes: the token this controller owns in spec.finalizers. */
export const FINALIZER_KUBERNETES = "kubernetes";
/** Assumed seconds for finalizers to finish when objects pending deletion carry some. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** Content is being removed but is not gone yet: come back in about `estimate` seconds. */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimate: number) {
    super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`);
    this.name = "ResourcesRemainingError";
  }
}

type Operation = "list" | "deletecollection";

/** GroupVersionResource.String(): "apps/v1, Resource=deployments". */
export function gvrString(r: ResourceRef): string {
  return `${r.group}/${r.version}, Resource=${r.resource}`;
}

/** client-go's metadata client asks for this: names and finalizers are all the deleter reads. */
const METADATA_LIST_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

const isMethodNotSupported = (e: unknown) => e instanceof ApiError && e.reason === "MethodNotAllowed";

/** What one resource left behind (upstream's gvrDeletionMetadata). */
interface GVRDeletionMetadata {
  /** Seconds to wait; 0 does not mean nothing remains. */
  finalizerEstimateSeconds: number;
  numRemaining: number;
  finalizersToNumRemaining?: Map<string, number>;
}

/** An error that still carries the estimate made before it (upstream returns both). */
class GVRDeletionError extends Error {
  constructor(
    readonly reason: Error,
    readonly metadata: GVRDeletionMetadata,
  ) {
    super(reason.message);
  }
}

export interface NamespacedResourcesDeleterOptions {
  client: RestClient;
  discover: DiscoverNamespacedResources;
  clock: Clock;
  /** The spec.finalizers token to remove when done (default "kubernetes"). */
  finalizerToken?: string;
  signal?: AbortSignal;
  log?(msg: string): void;
}

export class NamespacedResourcesDeleter {
  /** "op gvr" of operations discovery says a resource does not support. */
  private readonly notSupported = new Set<string>();
  private readonly finalizerToken: string;
  private readonly log: (msg: string) => void;

  constructor(private readonly o: NamespacedResourcesDeleterOptions) {
    this.finalizerToken = o.finalizerToken ?? FINALIZER_KUBERNETES;
    this.log = o.log ?? (() => {});
  }

  /** initOpCache: learns from discovery which resources cannot list or deletecollection. */
  async initOpCache(): Promise<void> {
    const { resources, error } = await this.o.discover(this.o.signal);
    if (error) this.log(`unable to get all supported resources from server: ${error.message}`);
    if (resources.length === 0) throw new Error("unable to get any supported resources from server");
    for (const r of resources) {
      for (const op of ["list", "deletecollection"] as const) {
        if (!r.verbs.includes(op)) this.notSupported.add(this.opKey(op, r.ref));
      }
    }
  }

  /**
   * Delete: marks the namespace Terminating, empties it and removes our
   * finalizer. Throws ResourcesRemainingError while content is still going.
   */
  async delete(nsName: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.o.client.get<Namespace>(Resources.namespaces, nsName);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    let updated: Namespace;
    try {
      updated = await this.retryOnConflict(ns, (n) => this.updateNamespaceStatus(n));
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!updated.metadata?.deletionTimestamp) return;
    if (finalized(updated)) return;
    const estimate = await this.deleteAllContent(updated);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    try {
      await this.retryOnConflict(updated, (n) => this.finalizeNamespace(n));
    } catch (e) {
      // Another controller sharing our token may have finished the deletion.
      if (isNotFound(e)) return;
      throw e;
    }
  }

  /** retryOnConflictError: runs fn on fresh copies until it does not conflict; fails if the uid changes. */
  private async retryOnConflict(
    ns: Namespace,
    fn: (ns: Namespace) => Promise<Namespace>,
  ): Promise<Namespace> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
      const prev = latest;
      latest = await this.o.client.get<Namespace>(Resources.namespaces, prev.metadata?.name ?? "");
      if (prev.metadata?.uid !== latest.metadata?.uid)
        throw new Error("namespace uid has changed across retries");
    }
  }

  /** updateNamespaceStatusFunc: phase Terminating once it is being deleted. */
  private async updateNamespaceStatus(ns: Namespace): Promise<Namespace> {
    if (!ns.metadata?.deletionTimestamp || ns.status?.phase === "Terminating") return ns;
    const next: Namespace = structuredClone(ns);
    next.status = { ...(next.status ?? {}), phase: "Terminating" };
    return this.o.client.update(Resources.namespaces, next, { subresource: "status" });
  }

  /** finalizeNamespace: PUT /finalize with spec.finalizers minus our token (a sorted set, as upstream). */
  private async finalizeNamespace(ns: Namespace): Promise<Namespace> {
    const rest = [...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== this.finalizerToken))].sort();
    const body: Namespace = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: ns.metadata,
      spec: { ...(ns.spec ?? {}), finalizers: rest },
    };
    try {
      return await this.o.client.update(Resources.namespaces, body, { subresource: "finalize" });
    } catch (e) {
      if (isNotFound(e)) return ns;
      throw e;
    }
  }

  /** deleteAllContent: every deletable namespaced resource; returns the longest estimate, throws the errors. */
  private async deleteAllContent(ns: Namespace): Promise<number> {
    const namespace = ns.metadata?.name ?? "";
    const deletedAt = Date.parse(ns.metadata?.deletionTimestamp ?? "");
    const errs: Error[] = [];
    const conditions = new NamespaceConditionUpdater(() => rfc3339(this.o.clock.now()));
    let estimate = 0;
    const { resources, error } = await this.o.discover(this.o.signal);
    if (error) {
      // Not fatal: what could be discovered is still deleted.
      errs.push(error);
      conditions.processDiscoverResourcesErr(error);
    }
    const deletable = resources.filter((r) => r.verbs.includes("delete"));
    const totals: ContentTotals = { gvrToNumRemaining: new Map(), finalizersToNumRemaining: new Map() };
    for (const { ref } of deletable) {
      let m: GVRDeletionMetadata;
      try {
        m = await this.deleteAllContentForGVR(ref, namespace, deletedAt);
      } catch (e) {
        const err = e instanceof GVRDeletionError ? e.reason : (e as Error);
        errs.push(err);
        conditions.processDeleteContentErr(err);
        m = e instanceof GVRDeletionError ? e.metadata : { finalizerEstimateSeconds: 0, numRemaining: 0 };
      }
      if (m.finalizerEstimateSeconds > estimate) estimate = m.finalizerEstimateSeconds;
      if (m.numRemaining > 0) {
        totals.gvrToNumRemaining.set(resourceKey(ref), {
          group: ref.group,
          resource: ref.resource,
          count: m.numRemaining,
        });
        for (const [finalizer, n] of m.finalizersToNumRemaining ?? []) {
          if (n === 0) continue;
          totals.finalizersToNumRemaining.set(
            finalizer,
            (totals.finalizersToNumRemaining.get(finalizer) ?? 0) + n,
          );
        }
      }
    }
    conditions.processContentTotals(totals);
    // Always written when changed: a condition may go from failing back to "ok".
    if (conditions.update(ns)) {
      try {
        await this.o.client.update(Resources.namespaces, ns, { subresource: "status" });
      } catch (e) {
        this.log(`couldn't update status condition for namespace "${namespace}": ${(e as Error).message}`);
      }
    }
    if (errs.length > 0) throw aggregate(errs);
    return estimate;
  }

  /** deleteAllContentForGroupVersionResource */
  private async deleteAllContentForGVR(
    ref: ResourceRef,
    namespace: string,
    deletedAt: number,
  ): Promise<GVRDeletionMetadata> {
    const estimate = await this.estimateGracefulTermination(ref, namespace, deletedAt);
    const withEstimate = (e: unknown) =>
      new GVRDeletionError(e as Error, { finalizerEstimateSeconds: estimate, numRemaining: 0 });
    let deleteCollectionSupported: boolean;
    try {
      deleteCollectionSupported = await this.deleteCollection(ref, namespace);
      if (!deleteCollectionSupported) await this.deleteEachItem(ref, namespace);
    } catch (e) {
      throw withEstimate(e);
    }
    let remaining: ObjectMeta[] | undefined;
    try {
      remaining = await this.listCollection(ref, namespace);
    } catch (e) {
      throw withEstimate(e);
    }
    if (remaining === undefined) return { finalizerEstimateSeconds: estimate, numRemaining: 0 };
    if (remaining.length === 0) return { finalizerEstimateSeconds: 0, numRemaining: 0 };
    const finalizersToNumRemaining = new Map<string, number>();
    for (const meta of remaining) {
      for (const f of meta.finalizers ?? [])
        finalizersToNumRemaining.set(f, (finalizersToNumRemaining.get(f) ?? 0) + 1);
    }
    if (estimate !== 0) {
      return { finalizerEstimateSeconds: estimate, numRemaining: remaining.length, finalizersToNumRemaining };
    }
    // Finalizers are normal: give whoever owns them the default time.
    if (finalizersToNumRemaining.size > 0) {
      return {
        finalizerEstimateSeconds: FINALIZER_ESTIMATE_SECONDS,
        numRemaining: remaining.length,
        finalizersToNumRemaining,
      };
    }
    // Nothing holds them, so they should have gone.
    throw new GVRDeletionError(
      new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(ref)}`),
      { finalizerEstimateSeconds: estimate, numRemaining: remaining.length },
    );
  }

  /** deleteCollection: true when the server supports it; its errors other than 405/404 propagate. */
  private async deleteCollection(ref: ResourceRef, namespace: string): Promise<boolean> {
    if (this.notSupported.has(this.opKey("deletecollection", ref))) return false;
    try {
      // Background: the garbage collector must not add the orphan finalizer to what we delete generically.
      await this.o.client.json(
        "DELETE",
        this.o.client.path(ref, namespace),
        {},
        {
          kind: "DeleteOptions",
          apiVersion: "v1",
          propagationPolicy: "Background",
        },
      );
      return true;
    } catch (e) {
      // A resource discovery lists may still answer 404 to collection verbs.
      if (isMethodNotSupported(e) || isNotFound(e)) return false;
      throw e;
    }
  }

  /** listCollection: the remaining objects' metadata, or undefined when listing is not supported. */
  private async listCollection(ref: ResourceRef, namespace: string): Promise<ObjectMeta[] | undefined> {
    if (this.notSupported.has(this.opKey("list", ref))) return undefined;
    try {
      const list = await this.o.client.json<{ items?: Array<{ metadata?: ObjectMeta }> }>(
        "GET",
        this.o.client.path(ref, namespace),
        {},
        undefined,
        {},
        { Accept: METADATA_LIST_ACCEPT },
      );
      return (list.items ?? []).map((i) => i.metadata ?? {});
    } catch (e) {
      if (isMethodNotSupported(e) || isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** deleteEachItem: list, then delete one by one (background). */
  private async deleteEachItem(ref: ResourceRef, namespace: string): Promise<void> {
    const items = await this.listCollection(ref, namespace);
    for (const meta of items ?? []) {
      try {
        await this.o.client.delete(ref, meta.name ?? "", { namespace, propagationPolicy: "Background" });
      } catch (e) {
        if (!isNotFound(e) && !isMethodNotSupported(e)) throw e;
      }
    }
  }

  /** estimateGracefulTermination: pods get their longest grace period, unless it has passed since the namespace was deleted. */
  private async estimateGracefulTermination(
    ref: ResourceRef,
    namespace: string,
    deletedAt: number,
  ): Promise<number> {
    let estimate = 0;
    if (ref.group === "" && ref.resource === "pods")
      estimate = await this.estimateGracefulTerminationForPods(namespace);
    const elapsedMs = this.o.clock.now() - deletedAt;
    if (elapsedMs >= estimate * 1000) estimate = 0;
    return estimate;
  }

  private async estimateGracefulTerminationForPods(namespace: string): Promise<number> {
    let estimate = 0;
    const pods = await this.o.client.list<Pod>(Resources.pods, { namespace });
    for (const pod of pods.items) {
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") continue;
      const grace = pod.spec?.terminationGracePeriodSeconds;
      if (grace != null && grace > estimate) estimate = grace;
    }
    return estimate;
  }

  private opKey(op: Operation, ref: ResourceRef): string {
    return `${op} ${resourceKey(ref)}`;
  }
}

/** finalized: nothing left in spec.finalizers. */
function finalized(ns: Namespace): boolean {
  return (ns.spec?.finalizers ?? []).length === 0;
}

/** utilerrors.NewAggregate's message: one error as is, several de-duplicated in brackets. */
function aggregate(errs: Error[]): Error {
  if (errs.length === 1) return errs[0];
  const seen = [...new Set(errs.map((e) => e.message))];
  return new Error(seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`);
}

function rfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
