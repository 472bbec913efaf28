// The OpenAPI documents of custom resources, as apiextensions-apiserver's
// builder publishes them per group-version: each served version's schema as
// the kind's definition (`com.example.stable.v1.CronTab`, with apiVersion,
// kind, metadata and x-kubernetes-group-version-kind added) and its List, and
// the resource's operations. kubectl reads them for `explain`, and for
// `apply`/`create` (the PATCH operation declares fieldValidation and takes no
// strategic merge patch, so kubectl sends JSON merge patches).
//
// The operations are built-in ones made over: a namespaced resource with
// status and scale (apps/v1 Deployments) is the template, as upstream's
// builder uses one generic set of handlers for every custom resource.

import type { Operation, PathItem, Schema } from "../../api/openapi.ts";
import { openAPIDocument } from "../../api/openapi.ts";
import { buildOpenAPIV3, type OpenAPIV3Built } from "../../api/openapi-v3.ts";
import type { ResourceType } from "../../api/registry.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";

const TEMPLATE = { group: "apps", version: "v1", kind: "Deployment", resource: "deployments" };
const TEMPLATE_DEF = "io.k8s.api.apps.v1.Deployment";
const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const STRATEGIC = "application/strategic-merge-patch+json";

/** getDefinitionName: the group reversed, then version and kind ("com.example.stable.v1.CronTab"). */
export function definitionName(group: string, version: string, kind: string): string {
  return [...group.split(".").reverse(), version, kind].join(".");
}

/** "stable.example.com" + "v1" → "StableExampleComV1", as operation ids spell group-versions. */
function camelGroupVersion(group: string, version: string): string {
  const cap = (w: string) => (w ? w[0].toUpperCase() + w.slice(1) : w);
  return [...group.split(/[.-]/), version].map(cap).join("");
}

function kindDefinition(type: ResourceType, templateProps: Record<string, Schema>): Schema {
  const schema: Schema = deepCopyJson(type.custom?.schema ?? { type: "object" });
  schema.properties = {
    ...(schema.properties ?? {}),
    apiVersion: templateProps.apiVersion,
    kind: templateProps.kind,
    metadata: templateProps.metadata,
  };
  schema.type ??= "object";
  schema["x-kubernetes-group-version-kind"] = [{ group: type.group, kind: type.kind, version: type.version }];
  return schema;
}

function listDefinition(type: ResourceType, def: string): Schema {
  const v2 = openAPIDocument();
  const template = v2.definitions[`${TEMPLATE_DEF}List`];
  return {
    description: `${type.kind}List is a list of ${type.kind}`,
    properties: {
      apiVersion: template.properties!.apiVersion,
      items: {
        description: `List of ${type.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: `#/definitions/${def}` },
        type: "array",
      },
      kind: template.properties!.kind,
      metadata: { $ref: `#/definitions/${META}.ListMeta`, description: "Standard list metadata." },
    },
    required: ["items"],
    type: "object",
    "x-kubernetes-group-version-kind": [
      { group: type.group, kind: `${type.kind}List`, version: type.version },
    ],
  };
}

/** A template path item made over for the custom resource: kind, group-version, definitions, media types. */
function madeOver(item: PathItem, type: ResourceType, def: string, scale: boolean): PathItem {
  const text = JSON.stringify(item)
    .replaceAll(`#/definitions/${TEMPLATE_DEF}List"`, `#/definitions/${def}List"`)
    .replaceAll(`#/definitions/${TEMPLATE_DEF}"`, `#/definitions/${def}"`)
    .replaceAll(
      camelGroupVersion(TEMPLATE.group, TEMPLATE.version),
      camelGroupVersion(type.group, type.version),
    )
    .replaceAll(TEMPLATE.kind, type.kind)
    .replaceAll(
      `"${TEMPLATE.group}_${TEMPLATE.version}"`,
      `"${type.group.replaceAll(".", "_")}_${type.version}"`,
    );
  const out = JSON.parse(text) as PathItem;
  const ops = METHODS.map((m) => out[m]).filter((op): op is Operation => op !== undefined);
  for (const op of ops as Array<Operation & Record<string, unknown>>) {
    // No strategic merge without a Go type to take merge keys from.
    if (op.consumes)
      op.consumes = op.consumes.filter((c) => c !== STRATEGIC && c !== "application/apply-patch+cbor");
    if (!scale && op["x-kubernetes-group-version-kind"])
      op["x-kubernetes-group-version-kind"] = { group: type.group, kind: type.kind, version: type.version };
    if (!type.namespaced && op.operationId) op.operationId = op.operationId.replace("Namespaced", "");
  }
  // A cluster-scoped resource has no namespace parameter.
  if (!type.namespaced)
    out.parameters = out.parameters?.filter((p) => !p.$ref?.startsWith("#/parameters/namespace-"));
  return out;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

/** The v2 path items of one custom resource type. */
function pathItems(type: ResourceType, def: string): Record<string, PathItem> {
  const v2 = openAPIDocument();
  const base = `/apis/${TEMPLATE.group}/${TEMPLATE.version}`;
  const template = `${base}/namespaces/{namespace}/${TEMPLATE.resource}`;
  const own = `/apis/${type.group}/${type.version}`;
  const prefix = type.namespaced
    ? `${own}/namespaces/{namespace}/${type.resource}`
    : `${own}/${type.resource}`;
  const suffixes = ["", "/{name}"];
  if (type.subresources.some((s) => s.name === "status")) suffixes.push("/{name}/status");
  if (type.subresources.some((s) => s.name === "scale")) suffixes.push("/{name}/scale");
  const out: Record<string, PathItem> = {};
  for (const suffix of suffixes) {
    out[`${prefix}${suffix}`] = madeOver(
      v2.paths[`${template}${suffix}`],
      type,
      def,
      suffix.endsWith("/scale"),
    );
  }
  // A namespaced resource is also listed across namespaces.
  if (type.namespaced)
    out[`${own}/${type.resource}`] = madeOver(v2.paths[`${base}/${TEMPLATE.resource}`], type, def, false);
  return out;
}

/**
 * The OpenAPI v3 document of each group-version custom resources are served in
 * ("apis/stable.example.com/v1"), for one apiserver. A CRD that changes gets
 * new types, so only its group-versions are built again.
 */
export class CustomResourceOpenAPI {
  /** The documents built so far, by group-version, with the types they were built from. */
  private readonly built = new Map<string, { types: ResourceType[]; doc: OpenAPIV3Built }>();

  documents(types: readonly ResourceType[]): Map<string, OpenAPIV3Built> {
    const byGroupVersion = new Map<string, ResourceType[]>();
    for (const t of types) {
      if (!t.custom) continue;
      const gv = `apis/${t.group}/${t.version}`;
      byGroupVersion.set(gv, [...(byGroupVersion.get(gv) ?? []), t]);
    }
    const out = new Map<string, OpenAPIV3Built>();
    for (const [gv, list] of byGroupVersion) {
      const known = this.built.get(gv);
      if (known && known.types.length === list.length && known.types.every((t, i) => t === list[i])) {
        out.set(gv, known.doc);
        continue;
      }
      const doc = buildGroupVersion(list);
      this.built.set(gv, { types: list, doc });
      out.set(gv, doc);
    }
    for (const gv of this.built.keys()) if (!byGroupVersion.has(gv)) this.built.delete(gv);
    return out;
  }
}

function buildGroupVersion(list: ResourceType[]): OpenAPIV3Built {
  const templateProps = openAPIDocument().definitions[TEMPLATE_DEF].properties!;
  const paths: Record<string, PathItem> = {};
  const definitions: Record<string, Schema> = {};
  for (const t of list) {
    const def = definitionName(t.group, t.version, t.kind);
    definitions[def] = kindDefinition(t, templateProps);
    definitions[`${def}List`] = listDefinition(t, def);
    Object.assign(paths, pathItems(t, def));
  }
  return buildOpenAPIV3(paths, definitions);
}
