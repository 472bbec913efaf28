// Path elements and paths, as structured-merge-diff's fieldpath package
// defines them (element.go, path.go, serialize-pe.go): how one step selects a
// child (a field name, the key fields of an associative-list item, the value of
// a set item or a list index), their total order, their human-readable form
// (`.spec.containers[name="nginx"].image`) and their FieldsV1 form
// (`f:image`, `k:{"name":"nginx"}`, `v:"a"`, `i:0`).

import {
  compareStrings,
  compareValues,
  goJSON,
  goJSONString,
  type JsonValue,
  valuesEqual,
  valueToString,
} from "./value.ts";

/** One field of an associative-list key. */
export interface KeyField {
  readonly name: string;
  readonly value: JsonValue;
}

export type PathElement =
  | { readonly kind: "field"; readonly name: string }
  /** Key fields sorted by name. */
  | { readonly kind: "key"; readonly fields: readonly KeyField[] }
  | { readonly kind: "value"; readonly value: JsonValue }
  | { readonly kind: "index"; readonly index: number };

export type Path = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { kind: "field", name };
}

/** A key element; the fields are sorted by name as upstream's FieldList.Sort does. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  if (fields.length === 1) return { kind: "key", fields: [fields[0]] };
  return { kind: "key", fields: [...fields].sort((a, b) => compareStrings(a.name, b.name)) };
}

export function valueElement(value: JsonValue): PathElement {
  return { kind: "value", value };
}

export function indexElement(index: number): PathElement {
  return { kind: "index", index };
}

/** A path of field names, as fieldpath.MakePathOrDie("spec", "replicas"). */
export function fieldPath(...names: string[]): Path {
  return names.map(fieldElement);
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

function compareKeyFields(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i].name, b[i].name);
    if (c !== 0) return c;
    const d = compareValues(a[i].value, b[i].value);
    if (d !== 0) return d;
  }
}

/** PathElement.Compare: field names first, then keys, values, indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind === "field" && b.kind === "field") return compareStrings(a.name, b.name);
  if (a.kind !== b.kind) return kindRank[a.kind] < kindRank[b.kind] ? -1 : 1;
  switch (a.kind) {
    case "field":
      return compareStrings(a.name, (b as typeof a).name);
    case "key":
      return compareKeyFields(a.fields, (b as typeof a).fields);
    case "value":
      return compareValues(a.value, (b as typeof a).value);
    case "index": {
      const bi = (b as typeof a).index;
      return a.index < bi ? -1 : a.index > bi ? 1 : 0;
    }
  }
}

export function pathElementsEqual(a: PathElement, b: PathElement): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "field":
      return a.name === (b as typeof a).name;
    case "key": {
      const af = a.fields;
      const bf = (b as typeof a).fields;
      if (af.length !== bf.length) return false;
      for (let i = 0; i < af.length; i++) {
        if (af[i].name !== bf[i].name || !valuesEqual(af[i].value, bf[i].value)) return false;
      }
      return true;
    }
    case "value":
      return valuesEqual(a.value, (b as typeof a).value);
    case "index":
      return a.index === (b as typeof a).index;
  }
}

/** PathElement.String: `.name`, `[k1=v1,k2=v2]`, `[=value]`, `[3]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.kind) {
    case "field":
      return `.${pe.name}`;
    case "key": {
      const fields = pe.fields;
      if (fields.length === 1) return `[${fields[0].name}=${valueToString(fields[0].value)}]`;
      return `[${fields.map((f) => `${f.name}=${valueToString(f.value)}`).join(",")}]`;
    }
    case "value":
      return `[=${valueToString(pe.value)}]`;
    case "index":
      return `[${pe.index}]`;
  }
}

/** Path.String: the elements' strings joined (`.spec.replicas`). */
export function pathString(path: Path): string {
  return path.map(pathElementString).join("");
}

export function comparePaths(a: Path, b: Path): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = comparePathElements(a[i], b[i]);
    if (c !== 0) return c;
  }
}

// FieldsV1 keys of field names and the elements keys parse to, remembered:
// building "f:name" afresh for each element costs more than a lookup, most of
// it in interning the new string when it becomes an object key, and parsing a
// `k:{...}` key means JSON.parse. The same keys recur write after write.
// Bounded, since map keys (labels, annotations, data) are not.
const cacheLimit = 8192;
const fieldKeys = new Map<string, string>();
const parsedKeys = new Map<string, PathElement>();
// Whether a parsed `k:`, `v:` or `i:` key is exactly what serializePathElement writes for its element.
const canonicalKeys = new Map<string, boolean>();

function fieldKey(name: string): string {
  let key = fieldKeys.get(name);
  if (key === undefined) {
    if (fieldKeys.size >= cacheLimit) fieldKeys.clear();
    key = `f:${name}`;
    fieldKeys.set(name, key);
  }
  return key;
}

/** Whether serializePathElement(pe) gives back key, the FieldsV1 key pe was parsed from. */
export function isSerializedForm(key: string, pe: PathElement): boolean {
  if (pe.kind === "field") return true;
  let ok = canonicalKeys.get(key);
  if (ok === undefined) {
    if (canonicalKeys.size >= cacheLimit) canonicalKeys.clear();
    ok = serializePathElement(pe) === key;
    canonicalKeys.set(key, ok);
  }
  return ok;
}

/** SerializePathElement: the FieldsV1 key of an element. */
export function serializePathElement(pe: PathElement): string {
  switch (pe.kind) {
    case "field":
      return fieldKey(pe.name);
    case "key": {
      let out = "k:{";
      const fields = pe.fields;
      for (let i = 0; i < fields.length; i++) {
        if (i > 0) out += ",";
        out += `${goJSONString(fields[i].name)}:${goJSON(fields[i].value)}`;
      }
      return `${out}}`;
    }
    case "value":
      return `v:${goJSON(pe.value)}`;
    case "index":
      return `i:${pe.index}`;
  }
}

/** Returned by deserializePathElement for a prefix it does not know; such keys are skipped. */
export class UnknownPathElementTypeError extends Error {
  constructor() {
    super("unknown path element type");
    this.name = "UnknownPathElementTypeError";
  }
}

/** DeserializePathElement: parses a FieldsV1 key. */
export function deserializePathElement(s: string): PathElement {
  let pe = parsedKeys.get(s);
  if (pe === undefined) {
    pe = parsePathElement(s);
    if (parsedKeys.size >= cacheLimit) parsedKeys.clear();
    parsedKeys.set(s, pe);
  }
  return pe;
}

function parsePathElement(s: string): PathElement {
  if (s.length < 2) throw new Error("key must be 2 characters long:");
  if (s[1] !== ":") throw new Error(`missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case "f":
      return fieldElement(rest);
    case "v":
      return valueElement(JSON.parse(rest) as JsonValue);
    case "k": {
      const parsed = JSON.parse(rest) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error(`ReadObjectCB: expect { or n, but found ${rest.slice(0, 1)}`);
      }
      return keyElement(
        Object.entries(parsed as Record<string, JsonValue>).map(([name, value]) => ({ name, value })),
      );
    }
    case "i": {
      if (!/^[+-]?\d+$/.test(rest))
        throw new Error(`strconv.Atoi: parsing ${goJSONString(rest)}: invalid syntax`);
      return indexElement(Number.parseInt(rest, 10));
    }
    default:
      throw new UnknownPathElementTypeError();
  }
}
