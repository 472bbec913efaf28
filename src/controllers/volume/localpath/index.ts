// The built-in local-path provisioner and its default StorageClass.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { Resources } from "../../../client/resources.ts";
import type { ControllerDescriptor } from "../../context.ts";
import { STORAGE_CLASSES } from "../util/resources.ts";
import { LocalPathProvisioner } from "./provisioner.ts";
import { LOCAL_PATH_PROVISIONER } from "./storage-class.ts";

export {
  ANN_HELPER_FOR_VOLUME,
  HELPER_POD_IMAGE,
  HELPER_POD_NAMESPACE,
  HELPER_POD_TIMEOUT_SECONDS,
  helperPodName,
  newDeleteHelperPod,
} from "./helper-pod.ts";
export { FAILED_THRESHOLD, LocalPathProvisioner, type LocalPathProvisionerOptions } from "./provisioner.ts";
export {
  DEFAULT_LOCAL_PATH_DIR,
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_STORAGE_CLASS,
  localPathStorageClass,
} from "./storage-class.ts";
export {
  getPathAndNodeForPV,
  KEY_NODE,
  newLocalPathVolume,
  provisionedVolumeName,
  volumePath,
} from "./volume.ts";

export const localPathProvisionerDescriptor: ControllerDescriptor = {
  name: "local-path-provisioner",
  aliases: [],
  serviceAccount: "local-path-provisioner",
  // sig-storage-lib names its event source after the provisioner.
  eventSource: LOCAL_PATH_PROVISIONER,
  init(ctx) {
    const p = new LocalPathProvisioner({
      client: ctx.client,
      recorder: ctx.recorder,
      clock: ctx.clock,
      claimInformer: ctx.informers.forResource<PersistentVolumeClaim>(Resources.persistentvolumeclaims),
      volumeInformer: ctx.informers.forResource<PersistentVolume>(Resources.persistentvolumes),
      classInformer: ctx.informers.forResource<StorageClass>(STORAGE_CLASSES),
      nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
      podInformer: ctx.informers.forResource<Pod>(Resources.pods),
      baseDir: ctx.config.localPathDir,
      log: ctx.log,
    });
    return { controllers: [p.claimController, p.volumeController], run: () => p.run(ctx.signal) };
  },
};
