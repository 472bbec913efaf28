// What a CustomResourceDefinition serves: one resource type per served
// version, named by the names the naming controller accepted, as upstream's
// crdHandler and discovery controller build them from the CRD.

import { swaggerDoc } from "../../api/printers/descriptions.ts";
import {
  AUTOSCALING_SCALE,
  type Obj,
  type ResourceType,
  STATUS_VERBS,
  type SubresourceType,
} from "../../api/registry.ts";
import { valueAtPath } from "../registry/custom-resources.ts";

/** The verbs upstream's discovery controller lists for every custom resource, in its order. */
export const CUSTOM_RESOURCE_VERBS = [
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "create",
  "update",
  "watch",
];

export const CRD_GROUP = "apiextensions.k8s.io";

export function crdCondition(crd: Obj, type: string): Obj | undefined {
  return (crd.status?.conditions as Obj[] | undefined)?.find((c) => c.type === type);
}

export function isCRDConditionTrue(crd: Obj, type: string): boolean {
  return crdCondition(crd, type)?.status === "True";
}

/** serveDefaultColumnsIfEmpty: a version without printer columns prints its objects' age. */
const DEFAULT_COLUMNS: Obj[] = [
  {
    name: "Age",
    type: "date",
    description: swaggerDoc["metav1.ObjectMeta"].creationTimestamp,
    jsonPath: ".metadata.creationTimestamp",
  },
];

/** A selectable field's value as a field selector compares it: scalars only. */
function fieldValue(obj: Obj, jsonPath: string): string | undefined {
  const v = valueAtPath(obj, jsonPath);
  return v === undefined || v === null || typeof v === "object" ? undefined : String(v);
}

/**
 * The served versions of an established CRD (none before it is established,
 * as upstream's handler answers 404 until then).
 */
export function customResourceTypes(crd: Obj): ResourceType[] {
  if (!isCRDConditionTrue(crd, "Established")) return [];
  const spec = crd.spec ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const kind: string = accepted.kind || spec.names?.kind;
  const storage: Obj | undefined = (spec.versions as Obj[] | undefined)?.find((v) => v.storage);
  const storageVersion: string | undefined = storage?.name;
  if (!kind || !storageVersion) return [];
  const terminating = isCRDConditionTrue(crd, "Terminating");
  return ((spec.versions ?? []) as Obj[])
    .filter((v) => v.served)
    .map((v): ResourceType => {
      const subresources: SubresourceType[] = [];
      if (v.subresources?.status) subresources.push({ name: "status", verbs: STATUS_VERBS });
      if (v.subresources?.scale)
        subresources.push({ name: "scale", kind: AUTOSCALING_SCALE, verbs: STATUS_VERBS });
      const selectableFields: ResourceType["selectableFields"] = {};
      for (const f of (v.selectableFields ?? []) as Obj[]) {
        const path = String(f.jsonPath ?? "");
        selectableFields[path.replace(/^\./, "")] = (o) => fieldValue(o, path);
      }
      const scale = v.subresources?.scale;
      return {
        group: spec.group,
        version: v.name,
        kind,
        resource: spec.names.plural,
        singular: accepted.singular || spec.names.singular || kind.toLowerCase(),
        namespaced: spec.scope === "Namespaced",
        shortNames: accepted.shortNames ?? [],
        categories: accepted.categories ?? [],
        verbs: CUSTOM_RESOURCE_VERBS,
        subresources,
        // Upstream keeps custom resources under /registry/<group>/<plural>.
        storageResource: `${spec.group}/${spec.names.plural}`,
        selectableFields,
        custom: {
          crd: crd.metadata.name,
          storageVersion,
          schema: v.schema?.openAPIV3Schema,
          storageSchema: storage?.schema?.openAPIV3Schema,
          columns: v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : DEFAULT_COLUMNS,
          scale: scale
            ? {
                specReplicasPath: scale.specReplicasPath,
                statusReplicasPath: scale.statusReplicasPath,
                labelSelectorPath: scale.labelSelectorPath,
              }
            : undefined,
          terminating,
          conversionStrategy: spec.conversion?.strategy === "Webhook" ? "Webhook" : "None",
          conversionWebhook: spec.conversion?.webhook
            ? {
                clientConfig: spec.conversion.webhook.clientConfig ?? {},
                conversionReviewVersions: spec.conversion.webhook.conversionReviewVersions ?? [],
              }
            : undefined,
          deprecationWarning: v.deprecated
            ? (v.deprecationWarning ?? `${spec.group}/${v.name} ${kind} is deprecated`)
            : undefined,
        },
      };
    });
}
