// apps/v1 defaults (pkg/apps/v1/defaults.go), each followed by the pod template
// chain that zz_generated.defaults.go runs over spec.template.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import { defaultPointer, defaultString, type JsonObject, objectAt, objectsAt, structAt } from "./json.ts";
import { defaultPersistentVolumeClaim } from "./persistent-volume.ts";
import { defaultPodTemplateSpec, defaultZeroTimestamp } from "./pod-spec.ts";

export function defaultDeployment(deployment: Deployment | JsonObject): void {
  const spec = structAt(deployment as JsonObject, "spec");
  if (!spec) return;
  defaultPointer(spec, "replicas", 1);
  const strategy = structAt(spec, "strategy");
  if (strategy) {
    defaultString(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      defaultPointer(strategy, "rollingUpdate", {});
      const rollingUpdate = objectAt(strategy, "rollingUpdate");
      if (rollingUpdate) {
        defaultPointer(rollingUpdate, "maxUnavailable", "25%");
        defaultPointer(rollingUpdate, "maxSurge", "25%");
      }
    }
  }
  defaultPointer(spec, "revisionHistoryLimit", 10);
  defaultPointer(spec, "progressDeadlineSeconds", 600);
  defaultTemplate(spec);
}

export function defaultReplicaSet(replicaSet: ReplicaSet | JsonObject): void {
  const spec = structAt(replicaSet as JsonObject, "spec");
  if (!spec) return;
  defaultPointer(spec, "replicas", 1);
  defaultTemplate(spec);
}

export function defaultDaemonSet(daemonSet: DaemonSet | JsonObject): void {
  const spec = structAt(daemonSet as JsonObject, "spec");
  if (!spec) return;
  const updateStrategy = structAt(spec, "updateStrategy");
  if (updateStrategy) {
    defaultString(updateStrategy, "type", "RollingUpdate");
    if (updateStrategy.type === "RollingUpdate") {
      defaultPointer(updateStrategy, "rollingUpdate", {});
      const rollingUpdate = objectAt(updateStrategy, "rollingUpdate");
      if (rollingUpdate) {
        defaultPointer(rollingUpdate, "maxUnavailable", 1);
        defaultPointer(rollingUpdate, "maxSurge", 0);
      }
    }
  }
  defaultPointer(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec);
}

export function defaultStatefulSet(statefulSet: StatefulSet | JsonObject): void {
  const spec = structAt(statefulSet as JsonObject, "spec");
  if (!spec) return;
  defaultString(spec, "podManagementPolicy", "OrderedReady");
  const updateStrategy = structAt(spec, "updateStrategy");
  if (updateStrategy) {
    // Only a defaulted type brings a rollingUpdate; an explicit RollingUpdate without one stays so.
    if (updateStrategy.type === undefined || updateStrategy.type === null || updateStrategy.type === "") {
      updateStrategy.type = "RollingUpdate";
      defaultPointer(updateStrategy, "rollingUpdate", {});
    }
    const rollingUpdate = objectAt(updateStrategy, "rollingUpdate");
    if (updateStrategy.type === "RollingUpdate" && rollingUpdate)
      defaultPointer(rollingUpdate, "partition", 0);
  }
  // StatefulSetAutoDeletePVC is on by default since v1.27.
  defaultPointer(spec, "persistentVolumeClaimRetentionPolicy", {});
  const retention = objectAt(spec, "persistentVolumeClaimRetentionPolicy");
  if (retention) {
    defaultString(retention, "whenDeleted", "Retain");
    defaultString(retention, "whenScaled", "Retain");
  }
  defaultPointer(spec, "replicas", 1);
  defaultPointer(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec);
  // The claim templates are whole PVCs to the defaulter, status.phase included.
  for (const claim of objectsAt(spec, "volumeClaimTemplates")) {
    // The conversion to apps/v1 stamps each claim template with its type, and its
    // embedded metadata shows a null creationTimestamp.
    claim.apiVersion = "v1";
    claim.kind = "PersistentVolumeClaim";
    const metadata = structAt(claim, "metadata");
    if (metadata) defaultZeroTimestamp(metadata);
    defaultPersistentVolumeClaim(claim);
  }
}

function defaultTemplate(spec: JsonObject): void {
  const template = structAt(spec, "template");
  if (template) defaultPodTemplateSpec(template);
}
