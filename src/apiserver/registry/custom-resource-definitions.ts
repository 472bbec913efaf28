// CustomResourceDefinitions (apiextensions-apiserver's pkg/registry/customresourcedefinition):
// status starts empty but for the storage version it records; a delete first
// marks the CRD Terminating with the cleanup finalizer, which the finalizer
// controller removes once every custom resource of it is gone.
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

/** status.storedVersions gains the storage version (IsStoredVersion / append in PrepareForCreate and Update). */
function recordStorageVersion(crd: Obj): void {
  const storage = ((crd.spec?.versions ?? []) as Obj[]).find((v) => v.storage)?.name;
  if (!storage) return;
  crd.status ??= { acceptedNames: { plural: "", kind: "" } };
  const stored: string[] = crd.status.storedVersions ?? [];
  if (!stored.includes(storage)) crd.status.storedVersions = [...stored, storage];
}

/** SetCRDCondition: a condition keeps its lastTransitionTime unless its status changes. */
export function setCRDCondition(crd: Obj, condition: Obj, now: Date): void {
  crd.status ??= {};
  const conditions: Obj[] = crd.status.conditions ?? [];
  const existing = conditions.find((c) => c.type === condition.type);
  const stamped = {
    ...condition,
    lastTransitionTime:
      existing && existing.status === condition.status
        ? existing.lastTransitionTime
        : `${now.toISOString().slice(0, 19)}Z`,
  };
  crd.status.conditions = existing
    ? conditions.map((c) => (c === existing ? stamped : c))
    : [...conditions, stamped];
}

export class CustomResourceDefinitionStrategy extends GenericStrategy {
  override prepareForCreate(obj: Obj): void {
    super.prepareForCreate(obj);
    // The zero CustomResourceDefinitionStatus as Go serialises it: acceptedNames' plural and kind always appear.
    obj.status = { acceptedNames: { plural: "", kind: "" }, storedVersions: null };
    recordStorageVersion(obj);
  }

  override prepareForUpdate(obj: Obj, old: Obj): void {
    super.prepareForUpdate(obj, old);
    recordStorageVersion(obj);
  }

  /** The first delete only marks the CRD; the cleanup finalizer then holds it. */
  override holdsDeletion(obj: Obj): boolean {
    return !obj.metadata?.deletionTimestamp;
  }

  override markDeleting(obj: Obj): void {
    const finalizers: string[] = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER))
      obj.metadata.finalizers = [...finalizers, CUSTOM_RESOURCE_CLEANUP_FINALIZER];
    setCRDCondition(
      obj,
      {
        type: "Terminating",
        status: "True",
        reason: "InstanceDeletionPending",
        message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
      },
      new Date(),
    );
  }
}
