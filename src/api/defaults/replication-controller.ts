// ReplicationController defaults (SetDefaults_ReplicationController): unlike
// apps/v1 kinds, an RC takes its selector and labels from its template.

import type { ReplicationController } from "kubernetes-types/core/v1.d.ts";
import { clone, defaultPointer, isObject, type JsonObject, mapLen, objectAt, structAt } from "./json.ts";
import { defaultPodTemplateSpec } from "./pod-spec.ts";

export function defaultReplicationController(rc: ReplicationController | JsonObject): void {
  const obj = rc as JsonObject;
  const spec = structAt(obj, "spec");
  if (!spec) return;
  const template = objectAt(spec, "template");
  const labels = template ? objectAt(template, "metadata")?.labels : undefined;
  // An empty map is omitted from JSON, so copying one would show nothing.
  if (isObject(labels) && mapLen(labels) > 0) {
    if (mapLen(spec.selector) === 0) spec.selector = clone(labels);
    const metadata = structAt(obj, "metadata");
    if (metadata && mapLen(metadata.labels) === 0) metadata.labels = clone(labels);
  }
  defaultPointer(spec, "replicas", 1);
  // The template is a pointer in an RC: only a present one is defaulted.
  if (template) defaultPodTemplateSpec(template);
}
