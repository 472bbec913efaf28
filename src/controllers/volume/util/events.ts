// Event reasons of the volume controllers (pkg/controller/volume/events) and of external provisioners (sig-storage-lib-external-provisioner).
export const FailedBinding = "FailedBinding";
export const VolumeMismatch = "VolumeMismatch";
export const VolumeFailedRecycle = "VolumeFailedRecycle";
export const VolumeFailedDelete = "VolumeFailedDelete";
export const ExternalProvisioning = "ExternalProvisioning";
export const ProvisioningFailed = "ProvisioningFailed";
export const ProvisioningSucceeded = "ProvisioningSucceeded";
export const WaitForFirstConsumer = "WaitForFirstConsumer";
export const WaitForPodScheduled = "WaitForPodScheduled";
export const ClaimLost = "ClaimLost";
export const ClaimMisbound = "ClaimMisbound";
export const VolumeUnknownReclaimPolicy = "VolumeUnknownReclaimPolicy";
export const Provisioning = "Provisioning";
