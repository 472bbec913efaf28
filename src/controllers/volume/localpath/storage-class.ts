// The built-in default StorageClass, as k3s ships Rancher's local-path: a
// directory on the node the first pod was scheduled to, deleted with its claim.
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { IS_DEFAULT_STORAGE_CLASS_ANNOTATION } from "../util/pv-helpers.ts";

export const LOCAL_PATH_STORAGE_CLASS = "local-path";
export const LOCAL_PATH_PROVISIONER = "k8ts.io/local-path";
/** Where volumes live on a node when the controller-manager is not told (local-path-provisioner's default). */
export const DEFAULT_LOCAL_PATH_DIR = "/opt/local-path-provisioner";

export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: LOCAL_PATH_STORAGE_CLASS,
      annotations: { [IS_DEFAULT_STORAGE_CLASS_ANNOTATION]: "true" },
    },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: "Delete",
    // The directory exists on one node only: wait for the pod to pick it.
    volumeBindingMode: "WaitForFirstConsumer",
  };
}
