// helper.GetAccessModesAsString and the storage-class lookups the volume printers share
// (pkg/apis/core/helper/helpers.go).
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";

const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** "RWO,ROX,RWX,RWOP" in that fixed order, each at most once. */
export function accessModesAsString(modes: string[] | null | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has("ReadWriteOnce")) out.push("RWO");
  if (set.has("ReadOnlyMany")) out.push("ROX");
  if (set.has("ReadWriteMany")) out.push("RWX");
  if (set.has("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

/** The beta storage-class annotation wins over the spec field, as in GetPersistentVolume(Claim)Class. */
export function storageClassOf(
  metadata: ObjectMeta | undefined,
  specClass: string | null | undefined,
): string {
  const annotations = metadata?.annotations ?? {};
  if (BETA_STORAGE_CLASS_ANNOTATION in annotations) return annotations[BETA_STORAGE_CLASS_ANNOTATION];
  return specClass ?? "";
}
