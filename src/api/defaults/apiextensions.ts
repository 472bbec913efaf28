// apiextensions.k8s.io/v1 CustomResourceDefinition defaults
// (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/defaults.go
// and zz_generated.defaults.go): the conversion webhook's service port, then
// SetDefaults_CustomResourceDefinitionSpec (names.singular, names.listKind,
// conversion) and SetDefaults_CustomResourceDefinition, which fills
// status.storedVersions with the storage version when it is empty. v1 has no
// defaults inside JSONSchemaProps; preserveUnknownFields is a plain bool there.

import type { CustomResourceDefinition } from "kubernetes-types/apiextensions/v1.d.ts";
import { defaultPointer, isObject, type JsonObject, objectAt, objectsAt, structAt } from "./json.ts";

function str(obj: JsonObject, key: string): string {
  const v = obj[key];
  return typeof v === "string" ? v : "";
}

function defaultSpec(spec: JsonObject): void {
  const names = structAt(spec, "names");
  if (names) {
    const kind = str(names, "kind");
    // Singular = ToLower(Kind); an empty result is what omitempty leaves out anyway.
    if (str(names, "singular").length === 0 && kind.length > 0) names.singular = kind.toLowerCase();
    if (str(names, "listKind").length === 0 && kind.length > 0) names.listKind = `${kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: "None" };
}

export function defaultCustomResourceDefinition(crd: CustomResourceDefinition | JsonObject): void {
  const obj = crd as JsonObject;
  const spec = structAt(obj, "spec");
  if (!spec) return;
  // SetObjectDefaults_CustomResourceDefinition: nested defaulters first.
  const conversion = objectAt(spec, "conversion");
  const webhook = conversion ? objectAt(conversion, "webhook") : undefined;
  const clientConfig = webhook ? objectAt(webhook, "clientConfig") : undefined;
  const service = clientConfig ? objectAt(clientConfig, "service") : undefined;
  if (service) defaultPointer(service, "port", 443);

  // SetDefaults_CustomResourceDefinitionSpec (called twice upstream, to the same effect), then
  // SetDefaults_CustomResourceDefinition's stored versions.
  defaultSpec(spec);
  const status = obj.status;
  if (status !== undefined && status !== null && !isObject(status)) return;
  const stored = isObject(status) ? status.storedVersions : undefined;
  if (Array.isArray(stored) && stored.length > 0) return;
  for (const v of objectsAt(spec, "versions")) {
    if (v.storage === true) {
      const s: JsonObject = isObject(status) ? status : {};
      obj.status = s;
      s.storedVersions = [typeof v.name === "string" ? v.name : ""];
      break;
    }
  }
}
