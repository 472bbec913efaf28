// Validation of the built-in kinds, as the apiserver runs it on defaulted
// objects: the registry strategy's Validate / ValidateUpdate (one file per
// kind or group here), wrapped the way rest.BeforeCreate and BeforeUpdate
// wrap them:
//
//   create: strategy errors; only when there are none, the generic object
//           meta checks (path-segment names) every kind gets.
//   update: the generic object meta checks and ValidateObjectMetaUpdate
//           first, then the strategy's errors. Duplicates are kept, as
//           upstream keeps them; ToAggregate drops repeated messages.
//
// Objects are v1 JSON. A value of the wrong JSON type is reported as a field
// error (upstream's decoder would have refused the body) and validation stops
// there; nothing here throws.

import { type FieldError, internalError, newPath } from "../../machinery/field-errors.ts";
import {
  validateObjectMeta as validateObjectMetaGeneric,
  validateObjectMetaUpdate,
} from "../../machinery/object-meta.ts";
import { hpaV1ToV2 } from "../autoscaling/conversion.ts";
import type { Obj } from "../registry.ts";
import { findKind } from "../registry.ts";
import {
  validateMutatingWebhookConfiguration,
  validateMutatingWebhookConfigurationUpdate,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicyBindingUpdate,
  validateValidatingAdmissionPolicyStatusUpdate,
  validateValidatingAdmissionPolicyUpdate,
  validateValidatingWebhookConfiguration,
  validateValidatingWebhookConfigurationUpdate,
} from "./admissionregistration.ts";
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionStatusUpdate,
  validateCustomResourceDefinitionUpdate,
} from "./apiextensions.ts";
import {
  validateAPIService,
  validateAPIServiceStatusUpdate,
  validateAPIServiceUpdate,
} from "./apiregistration.ts";
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDaemonSetStatusUpdate,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from "./apps.ts";
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerStatusUpdate,
  validateHorizontalPodAutoscalerUpdate,
} from "./autoscaling.ts";
import {
  validateCronJob,
  validateCronJobUpdate,
  validateJob,
  validateJobStatusUpdate,
  validateJobUpdate,
} from "./batch.ts";
import {
  validateCertificateSigningRequest,
  validateCertificateSigningRequestStatusUpdate,
  validateCertificateSigningRequestUpdate,
} from "./certificates.ts";
import { validatePathSegmentName } from "./common.ts";
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
  validateServiceAccount,
  validateServiceAccountUpdate,
} from "./config.ts";
import { checkJSONTypes } from "./decode-check.ts";
import { validateEndpoints, validateEndpointsUpdate } from "./endpoints.ts";
import { fromEventsV1, validateEventCreate, validateEventUpdate } from "./event.ts";
import {
  validateFlowSchema,
  validateFlowSchemaStatusUpdate,
  validateFlowSchemaUpdate,
  validatePriorityLevelConfiguration,
  validatePriorityLevelConfigurationStatusUpdate,
  validatePriorityLevelConfigurationUpdate,
} from "./flowcontrol.ts";
import { validateNamespace, validateNamespaceStatusUpdate, validateNamespaceUpdate } from "./namespace.ts";
import {
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressCreate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
  validateNetworkPolicy,
  validateNetworkPolicyUpdate,
} from "./networking.ts";
import { validateNode, validateNodeUpdate } from "./node.ts";
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate,
  validatePersistentVolumeUpdate,
} from "./persistent-volume.ts";
import {
  validatePodCreate,
  validatePodStatusUpdate,
  validatePodTemplate,
  validatePodTemplateUpdate,
  validatePodUpdate,
} from "./pod.ts";
import {
  validateLimitRange,
  validateResourceQuota,
  validateResourceQuotaStatusUpdate,
  validateResourceQuotaUpdate,
} from "./quota.ts";
import {
  validateClusterRole,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
  validateClusterRoleUpdate,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
  validateRoleUpdate,
} from "./rbac.ts";
import {
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from "./replication-controller.ts";
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from "./service.ts";
import {
  validateEndpointSliceCreate,
  validateEndpointSliceUpdate,
  validateLease,
  validateLeaseUpdate,
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetStatusUpdate,
  validatePriorityClass,
  validatePriorityClassUpdate,
  validateRuntimeClass,
  validateRuntimeClassUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from "./small-groups.ts";
import {
  csiNodeValidationOptions,
  csiStorageCapacityUpdateOptions,
  validateCSIDriver,
  validateCSIDriverUpdate,
  validateCSINode,
  validateCSINodeUpdate,
  validateCSIStorageCapacity,
  validateCSIStorageCapacityUpdate,
  validateVolumeAttachment,
  validateVolumeAttachmentUpdate,
  validateVolumeAttachmentV1,
} from "./storage.ts";

// The validators take their kind's typed object; the table hands them checked JSON.
// biome-ignore lint/suspicious/noExplicitAny: each entry narrows to its own kubernetes-types object
type Validate = (obj: any) => FieldError[];
// biome-ignore lint/suspicious/noExplicitAny: as above
type ValidateUpdate = (obj: any, old: any) => FieldError[];

interface KindValidation {
  create: Validate;
  update: ValidateUpdate;
  /** The /status strategy's ValidateUpdate; absent kinds get the generic checks only. */
  status?: ValidateUpdate;
}

const metaPath = newPath("metadata");

const kinds = new Map<string, KindValidation>([
  [
    "/Namespace",
    { create: validateNamespace, update: validateNamespaceUpdate, status: validateNamespaceStatusUpdate },
  ],
  [
    "/Pod",
    {
      create: (o) => validatePodCreate(o),
      update: (o, p) => validatePodUpdate(o, p),
      status: (o, p) => validatePodStatusUpdate(o, p),
    },
  ],
  [
    "/Node",
    {
      create: validateNode,
      update: (o, p) => [...validateNode(o), ...validateNodeUpdate(o, p)],
      status: validateNodeUpdate,
    },
  ],
  [
    "/Service",
    { create: validateService, update: validateServiceUpdate, status: validateServiceStatusUpdate },
  ],
  ["/Endpoints", { create: validateEndpoints, update: validateEndpointsUpdate }],
  ["/ConfigMap", { create: validateConfigMap, update: validateConfigMapUpdate }],
  ["/Secret", { create: validateSecret, update: validateSecretUpdate }],
  ["/ServiceAccount", { create: validateServiceAccount, update: validateServiceAccountUpdate }],
  [
    "/Event",
    { create: (o) => validateEventCreate(o, false), update: (o, p) => validateEventUpdate(o, p, false) },
  ],
  [
    "/PersistentVolume",
    {
      create: validatePersistentVolume,
      update: validatePersistentVolumeUpdate,
      status: validatePersistentVolumeStatusUpdate,
    },
  ],
  [
    "/PersistentVolumeClaim",
    {
      create: (o) => validatePersistentVolumeClaim(o),
      update: validatePersistentVolumeClaimUpdate,
      status: validatePersistentVolumeClaimStatusUpdate,
    },
  ],
  [
    "/ReplicationController",
    {
      create: validateReplicationController,
      update: validateReplicationControllerUpdate,
      status: validateReplicationControllerStatusUpdate,
    },
  ],
  [
    "/ResourceQuota",
    {
      create: validateResourceQuota,
      update: validateResourceQuotaUpdate,
      status: validateResourceQuotaStatusUpdate,
    },
  ],
  ["/LimitRange", { create: validateLimitRange, update: (o) => validateLimitRange(o) }],
  ["/PodTemplate", { create: validatePodTemplate, update: validatePodTemplateUpdate }],
  [
    "apps/Deployment",
    { create: validateDeployment, update: validateDeploymentUpdate, status: validateDeploymentStatusUpdate },
  ],
  [
    "apps/ReplicaSet",
    { create: validateReplicaSet, update: validateReplicaSetUpdate, status: validateReplicaSetStatusUpdate },
  ],
  [
    "apps/StatefulSet",
    {
      create: validateStatefulSet,
      update: validateStatefulSetUpdate,
      status: validateStatefulSetStatusUpdate,
    },
  ],
  [
    "apps/DaemonSet",
    { create: validateDaemonSet, update: validateDaemonSetUpdate, status: validateDaemonSetStatusUpdate },
  ],
  [
    "apps/ControllerRevision",
    { create: validateControllerRevision, update: validateControllerRevisionUpdate },
  ],
  [
    "batch/Job",
    { create: (o) => validateJob(o), update: validateJobUpdate, status: validateJobStatusUpdate },
  ],
  ["batch/CronJob", { create: validateCronJob, update: validateCronJobUpdate }],
  ["coordination.k8s.io/Lease", { create: validateLease, update: validateLeaseUpdate }],
  [
    "discovery.k8s.io/EndpointSlice",
    { create: validateEndpointSliceCreate, update: validateEndpointSliceUpdate },
  ],
  [
    "events.k8s.io/Event",
    {
      create: (o) => validateEventCreate(fromEventsV1(o), true),
      update: (o, p) => validateEventUpdate(fromEventsV1(o), fromEventsV1(p), true),
    },
  ],
  ["rbac.authorization.k8s.io/Role", { create: validateRole, update: validateRoleUpdate }],
  [
    "rbac.authorization.k8s.io/ClusterRole",
    { create: validateClusterRole, update: validateClusterRoleUpdate },
  ],
  [
    "rbac.authorization.k8s.io/RoleBinding",
    { create: validateRoleBinding, update: validateRoleBindingUpdate },
  ],
  [
    "rbac.authorization.k8s.io/ClusterRoleBinding",
    { create: validateClusterRoleBinding, update: validateClusterRoleBindingUpdate },
  ],
  ["storage.k8s.io/StorageClass", { create: validateStorageClass, update: validateStorageClassUpdate }],
  ["storage.k8s.io/CSIDriver", { create: validateCSIDriver, update: validateCSIDriverUpdate }],
  [
    "storage.k8s.io/CSINode",
    {
      create: (o) => validateCSINode(o, csiNodeValidationOptions),
      update: (o, p) => [
        ...validateCSINode(o, csiNodeValidationOptions),
        ...validateCSINodeUpdate(o, p, csiNodeValidationOptions),
      ],
    },
  ],
  [
    "storage.k8s.io/VolumeAttachment",
    {
      create: (o) => [...validateVolumeAttachment(o), ...validateVolumeAttachmentV1(o)],
      update: (o, p) => [...validateVolumeAttachment(o), ...validateVolumeAttachmentUpdate(o, p)],
      // The status strategy keeps the main strategy's ValidateUpdate.
      status: (o, p) => [...validateVolumeAttachment(o), ...validateVolumeAttachmentUpdate(o, p)],
    },
  ],
  [
    "storage.k8s.io/CSIStorageCapacity",
    {
      create: (o) => validateCSIStorageCapacity(o, { allowInvalidLabelValueInSelector: false }),
      update: (o, p) => [
        ...validateCSIStorageCapacity(o, csiStorageCapacityUpdateOptions(p)),
        ...validateCSIStorageCapacityUpdate(o, p),
      ],
    },
  ],
  [
    "policy/PodDisruptionBudget",
    {
      create: validatePodDisruptionBudget,
      update: (o) => validatePodDisruptionBudget(o),
      status: validatePodDisruptionBudgetStatusUpdate,
    },
  ],
  ["scheduling.k8s.io/PriorityClass", { create: validatePriorityClass, update: validatePriorityClassUpdate }],
  [
    "certificates.k8s.io/CertificateSigningRequest",
    {
      create: validateCertificateSigningRequest,
      update: validateCertificateSigningRequestUpdate,
      status: validateCertificateSigningRequestStatusUpdate,
    },
  ],
  [
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
    { create: validateMutatingWebhookConfiguration, update: validateMutatingWebhookConfigurationUpdate },
  ],
  [
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    { create: validateValidatingWebhookConfiguration, update: validateValidatingWebhookConfigurationUpdate },
  ],
  [
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
    {
      create: validateValidatingAdmissionPolicy,
      update: validateValidatingAdmissionPolicyUpdate,
      status: validateValidatingAdmissionPolicyStatusUpdate,
    },
  ],
  [
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
    {
      create: validateValidatingAdmissionPolicyBinding,
      update: validateValidatingAdmissionPolicyBindingUpdate,
    },
  ],
  [
    "flowcontrol.apiserver.k8s.io/FlowSchema",
    {
      create: validateFlowSchema,
      update: validateFlowSchemaUpdate,
      status: validateFlowSchemaStatusUpdate,
    },
  ],
  [
    "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
    {
      create: validatePriorityLevelConfiguration,
      update: validatePriorityLevelConfigurationUpdate,
      status: validatePriorityLevelConfigurationStatusUpdate,
    },
  ],
  [
    "apiregistration.k8s.io/APIService",
    { create: validateAPIService, update: validateAPIServiceUpdate, status: validateAPIServiceStatusUpdate },
  ],
  [
    "networking.k8s.io/Ingress",
    { create: validateIngressCreate, update: validateIngressUpdate, status: validateIngressStatusUpdate },
  ],
  ["networking.k8s.io/IngressClass", { create: validateIngressClass, update: validateIngressClassUpdate }],
  [
    "apiextensions.k8s.io/CustomResourceDefinition",
    {
      create: validateCustomResourceDefinition,
      update: validateCustomResourceDefinitionUpdate,
      status: validateCustomResourceDefinitionStatusUpdate,
    },
  ],
  ["networking.k8s.io/NetworkPolicy", { create: validateNetworkPolicy, update: validateNetworkPolicyUpdate }],
  ["node.k8s.io/RuntimeClass", { create: validateRuntimeClass, update: validateRuntimeClassUpdate }],
  [
    // Upstream validates the internal object, which has autoscaling/v2's shape.
    "autoscaling/HorizontalPodAutoscaler",
    {
      create: (o) => validateHorizontalPodAutoscaler(asV2(o)),
      update: (o, p) => validateHorizontalPodAutoscalerUpdate(asV2(o), asV2(p)),
      status: (o, p) => validateHorizontalPodAutoscalerStatusUpdate(asV2(o), asV2(p)),
    },
  ],
]);

function asV2(hpa: Obj): Obj {
  return hpa.apiVersion === "autoscaling/v1" ? hpaV1ToV2(hpa) : hpa;
}

function key(group: string, kind: string): string {
  return `${group === "core" ? "" : group}/${kind}`;
}

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Cluster-scoped built-in kinds, for kinds the registry may not list yet.
const clusterScoped = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "certificates.k8s.io/CertificateSigningRequest",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "networking.k8s.io/IngressClass",
  "node.k8s.io/RuntimeClass",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
]);

function namespaced(group: string, kind: string): boolean {
  const known = findKind(group === "core" ? "" : group, kind)?.namespaced;
  return known ?? !clusterScoped.has(key(group, kind));
}

/** The checks every kind gets on create (genericvalidation.ValidateObjectMetaAccessor). */
function genericCreate(group: string, kind: string, obj: Obj): FieldError[] {
  return validateObjectMetaGeneric(obj.metadata, namespaced(group, kind), validatePathSegmentName, metaPath);
}

/** validateCommonFields: what every update gets before the strategy runs. */
function genericUpdate(group: string, kind: string, obj: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaGeneric(obj.metadata, namespaced(group, kind), validatePathSegmentName, metaPath),
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, metaPath),
  ];
}

function guarded(run: () => FieldError[]): FieldError[] {
  try {
    return run();
  } catch (e) {
    // A validator tripping over an unexpected shape must not take the request down.
    return [internalError(null, e instanceof Error ? e : String(e))];
  }
}

function typeErrors(group: string, kind: string, ...objs: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  for (const o of objs) errs.push(...guarded(() => checkJSONTypes(group === "core" ? "" : group, kind, o)));
  return errs;
}

/** Create-time validation of a defaulted v1 object of group/kind ("" or "core" for the core group). */
export function validateCreate(group: string, kind: string, obj: Record<string, unknown>): FieldError[] {
  const typeErrs = typeErrors(group, kind, obj);
  if (typeErrs.length > 0 || !isObject(obj)) return typeErrs;
  const entry = kinds.get(key(group, kind));
  return guarded(() => {
    const errs = entry ? entry.create(obj) : [];
    return errs.length > 0 ? errs : genericCreate(group, kind, obj);
  });
}

/** Update validation of obj (defaulted, v1) against the stored old object. */
export function validateUpdate(
  group: string,
  kind: string,
  obj: Record<string, unknown>,
  old: Record<string, unknown>,
): FieldError[] {
  const typeErrs = typeErrors(group, kind, obj);
  if (typeErrs.length > 0 || !isObject(obj)) return typeErrs;
  if (!isObject(old) || typeErrors(group, kind, old).length > 0)
    return guarded(() => genericCreate(group, kind, obj));
  const entry = kinds.get(key(group, kind));
  return guarded(() => [...genericUpdate(group, kind, obj, old), ...(entry ? entry.update(obj, old) : [])]);
}

/** Validation of an update through the /status subresource. */
export function validateStatusUpdate(
  group: string,
  kind: string,
  obj: Record<string, unknown>,
  old: Record<string, unknown>,
): FieldError[] {
  const typeErrs = typeErrors(group, kind, obj);
  if (typeErrs.length > 0 || !isObject(obj)) return typeErrs;
  if (!isObject(old) || typeErrors(group, kind, old).length > 0)
    return guarded(() => genericCreate(group, kind, obj));
  const entry = kinds.get(key(group, kind));
  return guarded(() => [
    ...genericUpdate(group, kind, obj, old),
    ...(entry?.status ? entry.status(obj, old) : []),
  ]);
}

/** Whether group/kind has kind-specific validation here. */
export function hasValidation(group: string, kind: string): boolean {
  return kinds.has(key(group, kind));
}

export { validateCertificateSigningRequestApprovalUpdate } from "./certificates.ts";
export { validateNamespaceFinalizeUpdate } from "./namespace.ts";
export { podUpdateForbiddenMessage } from "./pod.ts";
