// JSON values as structured-merge-diff's value package sees them
// (sigs.k8s.io/structured-merge-diff/v4/value): a total order over values of
// any type, equality, the human-readable form used in field paths
// (`[name="nginx"]`) and Go's JSON encoding used in FieldsV1 keys.
//
// `undefined` stands for Go's nil Value (the field is absent); `null` is an
// explicit JSON null. Whole numbers count as int64, others as float64, as
// apimachinery's JSON decoding produces them.

import { deepCopyJson } from "../deep-copy.ts";
import { goQuote } from "../field-errors.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export function isMap(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isList(v: JsonValue | undefined): v is JsonValue[] {
  return Array.isArray(v);
}

export function isScalar(v: JsonValue | undefined): v is boolean | number | string {
  return typeof v === "boolean" || typeof v === "number" || typeof v === "string";
}

/** strings.Compare: byte order of the UTF-8 encodings, which is code point order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // UTF-16 order is code point order unless a surrogate is involved.
    if ((ca >= 0xd800 && ca <= 0xdfff) || (cb >= 0xd800 && cb <= 0xdfff)) return compareCodePoints(a, b);
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

// Rank of each kind in value.Compare: numbers, strings, booleans, lists, maps, null.
function rank(v: JsonValue): number {
  switch (typeof v) {
    case "number":
      return 0;
    case "string":
      return 1;
    case "boolean":
      return 2;
    default:
      if (v === null) return 5;
      return Array.isArray(v) ? 3 : 4;
  }
}

/** value.Compare: a total order over values of any type (-1, 0 or 1). */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3:
      return compareLists(a as JsonValue[], b as JsonValue[]);
    case 4:
      return compareMaps(a as JsonObject, b as JsonObject);
    default:
      return 0;
  }
}

function compareLists(a: JsonValue[], b: JsonValue[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
}

// value.MapCompare: walk the union of keys in lexical order; the map that
// runs out of keys first, or lacks the current key, sorts first... as upstream
// decides it (a missing key on the left sorts the left map after).
function compareMaps(a: JsonObject, b: JsonObject): number {
  const la = Object.keys(a).length;
  const lb = Object.keys(b).length;
  if (la === 0 && lb === 0) return 0;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareStrings);
  let i = 0;
  for (const k of keys) {
    let c: number;
    if (i === la) c = -1;
    else if (i === lb) c = 1;
    else if (!Object.hasOwn(a, k)) c = 1;
    else if (!Object.hasOwn(b, k)) c = -1;
    else c = compareValues(a[k], b[k]);
    i++;
    if (c !== 0) return c;
  }
  return 0;
}

/** value.Equals: numbers compare numerically, maps ignore key order. */
export function valuesEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || typeof a !== "object") return false;
  const ka = Object.keys(a);
  const bo = b as JsonObject;
  if (ka.length !== Object.keys(bo).length) return false;
  for (const k of ka) if (!Object.hasOwn(bo, k) || !valuesEqual(a[k], bo[k])) return false;
  return true;
}

/** %q of a string; printable ASCII without quotes or backslashes is common enough to skip goQuote. */
export function quoteString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return goQuote(s);
  }
  return `"${s}"`;
}

/** value.ToString: the form path elements print values in (`"nginx"`, `80`). */
export function valueToString(v: JsonValue): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "number":
      return goNumber(v);
    case "string":
      return quoteString(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return `[${v.map(valueToString).join(",")}]`;
  return Object.entries(v)
    .map(([k, x]) => `${k}=${valueToString(x)}`)
    .join("");
}

// fmt's %v of an int64 or float64 (shortest form, exponent from 1e21).
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/**
 * encoding/json's Marshal (as jsoniter's standard-library-compatible mode
 * writes it): map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
 */
export function goJSON(v: JsonValue): string {
  if (typeof v === "string") return goJSONString(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(goJSON).join(",")}]`;
  const keys = Object.keys(v).sort(compareStrings);
  return `{${keys.map((k) => `${goJSONString(k)}:${goJSON(v[k])}`).join(",")}}`;
}

export function goJSONString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, '"', '&', '<', '>', '\\' and anything beyond ASCII take the long way.
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x5c) {
      return goJSONStringSlow(s);
    }
  }
  return `"${s}"`;
}

function goJSONStringSlow(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A deep copy of a JSON value. */
export function cloneValue<T extends JsonValue>(v: T): T {
  return deepCopyJson(v);
}
