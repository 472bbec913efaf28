// The storage annotations of component-helpers/storage/volume (pv_helpers.go,
// v1.32) and core/v1: how the PV controller, the scheduler and provisioners
// tell each other about binding and provisioning.

/** On a PVC: the PV controller finished binding it once; changes how later observations are read. */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
/** On a PV or PVC: the binding was made by a controller rather than pre-bound by the user. */
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
/** On a PVC: the node the scheduler chose for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
/** On a PV: the provisioner that created it. */
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";
/** On a PVC and PV: a CSI driver took over from an in-tree plugin (k8ts has none to migrate). */
export const ANN_MIGRATED_TO = "pv.kubernetes.io/migrated-to";
/** On a PVC: the provisioner asked to create its volume. */
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
/** A StorageClass provisioner meaning "no dynamic provisioning" (local volumes). */
export const NOT_SUPPORTED_PROVISIONER = "kubernetes.io/no-provisioner";
/** The pre-storageClassName way to name a class (v1.BetaStorageClassAnnotation), still honoured first. */
export const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";
export const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
