// src/client: the only way a component reaches the cluster.
export {
  ApiError,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  isResourceExpired,
} from "./api-error.ts";
export { type Clock, realClock, sleep } from "./clock.ts";
export {
  EventRecorder,
  type EventType,
  FakeRecorder,
  objectReference,
  type Recorder,
} from "./event-recorder.ts";
export { Indexer, type Indexers, type IndexerView, metaNamespaceKey, NAMESPACE_INDEX } from "./indexer.ts";
export { SharedInformerFactory } from "./informer-factory.ts";
export { type ClientConfig, inClusterConfig, loadClientConfig, loadKubeconfigFile } from "./kubeconfig.ts";
export { type LeaderCallbacks, type LeaderElectionConfig, LeaderElector } from "./leader-election.ts";
export { type ListerWatcher, listerWatcher, Reflector, type ReflectorState } from "./reflector.ts";
export { Resources } from "./resources.ts";
export * from "./rest-client.ts";
export { type ResourceEventHandler, SharedInformer, trimManagedFields } from "./shared-informer.ts";
export * from "./workqueue/index.ts";
