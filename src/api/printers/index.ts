// Server-side printing: turns stored v1 objects into the meta.k8s.io/v1 Table kubectl asks for, as
// pkg/printers/tablegenerator.go, pkg/printers/storage (which always prints Wide) and asTable in
// apiserver/pkg/endpoints/handlers/response.go do together.
import type { ListMeta, ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { apiServicePrinter } from "./apiservice.ts";
import { certificateSigningRequestPrinter } from "./certificatesigningrequest.ts";
import { componentStatusPrinter } from "./componentstatus.ts";
import { configMapPrinter } from "./configmap.ts";
import { controllerRevisionPrinter } from "./controllerrevision.ts";
import { cronJobPrinter } from "./cronjob.ts";
import { csiDriverPrinter } from "./csidriver.ts";
import { csiNodePrinter } from "./csinode.ts";
import { csiStorageCapacityPrinter } from "./csistoragecapacity.ts";
import { daemonSetPrinter } from "./daemonset.ts";
import { defaultPrinter } from "./default.ts";
import { deploymentPrinter } from "./deployment.ts";
import { endpointsPrinter } from "./endpoints.ts";
import { endpointSlicePrinter } from "./endpointslice.ts";
import { eventPrinter } from "./event.ts";
import { flowSchemaPrinter } from "./flowschema.ts";
import { horizontalPodAutoscalerPrinter } from "./horizontalpodautoscaler.ts";
import { ingressPrinter } from "./ingress.ts";
import { ingressClassPrinter } from "./ingressclass.ts";
import { jobPrinter } from "./job.ts";
import { leasePrinter } from "./lease.ts";
import { namespacePrinter } from "./namespace.ts";
import { networkPolicyPrinter } from "./networkpolicy.ts";
import { nodePrinter } from "./node.ts";
import { persistentVolumePrinter } from "./persistentvolume.ts";
import { persistentVolumeClaimPrinter } from "./persistentvolumeclaim.ts";
import { podPrinter } from "./pod.ts";
import { podDisruptionBudgetPrinter } from "./poddisruptionbudget.ts";
import { podTemplatePrinter } from "./podtemplate.ts";
import { priorityClassPrinter } from "./priorityclass.ts";
import { priorityLevelConfigurationPrinter } from "./prioritylevelconfiguration.ts";
import { replicaSetPrinter } from "./replicaset.ts";
import { replicationControllerPrinter } from "./replicationcontroller.ts";
import { resourceQuotaPrinter } from "./resourcequota.ts";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rolebinding.ts";
import { runtimeClassPrinter } from "./runtimeclass.ts";
import { secretPrinter } from "./secret.ts";
import { servicePrinter } from "./service.ts";
import { serviceAccountPrinter } from "./serviceaccount.ts";
import { statefulSetPrinter } from "./statefulset.ts";
import { storageClassPrinter } from "./storageclass.ts";
import type { PartialObjectMetadata, Table, TablePrinter, TableRow } from "./table.ts";
import {
  validatingAdmissionPolicyBindingPrinter,
  validatingAdmissionPolicyPrinter,
} from "./validatingadmissionpolicy.ts";
import { volumeAttachmentPrinter } from "./volumeattachment.ts";
import {
  mutatingWebhookConfigurationPrinter,
  validatingWebhookConfigurationPrinter,
} from "./webhookconfiguration.ts";

export type {
  Cell,
  PartialObjectMetadata,
  Table,
  TableColumnDefinition,
  TableRow,
  TableRowCondition,
} from "./table.ts";

/** Printers by kind. Event serves both core/v1 and events.k8s.io/v1 objects, as upstream's storage does. */
const printers: Record<string, TablePrinter<never>> = {
  Pod: podPrinter,
  PodTemplate: podTemplatePrinter,
  Node: nodePrinter,
  Namespace: namespacePrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  ServiceAccount: serviceAccountPrinter,
  Event: eventPrinter,
  PersistentVolume: persistentVolumePrinter,
  PersistentVolumeClaim: persistentVolumeClaimPrinter,
  ReplicationController: replicationControllerPrinter,
  ResourceQuota: resourceQuotaPrinter,
  ComponentStatus: componentStatusPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  DaemonSet: daemonSetPrinter,
  ControllerRevision: controllerRevisionPrinter,
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  HorizontalPodAutoscaler: horizontalPodAutoscalerPrinter,
  Lease: leasePrinter,
  EndpointSlice: endpointSlicePrinter,
  RoleBinding: roleBindingPrinter,
  ClusterRoleBinding: clusterRoleBindingPrinter,
  StorageClass: storageClassPrinter,
  CSIDriver: csiDriverPrinter,
  CSINode: csiNodePrinter,
  VolumeAttachment: volumeAttachmentPrinter,
  CSIStorageCapacity: csiStorageCapacityPrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
  PriorityClass: priorityClassPrinter,
  CertificateSigningRequest: certificateSigningRequestPrinter,
  MutatingWebhookConfiguration: mutatingWebhookConfigurationPrinter,
  ValidatingWebhookConfiguration: validatingWebhookConfigurationPrinter,
  ValidatingAdmissionPolicy: validatingAdmissionPolicyPrinter,
  ValidatingAdmissionPolicyBinding: validatingAdmissionPolicyBindingPrinter,
  Ingress: ingressPrinter,
  IngressClass: ingressClassPrinter,
  NetworkPolicy: networkPolicyPrinter,
  RuntimeClass: runtimeClassPrinter,
  APIService: apiServicePrinter as TablePrinter<never>,
  FlowSchema: flowSchemaPrinter,
  PriorityLevelConfiguration: priorityLevelConfigurationPrinter,
};

export type IncludeObjectPolicy = "None" | "Object" | "Metadata";

export interface PrintTableOptions {
  /** The clock for ages and durations; defaults to the current time. */
  now?: Date;
  /** What each row's object holds; kubectl leaves it unset, which means Metadata. */
  includeObject?: IncludeObjectPolicy;
  /** Omit columnDefinitions (null), as a watch does after its first event. */
  noHeaders?: boolean;
  /** The Table's list metadata (resourceVersion, continue, remainingItemCount). */
  metadata?: ListMeta;
  /** The printer to use instead of the kind's: a custom resource's columns. */
  printer?: TablePrinter<never>;
}

/** Whether the kind has its own printer (others get the NAME / CREATED AT default table). */
export function hasPrinter(kind: string): boolean {
  return Object.hasOwn(printers, kind);
}

function rowObject(obj: object, policy: IncludeObjectPolicy): PartialObjectMetadata | object | null {
  switch (policy) {
    case "Object":
      return obj;
    case "None":
      return null;
    case "Metadata": {
      const metadata = (obj as { metadata?: ObjectMeta }).metadata ?? {};
      return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { ...metadata } };
    }
  }
}

/** Prints objects of one kind as a meta.k8s.io/v1 Table, with every (wide) column as the apiserver does. */
export function printTable(kind: string, objects: object[], opts: PrintTableOptions = {}): Table {
  const ctx = { now: opts.now ?? new Date() };
  const policy = opts.includeObject ?? "Metadata";
  const own = opts.printer ?? (hasPrinter(kind) ? printers[kind] : undefined);
  const printer = own ?? (defaultPrinter as TablePrinter<never>);
  const compare = printer.compare?.bind(printer);
  const ordered = compare ? [...objects].sort((a, b) => compare(a as never, b as never)) : objects;
  const rows: TableRow[] = ordered.map((obj) => {
    const printed = printer.print(obj as never, ctx);
    const object = rowObject(obj, policy);
    // Key order follows the Go struct: cells, conditions (omitted when empty), object.
    return printed.conditions
      ? { cells: printed.cells, conditions: printed.conditions, object }
      : { cells: printed.cells, object };
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.metadata ?? {},
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    // The default convertor appends to a nil slice, so an empty result serialises as null there.
    rows: rows.length === 0 && !own ? null : rows,
  };
}
