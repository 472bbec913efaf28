// upstream's garbagecollector/patch.go and controller_utils'
// GenerateDeleteOwnerRefStrategicMergeBytes: the patches the GC sends. A
// strategic merge patch first; a resource that does not take one (415, e.g.
// a custom resource) gets the JSON merge patch, which carries the whole
// ownerReferences list guarded by the resourceVersion it was computed from.
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import type { KubeObject } from "../../client/rest-client.ts";

/** Removes the references to ownerUIDs; the dependent's uid makes the patch fail if the object was replaced. */
export function deleteOwnerRefStrategicMergePatch(dependentUID: string, ownerUIDs: string[]): unknown {
  return {
    metadata: {
      uid: dependentUID,
      ownerReferences: ownerUIDs.map((uid) => ({ $patch: "delete", uid })),
    },
  };
}

/** The JSON merge patch form: the references left after removing ownerUIDs (null when none). */
export function deleteOwnerRefJSONMergePatch(obj: KubeObject, ownerUIDs: string[]): unknown {
  const kept = (obj.metadata?.ownerReferences ?? []).filter((r) => !ownerUIDs.includes(r.uid));
  return {
    metadata: {
      resourceVersion: obj.metadata?.resourceVersion ?? "",
      ownerReferences: kept.length > 0 ? kept : null,
    },
  };
}

/** Sets blockOwnerDeletion: false on every blocking reference of owners (merged by uid). */
export function unblockOwnerReferencesStrategicMergePatch(uid: string, owners: OwnerReference[]): unknown {
  const blocking = owners
    .filter((o) => o.blockOwnerDeletion === true)
    .map((o) => ({ ...o, blockOwnerDeletion: false }));
  return { metadata: { uid, ownerReferences: blocking } };
}

/** The JSON merge patch form: every reference, none blocking. */
export function unblockOwnerReferencesJSONMergePatch(obj: KubeObject, owners: OwnerReference[]): unknown {
  return {
    metadata: {
      resourceVersion: obj.metadata?.resourceVersion ?? "",
      ownerReferences: owners.length > 0 ? owners.map((o) => ({ ...o, blockOwnerDeletion: false })) : null,
    },
  };
}

/** The finalizers an owner keeps, guarded by its resourceVersion (upstream's objectForFinalizersPatch). */
export function finalizersPatch(resourceVersion: string, finalizers: string[]): unknown {
  return { metadata: { resourceVersion, finalizers: finalizers.length > 0 ? finalizers : null } };
}
