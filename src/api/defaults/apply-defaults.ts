// Defaulting for the built-in kinds, as the apiserver applies it to every object
// it decodes (request bodies and, upstream, objects read back from storage):
// the versioned SetDefaults_* functions chained over nested fields the way each
// group's zz_generated.defaults.go chains them. Defaulting is idempotent and
// never throws: malformed fields are skipped and left to validation.
//
// Kinds with no defaulters upstream (ConfigMap, ServiceAccount, Event, ResourceQuota,
// ControllerRevision, Lease, events.k8s.io Event, Role, ClusterRole, PodDisruptionBudget,
// Ingress, CertificateSigningRequest) are no-ops here.

import {
  defaultMutatingWebhookConfiguration,
  defaultValidatingAdmissionPolicy,
  defaultValidatingAdmissionPolicyBinding,
  defaultValidatingWebhookConfiguration,
} from "./admissionregistration.ts";
import { defaultCustomResourceDefinition } from "./apiextensions.ts";
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from "./apps.ts";
import { defaultHorizontalPodAutoscaler } from "./autoscaling.ts";
import { defaultCronJob, defaultJob } from "./batch.ts";
import { defaultEndpointSlice } from "./discovery.ts";
import { defaultEndpoints } from "./endpoints.ts";
import { defaultFlowSchema, defaultPriorityLevelConfiguration } from "./flowcontrol.ts";
import { type JsonObject, structAt } from "./json.ts";
import { defaultLimitRange } from "./limit-range.ts";
import { defaultNamespace } from "./namespace.ts";
import { defaultIngressClass, defaultNetworkPolicy } from "./networking.ts";
import { defaultNode } from "./node.ts";
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from "./persistent-volume.ts";
import { defaultPod } from "./pod.ts";
import { defaultPodTemplateSpec } from "./pod-spec.ts";
import { defaultRoleBinding } from "./rbac.ts";
import { defaultReplicationController } from "./replication-controller.ts";
import { defaultPriorityClass } from "./scheduling.ts";
import { defaultSecret } from "./secret.ts";
import { defaultService } from "./service.ts";
import { defaultCSIDriver, defaultStorageClass, defaultVolumeAttachment } from "./storage.ts";

type Defaulter = (obj: JsonObject) => void;

function defaultPodTemplate(obj: JsonObject): void {
  const template = structAt(obj, "template");
  if (template) defaultPodTemplateSpec(template);
}

const defaulters = new Map<string, Defaulter>([
  ["/Namespace", defaultNamespace],
  ["/Pod", defaultPod],
  ["/Node", defaultNode],
  ["/Service", defaultService],
  ["/Endpoints", defaultEndpoints],
  ["/Secret", defaultSecret],
  ["/PersistentVolume", defaultPersistentVolume],
  ["/PersistentVolumeClaim", defaultPersistentVolumeClaim],
  ["/ReplicationController", defaultReplicationController],
  ["/LimitRange", defaultLimitRange],
  ["/PodTemplate", defaultPodTemplate],
  ["apps/Deployment", defaultDeployment],
  ["apps/ReplicaSet", defaultReplicaSet],
  ["apps/StatefulSet", defaultStatefulSet],
  ["apps/DaemonSet", defaultDaemonSet],
  ["batch/Job", defaultJob],
  ["batch/CronJob", defaultCronJob],
  ["autoscaling/HorizontalPodAutoscaler", defaultHorizontalPodAutoscaler],
  ["discovery.k8s.io/EndpointSlice", defaultEndpointSlice],
  ["rbac.authorization.k8s.io/RoleBinding", defaultRoleBinding],
  ["rbac.authorization.k8s.io/ClusterRoleBinding", defaultRoleBinding],
  ["storage.k8s.io/StorageClass", defaultStorageClass],
  ["storage.k8s.io/CSIDriver", defaultCSIDriver],
  ["storage.k8s.io/VolumeAttachment", defaultVolumeAttachment],
  ["scheduling.k8s.io/PriorityClass", defaultPriorityClass],
  ["networking.k8s.io/NetworkPolicy", defaultNetworkPolicy],
  ["networking.k8s.io/IngressClass", defaultIngressClass],
  ["admissionregistration.k8s.io/MutatingWebhookConfiguration", defaultMutatingWebhookConfiguration],
  ["admissionregistration.k8s.io/ValidatingWebhookConfiguration", defaultValidatingWebhookConfiguration],
  ["admissionregistration.k8s.io/ValidatingAdmissionPolicy", defaultValidatingAdmissionPolicy],
  ["admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding", defaultValidatingAdmissionPolicyBinding],
  ["flowcontrol.apiserver.k8s.io/FlowSchema", defaultFlowSchema],
  ["flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration", defaultPriorityLevelConfiguration],
  ["apiextensions.k8s.io/CustomResourceDefinition", defaultCustomResourceDefinition],
]);

/**
 * Applies upstream's defaults for group/kind to obj, in place. The core group is
 * "" (or "core"). A no-op for kinds without defaults and for non-objects.
 */
export function applyDefaults(group: string, kind: string, obj: Record<string, unknown>): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
  const defaulter = defaulters.get(`${group === "core" ? "" : group}/${kind}`);
  defaulter?.(obj);
}

/** Whether group/kind has any defaults at all. */
export function hasDefaults(group: string, kind: string): boolean {
  return defaulters.has(`${group === "core" ? "" : group}/${kind}`);
}
