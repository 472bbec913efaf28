// Pruning, defaulting and validation of a custom resource against the
// structural schema of its CustomResourceDefinition version
// (spec.versions[i].schema.openAPIV3Schema, the apiextensions.k8s.io/v1
// JSONSchemaProps JSON shape), ported from Kubernetes v1.32:
//
//   pruneObject             apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go
//                           (PruneWithOptions, isResourceRoot=true, ReturnPruned=true)
//   pruneNonNullableNulls   pkg/apiserver/schema/defaulting/prunenulls.go
//   applyDefaults           pkg/apiserver/schema/defaulting/algorithm.go (Default)
//   validateCustomResource  pkg/apiserver/validation/validation.go (ValidateCustomResource with
//                           kubeOpenAPIResultToFieldErrors) over kube-openapi's
//                           pkg/validation/validate SchemaValidator, followed by
//                           pkg/apiserver/schema/listtype (ValidateListSetsAndMaps), as the
//                           customresource strategy appends them.
//
// The schema is read as the structural schema upstream builds from it: the
// pruning, defaulting and list-type walks follow properties, additionalProperties
// and items only (never allOf/anyOf/oneOf/not, which hold value validations);
// the kube-openapi validation follows everything.
//
// Not here: CEL (x-kubernetes-validations, in cel-rules.ts), the ObjectMeta checks of the root
// and of embedded resources (schema/objectmeta), ratcheting on update, and the
// scale subresource checks.

import { deepCopyJson } from "../../machinery/deep-copy.ts";
import {
  type BadValue,
  childOf,
  duplicate,
  type FieldError,
  GoValue,
  goQuote,
  indexOf,
  invalid,
  keyOf,
  notSupported,
  type Path,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from "../../machinery/field-errors.ts";
import { parseGoDuration } from "../../machinery/go-duration.ts";
import { parseCIDRSloppy, parseIPSloppy } from "../../machinery/validation.ts";

// biome-ignore lint/suspicious/noExplicitAny: schemas and objects are free-form JSON
export type Schema = Record<string, any>;
type JsonObject = Record<string, unknown>;

const X_PRESERVE = "x-kubernetes-preserve-unknown-fields";
const X_EMBEDDED = "x-kubernetes-embedded-resource";
const X_INT_OR_STRING = "x-kubernetes-int-or-string";
const X_LIST_TYPE = "x-kubernetes-list-type";
const X_LIST_MAP_KEYS = "x-kubernetes-list-map-keys";

/** TypeMeta and ObjectMeta: kept (and not descended into) at the root and in embedded resources. */
const metaFields = new Set(["apiVersion", "kind", "metadata"]);

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function schemaOrNull(v: unknown): Schema | null {
  return isObject(v) ? (v as Schema) : null;
}

function has(obj: JsonObject, k: string): boolean {
  return Object.hasOwn(obj, k) && obj[k] !== undefined;
}

/** Structural Properties[k]. */
function propertyOf(s: Schema, k: string): Schema | null {
  const props = schemaOrNull(s.properties);
  if (props === null || !Object.hasOwn(props, k)) return null;
  return schemaOrNull(props[k]) ?? {};
}

/** Structural AdditionalProperties != nil (a schema, true, or even false). */
function hasAdditionalProperties(s: Schema): boolean {
  return s.additionalProperties !== undefined && s.additionalProperties !== null;
}

/** Structural AdditionalProperties.Structural: the schema, or null for a boolean. */
function additionalSchema(s: Schema): Schema | null {
  return schemaOrNull(s.additionalProperties);
}

function itemsOf(s: Schema): Schema | null {
  return schemaOrNull(s.items);
}

/** Default.Object != nil (a literal null default is no default, as upstream converts it). */
function hasDefault(s: Schema | null): s is Schema {
  return s !== null && s.default !== undefined && s.default !== null;
}

// ---------------------------------------------------------------------------
// Pruning.

class PruneState {
  readonly pruned: string[] = [];
  readonly parent: string[] = [];

  private path(key: string): string {
    return this.parent.length > 0 ? `${this.parent.join("")}.${key}` : key;
  }

  recordPrunedKey(key: string): void {
    this.pruned.push(this.path(key));
  }

  appendKey(key: string): void {
    if (this.parent.length > 0) this.parent.push(".");
    this.parent.push(key);
  }

  appendIndex(i: number): void {
    this.parent.push("[", String(i), "]");
  }

  truncate(n: number): void {
    this.parent.length = n;
  }
}

/**
 * Removes in place the fields of a custom resource that its structural schema
 * does not specify, returning their paths sorted (`spec.foo`,
 * `spec.items[0].bar`), as the apiserver reports them for
 * fieldValidation=Strict (`unknown field "spec.foo"`). apiVersion, kind and
 * metadata are kept at the root and inside x-kubernetes-embedded-resource
 * objects; x-kubernetes-preserve-unknown-fields keeps unknown fields (while
 * still pruning inside the specified ones).
 */
export function pruneObject(obj: Schema, schema: Schema | null): string[] {
  const st = new PruneState();
  prune(obj, resourceRoot(schema), st);
  // sort.Strings: byte order, which is code point order.
  return st.pruned.sort((a, b) => compareCodePoints(a, b));
}

/** The schema of a resource's root, where apiVersion, kind and metadata always stay. */
function resourceRoot(schema: Schema | null): Schema {
  return { ...(schemaOrNull(schema) ?? {}), [X_EMBEDDED]: true };
}

/** pruning.Prune of any value (a default, in CRD validation): isResourceRoot keeps apiVersion, kind, metadata. */
export function pruneValue(x: unknown, schema: Schema | null, isResourceRoot: boolean): void {
  prune(x, isResourceRoot ? resourceRoot(schema) : schemaOrNull(schema), new PruneState());
}

function compareCodePoints(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/**
 * Upstream's prune and skipPrune in one: under x-kubernetes-preserve-unknown-fields
 * the fields the schema does not name stay, while those it names are still pruned inside.
 */
function prune(x: unknown, s: Schema | null, st: PruneState): void {
  const orig = st.parent.length;
  if (Array.isArray(x)) {
    const items = s === null ? null : itemsOf(s);
    x.forEach((v, i) => {
      st.appendIndex(i);
      prune(v, items, st);
      st.truncate(orig);
    });
    return;
  }
  if (!isObject(x)) return; // scalars
  if (s === null) {
    for (const k of Object.keys(x)) {
      st.recordPrunedKey(k);
      delete x[k];
    }
    return;
  }
  const preserve = s[X_PRESERVE] === true;
  const embedded = s[X_EMBEDDED] === true;
  for (const k of Object.keys(x)) {
    if (embedded && metaFields.has(k)) continue;
    const prop = propertyOf(s, k);
    if (prop !== null) {
      st.appendKey(k);
      prune(x[k], prop, st);
      st.truncate(orig);
    } else if (hasAdditionalProperties(s)) {
      st.appendKey(k);
      prune(x[k], additionalSchema(s), st);
      st.truncate(orig);
    } else if (!preserve) {
      if (!metaFields.has(k) || st.parent.length > 0) st.recordPrunedKey(k);
      delete x[k];
    }
  }
}

// ---------------------------------------------------------------------------
// Nulls and defaults.

function isNonNullableNull(x: unknown, s: Schema | null): boolean {
  return x === null && s !== null && s.nullable !== true;
}

function fieldSchema(k: string, s: Schema | null): Schema | null {
  if (s === null) return null;
  const prop = propertyOf(s, k);
  if (prop !== null) return prop;
  return hasAdditionalProperties(s) ? additionalSchema(s) : null;
}

/**
 * PruneNonNullableNullsWithoutDefaults: drops the null values of fields that
 * are neither nullable nor defaulted (upstream runs it between pruning and
 * defaulting; the non-nullable nulls that have a default are defaulted then).
 */
export function pruneNonNullableNulls(x: unknown, s: Schema | null): void {
  if (Array.isArray(x)) {
    const items = s === null ? null : itemsOf(s);
    for (const v of x) pruneNonNullableNulls(v, items);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    const sub = fieldSchema(k, s);
    if (isNonNullableNull(x[k], sub) && !hasDefault(sub)) delete x[k];
    else pruneNonNullableNulls(x[k], sub);
  }
}

/**
 * Structural defaulting: a missing field (or a null one its schema does not
 * make nullable) takes a deep copy of its schema's default, then defaulting
 * goes on into properties, additionalProperties and array items, including
 * the values just defaulted.
 */
export function applyDefaults(obj: unknown, schema: Schema | null): void {
  defaultValue(obj, schemaOrNull(schema));
}

function defaultValue(x: unknown, s: Schema | null): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items)) x[i] = deepCopyJson(items!.default ?? null);
      defaultValue(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  const props = schemaOrNull(s.properties);
  if (props !== null) {
    for (const k of Object.keys(props)) {
      const prop = schemaOrNull(props[k]);
      if (!hasDefault(prop)) continue;
      if (!has(x, k) || isNonNullableNull(x[k], prop)) x[k] = deepCopyJson(prop.default);
    }
  }
  for (const k of Object.keys(x)) {
    const prop = propertyOf(s, k);
    if (prop !== null) {
      defaultValue(x[k], prop);
    } else if (hasAdditionalProperties(s)) {
      const ap = additionalSchema(s);
      if (isNonNullableNull(x[k], ap)) x[k] = deepCopyJson(ap!.default ?? null);
      defaultValue(x[k], ap);
    }
  }
}

// ---------------------------------------------------------------------------
// Go renderings of decoded JSON values.

/** How the apiserver's JSON decoding types a value: int64 when integral, else float64. */
type Kind = "nil" | "string" | "bool" | "int" | "float" | "slice" | "map";

const INT64_LIMIT = 2 ** 63;

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (Array.isArray(v)) return "slice";
  return "map";
}

/** strconv.FormatFloat(f, 'g', -1, 64), which %v prints a float64 with. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(f.toExponential())!;
  const sign = m[1];
  const digits = m[2] + (m[3] ?? "");
  const exp = Number(m[4]);
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** %v of a number as the decoded Go value (int64 or float64). */
function goNumber(n: number): string {
  return kindOf(n) === "int" ? String(n) : goFloat(n);
}

/** %#v of a decoded JSON value (inside a map[string]interface{} or []interface{}). */
function goSharpV(v: unknown): string {
  switch (kindOf(v)) {
    case "nil":
      return "interface {}(nil)";
    case "string":
      return goQuote(v as string);
    case "bool":
      return String(v);
    case "int":
    case "float":
      return goNumber(Number(v));
    case "slice":
      return `[]interface {}{${(v as unknown[]).map(goSharpV).join(", ")}}`;
    default: {
      const o = v as JsonObject;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort(compareCodePoints);
      return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(o[k])}`).join(", ")}}`;
    }
  }
}

/** A decoded JSON value as field.Error prints its BadValue. */
function badValue(v: unknown): BadValue {
  switch (kindOf(v)) {
    case "nil":
      return null;
    case "string":
      return v as string;
    case "bool":
      return v as boolean;
    case "int":
      return typeof v === "bigint" ? v : (v as number);
    case "float":
      return new GoValue(goFloat(v as number));
    default:
      return new GoValue(goSharpV(v));
  }
}

/** encoding/json's Marshal of a decoded value: sorted keys, HTML-safe escapes. */
function goJSON(v: unknown): string {
  switch (kindOf(v)) {
    case "nil":
      return "null";
    case "string":
      return goJSONString(v as string);
    case "bool":
      return String(v);
    case "int":
    case "float":
      return JSON.stringify(Number(v));
    case "slice":
      return `[${(v as unknown[]).map(goJSON).join(",")}]`;
    default: {
      const o = v as JsonObject;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort(compareCodePoints);
      return `{${keys.map((k) => `${goJSONString(k)}:${goJSON(o[k])}`).join(",")}}`;
    }
  }
}

function goJSONString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** reflect.DeepEqual of two decoded values (int64 and float64 differ). */
function deepEqual(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case "nil":
      return true;
    case "slice": {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
    }
    case "map": {
      const x = a as JsonObject;
      const y = b as JsonObject;
      const kx = Object.keys(x).filter((k) => x[k] !== undefined);
      const ky = Object.keys(y).filter((k) => y[k] !== undefined);
      return kx.length === ky.length && kx.every((k) => has(y, k) && deepEqual(x[k], y[k]));
    }
    default:
      return a === b;
  }
}

// ---------------------------------------------------------------------------
// kube-openapi validation: errors and results.

type Code =
  | "InvalidType"
  | "Required"
  | "TooLong"
  | "TooShort"
  | "Pattern"
  | "Enum"
  | "MultipleOf"
  | "Max"
  | "Min"
  | "Unique"
  | "MaxItems"
  | "MinItems"
  | "TooFewProperties"
  | "TooManyProperties"
  | "UnallowedProperty"
  | "MultipleOfMustBePositive";

/** errors.Validation (code set) or a plain errors.New composite message (code null). */
interface OpenAPIError {
  code: Code | null;
  name: string;
  /** Value; undefined stands for Go's nil. */
  value?: unknown;
  /** Valid: the limit (maxLength, maxItems, maxProperties). */
  valid?: number;
  values?: unknown[];
  message: string;
}

class Result {
  errors: OpenAPIError[] = [];
  matchCount = 0;

  /** AddErrors: a message already reported is not added again. */
  addErrors(...errs: OpenAPIError[]): void {
    for (const e of errs) {
      if (!this.errors.some((x) => x.message === e.message)) this.errors.push(e);
    }
  }

  merge(...others: (Result | null)[]): this {
    for (const o of others) {
      if (o === null) continue;
      this.addErrors(...o.errors);
      this.matchCount += o.matchCount;
    }
    return this;
  }

  inc(): void {
    this.matchCount++;
  }

  isValid(): boolean {
    return this.errors.length === 0;
  }
}

function sErr(e: OpenAPIError): Result {
  const r = new Result();
  r.errors.push(e);
  return r;
}

const IN = "body";

function invalidType(name: string, typeName: string, value: string | undefined): OpenAPIError {
  const message =
    value === undefined
      ? `${name} in ${IN} must be of type ${typeName}`
      : `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}`;
  return { code: "InvalidType", name, value, message };
}

function composite(message: string): OpenAPIError {
  return { code: null, name: "", message };
}

// ---------------------------------------------------------------------------
// Formats (strfmt.Default as apiextensions restricts it).

/** The formats CRD schemas may use (validation/formats.go); any other is ignored. */
const supportedFormats = new Set([
  "bsonobjectid",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "uuid",
  "uuid3",
  "uuid4",
  "uuid5",
  "isbn",
  "isbn10",
  "isbn13",
  "creditcard",
  "ssn",
  "hexcolor",
  "rgbcolor",
  "byte",
  "password",
  "date",
  "duration",
  "datetime",
]);

/** The format after StripUnsupportedFormatsPostProcess: "" when unsupported. */
function schemaFormat(s: Schema): string {
  const f = typeof s.format === "string" ? s.format : "";
  if (f === "") return "";
  return supportedFormats.has(f.replaceAll("-", "")) ? f : "";
}

const goSpace = "[\\t\\n\\f\\r ]";
const hostnameRe =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid3Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid4Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const uuid5Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const creditCardRe =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const ssnRe = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const hexColorRe = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const rgbByte = "(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])";
const rgbColorRe = new RegExp(
  `^rgb\\(${goSpace}*${rgbByte}${goSpace}*,${goSpace}*${rgbByte}${goSpace}*,${goSpace}*${rgbByte}${goSpace}*\\)$`,
);
const dateTimeRe = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function isHostname(s: string): boolean {
  if (!hostnameRe.test(s)) return false;
  if (utf8Length(s) > 255) return false;
  return s.split(".").every((p) => utf8Length(p) <= 63);
}

/** net.ParseIP: the sloppy parser, without leading zeros in dotted quads or long hex groups. */
function goParseIP(s: string): boolean {
  if (parseIPSloppy(s) === null) return false;
  const lastColon = s.lastIndexOf(":");
  const quad = s.slice(lastColon + 1);
  if (quad.includes(".") && quad.split(".").some((p) => p.length > 1 && p[0] === "0")) return false;
  if (lastColon >= 0 && s.split(":").some((g) => !g.includes(".") && g.length > 4)) return false;
  return true;
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0 || !goParseIP(s.slice(0, slash))) return false;
  return parseCIDRSloppy(s) !== null;
}

/** net.ParseMAC: 6, 8 or 20 octets as xx:xx.., xx-xx.. or xxxx.xxxx... */
function isMAC(s: string): boolean {
  if (s.length < 14) return false;
  const hex = /^[0-9a-fA-F]+$/;
  let groups: string[];
  let width: number;
  if (s[2] === ":" || s[2] === "-") {
    if ((s.length + 1) % 3 !== 0) return false;
    groups = s.split(s[2]);
    width = 2;
  } else if (s[4] === ".") {
    if ((s.length + 1) % 5 !== 0) return false;
    groups = s.split(".");
    width = 4;
  } else {
    return false;
  }
  const octets = (groups.length * width) / 2;
  if (octets !== 6 && octets !== 8 && octets !== 20) return false;
  return groups.every((g) => g.length === width && hex.test(g));
}

/** govalidator.IsISBN. */
function isISBN(s: string, version: 10 | 13): boolean {
  const d = s.replace(/[\t\n\v\f\r -]+/g, "");
  if (version === 10) {
    if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
    sum += d[9] === "X" ? 100 : 10 * Number(d[9]);
    return sum % 11 === 0;
  }
  if (!/^[0-9]{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(d[i]);
  return Number(d[12]) - ((10 - (sum % 10)) % 10) === 0;
}

/** govalidator.IsCreditCard: the issuer patterns and the Luhn checksum. */
function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]+/g, "");
  if (!creditCardRe.test(d)) return false;
  let sum = 0;
  let double = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i]);
    if (double) {
      n *= 2;
      sum += n >= 10 ? (n % 10) + 1 : n;
    } else {
      sum += n;
    }
    double = !double;
  }
  return sum % 10 === 0;
}

/** time.Parse("2006-01-02", s). */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** strfmt.IsDateTime. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split("t");
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = dateTimeRe.exec(parts[1]);
  if (!m) return false;
  return m[1] <= "23" && m[2] <= "59" && m[3] <= "59";
}

const durationUnits: string[][] = [
  ["ns", "nano"],
  ["us", "µs", "micro"],
  ["ms", "milli"],
  ["s", "sec"],
  ["m", "min"],
  ["h", "hr", "hour"],
  ["d", "day"],
  ["w", "wk", "week"],
];

/** strfmt.ParseDuration: time.ParseDuration, else the Scala-like "3 days" syntax. */
function isDuration(s: string): boolean {
  try {
    parseGoDuration(s);
    return true;
  } catch {
    // fall through to the long form
  }
  if (!/^[\t\n\v\f\r ]*(?:\d+[\t\n\v\f\r ]*[A-Za-zµ]+[\t\n\v\f\r ]*)+$/.test(s)) return false;
  let ok = false;
  for (const m of s.matchAll(/(\d+)[\t\n\v\f\r ]*([A-Za-zµ]+)/g)) {
    if (BigInt(m[1]) > 9223372036854775807n) return false; // strconv.Atoi overflows
    const unit = m[2].toLowerCase().trim();
    for (const variants of durationUnits) {
      const last = variants.length - 1;
      variants.forEach((variant, i) => {
        if ((i === last && unit.startsWith(variant)) || variant.toLowerCase() === unit) ok = true;
      });
    }
  }
  return ok;
}

/** net/mail.ParseAddress, approximately: an addr-spec, alone or as a name-addr. */
const atext = '[^\\x00-\\x20\\x7f()<>\\[\\]:;@\\\\,".]';
const dotAtom = `${atext}+(?:\\.${atext}+)*`;
const quotedString = '"(?:[^"\\\\\\x00-\\x08\\x0a-\\x1f\\x7f]|\\\\[\\s\\S])*"';
const addrSpec = `(?:${dotAtom}|${quotedString})@[ \\t]*(?:${dotAtom}|\\[[^\\[\\]\\\\]*\\])`;
const phraseWord = `(?:${quotedString}|(?:${atext}|\\.)+)`;
const phrase = `${phraseWord}(?:[ \\t]+${phraseWord})*`;
const emailRe = new RegExp(
  `^[ \\t]*(?:${addrSpec}(?:[ \\t]*\\([^()]*\\))?|(?:${phrase})?[ \\t]*<[ \\t]*${addrSpec}>)[ \\t\\r\\n]*$`,
  "u",
);

/** url.ParseRequestURI succeeds. */
function isRequestURI(s: string): boolean {
  if (s === "" || /[\x00-\x1f\x7f]/.test(s)) return false;
  if (s === "*") return true;
  let scheme = "";
  let rest = s;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ":") {
      if (i === 0) return false; // missing protocol scheme
      scheme = s.slice(0, i);
      rest = s.slice(i + 1);
    }
    break;
  }
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith("/")) return scheme !== "";
  const validEscapes = (t: string) => !/%(?![0-9a-fA-F]{2})/.test(t);
  if (scheme !== "" && rest.startsWith("//") && !rest.startsWith("///")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    const path = slash < 0 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    const userinfo = at < 0 ? "" : authority.slice(0, at);
    let host = at < 0 ? authority : authority.slice(at + 1);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) || !validEscapes(userinfo)) return false;
    if (host.startsWith("[")) {
      const close = host.lastIndexOf("]");
      if (close < 0) return false;
      const port = host.slice(close + 1);
      if (port !== "" && !/^:[0-9]*$/.test(port)) return false;
      host = host.slice(1, close);
    } else {
      const colon = host.lastIndexOf(":");
      if (colon >= 0) {
        if (!/^[0-9]*$/.test(host.slice(colon + 1))) return false;
        host = host.slice(0, colon);
      }
      if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%\u0080-\uffff]*$/.test(host)) return false;
    }
    if (!validEscapes(host)) return false;
    return validEscapes(path);
  }
  return validEscapes(rest);
}

const formatCheckers: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: (s) => emailRe.test(s),
  hostname: isHostname,
  ipv4: (s) => goParseIP(s) && s.includes("."),
  ipv6: (s) => goParseIP(s) && s.includes(":"),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuid3Re.test(s),
  uuid4: (s) => uuid4Re.test(s),
  uuid5: (s) => uuid5Re.test(s),
  isbn: (s) => isISBN(s, 10) || isISBN(s, 13),
  isbn10: (s) => isISBN(s, 10),
  isbn13: (s) => isISBN(s, 13),
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && ssnRe.test(s),
  hexcolor: (s) => hexColorRe.test(s),
  rgbcolor: (s) => rgbColorRe.test(s),
  byte: (s) => base64Re.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
};

// ---------------------------------------------------------------------------
// RE2 patterns as JavaScript regular expressions.

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const jsSyntaxChars = new Set([..."^$\\.*+?()[]{}|/"]);
const regexCache = new Map<string, RegExp | null>();

/**
 * A Go (RE2) pattern as an equivalent JavaScript RegExp, best effort: flags
 * (?i)(?s)(?m) (applied to the whole pattern), \A \z \Q..\E \x{..} \pL
 * \p{Greek} [[:alpha:]] (?P<name>..), RE2's ASCII \s and its `.` that matches
 * \r, lone braces and brackets as literals. Null when it cannot be translated
 * (the check is then skipped).
 */
export function re2ToRegExp(pattern: string): RegExp | null {
  if (regexCache.has(pattern)) return regexCache.get(pattern)!;
  let re: RegExp | null = null;
  try {
    re = translateRE2(pattern);
  } catch {
    re = null;
  }
  regexCache.set(pattern, re);
  return re;
}

function translateRE2(src: string): RegExp | null {
  const flags = new Set<string>();
  const DOT = Symbol("dot");
  const out: (string | typeof DOT)[] = [];
  let i = 0;
  const n = src.length;

  const unicodeProperty = (negated: boolean): string => {
    // at src[i] === "p" or "P"
    let name: string;
    if (src[i + 1] === "{") {
      const close = src.indexOf("}", i + 2);
      if (close < 0) throw new Error("bad \\p");
      name = src.slice(i + 2, close);
      i = close + 1;
    } else {
      name = src[i + 1];
      i += 2;
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    const prop = name.length <= 2 || name === "Any" ? name : `Script=${name}`;
    return `${negated ? "\\P" : "\\p"}{${prop}}`;
  };

  // Translates the escape at src[i] === "\\", inside a class or not.
  const translateEscape = (inClass: boolean): string => {
    const c = src[i + 1];
    if (c === undefined) throw new Error("trailing backslash");
    switch (c) {
      case "A":
        if (inClass) throw new Error("\\A in class");
        i += 2;
        return "(?<![\\s\\S])";
      case "z":
        if (inClass) throw new Error("\\z in class");
        i += 2;
        return "(?![\\s\\S])";
      case "Q": {
        const end = src.indexOf("\\E", i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        i = end < 0 ? n : end + 2;
        return [...lit].map((ch) => literal(ch, inClass)).join("");
      }
      case "p":
      case "P":
        i += 1;
        return unicodeProperty(c === "P");
      case "s":
        i += 2;
        return inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      case "S":
        i += 2;
        return inClass ? "\\S" : "[^\\t\\n\\f\\r ]";
      case "d":
      case "D":
      case "w":
      case "W":
      case "f":
      case "t":
      case "n":
      case "r":
      case "v":
        i += 2;
        return `\\${c}`;
      case "b":
      case "B":
        if (inClass) throw new Error("\\b in class");
        i += 2;
        return `\\${c}`;
      case "a":
        i += 2;
        return "\\x07";
      case "C":
        i += 2;
        return inClass ? "\\s\\S" : "[\\s\\S]";
      case "x": {
        if (src[i + 2] === "{") {
          const close = src.indexOf("}", i + 3);
          if (close < 0) throw new Error("bad \\x{");
          const hex = src.slice(i + 3, close);
          i = close + 1;
          return `\\u{${hex}}`;
        }
        const hex = src.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error("bad \\x");
        i += 4;
        return `\\x${hex}`;
      }
      default:
        if (/[0-7]/.test(c)) {
          // \0, or two or three octal digits (a single \1-\7 is a backreference RE2 rejects).
          const m = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
          if (c !== "0" && m.length < 2) throw new Error("backreference");
          i += 1 + m.length;
          return `\\u{${Number.parseInt(m, 8).toString(16)}}`;
        }
        if (/[A-Za-z0-9_]/.test(c)) throw new Error(`unknown escape \\${c}`);
        i += 2;
        return literal(c, inClass);
    }
  };

  const literal = (ch: string, inClass: boolean): string => {
    if (jsSyntaxChars.has(ch) || (inClass && ch === "-")) return `\\${ch}`;
    return ch;
  };

  const parseClass = (): string => {
    // at src[i] === "["
    let cls = "[";
    i++;
    if (src[i] === "^") {
      cls += "^";
      i++;
    }
    let first = true;
    while (i < n) {
      const c = src[i];
      if (c === "]" && !first) {
        i++;
        return `${cls}]`;
      }
      first = false;
      if (c === "[" && src[i + 1] === ":") {
        const close = src.indexOf(":]", i + 2);
        if (close >= 0) {
          const name = src.slice(i + 2, close);
          if (name.startsWith("^") || !(name in posixClasses)) throw new Error("posix class");
          cls += posixClasses[name];
          i = close + 2;
          continue;
        }
      }
      if (c === "\\") {
        cls += translateEscape(true);
        continue;
      }
      if (c === "[" || c === "]") {
        cls += `\\${c}`;
        i++;
        continue;
      }
      // A code point, kept whole.
      const cp = String.fromCodePoint(src.codePointAt(i)!);
      cls += cp;
      i += cp.length;
    }
    throw new Error("unterminated class");
  };

  const groupFlags = (spec: string) => {
    for (const f of spec) {
      if (f === "-") throw new Error("negated flags");
      if (f === "U") throw new Error("ungreedy");
      if (f === "i" || f === "s" || f === "m") flags.add(f);
      else throw new Error(`flag ${f}`);
    }
  };

  while (i < n) {
    const c = src[i];
    switch (c) {
      case "\\":
        out.push(translateEscape(false));
        continue;
      case "[":
        out.push(parseClass());
        continue;
      case ".":
        out.push(DOT);
        i++;
        continue;
      case "{": {
        const m = /^\{\d+(,\d*)?\}/.exec(src.slice(i));
        if (m) {
          out.push(m[0]);
          i += m[0].length;
        } else {
          out.push("\\{");
          i++;
        }
        continue;
      }
      case "}":
      case "]":
        out.push(`\\${c}`);
        i++;
        continue;
      case "(": {
        const rest = src.slice(i);
        if (rest.startsWith("(?P<")) {
          out.push("(?<");
          i += 4;
          continue;
        }
        const flagOnly = /^\(\?([a-zA-Z-]+)\)/.exec(rest);
        if (flagOnly) {
          groupFlags(flagOnly[1]);
          i += flagOnly[0].length;
          continue;
        }
        const flagGroup = /^\(\?([a-zA-Z-]+):/.exec(rest);
        if (flagGroup) {
          groupFlags(flagGroup[1]);
          out.push("(?:");
          i += flagGroup[0].length;
          continue;
        }
        if (
          rest.startsWith("(?:") ||
          (rest.startsWith("(?<") && !/^\(\?<[=!]/.test(rest)) ||
          !rest.startsWith("(?")
        ) {
          out.push("(");
          i++;
          continue;
        }
        throw new Error("unsupported group");
      }
      default: {
        const cp = String.fromCodePoint(src.codePointAt(i)!);
        out.push(cp);
        i += cp.length;
      }
    }
  }
  const dot = flags.has("s") ? "[\\s\\S]" : "[^\\n]";
  const source = out.map((x) => (x === DOT ? dot : x)).join("");
  // Unicode mode only where the pattern needs it (\p{…}, \u{…}, astral characters): V8 falls back to its
  // linear-time engine on excessive backtracking (scripts/node-flags) only for patterns without it or `i`.
  let jsFlags = /\\[pP]\{|\\u\{|[\u{10000}-\u{10ffff}]/u.test(source) ? "u" : "";
  if (flags.has("i")) jsFlags += "i";
  if (flags.has("m")) jsFlags += "m";
  return new RegExp(source, jsFlags);
}

// ---------------------------------------------------------------------------
// The SchemaValidator.

function schemaTypes(s: Schema): string[] {
  if (s[X_INT_OR_STRING] === true) return ["integer", "string"];
  return typeof s.type === "string" && s.type !== "" ? [s.type] : [];
}

function num(v: unknown): number | null {
  return typeof v === "number" ? v : null;
}

/** swag.IsFloat64AJSONInteger. */
function isFloat64AJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || f < -(2 ** 53) + 1 || f > 2 ** 53 - 1) return false;
  if (Number.isInteger(f)) return true;
  if (f < 0) return false; // Go's uint64(f) of a negative float is far away
  const g = Math.trunc(f);
  const diff = Math.abs(f - g);
  if (g === 0) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / Math.min(f + g, Number.MAX_VALUE) < 1e-9;
}

/** Go's int64(f): truncation toward zero. */
function toInt64(f: number): number {
  return Math.trunc(f);
}

function validateSchema(s: Schema, path: string, data: unknown): Result {
  const result = new Result();
  if (data === null || data === undefined) {
    result.merge(typeValidate(s, path, data));
    result.merge(commonValidate(s, path, data));
    return result;
  }
  const kind = kindOf(data);
  const types = schemaTypes(s);
  const format = schemaFormat(s);
  const step = (r: Result | null) => {
    result.merge(r);
    result.inc();
  };
  if (types.length > 0 || format !== "") step(typeValidate(s, path, data));
  step(schemaPropsValidate(s, path, data));
  if (kind === "string") step(stringValidate(s, path, data as string));
  if (kind === "string" && format !== "" && formatCheckers[format.replaceAll("-", "")])
    step(formatValidate(format, path, data as string));
  if (kind === "int" || kind === "float") step(numberValidate(s, path, data as number, kind));
  if (kind === "slice") step(sliceValidate(s, path, data as unknown[]));
  step(commonValidate(s, path, data));
  if (kind === "map") step(objectValidate(s, path, data as JsonObject));
  result.inc();
  return result;
}

function typeValidate(s: Schema, path: string, data: unknown): Result {
  const types = schemaTypes(s);
  const format = schemaFormat(s);
  const result = new Result();
  result.inc();
  if (data === null || data === undefined) {
    if (types.length > 0 && !types.includes("null") && s.nullable !== true)
      return sErr(invalidType(path, types.join(","), "null"));
    return result;
  }
  const kind = kindOf(data);
  const [schType, dataFormat] = schemaInfoForKind(kind);
  const isFloatInt =
    schType === "number" && isFloat64AJSONInteger(data as number) && types.includes("integer");
  const isIntFloat = schType === "integer" && types.includes("number");
  if (
    kind !== "string" &&
    kind !== "slice" &&
    format !== "" &&
    !(types.includes(schType) || dataFormat === format || isFloatInt || isIntFloat)
  ) {
    return sErr(invalidType(path, format, dataFormat));
  }
  if (!(types.includes("number") || types.includes("integer")) && format !== "") {
    if (kind === "string" || kind === "slice") return result;
  }
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) {
    return sErr(invalidType(path, types.join(","), schType));
  }
  return result;
}

function schemaInfoForKind(kind: Kind): [string, string] {
  switch (kind) {
    case "bool":
      return ["boolean", ""];
    case "string":
      return ["string", ""];
    case "int":
      return ["integer", "int64"];
    case "float":
      return ["number", "float64"];
    case "slice":
      return ["array", ""];
    default:
      return ["object", ""];
  }
}

function subSchemas(v: unknown): Schema[] {
  return Array.isArray(v) ? v.map((x) => schemaOrNull(x) ?? {}) : [];
}

function schemaPropsValidate(s: Schema, path: string, data: unknown): Result {
  const main = new Result();
  const quoted = goQuote(path);

  const anyOf = subSchemas(s.anyOf);
  if (anyOf.length > 0) {
    let best: Result | null = null;
    let firstSuccess: Result | null = null;
    let succeeded = false;
    for (const sub of anyOf) {
      const r = validateSchema(sub, path, data);
      if (r.isValid()) {
        best = null;
        succeeded = true;
        firstSuccess ??= r;
        break;
      }
      if (best === null || r.matchCount > best.matchCount) best = r;
    }
    if (!succeeded) main.addErrors(composite(`${quoted} must validate at least one schema (anyOf)`));
    if (best !== null) main.merge(best);
    else if (firstSuccess !== null) main.merge(firstSuccess);
  }

  const oneOf = subSchemas(s.oneOf);
  if (oneOf.length > 0) {
    let best: Result | null = null;
    let firstSuccess: Result | null = null;
    let validated = 0;
    for (const sub of oneOf) {
      const r = validateSchema(sub, path, data);
      if (r.isValid()) {
        validated++;
        best = null;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (best === null || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      const more = validated === 0 ? "Found none valid" : `Found ${validated} valid alternatives`;
      main.addErrors(composite(`${quoted} must validate one and only one schema (oneOf). ${more}`));
      if (best !== null) main.merge(best);
    } else if (firstSuccess !== null) {
      main.merge(firstSuccess);
    }
  }

  const allOf = subSchemas(s.allOf);
  if (allOf.length > 0) {
    let validated = 0;
    for (const sub of allOf) {
      const r = validateSchema(sub, path, data);
      if (r.isValid()) validated++;
      main.merge(r);
    }
    if (validated !== allOf.length) {
      const more = validated === 0 ? ". None validated" : "";
      main.addErrors(composite(`${quoted} must validate all the schemas (allOf)${more}`));
    }
  }

  const not = schemaOrNull(s.not);
  if (not !== null && validateSchema(not, path, data).isValid()) {
    main.addErrors(composite(`${quoted} must not validate the schema (not)`));
  }

  main.inc();
  return main;
}

function stringValidate(s: Schema, path: string, data: string): Result | null {
  const runes = [...data].length;
  const maxLength = num(s.maxLength);
  if (maxLength !== null && runes > maxLength) {
    return sErr({
      code: "TooLong",
      name: path,
      value: data,
      valid: maxLength,
      message: `${path} in ${IN} should be at most ${maxLength} chars long`,
    });
  }
  const minLength = num(s.minLength);
  if (minLength !== null && runes < minLength) {
    return sErr({
      code: "TooShort",
      name: path,
      value: data,
      message: `${path} in ${IN} should be at least ${minLength} chars long`,
    });
  }
  if (typeof s.pattern === "string" && s.pattern !== "") {
    const re = re2ToRegExp(s.pattern);
    if (re !== null && !re.test(data)) {
      return sErr({
        code: "Pattern",
        name: path,
        value: data,
        message: `${path} in ${IN} should match '${s.pattern}'`,
      });
    }
  }
  return null;
}

function formatValidate(format: string, path: string, data: string): Result | null {
  const check = formatCheckers[format.replaceAll("-", "")];
  if (check(data)) return null;
  return sErr(invalidType(path, format, data));
}

function numberValidate(s: Schema, path: string, val: number, kind: Kind): Result {
  const res = new Result();
  const resMultiple = new Result();
  const resMinimum = new Result();
  const resMaximum = new Result();
  const isInt = kind === "int";

  const multipleOf = num(s.multipleOf);
  if (multipleOf !== null) {
    const err =
      isInt && toInt64(multipleOf) !== 0
        ? multipleOfInt(path, val, toInt64(multipleOf))
        : multipleOfFloat(path, val, multipleOf);
    if (err) resMultiple.merge(sErr(err));
  }

  const maximum = num(s.maximum);
  if (maximum !== null) {
    const exclusive = s.exclusiveMaximum === true;
    const max = isInt ? toInt64(maximum) : maximum;
    if ((!exclusive && val > max) || (exclusive && val >= max)) {
      resMaximum.merge(
        sErr({
          code: "Max",
          name: path,
          value: val,
          message: `${path} in ${IN} should be less than ${exclusive ? "" : "or equal to "}${goNumberAs(max, isInt)}`,
        }),
      );
    }
  }

  const minimum = num(s.minimum);
  if (minimum !== null) {
    const exclusive = s.exclusiveMinimum === true;
    const min = isInt ? toInt64(minimum) : minimum;
    if ((!exclusive && val < min) || (exclusive && val <= min)) {
      resMinimum.merge(
        sErr({
          code: "Min",
          name: path,
          value: val,
          message: `${path} in ${IN} should be greater than ${exclusive ? "" : "or equal to "}${goNumberAs(min, isInt)}`,
        }),
      );
    }
  }

  res.merge(resMultiple, resMinimum, resMaximum);
  res.inc();
  return res;
}

/** %v of a bound: an int64 when compared natively with an integer, else a float64. */
function goNumberAs(n: number, isInt: boolean): string {
  return isInt ? String(n) : goFloat(n);
}

function multipleOfInt(path: string, data: number, factor: number): OpenAPIError | null {
  if (factor < 0) {
    return {
      code: "MultipleOfMustBePositive",
      name: path,
      value: factor,
      message: `factor MultipleOf declared for ${path} must be positive: ${factor}`,
    };
  }
  if (data % factor === 0) return null;
  return {
    code: "MultipleOf",
    name: path,
    value: data,
    message: `${path} in ${IN} should be a multiple of ${factor}`,
  };
}

function multipleOfFloat(path: string, data: number, factor: number): OpenAPIError | null {
  if (factor < 0) {
    return {
      code: "MultipleOfMustBePositive",
      name: path,
      value: new GoValue(goFloat(factor)),
      message: `factor MultipleOf declared for ${path} must be positive: ${goFloat(factor)}`,
    };
  }
  const mult = factor < 1 ? (1 / factor) * data : data / factor;
  if (isFloat64AJSONInteger(mult)) return null;
  return {
    code: "MultipleOf",
    name: path,
    value: new GoValue(goFloat(data)),
    message: `${path} in ${IN} should be a multiple of ${goFloat(factor)}`,
  };
}

function sliceValidate(s: Schema, path: string, data: unknown[]): Result {
  const result = new Result();
  const items = schemaOrNull(s.items);
  if (items !== null) {
    data.forEach((v, i) => {
      result.merge(validateSchema(items, `${path}[${i}]`, v));
    });
  }
  const size = data.length;
  const minItems = num(s.minItems);
  if (minItems !== null && size < minItems) {
    result.addErrors({
      code: "MinItems",
      name: path,
      value: size,
      message: `${path} in ${IN} should have at least ${minItems} items`,
    });
  }
  const maxItems = num(s.maxItems);
  if (maxItems !== null && size > maxItems) {
    result.addErrors({
      code: "MaxItems",
      name: path,
      value: size,
      valid: maxItems,
      message: `${path} in ${IN} should have at most ${maxItems} items`,
    });
  }
  if (s.uniqueItems === true) {
    const dup = data.some((v, i) => data.slice(0, i).some((u) => deepEqual(v, u)));
    if (dup) {
      result.addErrors({
        code: "Unique",
        name: path,
        message: `${path} in ${IN} shouldn't contain duplicates`,
      });
    }
  }
  result.inc();
  return result;
}

/** Whether reflect converts data to the enum value's type and finds them equal. */
function enumMatches(data: unknown, enumValue: unknown): boolean {
  const ek = kindOf(enumValue);
  const dk = kindOf(data);
  if (ek === "nil" || dk === "nil") return false;
  if (dk === ek) return deepEqual(data, enumValue);
  if (dk === "int" && ek === "float") return Number(data) === enumValue;
  if (dk === "float" && ek === "int") return toInt64(data as number) === Number(enumValue);
  if (dk === "int" && ek === "string") {
    const cp = Number(data);
    const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    return String.fromCodePoint(valid ? cp : 0xfffd) === enumValue;
  }
  return false;
}

function commonValidate(s: Schema, path: string, data: unknown): Result | null {
  const values = Array.isArray(s.enum) ? (s.enum as unknown[]) : [];
  if (values.length === 0) return null;
  if (values.some((e) => enumMatches(data, e))) return null;
  return sErr({
    code: "Enum",
    name: path,
    value: data,
    values,
    message: `${path} in ${IN} should be one of ${goPlainList(values)}`,
  });
}

/** %v of a []interface{}. */
function goPlainList(values: unknown[]): string {
  const plain = (v: unknown): string => {
    switch (kindOf(v)) {
      case "nil":
        return "<nil>";
      case "string":
        return v as string;
      case "bool":
        return String(v);
      case "int":
      case "float":
        return goNumber(Number(v));
      case "slice":
        return `[${(v as unknown[]).map(plain).join(" ")}]`;
      default: {
        const o = v as JsonObject;
        const keys = Object.keys(o).sort(compareCodePoints);
        return `map[${keys.map((k) => `${k}:${plain(o[k])}`).join(" ")}]`;
      }
    }
  };
  return `[${values.map(plain).join(" ")}]`;
}

function objectValidate(s: Schema, path: string, val: JsonObject): Result {
  const res = new Result();
  const keys = Object.keys(val).filter((k) => val[k] !== undefined);
  // The root's TypeMeta and ObjectMeta are the caller's to validate.
  const skipped = (k: string) => path === "" && metaFields.has(k);
  const numKeys = keys.length;

  // Too few or too many properties is all upstream's objectValidator reports of an object.
  const minProperties = num(s.minProperties);
  if (minProperties !== null && numKeys < minProperties) {
    return sErr({
      code: "TooFewProperties",
      name: path,
      value: numKeys,
      valid: minProperties,
      message: `${path} in ${IN} should have at least ${minProperties} properties`,
    });
  }
  const maxProperties = num(s.maxProperties);
  if (maxProperties !== null && numKeys > maxProperties) {
    return sErr({
      code: "TooManyProperties",
      name: path,
      value: numKeys,
      valid: maxProperties,
      message: `${path} in ${IN} should have at most ${maxProperties} properties`,
    });
  }

  const props = schemaOrNull(s.properties) ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!Object.hasOwn(props, k) && !skipped(k)) {
        res.addErrors({
          code: "UnallowedProperty",
          name: path,
          value: k,
          message: `${path}.${k} in ${IN} is a forbidden property`,
        });
      }
    }
  } else if (isObject(ap)) {
    for (const k of keys) {
      if (!Object.hasOwn(props, k) && !skipped(k)) res.merge(validateSchema(ap, `${path}.${k}`, val[k]));
    }
  }

  for (const [name, sub] of Object.entries(props)) {
    if (!has(val, name) || skipped(name)) continue;
    const rName = path !== "" ? `${path}.${name}` : name;
    res.merge(validateSchema(schemaOrNull(sub) ?? {}, rName, val[name]));
  }

  if (Array.isArray(s.required)) {
    for (const k of s.required as unknown[]) {
      if (typeof k !== "string") continue;
      if (!has(val, k)) {
        res.addErrors({
          code: "Required",
          name: `${path}.${k}`,
          message: `${path}.${k} in ${IN} is required`,
        });
      }
    }
  }
  return res;
}

// ---------------------------------------------------------------------------
// kubeOpenAPIResultToFieldErrors.

function toFieldErrors(fldPath: Path | null, result: Result): FieldError[] {
  const out: FieldError[] = [];
  for (const err of result.errors) {
    if (err.code === null) {
      out.push(invalid(fldPath, "", err.message));
      continue;
    }
    let errPath: Path | null = fldPath;
    if (err.name.length > 0 && err.name !== ".") {
      errPath = childOf(errPath, err.name.startsWith(".") ? err.name.slice(1) : err.name);
    }
    const valueOrEmpty: BadValue = err.value === undefined || err.value === null ? "" : toBadValue(err.value);
    switch (err.code) {
      case "Required":
        out.push(required(errPath, ""));
        break;
      case "Enum": {
        const values = (err.values ?? []).map((v) => (typeof v === "string" ? v : goJSON(v)));
        out.push(notSupported(errPath, toBadValue(err.value), values));
        break;
      }
      case "TooLong":
        out.push(tooLong(errPath, valueOrEmpty, err.valid ?? -1));
        break;
      case "MaxItems":
      case "TooManyProperties":
        out.push(tooMany(errPath, typeof err.value === "number" ? err.value : -1, err.valid ?? -1));
        break;
      case "InvalidType":
        out.push(typeInvalid(errPath, valueOrEmpty, rootMessage(err)));
        break;
      default:
        out.push(invalid(errPath, valueOrEmpty, rootMessage(err)));
    }
  }
  return out;
}

/** A message about the validated value itself (a CRD field's default) reads "in body …", without a name before it. */
function rootMessage(err: OpenAPIError): string {
  return err.name === "" ? err.message.trimStart() : err.message;
}

function toBadValue(v: unknown): BadValue {
  return v instanceof GoValue ? v : badValue(v);
}

// ---------------------------------------------------------------------------
// x-kubernetes-list-type set and map uniqueness (schema/listtype).

function validateListSetsAndMaps(fldPath: Path | null, s: Schema | null, obj: JsonObject): FieldError[] {
  if (s === null) return [];
  const errs: FieldError[] = [];
  const ap = additionalSchema(s);
  if (ap !== null) {
    for (const k of Object.keys(obj)) errs.push(...listSetsAndMaps(keyOf(fldPath, k), ap, obj[k]));
  }
  if (schemaOrNull(s.properties) !== null) {
    for (const k of Object.keys(obj)) {
      const sub = propertyOf(s, k);
      if (sub !== null) errs.push(...listSetsAndMaps(childOf(fldPath, k), sub, obj[k]));
    }
  }
  return errs;
}

function listSetsAndMaps(fldPath: Path, s: Schema, obj: unknown): FieldError[] {
  if (Array.isArray(obj)) return listSetsAndMapsArray(fldPath, s, obj);
  if (isObject(obj)) return validateListSetsAndMaps(fldPath, s, obj);
  return [];
}

function listSetsAndMapsArray(fldPath: Path, s: Schema, obj: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s[X_LIST_TYPE];
  if (listType === "set") {
    for (const i of nonUniqueIndices(obj)) errs.push(duplicate(indexOf(fldPath, i), toBadValue(obj[i])));
  } else if (listType === "map") {
    errs.push(...validateListMap(fldPath, s, obj));
  }
  const items = itemsOf(s);
  if (items !== null) {
    obj.forEach((x, i) => {
      errs.push(...listSetsAndMaps(indexOf(fldPath, i), items, x));
    });
  }
  return errs;
}

const unspecifiedKey = Symbol("unspecifiedKeyValue");

/** The indices of the second appearance of each repeated element. */
function nonUniqueIndices(obj: unknown[]): number[] {
  if (obj.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  obj.forEach((x, i) => {
    let key: string;
    if (x === unspecifiedKey) key = "u";
    else if (Array.isArray(x) || isObject(x)) key = `c${goJSON(x)}`;
    else key = `s${kindOf(x)}:${String(x)}`;
    const times = seen.get(key);
    if (times === undefined) {
      seen.set(key, 1);
    } else {
      seen.set(key, times + 1);
      if (times === 1) out.push(i);
    }
  });
  return out;
}

function validateListMap(fldPath: Path, s: Schema, obj: unknown[]): FieldError[] {
  for (let i = 0; i < obj.length; i++) {
    const x = obj[i];
    if (x !== null && x !== undefined && !isObject(x)) {
      return [invalid(indexOf(fldPath, i), toBadValue(x), "must be an object for an array of list-type map")];
    }
  }
  if (obj.length <= 1) return [];
  const keyFields = Array.isArray(s[X_LIST_MAP_KEYS])
    ? (s[X_LIST_MAP_KEYS] as unknown[]).filter((k): k is string => typeof k === "string")
    : [];
  if (keyFields.length === 1) {
    const keyField = keyFields[0];
    const keys = obj.map((x) => (isObject(x) && has(x, keyField) ? x[keyField] : unspecifiedKey));
    return nonUniqueIndices(keys).map((i) =>
      duplicate(
        indexOf(fldPath, i),
        new GoValue(keys[i] === unspecifiedKey ? goSharpV({}) : goSharpV({ [keyField]: keys[i] })),
      ),
    );
  }
  const keys = obj.map((x) => {
    const key: JsonObject = {};
    if (isObject(x)) {
      for (const f of keyFields) if (has(x, f)) key[f] = x[f];
    }
    return key;
  });
  return nonUniqueIndices(keys).map((i) => duplicate(indexOf(fldPath, i), new GoValue(goSharpV(keys[i]))));
}

// ---------------------------------------------------------------------------

/**
 * Validates a custom resource against its version's openAPIV3Schema as the
 * customresource strategy does (without CEL and the ObjectMeta checks): the
 * kube-openapi errors converted as kubeOpenAPIResultToFieldErrors does (field
 * path nil, so errors of the root and the anyOf/oneOf/allOf/not summaries print
 * as `<nil>: ...`), then the x-kubernetes-list-type set/map duplicates. The
 * root's apiVersion, kind and metadata are left to the caller.
 */
export function validateCustomResource(
  obj: unknown,
  schema: Schema | null,
  fldPath: Path | null = null,
): FieldError[] {
  const s = schemaOrNull(schema);
  if (s === null) return [];
  const errs = toFieldErrors(fldPath, validateSchema(s, "", obj));
  if (isObject(obj)) errs.push(...validateListSetsAndMaps(fldPath, s, obj));
  return errs;
}
