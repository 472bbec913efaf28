// Decoding a request body into an object the way the apiserver's JSON/YAML
// serializer does (apimachinery/pkg/runtime/serializer/json with
// sigs.k8s.io/json UnmarshalStrict), reporting what fieldValidation needs:
//
// - strict errors, in document order: `unknown field "spec.foo"` for fields
//   the kind's schema does not have (they are dropped from the result) and
//   `duplicate field "metadata.name"` for keys given twice. Paths join field
//   names with "." and list indices as "[0]". For YAML, duplicate keys come
//   from the YAML parser as one error ("yaml: unmarshal errors:\n  line 5: key
//   \"name\" already set in map"), then unknown fields of the converted JSON,
//   whose keys are sorted.
// - fatal errors (DecodeError) with upstream's texts: JSON syntax errors
//   ("invalid character '}' looking for beginning of value"), Go type errors
//   ("json: cannot unmarshal string into Go struct field
//   DeploymentSpec.spec.replicas of type int32"), bad quantities and base64.
//
// The handler turns these into answers: Strict → 400 BadRequest `<Kind> in
// version "<v>" cannot be handled as a <Kind>: strict decoding error: <errors
// joined by ", ">` (see cannotBeHandledMessage, strictDecodingError); Warn →
// one warning per entry of `warnings`; Ignore → nothing.
//
// JSON bodies take a fast path first (decodeJSONFast: JSON.parse, a count of
// keys over the text and a walk of the value against the type), which answers
// only for bodies with nothing to report; anything else goes to the precise
// decoder (decodeJSONPrecise), whose output the fast path's always equals.
//
// Opaque values (RawExtension, FieldsV1, apiextensions JSON,
// x-kubernetes-preserve-unknown-fields) are kept as they are and not checked,
// as their Go types decode themselves. Not reproduced: time.Parse errors for
// Time fields and time.ParseDuration errors (any string is accepted), integers
// beyond 2^53 (they lose precision as JS numbers).

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import {
  definitionFor,
  type GroupVersionKind,
  refName,
  resolveSchema,
  type Schema,
  schemaKind,
} from "./openapi.ts";

type JSONValue = null | boolean | number | string | JSONValue[] | JSONObject;
type JSONObject = { [key: string]: JSONValue };

/** How a value decodes, mirroring the Go type behind the schema. */
export type DecodeType =
  | { kind: "struct"; goType: string; name: string; field(name: string): DecodeType | undefined }
  | { kind: "map" | "list"; goType: string; elem: DecodeType }
  | { kind: "string" | "bytes" | "bool" | "int32" | "int64" | "float64"; goType: string }
  | { kind: "int-or-string" | "quantity" | "time" | "opaque" | "any"; goType: string };

/** Untyped decoding (interface{}): duplicate keys are still reported. */
export const anyType: DecodeType = { kind: "any", goType: "interface {}" };
const opaqueType: DecodeType = { kind: "opaque", goType: "interface {}" };

const typeCache = new WeakMap<Schema, DecodeType>();
const structCache = new WeakMap<Schema, DecodeType>();

/** The decode type of an OpenAPI schema (from openapi.ts). */
export function decodeTypeOf(schema: Schema | undefined): DecodeType {
  if (!schema) return anyType;
  const cached = typeCache.get(schema);
  if (cached) return cached;
  const t = buildType(schema);
  typeCache.set(schema, t);
  return t;
}

/** The decode type of a kind, or undefined when the kind has no definition. */
export function decodeTypeFor(gvk: GroupVersionKind): DecodeType | undefined {
  const def = definitionFor(gvk);
  return def ? structFor(def, `${gvk.version}.${gvk.kind}`) : undefined;
}

function buildType(schema: Schema): DecodeType {
  const kind = schemaKind(schema);
  const s = resolveSchema(schema);
  switch (kind) {
    case "object": {
      // Kubernetes definitions never chain references: one hop names the type.
      const name = schema.$ref !== undefined ? refName(schema.$ref) : undefined;
      const parts = (name ?? "").split(".");
      return structFor(
        s!,
        parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : "struct",
      );
    }
    case "map": {
      const elem = decodeTypeOf(s!.additionalProperties as Schema);
      return { kind: "map", goType: `map[string]${elem.goType}`, elem };
    }
    case "list": {
      const elem = decodeTypeOf(s!.items);
      return { kind: "list", goType: `[]${elem.goType}`, elem };
    }
    case "string":
      return { kind: "string", goType: "string" };
    case "bytes":
      return { kind: "bytes", goType: "[]uint8" };
    case "boolean":
      return { kind: "bool", goType: "bool" };
    case "integer":
      return s?.format === "int32" ? { kind: "int32", goType: "int32" } : { kind: "int64", goType: "int64" };
    case "number":
      return { kind: "float64", goType: "float64" };
    case "int-or-string":
      return { kind: "int-or-string", goType: "intstr.IntOrString" };
    case "quantity":
      return { kind: "quantity", goType: "resource.Quantity" };
    case "time":
      return { kind: "time", goType: "v1.Time" };
    default:
      return opaqueType;
  }
}

function structFor(def: Schema, goType: string): DecodeType {
  const cached = structCache.get(def);
  if (cached) return cached;
  // Filled lazily (definitions refer to each other, and to themselves), and
  // only with known names so that unknown keys in bodies cannot grow it.
  const fields = new Map<string, DecodeType>();
  const props = def.properties ?? {};
  const t: DecodeType = {
    kind: "struct",
    goType,
    name: goType.slice(goType.lastIndexOf(".") + 1),
    field(name) {
      let f = fields.get(name);
      if (f === undefined && Object.hasOwn(props, name)) {
        f = decodeTypeOf(props[name]);
        fields.set(name, f);
      }
      return f;
    },
  };
  structCache.set(def, t);
  return t;
}

/** A fatal decoding error; `message` is upstream's text. */
export class DecodeError extends Error {
  /**
   * True when decoding failed before apiVersion/kind could be read (syntax
   * errors, a body that is not an object, a bad apiVersion, YAML that does
   * not convert): upstream then answers "the object provided is unrecognized".
   */
  readonly beforeKind: boolean;

  constructor(message: string, beforeKind: boolean) {
    super(message);
    this.name = "DecodeError";
    this.beforeKind = beforeKind;
  }
}

export interface DecodeResult {
  /** The decoded body, without unknown fields. */
  object: JSONValue;
  /** apiVersion and kind as the body gives them (strings only). */
  typeMeta: { apiVersion?: string; kind?: string };
  /** Strict decoding errors in upstream's order, each as its own message. */
  strictErrors: string[];
  /** The same, as fieldValidation=Warn reports them (YAML duplicate lines one by one). */
  warnings: string[];
}

/** "strict decoding error: unknown field \"spec.foo\", duplicate field \"x\"". */
export function strictDecodingError(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(", ")}`;
}

/**
 * transformDecodeError's message: `<Kind> in version "<v>" cannot be handled
 * as a <IntoKind>: <error>` when the body's kind is known, else `the object
 * provided is unrecognized (must be of type <IntoKind>): <error> (<first 30
 * bytes of the body>)`. kind/version are the body's, defaulted from the URL.
 */
export function cannotBeHandledMessage(opts: {
  kind?: string;
  version?: string;
  intoKind: string;
  error: string;
  body: string | Uint8Array;
  beforeKind?: boolean;
}): string {
  if (!opts.beforeKind && opts.kind) {
    return `${opts.kind} in version ${JSON.stringify(opts.version ?? "")} cannot be handled as a ${opts.intoKind}: ${opts.error}`;
  }
  return `the object provided is unrecognized (must be of type ${opts.intoKind}): ${opts.error} (${summarizeData(opts.body, 30)})`;
}

function summarizeData(body: string | Uint8Array, maxLength: number): string {
  const data = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  if (data.length === 0) return "<empty>";
  if (data[0] === 0x7b) {
    return data.length > maxLength
      ? `${data.subarray(0, maxLength).toString("latin1")} ...`
      : data.toString("latin1");
  }
  return data.length > maxLength
    ? `${data.subarray(0, maxLength).toString("hex")} ...`
    : data.toString("hex");
}

/**
 * Decodes a JSON or YAML body ("application/yaml") for a kind. Without a
 * known kind the body is decoded untyped: only duplicates are reported.
 */
export function decodeBody(
  body: string | Uint8Array,
  contentType: string | undefined,
  gvk?: GroupVersionKind,
): DecodeResult {
  const type = gvk ? (decodeTypeFor(gvk) ?? anyType) : anyType;
  if (contentType === undefined || contentType === "application/json") return decodeJSON(body, type);
  const media = contentType.split(";")[0].trim().toLowerCase();
  return media === "application/yaml" ? decodeYAML(body, type) : decodeJSON(body, type);
}

const maxStrictErrors = 100;
const interpretStruct = `struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`;

/** Decodes a JSON body against a type (anyType when the kind is unknown). */
export function decodeJSON(body: string | Uint8Array, type: DecodeType = anyType): DecodeResult {
  const src = bodyText(body);
  return decodeJSONFast(src, type) ?? decodeJSONPrecise(src, type);
}

function bodyText(body: string | Uint8Array): string {
  if (typeof body === "string") return body;
  // Buffer.from(Uint8Array) would copy the body first.
  return (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString(
    "utf8",
  );
}

/**
 * The precise decoder alone: one pass over the text that builds the value and
 * reports every strict and fatal error in upstream's order. decodeJSON uses it
 * whenever the fast path finds anything to report.
 */
export function decodeJSONPrecise(body: string | Uint8Array, type: DecodeType = anyType): DecodeResult {
  const d = new Decoder(bodyText(body));
  // checkValid runs over the whole body first, so syntax errors win.
  d.skipWs();
  const c = d.peek();
  const isObject = c === 0x7b;
  const value = d.parseTop(isObject || c === 0x6e ? type : opaqueType);
  if (!isObject && value !== null) {
    throw new DecodeError(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type ${interpretStruct}`,
      true,
    );
  }
  const typeMeta = readTypeMeta(d.rawTypeMeta);
  if (d.fatal !== undefined) throw new DecodeError(d.fatal, false);
  if (d.saved !== undefined) throw new DecodeError(d.saved, false);
  return { object: value, typeMeta, strictErrors: d.strict, warnings: [...d.strict] };
}

/**
 * The fast path for the common case of a clean body: JSON.parse builds the
 * value, one scan of the text counts object keys and notes the number
 * literals whose text matters, and one walk of the value checks it against
 * the type. Returns undefined as soon as anything could differ from a clean
 * decode (a syntax error, an unknown field, a duplicate, a type error, a key
 * or string JSON.parse reads differently): the precise decoder then produces
 * the exact errors. When it returns a result, it is the precise decoder's.
 */
export function decodeJSONFast(
  body: string | Uint8Array,
  type: DecodeType = anyType,
): DecodeResult | undefined {
  const src = bodyText(body);
  const scan = scanJSON(src);
  if (scan === undefined) return undefined;
  let value: JSONObject;
  let typeMeta: DecodeResult["typeMeta"];
  // Any throw (a syntax error, nesting too deep for the walk, a bad
  // apiVersion) is for the precise decoder to report its own way.
  try {
    // The scan saw '{' first, so this is an object.
    value = JSON.parse(src) as JSONObject;
    const walk = new FastWalk(scan.intLikeNumbers);
    if (!walk.check(value, type) || walk.keys !== scan.keys) return undefined;
    typeMeta = readTypeMeta(value);
  } catch {
    return undefined;
  }
  return { object: value, typeMeta, strictErrors: [], warnings: [] };
}

interface TextScan {
  /** Object keys in the text, duplicates included. */
  keys: number;
  /**
   * Some number is written with a fraction or exponent yet has an integral
   * (or infinite) value, like 1.0 or 1e3: its value alone no longer tells an
   * int field's error, nor a quantity's exponent overflow.
   */
  intLikeNumbers: boolean;
}

/**
 * Counts keys (colons outside strings) and classifies number literals.
 * Undefined when the body is not an object or has an escape JSON.parse reads
 * differently from Go (\uD800-\uDFFF: Go makes lone surrogates U+FFFD).
 * Syntax is JSON.parse's to check.
 */
function scanJSON(s: string): TextScan | undefined {
  const n = s.length;
  let p = 0;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  if (s.charCodeAt(p) !== 0x7b) return undefined;
  const escapes = s.indexOf("\\") >= 0;
  if (escapes && hasSurrogateEscape(s)) return undefined;
  let keys = 0;
  let intLike = false;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c === 0x22) {
      let q = s.indexOf('"', p + 1);
      if (escapes) while (q > 0 && isEscaped(s, q)) q = s.indexOf('"', q + 1);
      if (q < 0) return undefined;
      p = q + 1;
    } else if (c === 0x3a) {
      keys++;
      p++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = p;
      p++;
      let plain = true;
      for (; p < n; p++) {
        const d = s.charCodeAt(p);
        if (d >= 0x30 && d <= 0x39) continue;
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) plain = false;
        else break;
      }
      if (!plain && !intLike) {
        const v = Number(s.slice(start, p));
        intLike = Number.isInteger(v) || !Number.isFinite(v);
      }
    } else {
      p++;
    }
  }
  return { keys, intLikeNumbers: intLike };
}

// Whether the quote at q is escaped: an odd run of backslashes before it.
function isEscaped(s: string, q: number): boolean {
  let b = q - 1;
  while (s.charCodeAt(b) === 0x5c) b--;
  return (q - 1 - b) % 2 === 1;
}

// Any \u escape of a surrogate (erring towards yes: an escaped backslash
// followed by "uD800" counts too).
function hasSurrogateEscape(s: string): boolean {
  for (let i = s.indexOf("\\u"); i >= 0; i = s.indexOf("\\u", i + 2)) {
    const h1 = s.charCodeAt(i + 2);
    const h2 = s.charCodeAt(i + 3);
    if (
      (h1 === 0x64 || h1 === 0x44) &&
      ((h2 >= 0x38 && h2 <= 0x39) || (h2 >= 0x61 && h2 <= 0x66) || (h2 >= 0x41 && h2 <= 0x46))
    )
      return true;
  }
  return false;
}

const canonicalBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks a JSON.parse value against a decode type as the precise decoder
 * would, answering only "clean or not", and counts the keys it meets (all of
 * them, opaque values included) so that duplicates show as a shortfall
 * against the text's count.
 */
class FastWalk {
  keys = 0;

  constructor(private readonly intLikeNumbers: boolean) {}

  check(v: unknown, t: DecodeType): boolean {
    if (v === null) return true;
    switch (typeof v) {
      case "string":
        return checkString(v, t);
      case "number":
        return this.checkNumber(v, t);
      case "boolean":
        return t.kind === "bool" || t.kind === "any" || t.kind === "opaque";
    }
    if (Array.isArray(v)) {
      const elem = t.kind === "list" ? t.elem : t.kind === "any" || t.kind === "opaque" ? t : undefined;
      if (elem === undefined) return false;
      for (let i = 0; i < v.length; i++) if (!this.check(v[i], elem)) return false;
      return true;
    }
    const o = v as Record<string, unknown>;
    switch (t.kind) {
      case "struct":
        for (const k in o) {
          this.keys++;
          const ft = t.field(k);
          if (ft === undefined) return false;
          const e = o[k];
          // Most fields are strings: no call for them.
          if (typeof e === "string" ? ft.kind !== "string" && !checkString(e, ft) : !this.check(e, ft))
            return false;
        }
        return true;
      case "map": {
        const elem = t.elem;
        if (elem.kind === "string") {
          for (const k in o) {
            this.keys++;
            const e = o[k];
            if (typeof e !== "string" && e !== null) return false;
          }
          return true;
        }
        for (const k in o) {
          this.keys++;
          if (!this.check(o[k], elem)) return false;
        }
        return true;
      }
      case "any":
      case "opaque":
        for (const k in o) {
          this.keys++;
          if (!this.check(o[k], t)) return false;
        }
        return true;
      default:
        return false;
    }
  }

  private checkNumber(n: number, t: DecodeType): boolean {
    switch (t.kind) {
      case "int32":
      case "int-or-string":
        return !this.intLikeNumbers && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
      case "int64":
        // Beyond 2^53 the value no longer tells whether the text fits.
        return !this.intLikeNumbers && Number.isSafeInteger(n);
      case "float64":
      case "any":
        return Number.isFinite(n);
      case "opaque":
        return true;
      case "quantity":
        // Any JSON number is a quantity unless its exponent overflows int64,
        // which leaves 0 or ±Inf.
        return !this.intLikeNumbers || (n !== 0 && Number.isFinite(n));
      default:
        return false;
    }
  }
}

function checkString(s: string, t: DecodeType): boolean {
  switch (t.kind) {
    case "string":
    case "int-or-string":
    case "time":
    case "any":
    case "opaque":
      return true;
    case "bytes":
      return canonicalBase64.test(s) || base64CorruptAt(Buffer.from(s, "utf8")) < 0;
    case "quantity":
      return isPlainQuantity(s) || parseQuantityError(s.trim()) === undefined;
    default:
      return false;
  }
}

// Digits and a common suffix ("100m", "64Mi"): quantities as bodies write them.
function isPlainQuantity(s: string): boolean {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i === 0) return false;
  if (i === n) return true;
  const c = s.charCodeAt(i);
  // K M G T P E, alone (except K) or followed by "i".
  const binary = c === 0x4b || c === 0x4d || c === 0x47 || c === 0x54 || c === 0x50 || c === 0x45;
  if (i + 1 === n) return c === 0x6d || c === 0x6b || c === 0x6e || c === 0x75 || (binary && c !== 0x4b);
  return i + 2 === n && binary && s.charCodeAt(i + 1) === 0x69;
}

// SimpleMetaFactory.Interpret: apiVersion and kind must be strings, and the
// apiVersion a valid group/version.
function readTypeMeta(raw: JSONObject | undefined): DecodeResult["typeMeta"] {
  const meta: DecodeResult["typeMeta"] = {};
  if (!raw) return meta;
  for (const key of ["apiVersion", "kind"] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") {
      throw new DecodeError(
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(v)} into Go struct field .${key} of type string`,
        true,
      );
    }
    meta[key] = v;
  }
  const gv = meta.apiVersion;
  // More than one "/" (schema.ParseGroupVersion).
  if (gv !== undefined && gv !== "/" && gv.indexOf("/", gv.indexOf("/") + 1) > 0) {
    throw new DecodeError(`unexpected GroupVersion string: ${gv}`, true);
  }
  return meta;
}

function jsonKind(v: JSONValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

class SyntaxErr extends Error {}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// fmt's quoting of the offending byte in encoding/json's syntax errors.
function quoteChar(code: number): string {
  if (code === 0x27) return "'\\''";
  if (code === 0x22) return `'"'`;
  let b = code;
  if (code >= 0x80) b = Buffer.from(String.fromCodePoint(code))[0];
  const escapes: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    9: "\\t",
    10: "\\n",
    11: "\\v",
    12: "\\f",
    13: "\\r",
  };
  if (escapes[b]) return `'${escapes[b]}'`;
  if (b === 0x5c) return "'\\\\'";
  if (b < 0x20 || b === 0x7f) return `'\\x${b.toString(16).padStart(2, "0")}'`;
  if (b >= 0x80 && (b < 0xa0 || b === 0xad)) return `'\\u${b.toString(16).padStart(4, "0")}'`;
  return `'${String.fromCharCode(b)}'`;
}

const MAX_NESTING_DEPTH = 10_000;

class Decoder {
  pos = 0;
  readonly strict: string[] = [];
  private readonly seenStrict = new Set<string>();
  // sigs.k8s.io/json's strict field stack: keys and "[i]" indices.
  private readonly strictStack: string[] = [];
  // encoding/json's errorContext: struct field names and the innermost struct.
  private readonly fieldStack: string[] = [];
  private structName = "";
  saved: string | undefined;
  fatal: string | undefined;
  rawTypeMeta: JSONObject | undefined;
  private depth = 0;

  constructor(private readonly src: string) {}

  peek(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  skipWs(): void {
    const s = this.src;
    let p = this.pos;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  private syntax(what: string): never {
    const c = this.peek();
    if (c < 0) throw new SyntaxErr("unexpected end of JSON input");
    throw new SyntaxErr(`invalid character ${quoteChar(this.src.codePointAt(this.pos)!)} ${what}`);
  }

  parseTop(type: DecodeType): JSONValue {
    try {
      this.skipWs();
      if (this.pos >= this.src.length) throw new SyntaxErr("unexpected end of JSON input");
      const v = this.value(type, undefined, true);
      this.skipWs();
      if (this.pos < this.src.length) this.syntax("after top-level value");
      return v ?? null;
    } catch (e) {
      if (e instanceof SyntaxErr) {
        throw new DecodeError(`couldn't get version/kind; json parse error: ${e.message}`, true);
      }
      // Our stack ends before encoding/json's 10000 levels: the same answer, a little earlier.
      if (e instanceof RangeError) {
        throw new DecodeError(
          `couldn't get version/kind; json parse error: invalid character '{' exceeded max depth`,
          true,
        );
      }
      throw e;
    }
  }

  private strictError(kind: "unknown" | "duplicate", field: string): void {
    if (this.strict.length >= maxStrictErrors) return;
    let path = "";
    for (const seg of this.strictStack) path += path === "" || seg.startsWith("[") ? seg : `.${seg}`;
    const msg = `${kind} field ${JSON.stringify(path === "" ? field : `${path}.${field}`)}`;
    if (this.seenStrict.has(msg)) return;
    this.seenStrict.add(msg);
    this.strict.push(msg);
  }

  // UnmarshalTypeError, with the current error context.
  private typeError(value: string, goType: string): string {
    if (this.structName !== "" || this.fieldStack.length > 0) {
      return `json: cannot unmarshal ${value} into Go struct field ${this.structName}.${this.fieldStack.join(".")} of type ${goType}`;
    }
    return `json: cannot unmarshal ${value} into Go value of type ${goType}`;
  }

  private save(msg: string): void {
    this.saved ??= msg;
  }

  // An error returned by a type's own UnmarshalJSON: decoding stops there.
  private stop(msg: string): void {
    this.fatal ??= msg;
  }

  /** Parses one value; `type` undefined skips it (unknown field). */
  private value(
    type: DecodeType | undefined,
    into: JSONValue | undefined,
    top = false,
  ): JSONValue | undefined {
    const c = this.peek();
    switch (c) {
      case 0x7b:
      case 0x5b: {
        // encoding/json's scanner: nesting beyond 10000 is a syntax error (and would overflow our stack).
        if (++this.depth > MAX_NESTING_DEPTH) {
          throw new SyntaxErr(`invalid character ${quoteChar(c)} exceeded max depth`);
        }
        const v = c === 0x7b ? this.object(type, into, top) : this.array(type);
        this.depth--;
        return v;
      }
      case 0x22: {
        const s = this.string();
        return type ? this.storeString(s, type) : undefined;
      }
      case 0x74:
      case 0x66:
      case 0x6e: {
        const lit = this.literal(c);
        return type ? this.storeLiteral(lit, type) : undefined;
      }
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          const text = this.number();
          return type ? this.storeNumber(text, type) : undefined;
        }
        return this.syntax("looking for beginning of value");
    }
  }

  private object(
    type: DecodeType | undefined,
    into: JSONValue | undefined,
    top: boolean,
  ): JSONValue | undefined {
    this.pos++; // {
    const checking = type !== undefined && type.kind !== "opaque" && this.fatal === undefined;
    let result: JSONObject | undefined;
    let mode: "struct" | "map" | "any" | "skip" = "skip";
    if (type) {
      switch (type.kind) {
        case "struct":
        case "map":
          mode = type.kind;
          // A repeated field decodes into the value already there, as Go does.
          result =
            type.kind === "struct" && into !== null && typeof into === "object" && !Array.isArray(into)
              ? into
              : {};
          if (type.kind === "map" && into !== null && typeof into === "object" && !Array.isArray(into))
            result = into;
          break;
        case "any":
        case "opaque":
          mode = "any";
          result = {};
          break;
        case "int-or-string":
          this.stop(this.typeError("object", "int32"));
          break;
        case "quantity":
          this.stop(errQuantityFormat);
          break;
        case "time":
          this.stop(this.typeError("object", "string"));
          break;
        default:
          this.save(this.typeError("object", type.goType));
      }
    }
    const seen = checking ? new Set<string>() : undefined;
    const savedStruct = this.structName;
    const savedFields = this.fieldStack.length;

    this.skipWs();
    if (this.peek() === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.peek() !== 0x22) this.syntax("looking for beginning of object key string");
      const key = this.string();
      this.skipWs();
      if (this.peek() !== 0x3a) this.syntax("after object key");
      this.pos++;
      this.skipWs();

      let fieldType: DecodeType | undefined;
      let known = true;
      if (mode === "struct") {
        fieldType = (type as { field(n: string): DecodeType | undefined }).field(key);
        known = fieldType !== undefined;
        if (checking) {
          if (!known) this.strictError("unknown", key);
          else if (seen!.has(key)) this.strictError("duplicate", key);
          else seen!.add(key);
        }
        if (known) {
          this.fieldStack.push(key);
          this.structName = (type as { name: string }).name;
        }
      } else if (mode === "map" || mode === "any") {
        fieldType = mode === "map" ? (type as { elem: DecodeType }).elem : type;
        if (checking) {
          if (seen!.has(key)) this.strictError("duplicate", key);
          else seen!.add(key);
        }
      }

      if (known && fieldType && checking) this.strictStack.push(key);
      const existing = mode === "struct" && result && Object.hasOwn(result, key) ? result[key] : undefined;
      const v = this.value(fieldType, existing);
      if (known && fieldType && checking) this.strictStack.pop();
      if (result && v !== undefined && known) setKey(result, key, v);

      this.fieldStack.length = savedFields;
      this.structName = savedStruct;

      this.skipWs();
      const c = this.peek();
      if (c === 0x2c) {
        this.pos++;
        this.skipWs();
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        break;
      }
      this.syntax("after object key:value pair");
    }
    if (top && result) this.rawTypeMeta = result;
    return result;
  }

  private array(type: DecodeType | undefined): JSONValue | undefined {
    this.pos++; // [
    let result: JSONValue[] | undefined;
    let elem: DecodeType | undefined;
    if (type) {
      switch (type.kind) {
        case "list":
          result = [];
          elem = type.elem;
          break;
        case "any":
        case "opaque":
          result = [];
          elem = type;
          break;
        case "int-or-string":
          this.stop(this.typeError("array", "int32"));
          break;
        case "quantity":
          this.stop(errQuantityFormat);
          break;
        case "time":
          this.stop(this.typeError("array", "string"));
          break;
        default:
          this.save(this.typeError("array", type.goType));
      }
    }
    const checking = elem !== undefined && elem.kind !== "opaque";
    this.skipWs();
    if (this.peek() === 0x5d) {
      this.pos++;
      return result;
    }
    for (let i = 0; ; i++) {
      if (checking) this.strictStack.push(`[${i}]`);
      const v = this.value(elem, undefined);
      if (checking) this.strictStack.pop();
      if (result) result.push(v ?? null);
      this.skipWs();
      const c = this.peek();
      if (c === 0x2c) {
        this.pos++;
        this.skipWs();
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        break;
      }
      this.syntax("after array element");
    }
    return result;
  }

  private string(): string {
    const s = this.src;
    const start = this.pos;
    let p = start + 1;
    let escaped = false;
    for (;;) {
      if (p >= s.length) {
        this.pos = p;
        this.syntax("in string literal");
      }
      const c = s.charCodeAt(p);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        p++;
        const e = p < s.length ? s.charCodeAt(p) : -1;
        if (e === 0x75) {
          for (let k = 1; k <= 4; k++) {
            const h = p + k < s.length ? s.charCodeAt(p + k) : -1;
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) {
              this.pos = p + k;
              this.syntax("in \\u hexadecimal character escape");
            }
          }
          p += 5;
          continue;
        }
        if (
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          p++;
          continue;
        }
        this.pos = p;
        this.syntax("in string escape code");
      }
      if (c < 0x20) {
        this.pos = p;
        this.syntax("in string literal");
      }
      p++;
    }
    this.pos = p + 1;
    if (!escaped) return s.slice(start + 1, p);
    // Go replaces unpaired surrogates with U+FFFD.
    return (JSON.parse(s.slice(start, p + 1)) as string).replace(loneSurrogate, "\uFFFD");
  }

  private literal(first: number): "true" | "false" | "null" {
    const word = first === 0x74 ? "true" : first === 0x66 ? "false" : "null";
    for (let k = 1; k < word.length; k++) {
      const p = this.pos + k;
      if (p >= this.src.length) {
        this.pos = p;
        this.syntax("");
      }
      if (this.src.charCodeAt(p) !== word.charCodeAt(k)) {
        this.pos = p;
        this.syntax(`in literal ${word} (expecting '${word[k]}')`);
      }
    }
    this.pos += word.length;
    return word;
  }

  private number(): string {
    const s = this.src;
    const start = this.pos;
    let p = start;
    const digit = (i: number) => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;
    if (s.charCodeAt(p) === 0x2d) {
      p++;
      if (!digit(p)) {
        this.pos = p;
        this.syntax("in numeric literal");
      }
    }
    if (s.charCodeAt(p) === 0x30) p++;
    else while (digit(p)) p++;
    if (p < s.length && s.charCodeAt(p) === 0x2e) {
      p++;
      if (!digit(p)) {
        this.pos = p;
        this.syntax("after decimal point in numeric literal");
      }
      while (digit(p)) p++;
    }
    if (p < s.length && (s.charCodeAt(p) === 0x65 || s.charCodeAt(p) === 0x45)) {
      p++;
      if (p < s.length && (s.charCodeAt(p) === 0x2b || s.charCodeAt(p) === 0x2d)) p++;
      if (!digit(p)) {
        this.pos = p;
        this.syntax("in exponent of numeric literal");
      }
      while (digit(p)) p++;
    }
    this.pos = p;
    return s.slice(start, p);
  }

  // literalStore for strings.
  private storeString(s: string, type: DecodeType): JSONValue {
    switch (type.kind) {
      case "string":
      case "int-or-string":
      case "time":
      case "any":
      case "opaque":
        return s;
      case "bytes": {
        const at = base64CorruptAt(Buffer.from(s, "utf8"));
        if (at >= 0) this.save(`illegal base64 data at input byte ${at}`);
        return s;
      }
      case "quantity": {
        const err = parseQuantityError(s.trim());
        if (err) this.stop(err);
        return s;
      }
      default:
        this.save(this.typeError("string", type.goType));
        return s;
    }
  }

  private storeLiteral(lit: "true" | "false" | "null", type: DecodeType): JSONValue {
    if (lit === "null") return null;
    const b = lit === "true";
    switch (type.kind) {
      case "bool":
      case "any":
      case "opaque":
        return b;
      case "int-or-string":
        this.stop(this.typeError("bool", "int32"));
        return b;
      case "quantity":
        this.stop(errQuantityFormat);
        return b;
      case "time":
        this.stop(this.typeError("bool", "string"));
        return b;
      default:
        this.save(this.typeError("bool", type.goType));
        return b;
    }
  }

  private storeNumber(text: string, type: DecodeType): JSONValue {
    const n = Number(text);
    switch (type.kind) {
      case "int32":
      case "int64":
        if (!fitsInt(text, type.kind === "int32" ? 32 : 64))
          this.save(this.typeError(`number ${text}`, type.goType));
        return n;
      case "float64":
      case "any":
        if (!Number.isFinite(n)) this.save(this.typeError(`number ${text}`, "float64"));
        return n;
      case "opaque":
        return n;
      case "int-or-string":
        if (!fitsInt(text, 32)) this.stop(this.typeError(`number ${text}`, "int32"));
        return n;
      case "quantity": {
        const err = parseQuantityError(text);
        if (err) this.stop(err);
        return n;
      }
      case "time":
        this.stop(this.typeError("number", "string"));
        return n;
      default:
        this.save(this.typeError("number", type.goType));
        return n;
    }
  }
}

function fitsInt(text: string, bits: 32 | 64): boolean {
  if (!/^-?\d+$/.test(text)) return false;
  const v = BigInt(text);
  const max = (1n << BigInt(bits - 1)) - 1n;
  return v <= max && v >= -max - 1n;
}

// Plain assignment would set the prototype for "__proto__".
function setKey(o: JSONObject, k: string, v: JSONValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// apimachinery/pkg/api/resource: ParseQuantity's errors.
export const errQuantityFormat =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const errQuantitySuffix = "unable to parse quantity's suffix";
const quantitySuffixes = new Set([
  "",
  "n",
  "u",
  "m",
  "k",
  "M",
  "G",
  "T",
  "P",
  "E",
  "Ki",
  "Mi",
  "Gi",
  "Ti",
  "Pi",
  "Ei",
]);

/** ParseQuantity's error for a string, or undefined when it parses. */
export function parseQuantityError(str: string): string | undefined {
  if (str.length === 0) return errQuantityFormat;
  if (str === "0") return undefined;
  const m = /^[+-]?[0-9]*(?:\.[0-9]*)?/.exec(str)!;
  let pos = m[0].length;
  const suffixStart = pos;
  while (pos < str.length && "eEinumkKMGTP".includes(str[pos])) pos++;
  if (pos < str.length && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < str.length && str[pos] >= "0" && str[pos] <= "9") pos++;
  if (pos < str.length) return errQuantityFormat;
  const suffix = str.slice(suffixStart);
  if (quantitySuffixes.has(suffix)) return undefined;
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return BigInt(suffix.slice(1)) <= 9223372036854775807n && BigInt(suffix.slice(1)) >= -9223372036854775808n
      ? undefined
      : errQuantitySuffix;
  }
  return errQuantitySuffix;
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const base64Map = new Int16Array(256).fill(-1);
for (let i = 0; i < base64Alphabet.length; i++) base64Map[base64Alphabet.charCodeAt(i)] = i;

/**
 * encoding/base64 StdEncoding.Decode: the byte offset of its
 * CorruptInputError ("illegal base64 data at input byte N"), or -1.
 */
export function base64CorruptAt(src: Uint8Array): number {
  let si = 0;
  const nl = (b: number) => b === 0x0a || b === 0x0d;
  while (si < src.length) {
    // decodeQuantum
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return -1;
        return si - j;
      }
      const inb = src[si++];
      if (base64Map[inb] >= 0) continue;
      if (nl(inb)) {
        j--;
        continue;
      }
      if (inb !== 0x3d) return si - 1;
      // padding
      if (j === 0 || j === 1) return si - 1;
      if (j === 2) {
        while (si < src.length && nl(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && nl(src[si])) si++;
      if (si < src.length) return si;
      return -1;
    }
  }
  return -1;
}

/**
 * Decodes a YAML body as the apiserver does: YAML 1.1 (as go-yaml v2), the
 * first document only, duplicate keys reported as go-yaml's strict mode does,
 * then converted to JSON (keys sorted) and decoded as JSON.
 */
export function decodeYAML(body: string | Uint8Array, type: DecodeType = anyType): DecodeResult {
  const src = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(src, {
    version: "1.1",
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter,
    // go-yaml v2 keeps timestamps and sexagesimal numbers as strings.
    customTags: (tags) =>
      tags.filter(
        (t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME"),
      ),
  });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  let value: unknown = null;
  const dupLines: string[] = [];
  if (doc) {
    const err = doc.errors[0];
    if (err) {
      const line = lineCounter.linePos(err.pos[0]).line;
      const msg = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new DecodeError(`error converting YAML to JSON: yaml: line ${line}: ${msg}`, true);
    }
    findDuplicateKeys(doc.contents as Node | null, lineCounter, dupLines);
    value = doc.toJS({ maxAliasCount: 1000 });
  }
  const json = toJSONText(value);
  const result = decodeJSON(json, type);
  const yamlError = dupLines.length > 0 ? [`yaml: unmarshal errors:\n  ${dupLines.join("\n  ")}`] : [];
  return {
    object: result.object,
    typeMeta: result.typeMeta,
    strictErrors: [...yamlError, ...result.strictErrors],
    warnings: [...dupLines, ...result.warnings],
  };
}

// go-yaml strict mode: a key already set in its map is reported at the line
// of its value, after the value itself has been decoded.
function findDuplicateKeys(node: Node | null, lc: LineCounter, out: string[]): void {
  if (!node) return;
  if (isSeq(node)) {
    for (const item of node.items) findDuplicateKeys(item as Node, lc, out);
    return;
  }
  if (!isMap(node)) return;
  const seen = new Set<string>();
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key as Node | null;
    const valueNode = pair.value as Node | null;
    if (isScalar(keyNode) && keyNode.value === "<<") continue;
    findDuplicateKeys(valueNode, lc, out);
    const key = isScalar(keyNode) ? keyNode.value : isAlias(keyNode) ? keyNode.source : String(keyNode);
    const id = `${typeof key}:${String(key)}`;
    if (seen.has(id)) {
      const at = valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? 0;
      out.push(`line ${lc.linePos(at).line}: key ${goQuote(key)} already set in map`);
    } else {
      seen.add(id);
    }
  }
}

// %#v of a YAML key.
function goQuote(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (key === null || key === undefined) return "interface {}(nil)";
  return String(key);
}

// json.Marshal of the converted YAML: map keys sorted, non-string keys as text.
function toJSONText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) {
      throw new DecodeError(`error converting YAML to JSON: json: unsupported value: ${goFloat(v)}`, true);
    }
    return JSON.stringify(v);
  }
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString("base64"));
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(toJSONText).join(",")}]`;
  if (v instanceof Map) {
    const entries = [...v.entries()].map(([k, val]) => [String(k), val] as const);
    return objectText(entries);
  }
  if (v instanceof Set) return toJSONText([...v]);
  return objectText(Object.entries(v as Record<string, unknown>));
}

function objectText(entries: (readonly [string, unknown])[]): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${sorted.map(([k, val]) => `${JSON.stringify(k)}:${toJSONText(val)}`).join(",")}}`;
}

function goFloat(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}

/**
 * Unknown fields of an already decoded object (a patched object), as
 * FromUnstructuredWithValidation reports them: `unknown field "spec.foo"`,
 * keys in sorted order.
 */
export function findUnknownFields(value: unknown, type: DecodeType): string[] {
  const out: string[] = [];
  // Nearly every object is clean: a walk that builds no paths and sorts no keys says so, cheaply.
  if (!hasUnknownFields(value, type)) return out;
  walkUnknown(value, type, "", out);
  return out;
}

function hasUnknownFields(value: unknown, type: DecodeType): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    if (type.kind !== "list") return false;
    for (const v of value) if (hasUnknownFields(v, type.elem)) return true;
    return false;
  }
  const obj = value as Record<string, unknown>;
  if (type.kind === "struct") {
    for (const k in obj) {
      const ft = type.field(k);
      if (!ft || hasUnknownFields(obj[k], ft)) return true;
    }
  } else if (type.kind === "map") {
    for (const k in obj) if (hasUnknownFields(obj[k], type.elem)) return true;
  }
  return false;
}

function walkUnknown(value: unknown, type: DecodeType, path: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  const join = (k: string) => (path === "" ? k : `${path}.${k}`);
  if (Array.isArray(value)) {
    if (type.kind === "list") {
      for (let i = 0; i < value.length; i++) walkUnknown(value[i], type.elem, `${path}[${i}]`, out);
    }
    return;
  }
  const obj = value as Record<string, unknown>;
  if (type.kind === "struct") {
    for (const k of Object.keys(obj).sort()) {
      const ft = type.field(k);
      if (!ft) out.push(`unknown field ${JSON.stringify(join(k))}`);
      else walkUnknown(obj[k], ft, join(k), out);
    }
  } else if (type.kind === "map") {
    for (const k of Object.keys(obj).sort()) walkUnknown(obj[k], type.elem, join(k), out);
  }
}
