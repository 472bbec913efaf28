// upstream's BaseControllerRefManager.ClaimObject: a controller owns the
// objects whose controller reference names it; it adopts orphans that match
// its selector, and releases the ones it owns that stopped matching. Adoption
// first re-reads the owner from the API (not the cache), so that an owner
// deleted and recreated under the same name never adopts the old one's pods.
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { isInvalid, isNotFound } from "../../client/api-error.ts";
import type { KubeObject, ResourceRef, RestClient } from "../../client/rest-client.ts";
import { type GroupVersionKind, getControllerOf, newControllerRef } from "./owner.ts";

export interface ClaimOptions {
  client: RestClient;
  owner: KubeObject;
  ownerKind: GroupVersionKind;
  /** The resource of the objects being claimed (pods, replicasets, controllerrevisions…). */
  resource: ResourceRef;
  /** Does the object's label set match the owner's selector? */
  matches(labels: Record<string, string>): boolean;
  /** Re-reads the owner uncached; throws when it is gone or being deleted (upstream's RecheckDeletionTimestamp). */
  canAdopt(): Promise<void>;
  /** Finalizers to add on adoption (the Job controller's batch.kubernetes.io/job-tracking). */
  finalizers?: string[];
}

/** A canAdopt that GETs the owner and checks it is the same object and not being deleted. */
export function recheckDeletionTimestamp(
  client: RestClient,
  ownerResource: ResourceRef,
  owner: KubeObject,
): () => Promise<void> {
  let checked: Promise<void> | undefined;
  return () => {
    checked ??= (async () => {
      const name = owner.metadata?.name ?? "";
      const fresh = await client.get(ownerResource, name, { namespace: owner.metadata?.namespace });
      if (fresh.metadata?.uid !== owner.metadata?.uid) {
        throw new Error(
          `original ${ownerResource.resource} ${owner.metadata?.namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`,
        );
      }
      if (fresh.metadata?.deletionTimestamp) {
        throw new Error(
          `${ownerResource.resource} ${owner.metadata?.namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
        );
      }
    })();
    return checked;
  };
}

/** The objects owner owns after adopting and releasing, in input order. Errors of single objects are thrown at the end. */
export async function claimObjects<T extends KubeObject>(objs: T[], o: ClaimOptions): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  for (const obj of objs) {
    // A ReplicaSet's sync offers every pod of its namespace: all but a few are decided without waiting.
    const d = decide(obj, o);
    if (d === "claimed") claimed.push(obj);
    if (d !== "adopt" && d !== "release") continue;
    try {
      if (d === "release") await release(obj, o);
      else if (await adoptClaimed(obj, o)) claimed.push(obj);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** What claiming obj takes: nothing (another's, or not for us), or a patch to adopt or release it. */
function decide(obj: KubeObject, o: ClaimOptions): "claimed" | "skip" | "adopt" | "release" {
  const meta = obj.metadata ?? {};
  const ownerMeta = o.owner.metadata ?? {};
  const ref = getControllerOf(obj);
  const labels = meta.labels ?? {};
  if (ref) {
    if (ref.uid !== ownerMeta.uid) return "skip"; // someone else's
    if (o.matches(labels)) return "claimed";
    // Ours but no longer selected: release, unless we are going away anyway.
    return ownerMeta.deletionTimestamp ? "skip" : "release";
  }
  // An orphan: adopt it if it matches and nobody is being deleted.
  if (ownerMeta.deletionTimestamp || !o.matches(labels)) return "skip";
  if (meta.deletionTimestamp) return "skip";
  if (meta.namespace !== ownerMeta.namespace) return "skip";
  return "adopt";
}

/** Adopts an orphan; false when it is gone meanwhile. */
async function adoptClaimed(obj: KubeObject, o: ClaimOptions): Promise<boolean> {
  await o.canAdopt();
  try {
    await adopt(obj, o);
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
  return true;
}

/** A strategic merge patch that adds the controller reference; metadata.uid makes it a precondition. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference, finalizers?: string[]): unknown {
  return {
    metadata: {
      ownerReferences: [ref],
      uid: obj.metadata?.uid,
      ...(finalizers?.length ? { finalizers } : {}),
    },
  };
}

/** A strategic merge patch that removes owner's reference. */
export function releasePatch(obj: KubeObject, ownerUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: "delete", uid: ownerUid }], uid: obj.metadata?.uid } };
}

async function adopt(obj: KubeObject, o: ClaimOptions): Promise<void> {
  const ref = newControllerRef(o.owner, o.ownerKind);
  await o.client.patch(o.resource, obj.metadata?.name ?? "", adoptPatch(obj, ref, o.finalizers), {
    namespace: obj.metadata?.namespace,
    type: "strategic",
  });
}

async function release(obj: KubeObject, o: ClaimOptions): Promise<void> {
  try {
    await o.client.patch(
      o.resource,
      obj.metadata?.name ?? "",
      releasePatch(obj, o.owner.metadata?.uid ?? ""),
      {
        namespace: obj.metadata?.namespace,
        type: "strategic",
      },
    );
  } catch (e) {
    // Gone, or recreated under a new uid (the uid precondition fails as Invalid): nothing to release.
    if (isNotFound(e) || isInvalid(e)) return;
    throw e;
  }
}
