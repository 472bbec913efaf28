// The PersistentVolumeClaim evaluator
// (pkg/quota/v1/evaluator/core/persistent_volume_claims.go): claims and their
// requested storage, in total and per storage class
// (<class>.storageclass.storage.k8s.io/<resource>); an expansion in progress
// is charged at the larger, allocated size.
import { Format, Quantity } from "../../machinery/quantity.ts";
import type { Obj } from "../registry.ts";
import type { GroupResource, QuotaAttributes, QuotaEvaluator } from "./evaluator.ts";
import { type ResourceList, resourceList } from "./resources.ts";

export const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";
const PVC_OBJECT_COUNT_NAME = "count/persistentvolumeclaims";
const PVC_RESOURCES = ["persistentvolumeclaims", "requests.storage"];
const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

function one(): Quantity {
  return Quantity.fromInt(1, Format.DecimalSI);
}

/** V1ResourceByStorageClass: `gold.storageclass.storage.k8s.io/requests.storage`. */
export function resourceByStorageClass(storageClass: string, resource: string): string {
  return `${storageClass}${STORAGE_CLASS_SUFFIX}${resource}`;
}

/** GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName. */
export function claimClass(pvc: Obj): string {
  const ann = pvc.metadata?.annotations;
  if (ann && Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return pvc.spec?.storageClassName ?? "";
}

/** Storage is counted in whole bytes (issue 94313). */
function roundUpToUnit(q: Quantity): Quantity {
  const whole = Quantity.fromInt(q.value(), q.format);
  return whole.cmp(q) === 0 ? q : whole;
}

/** getStorageUsage: the request, or the allocated size when that is larger. */
function storageUsage(pvc: Obj): Quantity | undefined {
  const requested = resourceList(pvc.spec?.resources?.requests).get("storage");
  let result = requested ? roundUpToUnit(requested) : undefined;
  const allocated = resourceList(pvc.status?.allocatedResources).get("storage");
  if (result && allocated && allocated.cmp(result) > 0) result = roundUpToUnit(allocated);
  return result;
}

/** RequiresQuotaReplenish: the allocated size changed (the VolumeAttributesClass gate is off in 1.32). */
export function requiresQuotaReplenish(pvc: Obj, oldPVC: Obj): boolean {
  const cur = resourceList(pvc.status?.allocatedResources).get("storage");
  const old = resourceList(oldPVC.status?.allocatedResources).get("storage");
  if (!cur || !old) return cur !== old;
  return cur.cmp(old) !== 0;
}

export function persistentVolumeClaimUsage(pvc: Obj): ResourceList {
  const out: ResourceList = new Map([
    ["persistentvolumeclaims", one()],
    [PVC_OBJECT_COUNT_NAME, one()],
  ]);
  const cls = claimClass(pvc);
  if (cls) out.set(resourceByStorageClass(cls, "persistentvolumeclaims"), one());
  const storage = storageUsage(pvc);
  if (storage) {
    out.set("requests.storage", storage);
    if (cls) out.set(resourceByStorageClass(cls, "requests.storage"), storage);
  }
  return out;
}

export class PersistentVolumeClaimEvaluator implements QuotaEvaluator {
  readonly groupResource: GroupResource = { group: "", resource: "persistentvolumeclaims" };

  handles(a: QuotaAttributes): boolean {
    return a.subresource === "" && (a.operation === "CREATE" || a.operation === "UPDATE");
  }

  matchingResources(names: string[]): string[] {
    return names.filter(
      (n) =>
        n === PVC_OBJECT_COUNT_NAME ||
        PVC_RESOURCES.includes(n) ||
        PVC_RESOURCES.some((r) => n.endsWith(`${STORAGE_CLASS_SUFFIX}${r}`)),
    );
  }

  /** The VolumeAttributesClass scope needs a feature gate that is off in 1.32. */
  matchesScope(): boolean {
    return false;
  }

  constraints(): string | undefined {
    return undefined;
  }

  usage(pvc: Obj): ResourceList {
    return persistentVolumeClaimUsage(pvc);
  }
}
