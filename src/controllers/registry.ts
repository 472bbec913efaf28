// Every controller k8ts knows, in upstream's start order (the garbage
// collector last: it discovers what the others create).

import {
  csrApprovingControllerDescriptor,
  csrCleanerControllerDescriptor,
  csrSigningControllerDescriptor,
} from "./certificates/index.ts";
import type { ControllerDescriptor } from "./context.ts";
import { cronJobControllerDescriptor } from "./cronjob/index.ts";
import { daemonSetControllerDescriptor } from "./daemonset/index.ts";
import { deploymentControllerDescriptor } from "./deployment/index.ts";
import { disruptionControllerDescriptor } from "./disruption/index.ts";
import { endpointsControllerDescriptor } from "./endpoint/index.ts";
import { endpointSliceControllerDescriptor } from "./endpointslice/index.ts";
import { garbageCollectorControllerDescriptor } from "./garbagecollector/index.ts";
import { jobControllerDescriptor } from "./job/index.ts";
import { namespaceControllerDescriptor } from "./namespace/index.ts";
import { nodeIpamControllerDescriptor } from "./nodeipam/index.ts";
import { nodeLifecycleControllerDescriptor } from "./nodelifecycle/index.ts";
import { horizontalPodAutoscalerControllerDescriptor } from "./podautoscaler/index.ts";
import { podGCControllerDescriptor } from "./podgc/index.ts";
import { replicaSetControllerDescriptor, replicationControllerDescriptor } from "./replicaset/index.ts";
import { resourceQuotaControllerDescriptor } from "./resourcequota/index.ts";
import { rootCACertPublisherDescriptor } from "./rootcacertpublisher/index.ts";
import {
  legacyServiceAccountTokenCleanerDescriptor,
  serviceAccountControllerDescriptor,
  serviceAccountTokenControllerDescriptor,
} from "./serviceaccount/index.ts";
import { statefulSetControllerDescriptor } from "./statefulset/index.ts";
import { taintEvictionControllerDescriptor } from "./tainteviction/index.ts";
import { ttlAfterFinishedControllerDescriptor } from "./ttlafterfinished/index.ts";
import { localPathProvisionerDescriptor } from "./volume/localpath/index.ts";
import { persistentVolumeBinderDescriptor } from "./volume/persistentvolume/index.ts";
import { pvcProtectionDescriptor } from "./volume/pvcprotection/index.ts";
import { pvProtectionDescriptor } from "./volume/pvprotection/index.ts";

export const controllerDescriptors: ControllerDescriptor[] = [
  serviceAccountTokenControllerDescriptor(undefined),
  serviceAccountControllerDescriptor,
  rootCACertPublisherDescriptor,
  namespaceControllerDescriptor,
  endpointsControllerDescriptor,
  endpointSliceControllerDescriptor,
  replicationControllerDescriptor,
  replicaSetControllerDescriptor,
  deploymentControllerDescriptor,
  daemonSetControllerDescriptor,
  statefulSetControllerDescriptor,
  jobControllerDescriptor,
  cronJobControllerDescriptor,
  ttlAfterFinishedControllerDescriptor,
  resourceQuotaControllerDescriptor,
  horizontalPodAutoscalerControllerDescriptor,
  nodeIpamControllerDescriptor,
  nodeLifecycleControllerDescriptor,
  taintEvictionControllerDescriptor,
  podGCControllerDescriptor,
  legacyServiceAccountTokenCleanerDescriptor,
  disruptionControllerDescriptor,
  persistentVolumeBinderDescriptor,
  localPathProvisionerDescriptor,
  pvcProtectionDescriptor,
  pvProtectionDescriptor,
  csrSigningControllerDescriptor,
  csrApprovingControllerDescriptor,
  csrCleanerControllerDescriptor,
  garbageCollectorControllerDescriptor,
];
