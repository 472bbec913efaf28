// apiextensions.k8s.io/v1 CustomResourceDefinition validation, ported from
// Kubernetes v1.32 staging/src/k8s.io/apiextensions-apiserver:
//
//   pkg/apis/apiextensions/validation/validation.go   the CRD rules
//   pkg/apis/apiextensions/v1/conversion.go           v1 → internal shape
//   pkg/apiserver/schema/{convert,validation,complete}.go  structural schemas
//   pkg/apiserver/schema/pruning/algorithm.go         pruning (for defaults)
//   pkg/apiserver/schema/defaulting/validation.go     defaults (in part)
//   pkg/apiserver/schema/cel/validation.go            ValidFieldPath
//
// Upstream validates the internal type, which the v1 object is converted to
// first. That conversion matters for the messages: when every version carries
// the same schema (always so with a single version), the schema moves to the
// top-level spec.validation and errors inside it read
// `spec.validation.openAPIV3Schema...`; likewise identical subresources and
// printer columns move to spec.subresources / spec.additionalPrinterColumns,
// and the v1 webhook settings become spec.conversion.webhookClientConfig and
// spec.conversion.conversionReviewVersions. The port converts the same way, so
// paths and messages are upstream's.
//
// Not ported: CEL cost estimation (x-kubernetes-validations rules are compiled,
// not costed), the CA bundle check of an established CRD's
// conversion webhook, the metadata coercion of defaults inside embedded
// resources, and of the OpenAPI value validation of defaults only type, enum
// and required are checked (no formats, bounds, lengths or patterns).

import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  type BadValue,
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  goStringSlice,
  invalid,
  isGoPrintable,
  newPath,
  notSupported,
  type Path,
  required,
  tooMany,
} from "../../machinery/field-errors.ts";
import {
  FieldImmutableErrorMsg,
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../machinery/object-meta.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "../../machinery/validation.ts";
import { compileRule } from "../apiextensions/cel-rules.ts";
import { pruneValue, validateCustomResource } from "../apiextensions/schema.ts";
import type { DecodeType } from "../strict-decode.ts";
import { validateWebhookService, validateWebhookURL } from "./admissionregistration.ts";
import { append } from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { semanticEqual } from "./equality.ts";
import { goPointer } from "./gofmt.ts";

type J = Record<string, unknown>;

const group = "apiextensions.k8s.io";
const metaPath = newPath("metadata");
const specPath = newPath("spec");
const statusPath = newPath("status");

// ---------------------------------------------------------------------------
// JSON access. Objects reach here type-checked against the v1 schema, except
// the opaque JSONSchemaProps* unions (items, additionalProperties,
// additionalItems, dependencies) and JSON values (default, enum, example);
// values of an unexpected shape are read as absent.

function isObj(v: unknown): v is J {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: J | null | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === "string" ? v : "";
}

function optStr(o: J | null | undefined, k: string): string | null {
  const v = o?.[k];
  return typeof v === "string" ? v : null;
}

function bool(o: J | null | undefined, k: string): boolean {
  return o?.[k] === true;
}

function objAt(o: J | null | undefined, k: string): J | null {
  const v = o?.[k];
  return isObj(v) ? v : null;
}

/** A []string field: null when absent (Go's nil), [] when given empty. */
function strList(o: J | null | undefined, k: string): string[] | null {
  const v = o?.[k];
  if (!Array.isArray(v)) return null;
  return v.map((x) => (typeof x === "string" ? x : String(x)));
}

function objList(o: J | null | undefined, k: string): J[] | null {
  const v = o?.[k];
  if (!Array.isArray(v)) return null;
  return v.map((x) => (isObj(x) ? x : {}));
}

function has(o: J | null | undefined, k: string): boolean {
  const v = o?.[k];
  return v !== undefined && v !== null;
}

/** Go's len() of a string: UTF-8 bytes. */
function byteLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function sortedKeys(o: J): string[] {
  return Object.keys(o).sort();
}

// ---------------------------------------------------------------------------
// The internal (hub) shape of a CRD, converted from v1 as conversion.go does.

interface Names {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[] | null;
  categories: string[] | null;
}

interface CustomResourceValidation {
  openAPIV3Schema: J | null;
}

interface Scale {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string | null;
}

interface Subresources {
  status: J | null;
  scale: Scale | null;
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  jsonPath: string;
}

interface SelectableField {
  jsonPath: string;
}

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning: string | null;
  schema: CustomResourceValidation | null;
  subresources: Subresources | null;
  additionalPrinterColumns: Column[] | null;
  selectableFields: SelectableField[] | null;
}

interface ServiceReference {
  namespace: string;
  name: string;
  path: string | null;
  port: number | null;
}

interface WebhookClientConfig {
  url: string | null;
  service: ServiceReference | null;
}

interface Conversion {
  strategy: string;
  webhookClientConfig: WebhookClientConfig | null;
  conversionReviewVersions: string[] | null;
}

interface Spec {
  group: string;
  version: string;
  names: Names;
  scope: string;
  validation: CustomResourceValidation | null;
  subresources: Subresources | null;
  versions: Version[] | null;
  additionalPrinterColumns: Column[] | null;
  selectableFields: SelectableField[] | null;
  conversion: Conversion | null;
  preserveUnknownFields: boolean;
}

interface Internal {
  metadata: ObjectMeta | undefined;
  spec: Spec;
  acceptedNames: Names;
  storedVersions: string[] | null;
  established: boolean;
}

function toNames(o: J | null): Names {
  return {
    plural: str(o, "plural"),
    singular: str(o, "singular"),
    kind: str(o, "kind"),
    listKind: str(o, "listKind"),
    shortNames: strList(o, "shortNames"),
    categories: strList(o, "categories"),
  };
}

function toValidation(o: J | null): CustomResourceValidation | null {
  return o ? { openAPIV3Schema: objAt(o, "openAPIV3Schema") } : null;
}

function toSubresources(o: J | null): Subresources | null {
  if (!o) return null;
  const scale = objAt(o, "scale");
  return {
    status: objAt(o, "status"),
    scale: scale
      ? {
          specReplicasPath: str(scale, "specReplicasPath"),
          statusReplicasPath: str(scale, "statusReplicasPath"),
          labelSelectorPath: optStr(scale, "labelSelectorPath"),
        }
      : null,
  };
}

function toColumns(o: J | null, k: string): Column[] | null {
  const list = objList(o, k);
  return list
    ? list.map((c) => ({
        name: str(c, "name"),
        type: str(c, "type"),
        format: str(c, "format"),
        description: str(c, "description"),
        priority: typeof c.priority === "number" ? c.priority : 0,
        jsonPath: str(c, "jsonPath"),
      }))
    : null;
}

function toSelectableFields(o: J | null, k: string): SelectableField[] | null {
  const list = objList(o, k);
  return list ? list.map((f) => ({ jsonPath: str(f, "jsonPath") })) : null;
}

function toConversion(o: J | null): Conversion | null {
  if (!o) return null;
  const webhook = objAt(o, "webhook");
  const cc = webhook ? objAt(webhook, "clientConfig") : null;
  const svc = cc ? objAt(cc, "service") : null;
  return {
    strategy: str(o, "strategy"),
    conversionReviewVersions: webhook ? strList(webhook, "conversionReviewVersions") : null,
    webhookClientConfig: cc
      ? {
          url: optStr(cc, "url"),
          service: svc
            ? {
                namespace: str(svc, "namespace"),
                name: str(svc, "name"),
                path: optStr(svc, "path"),
                port: typeof svc.port === "number" ? svc.port : null,
              }
            : null,
        }
      : null,
  };
}

let crdTypeCache: DecodeType | null | undefined;

/** The decode type of a v1 CustomResourceDefinitionVersion field, for semantic comparisons. */
function versionFieldType(field: string): DecodeType | undefined {
  if (crdTypeCache === undefined) crdTypeCache = decodeTypeOfKind(group, "CustomResourceDefinition") ?? null;
  let t: DecodeType | undefined = crdTypeCache ?? undefined;
  for (const step of ["spec", "versions", "[]", field]) {
    if (!t) return undefined;
    if (step === "[]") t = t.kind === "list" ? t.elem : undefined;
    else t = t.kind === "struct" ? t.field(step) : undefined;
  }
  return t;
}

/** Whether every version holds the same value of field (apiequality.Semantic.DeepEqual on v1 values). */
function identicalAcross(versions: readonly J[], field: string): boolean {
  const t = versionFieldType(field);
  const first = versions[0][field];
  return versions.every((v) => semanticEqual(v[field], first, t));
}

/** Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec. */
function toSpec(o: J | null): Spec {
  const raw = objList(o, "versions");
  const versions: Version[] | null = raw
    ? raw.map((v) => ({
        name: str(v, "name"),
        served: bool(v, "served"),
        storage: bool(v, "storage"),
        deprecated: bool(v, "deprecated"),
        deprecationWarning: optStr(v, "deprecationWarning"),
        schema: toValidation(objAt(v, "schema")),
        subresources: toSubresources(objAt(v, "subresources")),
        additionalPrinterColumns: toColumns(v, "additionalPrinterColumns"),
        selectableFields: toSelectableFields(v, "selectableFields"),
      }))
    : null;
  const spec: Spec = {
    group: str(o, "group"),
    version: "",
    names: toNames(objAt(o, "names")),
    scope: str(o, "scope"),
    validation: null,
    subresources: null,
    versions,
    additionalPrinterColumns: null,
    selectableFields: null,
    conversion: toConversion(objAt(o, "conversion")),
    // v1's preserveUnknownFields is a plain bool; the internal pointer is never nil.
    preserveUnknownFields: bool(o, "preserveUnknownFields"),
  };
  if (!raw || !versions || versions.length === 0) return spec;
  spec.version = versions[0].name;
  // Per-version fields identical across all versions move to the top level.
  const subresourcesIdentical = identicalAcross(raw, "subresources");
  const validationIdentical = identicalAcross(raw, "schema");
  const columnsIdentical = identicalAcross(raw, "additionalPrinterColumns");
  const selectableIdentical = validationIdentical && identicalAcross(raw, "selectableFields");
  if (subresourcesIdentical) spec.subresources = versions[0].subresources;
  if (validationIdentical) spec.validation = versions[0].schema;
  if (columnsIdentical) spec.additionalPrinterColumns = versions[0].additionalPrinterColumns;
  if (selectableIdentical) spec.selectableFields = versions[0].selectableFields;
  for (const v of versions) {
    if (subresourcesIdentical) v.subresources = null;
    if (validationIdentical) v.schema = null;
    if (columnsIdentical) v.additionalPrinterColumns = null;
    if (selectableIdentical) v.selectableFields = null;
  }
  return spec;
}

function toInternal(crd: J): Internal {
  const status = objAt(crd, "status");
  const conditions = objList(status, "conditions") ?? [];
  return {
    metadata: isObj(crd.metadata) ? (crd.metadata as ObjectMeta) : undefined,
    spec: toSpec(objAt(crd, "spec")),
    acceptedNames: toNames(objAt(status, "acceptedNames")),
    storedVersions: strList(status, "storedVersions"),
    established: conditions.some((c) => c.type === "Established" && c.status === "True"),
  };
}

// ---------------------------------------------------------------------------
// Bad values as Go's %#v prints the internal types. Pointers print as a fixed
// stand-in address (Go prints the real one).

function goPtr(type: string, set: boolean): string {
  return `(*${type})(${set ? goPointer : "nil"})`;
}

function goStrSliceText(values: readonly string[] | null): string {
  return values === null ? "[]string(nil)" : `[]string{${values.map(goQuote).join(", ")}}`;
}

/** %v of a float64 (strconv 'g' with the shortest precision, as fmt prints it). */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mant, expText] = f.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 21) {
    const digits = mant.replace(".", "").replace("-", "");
    const sign = f < 0 ? "-" : "";
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  }
  return String(f);
}

/** %#v of a value held in an interface{} (a decoded JSON value: integral numbers are int64). */
function goInterfaceText(v: unknown, top = true): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goInterfaceText(x, false)).join(", ")}}`;
  if (isObj(v)) {
    const entries = sortedKeys(v).map((k) => `${goQuote(k)}:${goInterfaceText(v[k], false)}`);
    return `map[string]interface {}{${entries.join(", ")}}`;
  }
  return top ? String(v) : goQuote(String(v));
}

/** A JSON value as field.Error prints a bad interface{} value. */
function jsonBadValue(v: unknown): BadValue {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isInteger(v) ? v : new GoValue(goFloat(v));
  if (v === null || v === undefined) return null;
  return new GoValue(goInterfaceText(v));
}

function goColumnsText(cols: readonly Column[] | null): string {
  if (cols === null) return "[]apiextensions.CustomResourceColumnDefinition(nil)";
  const items = cols.map(
    (c) =>
      `apiextensions.CustomResourceColumnDefinition{Name:${goQuote(c.name)}, Type:${goQuote(c.type)}, Format:${goQuote(c.format)}, Description:${goQuote(c.description)}, Priority:${c.priority}, JSONPath:${goQuote(c.jsonPath)}}`,
  );
  return `[]apiextensions.CustomResourceColumnDefinition{${items.join(", ")}}`;
}

function goSelectableFieldsText(fields: readonly SelectableField[] | null): string {
  if (fields === null) return "[]apiextensions.SelectableField(nil)";
  const items = fields.map((f) => `apiextensions.SelectableField{JSONPath:${goQuote(f.jsonPath)}}`);
  return `[]apiextensions.SelectableField{${items.join(", ")}}`;
}

/** %#v of []apiextensions.CustomResourceDefinitionVersion. */
function goVersions(versions: readonly Version[] | null): GoValue {
  if (versions === null) return new GoValue("[]apiextensions.CustomResourceDefinitionVersion(nil)");
  const items = versions.map(
    (v) =>
      `apiextensions.CustomResourceDefinitionVersion{Name:${goQuote(v.name)}, Served:${v.served}, Storage:${v.storage}, Deprecated:${v.deprecated}, DeprecationWarning:${goPtr("string", v.deprecationWarning !== null)}, Schema:${goPtr("apiextensions.CustomResourceValidation", v.schema !== null)}, Subresources:${goPtr("apiextensions.CustomResourceSubresources", v.subresources !== null)}, AdditionalPrinterColumns:${goColumnsText(v.additionalPrinterColumns)}, SelectableFields:${goSelectableFieldsText(v.selectableFields)}}`,
  );
  return new GoValue(`[]apiextensions.CustomResourceDefinitionVersion{${items.join(", ")}}`);
}

function goSchemaSliceText(list: readonly J[] | null): string {
  if (list === null) return "[]apiextensions.JSONSchemaProps(nil)";
  return `[]apiextensions.JSONSchemaProps{${list.map(goSchemaText).join(", ")}}`;
}

function goSchemaMapText(type: string, m: J | null): string {
  if (m === null) return `${type}(nil)`;
  const entries = sortedKeys(m).map((k) => `${goQuote(k)}:${goSchemaText(isObj(m[k]) ? m[k] : {})}`);
  return `${type}{${entries.join(", ")}}`;
}

function goDependenciesText(m: J | null): string {
  if (m === null) return "apiextensions.JSONSchemaDependencies(nil)";
  const entries = sortedKeys(m).map((k) => {
    const v = m[k];
    const schema = isObj(v);
    const property = Array.isArray(v) ? v.map((x) => String(x)) : null;
    return `${goQuote(k)}:apiextensions.JSONSchemaPropsOrStringArray{Schema:${goPtr("apiextensions.JSONSchemaProps", schema)}, Property:${goStrSliceText(property)}}`;
  });
  return `apiextensions.JSONSchemaDependencies{${entries.join(", ")}}`;
}

/** %#v of one apiextensions.ValidationRule given as v1 JSON. */
function goValidationRuleText(r: J): string {
  return `apiextensions.ValidationRule{Rule:${goQuote(str(r, "rule"))}, Message:${goQuote(str(r, "message"))}, MessageExpression:${goQuote(str(r, "messageExpression"))}, Reason:${goPtr("apiextensions.FieldValueErrorReason", has(r, "reason"))}, FieldPath:${goQuote(str(r, "fieldPath"))}, OptionalOldSelf:${goPtr("bool", has(r, "optionalOldSelf"))}}`;
}

function goValidationRulesText(rules: readonly J[] | null): string {
  if (rules === null) return "apiextensions.ValidationRules(nil)";
  return `apiextensions.ValidationRules{${rules.map(goValidationRuleText).join(", ")}}`;
}

/** %#v of an internal apiextensions.JSONSchemaProps given as v1 JSON. */
function goSchemaText(s: J): string {
  const p = (k: string, type: string) => goPtr(type, has(s, k));
  const enumValues = Array.isArray(s.enum) ? (s.enum as unknown[]) : null;
  const fields = [
    `ID:${goQuote(str(s, "id"))}`,
    `Schema:${goQuote(str(s, "$schema"))}`,
    `Ref:${p("$ref", "string")}`,
    `Description:${goQuote(str(s, "description"))}`,
    `Type:${goQuote(str(s, "type"))}`,
    `Nullable:${bool(s, "nullable")}`,
    `Format:${goQuote(str(s, "format"))}`,
    `Title:${goQuote(str(s, "title"))}`,
    `Default:${p("default", "apiextensions.JSON")}`,
    `Maximum:${p("maximum", "float64")}`,
    `ExclusiveMaximum:${bool(s, "exclusiveMaximum")}`,
    `Minimum:${p("minimum", "float64")}`,
    `ExclusiveMinimum:${bool(s, "exclusiveMinimum")}`,
    `MaxLength:${p("maxLength", "int64")}`,
    `MinLength:${p("minLength", "int64")}`,
    `Pattern:${goQuote(str(s, "pattern"))}`,
    `MaxItems:${p("maxItems", "int64")}`,
    `MinItems:${p("minItems", "int64")}`,
    `UniqueItems:${bool(s, "uniqueItems")}`,
    `MultipleOf:${p("multipleOf", "float64")}`,
    `Enum:${enumValues === null ? "[]apiextensions.JSON(nil)" : `[]apiextensions.JSON{${enumValues.map((x) => goInterfaceText(x, false)).join(", ")}}`}`,
    `MaxProperties:${p("maxProperties", "int64")}`,
    `MinProperties:${p("minProperties", "int64")}`,
    `Required:${goStrSliceText(strList(s, "required"))}`,
    `Items:${p("items", "apiextensions.JSONSchemaPropsOrArray")}`,
    `AllOf:${goSchemaSliceText(objList(s, "allOf"))}`,
    `OneOf:${goSchemaSliceText(objList(s, "oneOf"))}`,
    `AnyOf:${goSchemaSliceText(objList(s, "anyOf"))}`,
    `Not:${p("not", "apiextensions.JSONSchemaProps")}`,
    `Properties:${goSchemaMapText("map[string]apiextensions.JSONSchemaProps", objAt(s, "properties"))}`,
    `AdditionalProperties:${p("additionalProperties", "apiextensions.JSONSchemaPropsOrBool")}`,
    `PatternProperties:${goSchemaMapText("map[string]apiextensions.JSONSchemaProps", objAt(s, "patternProperties"))}`,
    `Dependencies:${goDependenciesText(objAt(s, "dependencies"))}`,
    `AdditionalItems:${p("additionalItems", "apiextensions.JSONSchemaPropsOrBool")}`,
    `Definitions:${goSchemaMapText("apiextensions.JSONSchemaDefinitions", objAt(s, "definitions"))}`,
    `ExternalDocs:${p("externalDocs", "apiextensions.ExternalDocumentation")}`,
    `Example:${p("example", "apiextensions.JSON")}`,
    `XPreserveUnknownFields:${p("x-kubernetes-preserve-unknown-fields", "bool")}`,
    `XEmbeddedResource:${bool(s, "x-kubernetes-embedded-resource")}`,
    `XIntOrString:${bool(s, "x-kubernetes-int-or-string")}`,
    `XListMapKeys:${goStrSliceText(strList(s, "x-kubernetes-list-map-keys"))}`,
    `XListType:${p("x-kubernetes-list-type", "string")}`,
    `XMapType:${p("x-kubernetes-map-type", "string")}`,
    `XValidations:${goValidationRulesText(objList(s, "x-kubernetes-validations"))}`,
  ];
  return `apiextensions.JSONSchemaProps{${fields.join(", ")}}`;
}

// ---------------------------------------------------------------------------
// JSONSchemaProps unions.

interface SchemaOrArray {
  schema: J | null;
  schemas: J[] | null;
}

interface SchemaOrBool {
  allows: boolean;
  schema: J | null;
}

/** JSONSchemaPropsOrArray: a schema object or an array of them. */
function itemsOf(s: J): SchemaOrArray | null {
  const v = s.items;
  if (isObj(v)) return { schema: v, schemas: null };
  if (Array.isArray(v)) return { schema: null, schemas: v.map((x) => (isObj(x) ? x : {})) };
  return null;
}

/** JSONSchemaPropsOrBool: true/false, or a schema object (which allows). */
function schemaOrBool(s: J, k: string): SchemaOrBool | null {
  const v = s[k];
  if (typeof v === "boolean") return { allows: v, schema: null };
  if (isObj(v)) return { allows: true, schema: v };
  return null;
}

/** JSONSchemaDependencies: each value a schema or a string array. */
function dependenciesOf(s: J): Array<[string, J | null]> | null {
  const d = objAt(s, "dependencies");
  if (!d) return null;
  return sortedKeys(d).map((k) => [k, isObj(d[k]) ? (d[k] as J) : null]);
}

function schemaMap(s: J, k: string): J | null {
  return objAt(s, k);
}

function mapEntries(m: J | null): Array<[string, J]> {
  if (!m) return [];
  return sortedKeys(m).map((k) => [k, isObj(m[k]) ? (m[k] as J) : {}]);
}

function hasDefault(s: J): boolean {
  return has(s, "default");
}

// ---------------------------------------------------------------------------
// Structural schemas (pkg/apiserver/schema).

interface Generic {
  description: string;
  type: string;
  title: string;
  /** The default value; undefined when there is none. */
  default: unknown;
  nullable: boolean;
}

interface Extensions {
  xPreserveUnknownFields: boolean;
  xEmbeddedResource: boolean;
  xIntOrString: boolean;
  xListMapKeys: string[] | null;
  xListType: string | null;
  xMapType: string | null;
}

interface ValueValidation {
  /** The schema node the value validations were taken from (for enum, required and zero checks). */
  source: J;
  allOf: NestedValueValidation[];
  anyOf: NestedValueValidation[];
  oneOf: NestedValueValidation[];
  not: NestedValueValidation | null;
  pattern: string;
  enum: unknown[];
  required: string[] | null;
}

interface NestedValueValidation {
  valueValidation: ValueValidation;
  xValidations: J[] | null;
  items: NestedValueValidation | null;
  properties: Map<string, NestedValueValidation> | null;
  additionalProperties: NestedValueValidation | null;
  forbiddenGenerics: Generic;
  forbiddenExtensions: Extensions;
}

/** A structural schema (schema.Structural). */
export interface Structural {
  /** The JSON schema this was made from. */
  source: J;
  items: Structural | null;
  /** Null when the schema has no properties (NewStructural sets them only when non-empty). */
  properties: Map<string, Structural> | null;
  additionalProperties: { structural: Structural | null; bool: boolean } | null;
  generic: Generic;
  extensions: Extensions;
  xValidations: J[] | null;
  valueValidation: ValueValidation | null;
}

class StructuralError extends Error {}

/** validateUnsupportedFields. */
function checkUnsupportedFields(s: J): void {
  if (str(s, "id").length > 0) throw new StructuralError("OpenAPIV3Schema 'id' is not supported");
  if (str(s, "$schema").length > 0) throw new StructuralError("OpenAPIV3Schema 'schema' is not supported");
  if (str(s, "$ref").length > 0) throw new StructuralError("OpenAPIV3Schema '$ref' is not supported");
  if (Object.keys(schemaMap(s, "patternProperties") ?? {}).length > 0)
    throw new StructuralError("OpenAPIV3Schema 'patternProperties' is not supported");
  if (Object.keys(objAt(s, "dependencies") ?? {}).length > 0)
    throw new StructuralError("OpenAPIV3Schema 'dependencies' is not supported");
  if (schemaOrBool(s, "additionalItems") !== null)
    throw new StructuralError("OpenAPIV3Schema 'additionalItems' is not supported");
  if (Object.keys(schemaMap(s, "definitions") ?? {}).length > 0)
    throw new StructuralError("OpenAPIV3Schema 'definitions' is not supported");
}

function newGeneric(s: J): Generic {
  return {
    description: str(s, "description"),
    type: str(s, "type"),
    title: str(s, "title"),
    default: has(s, "default") ? s.default : undefined,
    nullable: bool(s, "nullable"),
  };
}

function newExtensions(s: J): Extensions {
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  if (preserve === false) {
    throw new StructuralError(
      "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined",
    );
  }
  return {
    xPreserveUnknownFields: preserve === true,
    xEmbeddedResource: bool(s, "x-kubernetes-embedded-resource"),
    xIntOrString: bool(s, "x-kubernetes-int-or-string"),
    xListMapKeys: strList(s, "x-kubernetes-list-map-keys"),
    xListType: optStr(s, "x-kubernetes-list-type"),
    xMapType: optStr(s, "x-kubernetes-map-type"),
  };
}

function newValueValidation(s: J): ValueValidation {
  const nested = (k: string) => (objList(s, k) ?? []).map(newNestedValueValidation);
  const not = objAt(s, "not");
  return {
    source: s,
    not: not ? newNestedValueValidation(not) : null,
    allOf: nested("allOf"),
    anyOf: nested("anyOf"),
    oneOf: nested("oneOf"),
    pattern: str(s, "pattern"),
    enum: Array.isArray(s.enum) ? (s.enum as unknown[]) : [],
    required: strList(s, "required"),
  };
}

function itemsSchema(s: J): J | null {
  const items = itemsOf(s);
  if (items === null) return null;
  if (items.schemas !== null && items.schemas.length > 0) {
    throw new StructuralError("OpenAPIV3Schema 'items' must be a schema, but is an array");
  }
  return items.schema;
}

function newNestedValueValidation(s: J): NestedValueValidation {
  checkUnsupportedFields(s);
  const v: NestedValueValidation = {
    valueValidation: newValueValidation(s),
    forbiddenGenerics: newGeneric(s),
    forbiddenExtensions: newExtensions(s),
    xValidations: objList(s, "x-kubernetes-validations"),
    items: null,
    properties: null,
    additionalProperties: null,
  };
  const items = itemsSchema(s);
  if (items) v.items = newNestedValueValidation(items);
  const props = objAt(s, "properties");
  if (props) {
    v.properties = new Map();
    for (const [k, p] of mapEntries(props)) v.properties.set(k, newNestedValueValidation(p));
  }
  const ap = schemaOrBool(s, "additionalProperties");
  if (ap?.schema) v.additionalProperties = newNestedValueValidation(ap.schema);
  else if (ap?.allows) v.additionalProperties = newNestedValueValidation({});
  return v;
}

function newStructuralNode(s: J): Structural {
  checkUnsupportedFields(s);
  const ss: Structural = {
    source: s,
    valueValidation: newValueValidation(s),
    generic: newGeneric(s),
    extensions: newExtensions(s),
    xValidations: objList(s, "x-kubernetes-validations"),
    items: null,
    properties: null,
    additionalProperties: null,
  };
  const items = itemsSchema(s);
  if (items) ss.items = newStructuralNode(items);
  const props = objAt(s, "properties");
  if (props && Object.keys(props).length > 0) {
    ss.properties = new Map();
    for (const [k, p] of mapEntries(props)) ss.properties.set(k, newStructuralNode(p));
  }
  const ap = schemaOrBool(s, "additionalProperties");
  if (ap) {
    ss.additionalProperties = ap.schema
      ? { structural: newStructuralNode(ap.schema), bool: true }
      : { structural: null, bool: ap.allows };
  }
  return ss;
}

/** schema.NewStructural: the structural schema, or upstream's error text. */
export function newStructural(s: J | null): Structural | null | string {
  if (s === null) return null;
  try {
    return newStructuralNode(s);
  } catch (e) {
    if (e instanceof StructuralError) return e.message;
    throw e;
  }
}

function isZeroGeneric(g: Generic): boolean {
  return g.description === "" && g.type === "" && g.title === "" && g.default === undefined && !g.nullable;
}

function isZeroExtensions(x: Extensions): boolean {
  return (
    !x.xPreserveUnknownFields &&
    !x.xEmbeddedResource &&
    !x.xIntOrString &&
    x.xListMapKeys === null &&
    x.xListType === null &&
    x.xMapType === null
  );
}

/** Whether a ValueValidation equals ValueValidation{} (reflect.DeepEqual: nil and empty slices differ). */
function isZeroValueValidation(v: ValueValidation): boolean {
  const s = v.source;
  for (const k of [
    "maximum",
    "minimum",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "multipleOf",
    "maxProperties",
    "minProperties",
  ]) {
    if (has(s, k)) return false;
  }
  return (
    str(s, "format") === "" &&
    !bool(s, "exclusiveMaximum") &&
    !bool(s, "exclusiveMinimum") &&
    v.pattern === "" &&
    !bool(s, "uniqueItems") &&
    v.enum.length === 0 &&
    v.required === null &&
    v.allOf.length === 0 &&
    v.anyOf.length === 0 &&
    v.oneOf.length === 0 &&
    v.not === null
  );
}

/** reflect.DeepEqual(v, NestedValueValidation{ForbiddenGenerics: Generic{Type: type}}). */
function isBareTypeClause(v: NestedValueValidation, type: string): boolean {
  return (
    isZeroValueValidation(v.valueValidation) &&
    v.xValidations === null &&
    v.items === null &&
    v.properties === null &&
    v.additionalProperties === null &&
    isZeroGeneric({ ...v.forbiddenGenerics, type: "" }) &&
    v.forbiddenGenerics.type === type &&
    isZeroExtensions(v.forbiddenExtensions)
  );
}

function isIntOrStringAnyOf(anyOf: readonly NestedValueValidation[]): boolean {
  return anyOf.length === 2 && isBareTypeClause(anyOf[0], "integer") && isBareTypeClause(anyOf[1], "string");
}

enum Level {
  Root,
  Item,
  Field,
}

/** schema.ValidationOptions as ValidateStructural sets them (all false). */
interface StructuralOptions {
  allowNestedAdditionalProperties: boolean;
  allowNestedXValidations: boolean;
  allowValidationPropertiesWithAdditionalProperties: boolean;
}

const structuralOptions: StructuralOptions = {
  allowNestedAdditionalProperties: false,
  allowNestedXValidations: false,
  allowValidationPropertiesWithAdditionalProperties: false,
};

/** schema.ValidateStructural: the invariants and completeness errors, sorted by message. */
export function validateStructural(path: Path | null, s: Structural): FieldError[] {
  const errs = [
    ...structuralInvariants(s, Level.Root, path, structuralOptions),
    ...structuralCompleteness(s, path, structuralOptions),
  ];
  const keyed = errs.map((e) => [e.error(), e] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, e]) => e);
}

function pchild(p: Path | null, name: string): Path {
  return p ? p.child(name) : newPath(name);
}

function structuralInvariants(
  s: Structural | null,
  lvl: Level,
  path: Path | null,
  opts: StructuralOptions,
): FieldError[] {
  if (s === null) return [];
  const errs: FieldError[] = [];
  const type = s.generic.type;
  if (type === "array" && s.items === null) errs.push(required(pchild(path, "items"), "must be specified"));
  append(errs, structuralInvariants(s.items, Level.Item, pchild(path, "items"), opts));
  for (const [k, v] of s.properties ?? []) {
    append(errs, structuralInvariants(v, Level.Field, pchild(path, "properties").key(k), opts));
  }
  if (s.additionalProperties !== null) {
    if (lvl === Level.Root) {
      errs.push(forbidden(pchild(path, "additionalProperties"), "must not be used at the root"));
    }
    if (s.additionalProperties.structural !== null) {
      append(
        errs,
        structuralInvariants(
          s.additionalProperties.structural,
          Level.Field,
          pchild(path, "additionalProperties"),
          opts,
        ),
      );
    }
  }
  const x = s.extensions;
  if (x.xIntOrString && x.xPreserveUnknownFields) {
    errs.push(
      invalid(
        pchild(path, "x-kubernetes-preserve-unknown-fields"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (x.xIntOrString && x.xEmbeddedResource) {
    errs.push(
      invalid(
        pchild(path, "x-kubernetes-embedded-resource"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  const vv = s.valueValidation;
  const skipAnyOf = vv !== null && isIntOrStringAnyOf(vv.anyOf);
  const skipFirstAllOfAnyOf =
    vv !== null && vv.allOf.length >= 1 && isIntOrStringAnyOf(vv.allOf[0].valueValidation.anyOf);
  append(errs, valueValidationErrors(vv, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, opts));

  const checkMetadata = lvl === Level.Root || x.xEmbeddedResource;
  if (x.xEmbeddedResource && type !== "object") {
    if (type.length === 0) {
      errs.push(required(pchild(path, "type"), "must be object if x-kubernetes-embedded-resource is true"));
    } else {
      errs.push(
        invalid(pchild(path, "type"), type, "must be object if x-kubernetes-embedded-resource is true"),
      );
    }
  } else if (type.length === 0 && !x.xIntOrString && !x.xPreserveUnknownFields) {
    const detail =
      lvl === Level.Root
        ? "must not be empty at the root"
        : lvl === Level.Item
          ? "must not be empty for specified array items"
          : "must not be empty for specified object fields";
    errs.push(required(pchild(path, "type"), detail));
  }
  if (x.xEmbeddedResource && s.additionalProperties !== null) {
    errs.push(
      forbidden(
        pchild(path, "additionalProperties"),
        "must not be used if x-kubernetes-embedded-resource is set",
      ),
    );
  }
  if (lvl === Level.Root && type.length > 0 && type !== "object") {
    errs.push(invalid(pchild(path, "type"), type, "must be object at the root"));
  }
  const kind = s.properties?.get("kind");
  if (kind && checkMetadata && kind.generic.type !== "string") {
    errs.push(
      invalid(pchild(path, "properties").key("kind").child("type"), kind.generic.type, "must be string"),
    );
  }
  const apiVersion = s.properties?.get("apiVersion");
  if (apiVersion && checkMetadata && apiVersion.generic.type !== "string") {
    errs.push(
      invalid(
        pchild(path, "properties").key("apiVersion").child("type"),
        apiVersion.generic.type,
        "must be string",
      ),
    );
  }
  const metadata = s.properties?.get("metadata");
  if (metadata) {
    append(
      errs,
      structuralMetadataInvariants(metadata, checkMetadata, lvl, pchild(path, "properties").key("metadata")),
    );
  }
  if (x.xEmbeddedResource && !x.xPreserveUnknownFields && (s.properties?.size ?? 0) === 0) {
    errs.push(
      required(
        pchild(path, "properties"),
        "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      ),
    );
  }
  return errs;
}

function structuralMetadataInvariants(
  s: Structural,
  checkMetadata: boolean,
  lvl: Level,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.generic.type !== "object") {
    errs.push(invalid(path.child("type"), s.generic.type, "must be object"));
  }
  if (lvl === Level.Root) {
    // Only name and generateName may be restricted, and nothing else said about metadata.
    let props = s.properties;
    if (props) {
      const foundName = props.has("name");
      const foundGenerateName = props.has("generateName");
      if (
        (foundName && foundGenerateName && props.size === 2) ||
        ((foundName || foundGenerateName) && props.size === 1)
      ) {
        props = null;
      }
    }
    const bare =
      s.items === null &&
      props === null &&
      s.additionalProperties === null &&
      isZeroGeneric({ ...s.generic, type: "", default: undefined }) &&
      isZeroExtensions(s.extensions) &&
      s.xValidations === null &&
      (s.valueValidation === null || isZeroValueValidation(s.valueValidation));
    if (!bare) {
      errs.push(
        forbidden(
          path,
          "must not specify anything other than name and generateName, but metadata is implicitly specified",
        ),
      );
    }
  }
  return errs;
}

function valueValidationErrors(
  v: ValueValidation | null,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  lvl: Level,
  path: Path | null,
  opts: StructuralOptions,
): FieldError[] {
  if (v === null) return [];
  const errs: FieldError[] = [];
  const noCEL = { ...opts, allowNestedXValidations: false };
  if (!skipAnyOf) {
    v.anyOf.forEach((a, i) => {
      append(errs, nestedValueValidationErrors(a, false, false, lvl, pchild(path, "anyOf").index(i), noCEL));
    });
  }
  v.allOf.forEach((a, i) => {
    const skip = skipFirstAllOfAnyOf && i === 0;
    append(errs, nestedValueValidationErrors(a, skip, false, lvl, pchild(path, "allOf").index(i), opts));
  });
  v.oneOf.forEach((a, i) => {
    append(errs, nestedValueValidationErrors(a, false, false, lvl, pchild(path, "oneOf").index(i), noCEL));
  });
  append(errs, nestedValueValidationErrors(v.not, false, false, lvl, pchild(path, "not"), noCEL));
  if (v.pattern.length > 0) {
    const err = goRegexpError(v.pattern);
    if (err !== null) {
      errs.push(
        invalid(pchild(path, "pattern"), v.pattern, `must be a valid regular expression, but isn't: ${err}`),
      );
    }
  }
  return errs;
}

/**
 * regexp.Compile's error for the mistakes a scan finds: unbalanced parentheses
 * and brackets, a trailing backslash. Other RE2 syntax errors are not detected
 * (JavaScript's RegExp differs from RE2 both ways, so it is not consulted).
 */
function goRegexpError(pattern: string): string | null {
  const fail = (code: string, expr: string) => `error parsing regexp: ${code}: \`${expr}\``;
  let depth = 0;
  let classStart = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i + 1 >= pattern.length) return fail("trailing backslash at end of expression", "");
      i++;
      continue;
    }
    if (classStart >= 0) {
      // A ']' first in the class (after '[' or '[^') is a literal.
      const first = i === classStart + 1 || (i === classStart + 2 && pattern[classStart + 1] === "^");
      if (c === "]" && !first) classStart = -1;
      else if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        if (end > 0) i = end + 1;
      }
      continue;
    }
    if (c === "[") classStart = i;
    else if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) return fail("unexpected )", pattern);
      depth--;
    }
  }
  if (classStart >= 0) return fail("missing closing ]", pattern.slice(classStart));
  if (depth > 0) return fail("missing closing )", pattern);
  return null;
}

function nestedValueValidationErrors(
  v: NestedValueValidation | null,
  skipAnyOf: boolean,
  skipAllOfAnyOf: boolean,
  lvl: Level,
  path: Path,
  opts: StructuralOptions,
): FieldError[] {
  if (v === null) return [];
  const errs: FieldError[] = [];
  append(errs, valueValidationErrors(v.valueValidation, skipAnyOf, skipAllOfAnyOf, lvl, path, opts));
  append(errs, nestedValueValidationErrors(v.items, false, false, lvl, path.child("items"), opts));
  for (const [k, fld] of v.properties ?? []) {
    append(
      errs,
      nestedValueValidationErrors(fld, false, false, Level.Field, path.child("properties").key(k), opts),
    );
  }
  const g = v.forbiddenGenerics;
  const x = v.forbiddenExtensions;
  if (g.type.length > 0) errs.push(forbidden(path.child("type"), "must be empty to be structural"));
  if (v.additionalProperties !== null && !opts.allowNestedAdditionalProperties) {
    errs.push(forbidden(path.child("additionalProperties"), "must be undefined to be structural"));
  } else {
    append(
      errs,
      nestedValueValidationErrors(
        v.additionalProperties,
        false,
        false,
        lvl,
        path.child("additionalProperties"),
        opts,
      ),
    );
  }
  if (g.default !== undefined)
    errs.push(forbidden(path.child("default"), "must be undefined to be structural"));
  if (g.title.length > 0) errs.push(forbidden(path.child("title"), "must be empty to be structural"));
  if (g.description.length > 0)
    errs.push(forbidden(path.child("description"), "must be empty to be structural"));
  if (g.nullable) errs.push(forbidden(path.child("nullable"), "must be false to be structural"));
  if (x.xPreserveUnknownFields) {
    errs.push(
      forbidden(path.child("x-kubernetes-preserve-unknown-fields"), "must be false to be structural"),
    );
  }
  if (x.xEmbeddedResource) {
    errs.push(forbidden(path.child("x-kubernetes-embedded-resource"), "must be false to be structural"));
  }
  if (x.xIntOrString) {
    errs.push(forbidden(path.child("x-kubernetes-int-or-string"), "must be false to be structural"));
  }
  if ((x.xListMapKeys?.length ?? 0) > 0) {
    errs.push(forbidden(path.child("x-kubernetes-list-map-keys"), "must be empty to be structural"));
  }
  if (x.xListType !== null) {
    errs.push(forbidden(path.child("x-kubernetes-list-type"), "must be undefined to be structural"));
  }
  if (x.xMapType !== null) {
    errs.push(forbidden(path.child("x-kubernetes-map-type"), "must be undefined to be structural"));
  }
  if ((v.xValidations?.length ?? 0) > 0 && !opts.allowNestedXValidations) {
    errs.push(forbidden(path.child("x-kubernetes-validations"), "must be empty to be structural"));
  }
  if (v.properties?.has("metadata")) {
    errs.push(
      forbidden(path.child("properties").key("metadata"), "must not be specified in a nested context"),
    );
  }
  return errs;
}

function structuralCompleteness(s: Structural, path: Path | null, opts: StructuralOptions): FieldError[] {
  return valueValidationCompleteness(s.valueValidation, s, path, path, opts);
}

function definedIn(sPath: Path | null, vPath: Path | null): FieldError {
  return required(sPath, `because it is defined in ${vPath ? vPath.toString() : "<nil>"}`);
}

function valueValidationCompleteness(
  v: ValueValidation | null,
  s: Structural | null,
  sPath: Path | null,
  vPath: Path | null,
  opts: StructuralOptions,
): FieldError[] {
  if (v === null) return [];
  if (s === null) return [definedIn(sPath, vPath)];
  const errs: FieldError[] = [];
  append(errs, nestedCompleteness(v.not, s, sPath, pchild(vPath, "not"), opts));
  v.allOf.forEach((a, i) => {
    append(errs, nestedCompleteness(a, s, sPath, pchild(vPath, "allOf").index(i), opts));
  });
  v.anyOf.forEach((a, i) => {
    append(errs, nestedCompleteness(a, s, sPath, pchild(vPath, "anyOf").index(i), opts));
  });
  v.oneOf.forEach((a, i) => {
    append(errs, nestedCompleteness(a, s, sPath, pchild(vPath, "oneOf").index(i), opts));
  });
  return errs;
}

function nestedCompleteness(
  v: NestedValueValidation | null,
  s: Structural | null,
  sPath: Path | null,
  vPath: Path,
  opts: StructuralOptions,
): FieldError[] {
  if (v === null) return [];
  if (s === null) return [definedIn(sPath, vPath)];
  const errs: FieldError[] = [];
  append(errs, valueValidationCompleteness(v.valueValidation, s, sPath, vPath, opts));
  append(errs, nestedCompleteness(v.items, s.items, pchild(sPath, "items"), vPath.child("items"), opts));
  const apSchema = s.additionalProperties?.structural ?? null;
  for (const [k, vFld] of v.properties ?? []) {
    const sFld = s.properties?.get(k);
    if (sFld === undefined) {
      if (apSchema === null || !opts.allowValidationPropertiesWithAdditionalProperties) {
        errs.push(definedIn(pchild(sPath, "properties").key(k), vPath.child("properties").key(k)));
      } else {
        append(
          errs,
          nestedCompleteness(
            vFld,
            apSchema,
            pchild(sPath, "additionalProperties"),
            vPath.child("properties").key(k),
            opts,
          ),
        );
      }
    } else {
      append(
        errs,
        nestedCompleteness(
          vFld,
          sFld,
          pchild(sPath, "properties").key(k),
          vPath.child("properties").key(k),
          opts,
        ),
      );
    }
  }
  return errs;
}

const metaFields = new Set(["apiVersion", "kind", "metadata"]);

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** cel.ValidFieldPath: the field.Path a JSON path names in s, the schema it reaches, or an error text. */
export function validFieldPath(
  jsonPath: string,
  schema: Structural | null,
  allowArrayNotation = true,
): { path: Path | null; schema: Structural | null } | string {
  let path: Path | null = null;
  let s = schema;
  const append_ = (name: string, isNamed: boolean): string | null => {
    if (s === null) return "does not refer to a valid field";
    if (!isNamed) {
      path = path ? path.key(name) : newPath(`[${name}]`);
      s = s.additionalProperties?.structural ?? null;
    } else {
      path = path ? path.child(name) : newPath(name);
      const val = s.properties?.get(name);
      if (!val) return "does not refer to a valid field";
      s = val;
    }
    return null;
  };
  const tokens = scanFieldPath(jsonPath);
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i];
    if (tok === "[") {
      if (!allowArrayNotation) return "array notation is not allowed";
      if (++i >= tokens.length) return "unexpected end of JSON path";
      tok = tokens[i];
      if (tok.length < 2 || tok[0] !== "'" || tok[tok.length - 1] !== "'") {
        return `expected single quoted string but got ${tok}`;
      }
      const unescaped = unescapeSingleQuote(tok.slice(1, -1));
      if (typeof unescaped !== "string") return `invalid string literal: ${unescaped.error}`;
      const named = namedAccess(s);
      if (named === undefined) return "does not refer to a valid field";
      const err = append_(unescaped, named);
      if (err) return err;
      if (++i >= tokens.length) return "unexpected end of JSON path";
      if (tokens[i] !== "]") return `expected ] but got ${tokens[i]}`;
    } else if (tok === ".") {
      if (++i >= tokens.length) return "unexpected end of JSON path";
      const named = namedAccess(s);
      if (named === undefined) return "does not refer to a valid field";
      const err = append_(tokens[i], named);
      if (err) return err;
    } else {
      return `expected [ or . but got: ${tok}`;
    }
  }
  return { path, schema: s };
}

function namedAccess(s: Structural | null): boolean | undefined {
  if (s === null) return undefined;
  if (s.properties !== null) return true;
  if (s.additionalProperties !== null) return false;
  return undefined;
}

/** The bufio.Scanner split of ValidFieldPath: '.', '[' and ']' alone, quoted strings whole. */
function scanFieldPath(s: string): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > 0) {
    let advance = rest.length;
    if (rest[0] === "'") {
      for (let i = 1; i < rest.length; i++) {
        if (rest[i] === "'" && rest[i - 1] !== "\\") {
          advance = i + 1;
          break;
        }
      }
    } else {
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === "." || rest[i] === "[" || rest[i] === "]") {
          advance = i === 0 ? 1 : i;
          break;
        }
      }
    }
    out.push(rest.slice(0, advance));
    rest = rest.slice(advance);
  }
  return out;
}

function unescapeSingleQuote(s: string): string | { error: string } {
  let error: string | null = null;
  const map: Record<string, string> = {
    a: "\x07",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
    "'": "'",
    "\\": "\\",
  };
  const out = s.replace(/\\[\s\S]/g, (m) => {
    const r = map[m[1]];
    if (r === undefined) {
      error = `invalid escape char ${m}`;
      return "";
    }
    return r;
  });
  return error === null ? out : { error };
}

// ---------------------------------------------------------------------------
// Defaults (structuraldefaulting.ValidateDefaults), in part.

function validateDefaults(path: Path, root: Structural, requirePrunedDefaults: boolean): FieldError[] {
  // The root of a resource is validated as an embedded resource.
  const s: Structural = root.extensions.xEmbeddedResource
    ? root
    : { ...root, extensions: { ...root.extensions, xEmbeddedResource: true } };
  const errs: FieldError[] = [];
  validateDefaultsAt(path, s, false, requirePrunedDefaults, errs);
  return errs;
}

function validateDefaultsAt(
  path: Path,
  s: Structural,
  insideMeta: boolean,
  requirePrunedDefaults: boolean,
  errs: FieldError[],
): void {
  let meta = insideMeta;
  if (s.extensions.xEmbeddedResource) meta = false;
  const def = s.generic.default;
  if (def !== undefined) {
    if (!meta && requirePrunedDefaults) {
      const pruned = structuredClone(def);
      pruneValue(pruned, s.source, s.extensions.xEmbeddedResource);
      if (!jsonEqual(pruned, def)) {
        errs.push(invalid(path.child("default"), jsonBadValue(def), "must not have unknown fields"));
      }
    }
    // The default must be valid by the schema it defaults, as any value of the field.
    append(errs, validateCustomResource(def, s.source, path.child("default")));
  }
  // additionalProperties is not followed: defaults are forbidden there.
  if (s.items) validateDefaultsAt(path.child("items"), s.items, meta, requirePrunedDefaults, errs);
  for (const [k, sub] of s.properties ?? []) {
    const subMeta = meta || (s.extensions.xEmbeddedResource && metaFields.has(k));
    validateDefaultsAt(path.child("properties").key(k), sub, subMeta, requirePrunedDefaults, errs);
  }
}

/** Whether pruning changes any default of the schema (schemaHasUnprunedDefaults, approximately). */
function structuralHasUnprunedDefaults(s: Structural | null): boolean {
  if (s === null) return false;
  const def = s.generic.default;
  if (def !== undefined) {
    const pruned = structuredClone(def);
    pruneValue(pruned, s.source, s.extensions.xEmbeddedResource);
    if (!jsonEqual(pruned, def)) return true;
  }
  if (structuralHasUnprunedDefaults(s.items)) return true;
  for (const sub of s.properties?.values() ?? []) if (structuralHasUnprunedDefaults(sub)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Validation options (validationOptions in validation.go).

interface Options {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  requireRecognizedConversionReviewVersion: boolean;
  requireImmutableNames: boolean;
  requireOpenAPISchema: boolean;
  requireValidPropertyType: boolean;
  requireStructuralSchema: boolean;
  requirePrunedDefaults: boolean;
  requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean;
}

const createOptions: Options = {
  allowDefaults: true,
  disallowDefaultsReason: "",
  requireRecognizedConversionReviewVersion: true,
  requireImmutableNames: false,
  requireOpenAPISchema: true,
  requireValidPropertyType: true,
  requireStructuralSchema: true,
  requirePrunedDefaults: true,
  requireAtomicSetType: true,
  requireMapListKeysMapSetValidation: true,
};

function updateOptions(old: Internal): Options {
  const conversion = old.spec.conversion;
  return {
    allowDefaults: true,
    disallowDefaultsReason: "",
    requireRecognizedConversionReviewVersion:
      conversion === null || hasValidConversionReviewVersionOrEmpty(conversion.conversionReviewVersions),
    requireImmutableNames: old.established,
    requireOpenAPISchema: allVersionsSpecifyOpenAPISchema(old.spec),
    requireValidPropertyType: !hasSchemaWith(old.spec, schemaHasInvalidType),
    requireStructuralSchema: !hasSchemaWith(old.spec, schemaIsNonStructural, false),
    requirePrunedDefaults: !hasSchemaWith(old.spec, schemaHasUnprunedDefaults, false),
    requireAtomicSetType: !hasSchemaWith(old.spec, hasNonAtomicSetType),
    requireMapListKeysMapSetValidation: !hasSchemaWith(old.spec, hasInvalidMapListKeysMapSet),
  };
}

// ---------------------------------------------------------------------------
// Schema predicates (SchemaHas and friends).

/** SchemaHas: pred holds for s or any schema nested in it. */
function schemaHas(s: J | null, pred: (s: J) => boolean): boolean {
  if (s === null) return false;
  if (pred(s)) return true;
  const items = itemsOf(s);
  if (items?.schema && schemaHas(items.schema, pred)) return true;
  for (const x of items?.schemas ?? []) if (schemaHas(x, pred)) return true;
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    for (const x of objList(s, k) ?? []) if (schemaHas(x, pred)) return true;
  }
  if (schemaHas(objAt(s, "not"), pred)) return true;
  for (const [, x] of mapEntries(objAt(s, "properties"))) if (schemaHas(x, pred)) return true;
  if (schemaHas(schemaOrBool(s, "additionalProperties")?.schema ?? null, pred)) return true;
  for (const [, x] of mapEntries(objAt(s, "patternProperties"))) if (schemaHas(x, pred)) return true;
  if (schemaHas(schemaOrBool(s, "additionalItems")?.schema ?? null, pred)) return true;
  for (const [, x] of mapEntries(objAt(s, "definitions"))) if (schemaHas(x, pred)) return true;
  for (const [, x] of dependenciesOf(s) ?? []) if (schemaHas(x, pred)) return true;
  return false;
}

/**
 * HasSchemaWith over the top-level and per-version schemas. With recurse,
 * pred is tried on every nested schema (SchemaHas); without, on the roots only.
 */
function hasSchemaWith(spec: Spec, pred: (s: J) => boolean, recurse = true): boolean {
  const test = (s: J | null) => (recurse ? schemaHas(s, pred) : s !== null && pred(s));
  if (test(spec.validation?.openAPIV3Schema ?? null)) return true;
  for (const v of spec.versions ?? []) if (test(v.schema?.openAPIV3Schema ?? null)) return true;
  return false;
}

const openapiV3Types = ["array", "boolean", "integer", "number", "object", "string"];

function schemaHasInvalidType(s: J): boolean {
  const t = str(s, "type");
  return t.length > 0 && !openapiV3Types.includes(t);
}

function schemaHasKubernetesExtensions(s: J): boolean {
  return (
    bool(s, "x-kubernetes-embedded-resource") ||
    has(s, "x-kubernetes-preserve-unknown-fields") ||
    bool(s, "x-kubernetes-int-or-string") ||
    (strList(s, "x-kubernetes-list-map-keys")?.length ?? 0) > 0 ||
    has(s, "x-kubernetes-list-type") ||
    (objList(s, "x-kubernetes-validations")?.length ?? 0) > 0
  );
}

function schemaIsNonStructural(s: J): boolean {
  const ss = newStructural(s);
  if (typeof ss === "string") return true;
  return ss !== null && validateStructural(null, ss).length > 0;
}

function schemaHasUnprunedDefaults(s: J): boolean {
  if (!schemaHas(s, hasDefault)) return false;
  const ss = newStructural(s);
  if (typeof ss === "string" || ss === null) return false;
  if (validateStructural(null, ss).length > 0) return false;
  return structuralHasUnprunedDefaults(ss);
}

function hasNonAtomicSetType(s: J): boolean {
  if (optStr(s, "x-kubernetes-list-type") !== "set") return false;
  const is = itemsOf(s)?.schema;
  if (!is) return false;
  switch (str(is, "type")) {
    case "array": {
      const lt = optStr(is, "x-kubernetes-list-type");
      return lt !== null && lt !== "atomic";
    }
    case "object":
      return optStr(is, "x-kubernetes-map-type") !== "atomic";
    default:
      return false;
  }
}

function hasInvalidMapListKeysMapSet(s: J): boolean {
  return mapListKeysMapSetErrors(s, newPath("")).length > 0;
}

function allVersionsSpecifyOpenAPISchema(spec: Spec): boolean {
  if (spec.validation?.openAPIV3Schema) return true;
  return (spec.versions ?? []).every((v) => v.schema?.openAPIV3Schema);
}

// ---------------------------------------------------------------------------
// OpenAPI schema rules (ValidateCustomResourceDefinitionOpenAPISchema).

/** specStandardValidatorV3. */
interface SchemaValidator {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
  requireValidPropertyType: boolean;
}

function withForbiddenDefaults(v: SchemaValidator, reason: string): SchemaValidator {
  return { ...v, allowDefaults: false, disallowDefaultsReason: reason };
}

function standardErrors(v: SchemaValidator, s: J, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s, "type");
  if (v.requireValidPropertyType && type.length > 0 && !openapiV3Types.includes(type)) {
    errs.push(notSupported(path.child("type"), type, openapiV3Types));
  }
  if (hasDefault(s) && !v.allowDefaults) {
    let detail = "must not be set";
    if (v.disallowDefaultsReason.length > 0) detail += ` ${v.disallowDefaultsReason}`;
    errs.push(forbidden(path.child("default"), detail));
  }
  if (str(s, "id") !== "") errs.push(forbidden(path.child("id"), "id is not supported"));
  if (schemaOrBool(s, "additionalItems") !== null) {
    errs.push(forbidden(path.child("additionalItems"), "additionalItems is not supported"));
  }
  if (Object.keys(objAt(s, "patternProperties") ?? {}).length !== 0) {
    errs.push(forbidden(path.child("patternProperties"), "patternProperties is not supported"));
  }
  if (Object.keys(objAt(s, "definitions") ?? {}).length !== 0) {
    errs.push(forbidden(path.child("definitions"), "definitions is not supported"));
  }
  if (objAt(s, "dependencies") !== null) {
    errs.push(forbidden(path.child("dependencies"), "dependencies is not supported"));
  }
  if (has(s, "$ref")) errs.push(forbidden(path.child("$ref"), "$ref is not supported"));
  if (type === "null") {
    errs.push(forbidden(path.child("type"), "type cannot be set to null, use nullable as an alternative"));
  }
  if ((itemsOf(s)?.schemas?.length ?? 0) !== 0) {
    errs.push(forbidden(path.child("items"), "items must be a schema object and not an array"));
  }
  if (v.insideResourceMeta && bool(s, "x-kubernetes-embedded-resource")) {
    errs.push(
      forbidden(path.child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"),
    );
  }
  return errs;
}

function goItemsText(items: SchemaOrArray): GoValue {
  return new GoValue(
    `apiextensions.JSONSchemaPropsOrArray{Schema:${goPtr("apiextensions.JSONSchemaProps", items.schema !== null)}, JSONSchemas:${goSchemaSliceText(items.schemas)}}`,
  );
}

const supportedValidationReasons = [
  "FieldValueDuplicate",
  "FieldValueForbidden",
  "FieldValueInvalid",
  "FieldValueRequired",
];

function hasNewlines(s: string): boolean {
  return /[\n\r]+/.test(s);
}

/** strings.TrimSpace. */
function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, "");
}

function validFieldPathIn(schema: J, fieldPath: string): boolean {
  const ss = newStructural(schema);
  if (typeof ss === "string") return true;
  return typeof validFieldPath(fieldPath, ss) !== "string";
}

function xValidationsErrors(s: J, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (objList(s, "x-kubernetes-validations") ?? []).forEach((rule, i) => {
    const p = path.child("x-kubernetes-validations").index(i);
    const ruleText = str(rule, "rule");
    const message = str(rule, "message");
    const messageExpression = str(rule, "messageExpression");
    const trimmedRule = trimSpace(ruleText);
    const trimmedMsg = trimSpace(message);
    if (trimmedRule.length === 0) {
      errs.push(required(p.child("rule"), "rule is not specified"));
    } else if (message.length > 0 && trimmedMsg.length === 0) {
      errs.push(invalid(p.child("message"), message, "message must be non-empty if specified"));
    } else if (hasNewlines(trimmedMsg)) {
      errs.push(invalid(p.child("message"), message, "message must not contain line breaks"));
    } else if (hasNewlines(trimmedRule) && trimmedMsg.length === 0) {
      errs.push(required(p.child("message"), "message must be specified if rule contains line breaks"));
    }
    if (messageExpression.length > 0 && trimSpace(messageExpression).length === 0) {
      errs.push(required(p.child("messageExpression"), "messageExpression must be non-empty if specified"));
    }
    const reason = optStr(rule, "reason");
    if (reason !== null && !supportedValidationReasons.includes(reason)) {
      errs.push(notSupported(p.child("reason"), reason, supportedValidationReasons));
    }
    const fieldPath = str(rule, "fieldPath");
    if (fieldPath.length > 0 && trimSpace(fieldPath).length === 0) {
      errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must be non-empty if specified"));
    }
    if (hasNewlines(fieldPath)) {
      errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must not contain line breaks"));
    }
    if (fieldPath.length > 0 && !validFieldPathIn(s, fieldPath)) {
      errs.push(invalid(p.child("fieldPath"), fieldPath, "fieldPath must be a valid path"));
    }
  });
  // The rules compile only once their shape is right, as upstream skips CEL on schema errors.
  if (errs.length > 0) return errs;
  (objList(s, "x-kubernetes-validations") ?? []).forEach((rule, i) => {
    const p = path.child("x-kubernetes-validations").index(i);
    const c = compileRule(rule);
    const asGo = new GoValue(goValidationRuleText(rule));
    if (c.error !== undefined) errs.push(invalid(p.child("rule"), asGo, `compilation failed: ${c.error}`));
    if (c.messageExpressionError !== undefined) {
      errs.push(
        invalid(
          p.child("messageExpression"),
          asGo,
          `messageExpression compilation failed: ${c.messageExpressionError}`,
        ),
      );
    }
    if (c.program && !c.usesOldSelf && has(rule, "optionalOldSelf")) {
      errs.push(
        invalid(
          p.child("optionalOldSelf"),
          rule.optionalOldSelf as boolean,
          "may not be set if oldSelf is not used in rule",
        ),
      );
    }
  });
  return errs;
}

function mapListKeysMapSetErrors(s: J, path: Path): FieldError[] {
  const is = itemsOf(s)?.schema;
  const listType = optStr(s, "x-kubernetes-list-type");
  if (!is || listType === null || (listType !== "set" && listType !== "map")) return [];
  const errs: FieldError[] = [];
  if (bool(is, "nullable")) {
    errs.push(
      forbidden(
        path.child("items").child("nullable"),
        `cannot be nullable when x-kubernetes-list-type is ${listType}`,
      ),
    );
  }
  if (listType === "map") {
    const requiredKeys = new Set(strList(is, "required") ?? []);
    const props = objAt(is, "properties") ?? {};
    for (const k of strList(s, "x-kubernetes-list-map-keys") ?? []) {
      const prop = props[k];
      if (!Object.hasOwn(props, k) || !isObj(prop)) continue;
      const p = path.child("items").child("properties").key(k);
      if (!requiredKeys.has(k) && !hasDefault(prop)) {
        errs.push(
          required(
            p.child("default"),
            "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
          ),
        );
      }
      if (bool(prop, "nullable")) {
        errs.push(
          forbidden(
            p.child("nullable"),
            "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
          ),
        );
      }
    }
  }
  return errs;
}

function openAPISchemaErrors(
  s: J | null,
  path: Path,
  v: SchemaValidator,
  isRoot: boolean,
  opts: Options,
): FieldError[] {
  if (s === null) return [];
  const errs = standardErrors(v, s, path);
  if (bool(s, "uniqueItems")) {
    errs.push(
      forbidden(
        path.child("uniqueItems"),
        "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
      ),
    );
  }
  const props = objAt(s, "properties");
  const propCount = Object.keys(props ?? {}).length;
  const ap = schemaOrBool(s, "additionalProperties");
  if (ap) {
    if (propCount !== 0 && (!ap.allows || ap.schema !== null)) {
      errs.push(
        forbidden(
          path.child("additionalProperties"),
          "additionalProperties and properties are mutual exclusive",
        ),
      );
    }
    const sub = v.insideResourceMeta
      ? withForbiddenDefaults(v, "inside additionalProperties applying to object metadata")
      : v;
    append(errs, openAPISchemaErrors(ap.schema, path.child("additionalProperties"), sub, false, opts));
  }
  const embedded = bool(s, "x-kubernetes-embedded-resource");
  for (const [k, prop] of mapEntries(props)) {
    let sub = v;
    if ((isRoot || embedded) && metaFields.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = withForbiddenDefaults(sub, `in top-level ${k}`);
    }
    append(errs, openAPISchemaErrors(prop, path.child("properties").key(k), sub, false, opts));
  }
  append(errs, openAPISchemaErrors(objAt(s, "not"), path.child("not"), v, false, opts));
  for (const k of ["allOf", "oneOf", "anyOf"]) {
    (objList(s, k) ?? []).forEach((x, i) => {
      append(errs, openAPISchemaErrors(x, path.child(k).index(i), v, false, opts));
    });
  }
  for (const [k, x] of mapEntries(objAt(s, "definitions"))) {
    append(errs, openAPISchemaErrors(x, path.child("definitions").key(k), v, false, opts));
  }
  const items = itemsOf(s);
  if (items) {
    append(errs, openAPISchemaErrors(items.schema, path.child("items"), v, false, opts));
    (items.schemas ?? []).forEach((x, i) => {
      append(errs, openAPISchemaErrors(x, path.child("items").index(i), v, false, opts));
    });
  }
  for (const [k, x] of dependenciesOf(s) ?? []) {
    append(errs, openAPISchemaErrors(x, path.child("dependencies").key(k), v, false, opts));
  }

  if (s["x-kubernetes-preserve-unknown-fields"] === false) {
    errs.push(
      invalid(path.child("x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"),
    );
  }
  const type = str(s, "type");
  const mapType = optStr(s, "x-kubernetes-map-type");
  if (mapType !== null && type !== "object") {
    const detail = "must be object if x-kubernetes-map-type is specified";
    errs.push(
      type.length === 0 ? required(path.child("type"), detail) : invalid(path.child("type"), type, detail),
    );
  }
  if (mapType !== null && mapType !== "atomic" && mapType !== "granular") {
    errs.push(notSupported(path.child("x-kubernetes-map-type"), mapType, ["atomic", "granular"]));
  }
  const listType = optStr(s, "x-kubernetes-list-type");
  if (listType !== null && type !== "array") {
    const detail = "must be array if x-kubernetes-list-type is specified";
    errs.push(
      type.length === 0 ? required(path.child("type"), detail) : invalid(path.child("type"), type, detail),
    );
  } else if (opts.requireAtomicSetType && listType === "set" && items?.schema) {
    const is = items.schema;
    const detail = "must be atomic as item of a list with x-kubernetes-list-type=set";
    const itemListType = optStr(is, "x-kubernetes-list-type");
    switch (str(is, "type")) {
      case "array":
        if (itemListType !== null && itemListType !== "atomic") {
          errs.push(invalid(path.child("items").child("x-kubernetes-list-type"), itemListType, detail));
        }
        break;
      case "object":
        if (optStr(is, "x-kubernetes-map-type") !== "atomic") {
          // Upstream reports the items' list type here.
          errs.push(invalid(path.child("items").child("x-kubernetes-map-type"), itemListType, detail));
        }
        break;
    }
  }
  if (listType !== null && listType !== "atomic" && listType !== "set" && listType !== "map") {
    errs.push(notSupported(path.child("x-kubernetes-list-type"), listType, ["atomic", "set", "map"]));
  }
  const mapKeys = strList(s, "x-kubernetes-list-map-keys") ?? [];
  if (mapKeys.length > 0) {
    const detail = "must be map if x-kubernetes-list-map-keys is non-empty";
    if (listType === null) errs.push(required(path.child("x-kubernetes-list-type"), detail));
    else if (listType !== "map") errs.push(invalid(path.child("x-kubernetes-list-type"), listType, detail));
  }
  if (listType === "map") {
    if (mapKeys.length === 0) {
      errs.push(
        required(
          path.child("x-kubernetes-list-map-keys"),
          "must not be empty if x-kubernetes-list-type is map",
        ),
      );
    }
    if (items === null) {
      errs.push(required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"));
    }
    if (items !== null && items.schema === null) {
      errs.push(
        invalid(
          path.child("items"),
          goItemsText(items),
          "must only have a single schema if x-kubernetes-list-type is map",
        ),
      );
    }
    const is = items?.schema;
    if (is && str(is, "type") !== "object") {
      errs.push(
        invalid(
          path.child("items").child("type"),
          str(is, "type"),
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (is && str(is, "type") === "object") {
      const itemProps = objAt(is, "properties") ?? {};
      const seen = new Set<string>();
      for (const k of mapKeys) {
        const prop = itemProps[k];
        if (Object.hasOwn(itemProps, k)) {
          const pt = isObj(prop) ? str(prop, "type") : "";
          if (pt === "array" || pt === "object") {
            errs.push(
              invalid(
                path.child("items").child("properties").key(k).child("type"),
                str(is, "type"),
                "must be a scalar type if parent array's x-kubernetes-list-type is map",
              ),
            );
          }
        } else {
          errs.push(
            invalid(
              path.child("x-kubernetes-list-map-keys"),
              goStringSlice(mapKeys),
              "entries must all be names of item properties",
            ),
          );
        }
        if (seen.has(k)) {
          errs.push(
            invalid(
              path.child("x-kubernetes-list-map-keys"),
              goStringSlice(mapKeys),
              "must not contain duplicate entries",
            ),
          );
        }
        seen.add(k);
      }
    }
  }
  if (opts.requireMapListKeysMapSetValidation) append(errs, mapListKeysMapSetErrors(s, path));
  append(errs, xValidationsErrors(s, path));
  return errs;
}

// The JSONSchemaProps fields in Go's order, for the status-subresource root check.
const rootFields: ReadonlyArray<[string, string, "str" | "bool" | "set"]> = [
  ["ID", "id", "str"],
  ["Schema", "$schema", "str"],
  ["Ref", "$ref", "set"],
  ["Description", "description", "str"],
  ["Type", "type", "str"],
  ["Nullable", "nullable", "bool"],
  ["Format", "format", "str"],
  ["Title", "title", "str"],
  ["Default", "default", "set"],
  ["Maximum", "maximum", "set"],
  ["ExclusiveMaximum", "exclusiveMaximum", "bool"],
  ["Minimum", "minimum", "set"],
  ["ExclusiveMinimum", "exclusiveMinimum", "bool"],
  ["MaxLength", "maxLength", "set"],
  ["MinLength", "minLength", "set"],
  ["Pattern", "pattern", "str"],
  ["MaxItems", "maxItems", "set"],
  ["MinItems", "minItems", "set"],
  ["UniqueItems", "uniqueItems", "bool"],
  ["MultipleOf", "multipleOf", "set"],
  ["Enum", "enum", "set"],
  ["MaxProperties", "maxProperties", "set"],
  ["MinProperties", "minProperties", "set"],
  ["Required", "required", "set"],
  ["Items", "items", "set"],
  ["AllOf", "allOf", "set"],
  ["OneOf", "oneOf", "set"],
  ["AnyOf", "anyOf", "set"],
  ["Not", "not", "set"],
  ["Properties", "properties", "set"],
  ["AdditionalProperties", "additionalProperties", "set"],
  ["PatternProperties", "patternProperties", "set"],
  ["Dependencies", "dependencies", "set"],
  ["AdditionalItems", "additionalItems", "set"],
  ["Definitions", "definitions", "set"],
  ["ExternalDocs", "externalDocs", "set"],
  ["Example", "example", "set"],
  ["XPreserveUnknownFields", "x-kubernetes-preserve-unknown-fields", "set"],
  ["XEmbeddedResource", "x-kubernetes-embedded-resource", "bool"],
  ["XIntOrString", "x-kubernetes-int-or-string", "bool"],
  ["XListMapKeys", "x-kubernetes-list-map-keys", "set"],
  ["XListType", "x-kubernetes-list-type", "set"],
  ["XMapType", "x-kubernetes-map-type", "set"],
  ["XValidations", "x-kubernetes-validations", "set"],
];

const allowedFieldsAtRootSchema = [
  "Description",
  "Type",
  "Format",
  "Title",
  "Maximum",
  "ExclusiveMaximum",
  "Minimum",
  "ExclusiveMinimum",
  "MaxLength",
  "MinLength",
  "Pattern",
  "MaxItems",
  "MinItems",
  "UniqueItems",
  "MultipleOf",
  "Required",
  "Items",
  "Properties",
  "ExternalDocs",
  "Example",
  "XPreserveUnknownFields",
  "XValidations",
];

function rootFieldSet(s: J, key: string, kind: "str" | "bool" | "set"): boolean {
  switch (kind) {
    case "str":
      return str(s, key) !== "";
    case "bool":
      return bool(s, key);
    case "set":
      return has(s, key);
  }
}

/** validateCustomResourceDefinitionValidation. */
function validateCRValidation(
  validation: CustomResourceValidation | null,
  statusEnabled: boolean,
  opts: Options,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (validation === null) return errs;
  const schema = validation.openAPIV3Schema;
  if (schema === null) return errs;
  if (statusEnabled) {
    for (const [name, key, kind] of rootFields) {
      if (!rootFieldSet(schema, key, kind)) continue;
      if (name === "Type") {
        const type = str(schema, "type");
        if (type !== "object") {
          errs.push(
            invalid(
              path.child("openAPIV3Schema.type"),
              type,
              `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
            ),
          );
          break;
        }
        continue;
      }
      if (!allowedFieldsAtRootSchema.includes(name)) {
        errs.push(
          invalid(
            path.child("openAPIV3Schema"),
            new GoValue(goSchemaText(schema)),
            `only [${allowedFieldsAtRootSchema.join(" ")}] fields are allowed at the root of the schema if the status subresource is enabled`,
          ),
        );
        break;
      }
    }
  }
  if (bool(schema, "nullable")) {
    errs.push(forbidden(path.child("openAPIV3Schema.nullable"), "nullable cannot be true at the root"));
  }
  const schemaPath = path.child("openAPIV3Schema");
  const v: SchemaValidator = {
    allowDefaults: opts.allowDefaults,
    disallowDefaultsReason: opts.disallowDefaultsReason,
    insideResourceMeta: false,
    requireValidPropertyType: opts.requireValidPropertyType,
  };
  const structuralInitErrs: FieldError[] = [];
  if (opts.requireStructuralSchema) {
    const ss = newStructural(schema);
    if (typeof ss === "string") {
      structuralInitErrs.push(invalid(schemaPath, "", ss));
    } else if (ss !== null) {
      const structuralErrs = validateStructural(schemaPath, ss);
      if (structuralErrs.length > 0) append(errs, structuralErrs);
      else append(errs, validateDefaults(schemaPath, ss, opts.requirePrunedDefaults));
    }
  }
  append(errs, openAPISchemaErrors(schema, schemaPath, v, true, opts));
  // Structural conversion errors overlap with the schema errors: shown only when there are no others.
  if (errs.length === 0) append(errs, structuralInitErrs);
  return errs;
}

// ---------------------------------------------------------------------------
// Names, versions, subresources, columns, selectable fields, conversion.

function dns1035(value: string): string[] {
  return isDNS1035Label(value);
}

/** ValidateCustomResourceDefinitionNames. */
function validateNames(names: Names, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const plainLabel = (field: string, value: string) => {
    const e = dns1035(value);
    if (value.length > 0 && e.length > 0) errs.push(invalid(path.child(field), value, e.join(",")));
  };
  const mixedCase = (field: string, value: string) => {
    const e = dns1035(value.toLowerCase());
    if (value.length > 0 && e.length > 0) {
      errs.push(
        invalid(path.child(field), value, `may have mixed case, but should otherwise match: ${e.join(",")}`),
      );
    }
  };
  plainLabel("plural", names.plural);
  plainLabel("singular", names.singular);
  mixedCase("kind", names.kind);
  mixedCase("listKind", names.listKind);
  (names.shortNames ?? []).forEach((n, i) => {
    const e = dns1035(n);
    if (e.length > 0) errs.push(invalid(path.child("shortNames").index(i), n, e.join(",")));
  });
  if (names.kind.length > 0 && names.kind === names.listKind) {
    errs.push(invalid(path.child("listKind"), names.listKind, "kind and listKind may not be the same"));
  }
  (names.categories ?? []).forEach((c, i) => {
    const e = dns1035(c);
    if (e.length > 0) errs.push(invalid(path.child("categories").index(i), c, e.join(",")));
  });
  return errs;
}

function validateEnumStrings(
  path: Path,
  value: string,
  accepted: readonly string[],
  isRequired: boolean,
): FieldError[] {
  if (value === "") return isRequired ? [required(path, "")] : [];
  return accepted.includes(value) ? [] : [notSupported(path, value, accepted)];
}

/** validateDeprecationWarning. */
function deprecationWarningErrors(deprecated: boolean, warning: string | null): string[] {
  if (!deprecated && warning !== null) return ["can only be set for deprecated versions"];
  if (warning === null) return [];
  const errs: string[] = [];
  if (byteLen(warning) > 256) errs.push("must be <= 256 characters long");
  if (warning.length === 0) errs.push("must not be an empty string");
  let index = 0;
  for (const ch of warning) {
    const cp = ch.codePointAt(0) ?? 0;
    const isSurrogate = cp >= 0xd800 && cp <= 0xdfff;
    // Go reads invalid UTF-8 as U+FFFD, which is printable.
    if (!isSurrogate && !isGoPrintable(cp)) {
      errs.push(
        `must only contain printable UTF-8 characters; non-printable character found at index ${index}`,
      );
      break;
    }
    index += isSurrogate ? 3 : byteLen(ch);
  }
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(warning)) {
    errs.push("must only contain printable UTF-8 characters");
  }
  return errs;
}

const printerColumnDatatypes = ["boolean", "date", "integer", "number", "string"];
const columnFormats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

/** validateSimpleJSONPath. */
function simpleJSONPathErrors(s: string, path: Path): FieldError[] {
  if (s.length === 0) return [invalid(path, s, "must not be empty")];
  if (s[0] !== ".") return [invalid(path, s, "must be a simple json path starting with .")];
  return [];
}

/** ValidateCustomResourceColumnDefinition. */
function validateColumn(col: Column, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (col.name.length === 0) errs.push(required(path.child("name"), ""));
  const typeDetail = `must be one of ${printerColumnDatatypes.join(",")}`;
  if (col.type.length === 0) errs.push(required(path.child("type"), typeDetail));
  else if (!printerColumnDatatypes.includes(col.type))
    errs.push(invalid(path.child("type"), col.type, typeDetail));
  if (col.format.length > 0 && !columnFormats.includes(col.format)) {
    errs.push(invalid(path.child("format"), col.format, `must be one of ${columnFormats.join(",")}`));
  }
  if (col.jsonPath.length === 0) errs.push(required(path.child("JSONPath"), ""));
  else append(errs, simpleJSONPathErrors(col.jsonPath, path.child("JSONPath")));
  return errs;
}

/** ValidateCustomResourceDefinitionSubresources. */
function validateSubresources(sub: Subresources | null, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const scale = sub?.scale;
  if (!scale) return errs;
  const spec = path.child("scale.specReplicasPath");
  if (scale.specReplicasPath.length === 0) {
    errs.push(required(spec, ""));
  } else {
    const e = simpleJSONPathErrors(scale.specReplicasPath, spec);
    if (e.length > 0) append(errs, e);
    else if (!scale.specReplicasPath.startsWith(".spec.")) {
      errs.push(invalid(spec, scale.specReplicasPath, "should be a json path under .spec"));
    }
  }
  const status = path.child("scale.statusReplicasPath");
  if (scale.statusReplicasPath.length === 0) {
    errs.push(required(status, ""));
  } else {
    const e = simpleJSONPathErrors(scale.statusReplicasPath, status);
    if (e.length > 0) append(errs, e);
    else if (!scale.statusReplicasPath.startsWith(".status.")) {
      errs.push(invalid(status, scale.statusReplicasPath, "should be a json path under .status"));
    }
  }
  const selector = scale.labelSelectorPath;
  if (selector !== null && selector.length > 0) {
    const p = path.child("scale.labelSelectorPath");
    const e = simpleJSONPathErrors(selector, p);
    if (e.length > 0) append(errs, e);
    else if (!selector.startsWith(".spec.") && !selector.startsWith(".status.")) {
      errs.push(invalid(p, selector, "should be a json path under either .spec or .status"));
    }
  }
  return errs;
}

const maxSelectableFields = 8;

/** ValidateCustomResourceSelectableFields. */
function validateSelectableFields(
  fields: readonly SelectableField[],
  schema: Structural | null,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = path.index(i).child("jsonPath");
    if (f.jsonPath.length === 0) {
      errs.push(required(p, ""));
      return;
    }
    const found = validFieldPath(f.jsonPath, schema, false);
    if (typeof found === "string") {
      errs.push(invalid(p, f.jsonPath, `is an invalid path: ${found}`));
      return;
    }
    if (found.path?.root().toString() === "metadata") {
      errs.push(invalid(p, f.jsonPath, "must not point to fields in metadata"));
    }
    const type = found.schema?.generic.type;
    if (type !== "string" && type !== "boolean" && type !== "integer") {
      errs.push(
        invalid(
          p,
          f.jsonPath,
          "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.",
        ),
      );
    }
    const key = found.path ? found.path.toString() : "<nil>";
    if (unique.has(key)) errs.push(duplicate(p, f.jsonPath));
    else unique.add(key);
  });
  if (unique.size > maxSelectableFields) errs.push(tooMany(path, unique.size, maxSelectableFields));
  return errs;
}

function structuralOf(schema: J | null, errPath: Path, errs: FieldError[]): Structural | null {
  const ss = newStructural(schema);
  if (typeof ss === "string") {
    errs.push(invalid(errPath, "", ss));
    return null;
  }
  return ss;
}

function hasStatusEnabled(sub: Subresources | null): boolean {
  return sub !== null && sub.status !== null;
}

function hasPerVersionSubresources(versions: readonly Version[]): boolean {
  return versions.some((v) => v.subresources !== null);
}

function subresourcesForVersion(spec: Spec, name: string): Subresources | null {
  const versions = spec.versions ?? [];
  if (!hasPerVersionSubresources(versions)) return spec.subresources;
  return versions.find((v) => v.name === name)?.subresources ?? null;
}

function hasAnyStatusEnabled(spec: Spec): boolean {
  return (
    hasStatusEnabled(spec.subresources) || (spec.versions ?? []).some((v) => hasStatusEnabled(v.subresources))
  );
}

/** validateCustomResourceDefinitionVersion. */
function validateVersion(version: Version, path: Path, statusEnabled: boolean, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  for (const msg of deprecationWarningErrors(version.deprecated, version.deprecationWarning)) {
    errs.push(invalid(path.child("deprecationWarning"), version.deprecationWarning, msg));
  }
  append(errs, validateCRValidation(version.schema, statusEnabled, opts, path.child("schema")));
  append(errs, validateSubresources(version.subresources, path.child("subresources")));
  (version.additionalPrinterColumns ?? []).forEach((c, i) => {
    append(errs, validateColumn(c, path.child("additionalPrinterColumns").index(i)));
  });
  const selectable = version.selectableFields ?? [];
  if (selectable.length > 0) {
    const schema = version.schema?.openAPIV3Schema ?? null;
    if (schema === null) {
      errs.push(
        invalid(
          path.child("selectableFields"),
          "",
          "selectableFields may only be set when version.schema.openAPIV3Schema is not included",
        ),
      );
    } else {
      const ss = structuralOf(schema, path.child("schema.openAPIV3Schema"), errs);
      append(errs, validateSelectableFields(selectable, ss, path.child("selectableFields")));
    }
  }
  return errs;
}

/** The versions ConversionReview is known in, as of 1.17+. */
const acceptedConversionReviewVersions = ["v1", "v1beta1"];

function hasValidConversionReviewVersionOrEmpty(versions: readonly string[] | null): boolean {
  if (versions === null || versions.length === 0) return true;
  return versions.some((v) => acceptedConversionReviewVersions.includes(v));
}

function validateConversionReviewVersions(
  versions: readonly string[] | null,
  requireRecognized: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (versions === null || versions.length === 0) return [required(path, "")];
  const seen = new Set<string>();
  let hasAccepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const msg of dns1035(v)) errs.push(invalid(path.index(i), v, msg));
    if (acceptedConversionReviewVersions.includes(v)) hasAccepted = true;
  });
  if (requireRecognized && !hasAccepted) {
    errs.push(
      invalid(
        path,
        goStringSlice(versions),
        `must include at least one of ${acceptedConversionReviewVersions.join(", ")}`,
      ),
    );
  }
  return errs;
}

/** validateCustomResourceConversion. */
function validateConversion(
  conversion: Conversion | null,
  requireRecognized: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (conversion === null) return errs;
  append(errs, validateEnumStrings(path.child("strategy"), conversion.strategy, ["None", "Webhook"], true));
  const cc = conversion.webhookClientConfig;
  const ccPath = path.child("webhookClientConfig");
  if (conversion.strategy === "Webhook") {
    if (cc === null) {
      errs.push(required(ccPath, "required when strategy is set to Webhook"));
    } else if ((cc.url === null) === (cc.service === null)) {
      errs.push(required(ccPath, "exactly one of url or service is required"));
    } else if (cc.url !== null) {
      append(errs, validateWebhookURL(ccPath.child("url"), cc.url));
    } else if (cc.service !== null) {
      append(errs, validateWebhookService(ccPath.child("service"), cc.service));
    }
    append(
      errs,
      validateConversionReviewVersions(
        conversion.conversionReviewVersions,
        requireRecognized,
        path.child("conversionReviewVersions"),
      ),
    );
  } else {
    const detail = "should not be set when strategy is not set to Webhook";
    if (cc !== null) errs.push(forbidden(ccPath, detail));
    if ((conversion.conversionReviewVersions?.length ?? 0) > 0) {
      errs.push(forbidden(path.child("conversionReviewVersions"), detail));
    }
  }
  return errs;
}

/** validateCustomResourceDefinitionSpec. */
function validateSpec(spec: Spec, options: Options, path: Path): FieldError[] {
  const opts = { ...options };
  const errs: FieldError[] = [];
  const groupPath = path.child("group");
  if (spec.group.length === 0) {
    errs.push(required(groupPath, ""));
  } else {
    const e = isDNS1123Subdomain(spec.group);
    if (e.length > 0) errs.push(invalid(groupPath, spec.group, e.join(",")));
    else if (spec.group.split(".").length < 2) {
      errs.push(invalid(groupPath, spec.group, "should be a domain with at least one dot"));
    }
  }
  append(errs, validateEnumStrings(path.child("scope"), spec.scope, ["Cluster", "Namespaced"], true));

  // Pruning (preserveUnknownFields false) needs structural schemas.
  if (!spec.preserveUnknownFields) opts.requireStructuralSchema = true;
  const versions = spec.versions ?? [];
  const versionsPath = path.child("versions");
  if (!spec.validation?.openAPIV3Schema) {
    versions.forEach((v, i) => {
      const schemaPath = versionsPath.index(i).child("schema").child("openAPIV3Schema");
      if (opts.requireOpenAPISchema) {
        if (!v.schema?.openAPIV3Schema) errs.push(required(schemaPath, "schemas are required"));
      } else if (!spec.preserveUnknownFields && v.served && !v.schema?.openAPIV3Schema) {
        errs.push(required(schemaPath, "because otherwise all fields are pruned"));
      }
    });
  }
  if (opts.allowDefaults && hasSchemaWith(spec, hasDefault)) {
    opts.requireStructuralSchema = true;
    if (spec.preserveUnknownFields) {
      errs.push(
        invalid(
          path.child("preserveUnknownFields"),
          true,
          "must be false in order to use defaults in the schema",
        ),
      );
    }
  }
  if (hasSchemaWith(spec, schemaHasKubernetesExtensions)) opts.requireStructuralSchema = true;

  let storageFlagCount = 0;
  const names = new Set<string>();
  let uniqueNames = true;
  versions.forEach((version, i) => {
    if (version.storage) storageFlagCount++;
    if (names.has(version.name)) uniqueNames = false;
    else names.add(version.name);
    const e = dns1035(version.name);
    if (e.length > 0) errs.push(invalid(versionsPath.index(i).child("name"), version.name, e.join(",")));
    const sub = subresourcesForVersion(spec, version.name);
    append(errs, validateVersion(version, versionsPath.index(i), hasStatusEnabled(sub), opts));
  });

  // Top-level and per-version fields are mutually exclusive. (The conversion from v1
  // moves identical per-version values to the top level, so the "may not all be set
  // to identical values" checks upstream makes next cannot fail here.)
  if (spec.validation !== null && versions.some((v) => v.schema !== null)) {
    errs.push(
      forbidden(path.child("validation"), "top-level and per-version schemas are mutually exclusive"),
    );
  }
  if (spec.subresources !== null && hasPerVersionSubresources(versions)) {
    errs.push(
      forbidden(path.child("subresources"), "top-level and per-version subresources are mutually exclusive"),
    );
  }
  if (
    (spec.additionalPrinterColumns?.length ?? 0) > 0 &&
    versions.some((v) => (v.additionalPrinterColumns?.length ?? 0) > 0)
  ) {
    errs.push(
      forbidden(
        path.child("additionalPrinterColumns"),
        "top-level and per-version additionalPrinterColumns are mutually exclusive",
      ),
    );
  }
  if (!uniqueNames)
    errs.push(invalid(versionsPath, goVersions(spec.versions), "must contain unique version names"));
  if (storageFlagCount !== 1) {
    errs.push(
      invalid(
        versionsPath,
        goVersions(spec.versions),
        "must have exactly one version marked as storage version",
      ),
    );
  }
  if (spec.version.length !== 0) {
    const e = dns1035(spec.version);
    if (e.length > 0) errs.push(invalid(path.child("version"), spec.version, e.join(",")));
    if (versions.length >= 1 && versions[0].name !== spec.version) {
      errs.push(
        invalid(path.child("version"), spec.version, "must match the first version in spec.versions"),
      );
    }
  }

  const namesPath = path.child("names");
  if (spec.names.plural.length === 0) errs.push(required(namesPath.child("plural"), ""));
  if (spec.names.singular.length === 0) errs.push(required(namesPath.child("singular"), ""));
  if (spec.names.kind.length === 0) errs.push(required(namesPath.child("kind"), ""));
  if (spec.names.listKind.length === 0) errs.push(required(namesPath.child("listKind"), ""));
  append(errs, validateNames(spec.names, namesPath));
  append(
    errs,
    validateCRValidation(spec.validation, hasAnyStatusEnabled(spec), opts, path.child("validation")),
  );
  append(errs, validateSubresources(spec.subresources, path.child("subresources")));
  (spec.additionalPrinterColumns ?? []).forEach((c, i) => {
    append(errs, validateColumn(c, path.child("additionalPrinterColumns").index(i)));
  });
  const selectable = spec.selectableFields ?? [];
  if (selectable.length > 0) {
    if (spec.validation === null) {
      errs.push(
        invalid(
          path.child("selectableFields"),
          "",
          "selectableFields may only be set when validations.schema is included",
        ),
      );
    } else {
      const ss = structuralOf(spec.validation.openAPIV3Schema, path.child("schema.openAPIV3Schema"), errs);
      append(errs, validateSelectableFields(selectable, ss, path.child("selectableFields")));
    }
  }
  const conversion = spec.conversion;
  if (conversion !== null && conversion.strategy !== "None" && spec.preserveUnknownFields) {
    errs.push(
      invalid(
        path.child("conversion").child("strategy"),
        conversion.strategy,
        "must be None if spec.preserveUnknownFields is true",
      ),
    );
  }
  append(
    errs,
    validateConversion(conversion, opts.requireRecognizedConversionReviewVersion, path.child("conversion")),
  );
  return errs;
}

/** ValidateCustomResourceDefinitionStoredVersions. */
function validateStoredVersions(
  stored: readonly string[] | null,
  versions: readonly Version[],
  path: Path,
): FieldError[] {
  if (stored === null || stored.length === 0) {
    return [invalid(path, goStringSlice(stored), "must have at least one stored version")];
  }
  const errs: FieldError[] = [];
  const index = new Map<string, number>();
  stored.forEach((v, i) => {
    index.set(v, i);
  });
  for (const v of versions) {
    const ok = index.has(v.name);
    if (v.storage && !ok)
      errs.push(invalid(path, goStringSlice(stored), `must have the storage version ${v.name}`));
    if (ok) index.delete(v.name);
  }
  // Upstream walks a map here, in no particular order; the order of status.storedVersions is used.
  for (const [v, i] of [...index].sort((a, b) => a[1] - b[1])) {
    errs.push(
      invalid(
        path.index(i),
        v,
        `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
      ),
    );
  }
  return errs;
}

const apiApprovedAnnotation = "api-approved.kubernetes.io";

/** apihelpers.IsProtectedCommunityGroup. */
function isProtectedCommunityGroup(g: string): boolean {
  return g === "k8s.io" || g.endsWith(".k8s.io") || g === "kubernetes.io" || g.endsWith(".kubernetes.io");
}

type ApprovalState = "Invalid" | "Approved" | "Bypassed" | "Missing";

/** apihelpers.GetAPIApprovalState. */
function apiApprovalState(annotations: Record<string, string> | undefined): [ApprovalState, string] {
  const annotation = annotations?.[apiApprovedAnnotation] ?? "";
  if (annotation.length === 0) {
    return [
      "Missing",
      `protected groups must have approval annotation ${goQuote(apiApprovedAnnotation)}, see https://github.com/kubernetes/enhancements/pull/1111`,
    ];
  }
  if (annotation.startsWith("unapproved")) return ["Bypassed", `not approved: ${goQuote(annotation)}`];
  if (isRequestURIWithHost(annotation)) return ["Approved", `approved in ${annotation}`];
  return [
    "Invalid",
    `protected groups must have approval annotation ${goQuote(apiApprovedAnnotation)} with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`,
  ];
}

/** url.ParseRequestURI succeeds with a scheme and a host. */
function isRequestURIWithHost(s: string): boolean {
  if (/[\s\x00-\x1f\x7f]/.test(s)) return false;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(s);
  if (!m) return false;
  const authority = m[2].slice(m[2].lastIndexOf("@") + 1);
  return authority.length > 0;
}

/** validateAPIApproval. */
function validateAPIApproval(crd: Internal, old: Internal | null): FieldError[] {
  if (!isProtectedCommunityGroup(crd.spec.group)) return [];
  const oldState = old ? apiApprovalState(old.metadata?.annotations)[0] : null;
  const annotations = crd.metadata?.annotations;
  const [state, reason] = apiApprovalState(annotations);
  if (oldState !== null && oldState === state) return [];
  const path = metaPath.child("annotations").key(apiApprovedAnnotation);
  switch (state) {
    case "Missing":
      return [required(path, reason)];
    case "Approved":
    case "Bypassed":
      return [];
    default:
      return [invalid(path, annotations?.[apiApprovedAnnotation] ?? "", reason)];
  }
}

/** validatePreserveUnknownFields. */
function validatePreserveUnknownFields(crd: Internal, old: Internal | null): FieldError[] {
  if (old?.spec.preserveUnknownFields) return [];
  if (!crd.spec.preserveUnknownFields) return [];
  return [
    invalid(
      specPath.child("preserveUnknownFields"),
      true,
      "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
    ),
  ];
}

/** ValidateCustomResourceDefinitionStatus. */
function validateStatus(crd: Internal): FieldError[] {
  return validateNames(crd.acceptedNames, statusPath.child("acceptedNames"));
}

function immutable(newVal: string, oldVal: string, path: Path): FieldError[] {
  return newVal === oldVal ? [] : [invalid(path, newVal, FieldImmutableErrorMsg)];
}

// ---------------------------------------------------------------------------
// Entry points.

/** ValidateCustomResourceDefinition: create-time validation of a defaulted v1 CRD. */
export function validateCustomResourceDefinition(obj: J): FieldError[] {
  const crd = toInternal(obj);
  const requiredName = `${crd.spec.names.plural}.${crd.spec.group}`;
  const nameFn = (name: string, prefix: boolean): string[] => {
    const ret = [...nameIsDNSSubdomain(name, prefix)];
    if (name !== requiredName) ret.push(`must be spec.names.plural+"."+spec.group`);
    return ret;
  };
  const errs = validateObjectMeta(crd.metadata, false, nameFn, metaPath);
  append(errs, validateSpec(crd.spec, createOptions, specPath));
  append(errs, validateStatus(crd));
  append(
    errs,
    validateStoredVersions(crd.storedVersions, crd.spec.versions ?? [], statusPath.child("storedVersions")),
  );
  append(errs, validateAPIApproval(crd, null));
  append(errs, validatePreserveUnknownFields(crd, null));
  return errs;
}

/** ValidateCustomResourceDefinitionUpdate. */
export function validateCustomResourceDefinitionUpdate(obj: J, oldObj: J): FieldError[] {
  const crd = toInternal(obj);
  const old = toInternal(oldObj);
  const opts = updateOptions(old);
  const errs = validateObjectMetaUpdate(crd.metadata, old.metadata, metaPath);
  append(errs, validateSpec(crd.spec, opts, specPath));
  if (opts.requireImmutableNames) {
    // These affect the storage and cannot change once the CRD is established.
    append(errs, immutable(crd.spec.scope, old.spec.scope, specPath.child("scope")));
    append(errs, immutable(crd.spec.names.kind, old.spec.names.kind, specPath.child("names", "kind")));
  }
  // These make up the resource name, which never changes.
  append(errs, immutable(crd.spec.group, old.spec.group, specPath.child("group")));
  append(errs, immutable(crd.spec.names.plural, old.spec.names.plural, specPath.child("names", "plural")));
  append(errs, validateStatus(crd));
  append(
    errs,
    validateStoredVersions(crd.storedVersions, crd.spec.versions ?? [], statusPath.child("storedVersions")),
  );
  append(errs, validateAPIApproval(crd, old));
  append(errs, validatePreserveUnknownFields(crd, old));
  return errs;
}

/** ValidateUpdateCustomResourceDefinitionStatus: an update through /status. */
export function validateCustomResourceDefinitionStatusUpdate(obj: J, oldObj: J): FieldError[] {
  const crd = toInternal(obj);
  const old = toInternal(oldObj);
  const errs = validateObjectMetaUpdate(crd.metadata, old.metadata, metaPath);
  append(errs, validateStatus(crd));
  return errs;
}
