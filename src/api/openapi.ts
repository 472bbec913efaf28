// Kubernetes' own OpenAPI v2 document (v1.32.0, shipped gzipped beside this
// file) and lookups on it: the definition of a kind, $ref resolution, the
// schema at a field path, and patch metadata for strategic merge patch.
// Nothing is read until first use; the document is then gunzipped and parsed
// once and kept. Treat every returned object as read-only: it is shared.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { PatchField, PatchSchema } from "../machinery/patch/patch-schema.ts";

/** An OpenAPI v2 schema object as Kubernetes writes them. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  [extension: string]: unknown;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Parameter {
  $ref?: string;
  name?: string;
  in?: "query" | "path" | "body" | "header" | "formData";
  description?: string;
  required?: boolean;
  type?: string;
  format?: string;
  items?: Schema;
  uniqueItems?: boolean;
  schema?: Schema;
  [extension: string]: unknown;
}

export interface Operation {
  description?: string;
  operationId?: string;
  consumes?: string[];
  produces?: string[];
  schemes?: string[];
  tags?: string[];
  parameters?: Parameter[];
  responses?: Record<string, { description?: string; schema?: Schema }>;
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: GroupVersionKind;
  [extension: string]: unknown;
}

export type PathItem = { parameters?: Parameter[] } & {
  [method in "get" | "put" | "post" | "delete" | "patch" | "head" | "options"]?: Operation;
};

export interface SwaggerDocument {
  swagger: "2.0";
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  definitions: Record<string, Schema>;
  parameters: Record<string, Parameter>;
  security: Record<string, string[]>[];
  securityDefinitions: Record<string, Record<string, string>>;
}

const documentURL = new URL("./openapi/swagger-v1.32.0.json.gz", import.meta.url);

interface Loaded {
  bytes: Buffer;
  doc: SwaggerDocument;
  byGVK: Map<string, string>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const bytes = gunzipSync(readFileSync(documentURL));
  const doc = JSON.parse(bytes.toString("utf8")) as SwaggerDocument;
  const byGVK = new Map<string, string>();
  for (const [name, def] of Object.entries(doc.definitions)) {
    for (const gvk of def["x-kubernetes-group-version-kind"] ?? []) {
      byGVK.set(gvkKey(gvk), name);
    }
  }
  loaded = { bytes, doc, byGVK };
  return loaded;
}

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** The parsed v2 document (shared, do not modify). */
export function openAPIDocument(): SwaggerDocument {
  return load().doc;
}

/** The v2 document as JSON bytes, exactly as shipped. */
export function openAPIV2Bytes(): Buffer {
  return load().bytes;
}

let v2ETag: string | undefined;

/** The ETag value (unquoted) kube-openapi gives these bytes: SHA-512 in upper-case hex. */
export function computeETag(data: Buffer): string {
  return createHash("sha512").update(data).digest("hex").toUpperCase();
}

/** ETag of /openapi/v2 (unquoted). */
export function openAPIV2ETag(): string {
  v2ETag ??= computeETag(openAPIV2Bytes());
  return v2ETag;
}

/** The definition name ("io.k8s.api.apps.v1.Deployment") of a kind, via x-kubernetes-group-version-kind. */
export function definitionNameFor(gvk: GroupVersionKind): string | undefined {
  return load().byGVK.get(gvkKey(gvk));
}

/** The definition of a kind. */
export function definitionFor(gvk: GroupVersionKind): Schema | undefined {
  const name = definitionNameFor(gvk);
  return name === undefined ? undefined : load().doc.definitions[name];
}

/** A definition by name. */
export function definition(name: string): Schema | undefined {
  return Object.hasOwn(load().doc.definitions, name) ? load().doc.definitions[name] : undefined;
}

const definitionsPrefix = "#/definitions/";

/** The definition name a "#/definitions/…" reference points to. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(definitionsPrefix) ? ref.slice(definitionsPrefix.length) : undefined;
}

/** The schema a "#/definitions/…" reference points to. */
export function resolveRef(ref: string): Schema | undefined {
  const name = refName(ref);
  return name === undefined ? undefined : definition(name);
}

/** Follows $ref until a schema without one; unresolvable references give undefined. */
export function resolveSchema(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let hops = 0; s?.$ref !== undefined; hops++) {
    if (hops > 32) return undefined;
    s = resolveRef(s.$ref);
  }
  return s;
}

/**
 * The schema of a field below a kind, as written where the field is declared
 * (with its description and x-kubernetes-* extensions; use resolveSchema to
 * reach its type). Lists are stepped through implicitly and any key of a map
 * selects its value, as kubectl explain does: ["spec", "template", "spec",
 * "containers", "ports"]. An empty path gives the kind's definition.
 */
export function schemaAtPath(gvk: GroupVersionKind, path: readonly string[]): Schema | undefined {
  let s = definitionFor(gvk);
  for (const field of path) {
    let t = resolveSchema(s);
    while (t?.type === "array") t = resolveSchema(t.items);
    if (!t) return undefined;
    if (t.properties && Object.hasOwn(t.properties, field)) s = t.properties[field];
    else if (typeof t.additionalProperties === "object") s = t.additionalProperties;
    else return undefined;
  }
  return s;
}

/** Patch and list metadata declared on a field's schema. */
export interface FieldPatchMeta {
  /** x-kubernetes-patch-strategy split on ",": "merge", "replace", "retainKeys". */
  patchStrategies: string[];
  /** x-kubernetes-patch-merge-key, "" when none. */
  patchMergeKey: string;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
  mapType?: "atomic" | "granular";
}

export function patchMetaOf(field: Schema): FieldPatchMeta {
  const strategy = field["x-kubernetes-patch-strategy"];
  return {
    patchStrategies: strategy ? strategy.split(",") : [],
    patchMergeKey: field["x-kubernetes-patch-merge-key"] ?? "",
    listType: field["x-kubernetes-list-type"],
    listMapKeys: field["x-kubernetes-list-map-keys"],
    mapType: field["x-kubernetes-map-type"],
  };
}

// Types whose Go implementation decodes itself from a JSON scalar or keeps
// raw JSON; they carry no fields to merge or validate.
const scalarDefinitions = new Set([
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  "io.k8s.apimachinery.pkg.api.resource.Quantity",
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
]);
const opaqueDefinitions = new Set([
  "io.k8s.apimachinery.pkg.runtime.RawExtension",
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
]);

/** What a schema decodes as, the way its Go type does. */
export type SchemaKind =
  | "object" // a struct: known fields only
  | "map" // additionalProperties: any key
  | "list"
  | "string"
  | "bytes" // base64 string ([]byte)
  | "integer"
  | "number"
  | "boolean"
  | "int-or-string"
  | "quantity"
  | "time"
  | "opaque"; // raw JSON kept as is (RawExtension, JSON, preserve-unknown-fields)

/** Classifies a schema (following $ref); undefined means anything. */
export function schemaKind(schema: Schema | undefined): SchemaKind {
  if (!schema) return "opaque";
  let s: Schema | undefined = schema;
  for (let hops = 0; s?.$ref !== undefined && hops < 32; hops++) {
    const name = refName(s.$ref);
    if (name === "io.k8s.apimachinery.pkg.util.intstr.IntOrString") return "int-or-string";
    if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") return "quantity";
    if (name !== undefined && scalarDefinitions.has(name)) return "time";
    if (name !== undefined && opaqueDefinitions.has(name)) return "opaque";
    s = resolveRef(s.$ref);
  }
  if (!s || s["x-kubernetes-preserve-unknown-fields"] === true) return "opaque";
  if (s["x-kubernetes-int-or-string"] === true || s.format === "int-or-string") return "int-or-string";
  switch (s.type) {
    case "array":
      return "list";
    case "string":
      if (s.format === "byte") return "bytes";
      if (s.format === "date-time") return "time";
      return "string";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      if (typeof s.additionalProperties === "object") return "map";
      if (s.properties) return "object";
      // An object with no declared fields: an empty struct when it is a named
      // definition, free-form JSON when written inline.
      return schema.$ref !== undefined ? "object" : "opaque";
    default:
      return s.properties ? "object" : "opaque";
  }
}

// PatchSchema over OpenAPI: what strategic merge patch needs from a type.
class OpenAPIPatchSchema implements PatchSchema {
  private readonly fields = new Map<string, PatchField | undefined>();

  constructor(private readonly type: Schema) {}

  field(name: string): PatchField | undefined {
    if (this.fields.has(name)) return this.fields.get(name);
    let field: Schema | undefined;
    if (this.type.properties && Object.hasOwn(this.type.properties, name)) field = this.type.properties[name];
    else if (typeof this.type.additionalProperties === "object") field = this.type.additionalProperties;
    let result: PatchField | undefined;
    if (field) {
      const meta = patchMetaOf(field);
      let valueType = resolveSchema(field);
      if (valueType?.type === "array") valueType = resolveSchema(valueType.items);
      result = {
        strategies: meta.patchStrategies,
        mergeKey: meta.patchMergeKey,
        schema: patchSchemaOf(valueType),
      };
    }
    this.fields.set(name, result);
    return result;
  }
}

const patchSchemas = new WeakMap<Schema, OpenAPIPatchSchema>();

function patchSchemaOf(type: Schema | undefined): PatchSchema | undefined {
  if (!type || (!type.properties && typeof type.additionalProperties !== "object")) return undefined;
  let p = patchSchemas.get(type);
  if (!p) {
    p = new OpenAPIPatchSchema(type);
    patchSchemas.set(type, p);
  }
  return p;
}

/** The strategic-merge-patch metadata of a kind, for machinery/patch/strategic-merge.ts. */
export function patchSchemaFor(gvk: GroupVersionKind): PatchSchema | undefined {
  return patchSchemaOf(resolveSchema(definitionFor(gvk)));
}
