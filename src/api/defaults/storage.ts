// storage.k8s.io/v1 StorageClass defaults (SetDefaults_StorageClass).

import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { defaultPointer, type JsonObject } from "./json.ts";

export function defaultStorageClass(storageClass: StorageClass | JsonObject): void {
  const obj = storageClass as JsonObject;
  defaultPointer(obj, "reclaimPolicy", "Delete");
  defaultPointer(obj, "volumeBindingMode", "Immediate");
}
