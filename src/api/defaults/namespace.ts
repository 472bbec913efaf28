// Namespace defaults (SetDefaults_Namespace, SetDefaults_NamespaceStatus).

import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { defaultString, isObject, type JsonObject, structAt } from "./json.ts";

// v1.LabelMetadataName: every named namespace carries its own name as a label.
export const labelMetadataName = "kubernetes.io/metadata.name";

export function defaultNamespace(namespace: Namespace | JsonObject): void {
  const obj = namespace as JsonObject;
  const metadata = structAt(obj, "metadata");
  const name = metadata?.name;
  // A generateName-only namespace gets the label once named (the strategy's Canonicalize).
  if (metadata && typeof name === "string" && name !== "") {
    if (metadata.labels === undefined || metadata.labels === null) metadata.labels = {};
    if (isObject(metadata.labels)) metadata.labels[labelMetadataName] = name;
  }
  const status = structAt(obj, "status");
  if (status) defaultString(status, "phase", "Active");
}
