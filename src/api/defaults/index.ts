// Public surface of the defaulting package: applyDefaults for every built-in
// kind, prepareForCreate for the registry strategies' create-time mutations, and
// the pod template building blocks that controllers and the kubelet share.

export { applyDefaults, hasDefaults } from "./apply-defaults.ts";
export { defaultPullPolicy, type ImageReference, parseImageName } from "./image.ts";
export type { JsonObject } from "./json.ts";
export { defaultPod } from "./pod.ts";
export {
  defaultContainer,
  defaultPodSpec,
  defaultPodTemplateSpec,
  defaultProbe,
  defaultVolume,
} from "./pod-spec.ts";
export { type PrepareOptions, prepareForCreate, tracksGeneration } from "./prepare-for-create.ts";
export { getPodQOS } from "./qos.ts";
