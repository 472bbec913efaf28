// Checking a value against its schema (structured-merge-diff typed/validate.go),
// as AsTyped does before any merge: scalars of the right kind, no undeclared
// struct fields, list items that can be identified and (unless duplicates are
// allowed, as for live objects) no two items with the same key.

import { goFormat } from "../patch/go-format.ts";
import { deduceAtom, listItemToPathElement, type ValidationError, withPrefix } from "./helpers.ts";
import { indexElement, type PathElement, pathElementString } from "./path-element.ts";
import {
  type ApplySchema,
  type Atom,
  resolveType,
  type Scalar,
  type TypeRef,
  typeRefName,
} from "./schema.ts";
import { isList, isMap, type JsonValue } from "./value.ts";

export interface ValidateOptions {
  /** typed.AllowDuplicates: live objects may hold duplicate keys from older servers. */
  allowDuplicates?: boolean;
}

// fmt's %v / %#v of a value.Value wrapping a decoded JSON value.
function goValueV(v: JsonValue): string {
  return `&{${goFormat(v)}}`;
}

function goTypeOf(v: JsonValue): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int64" : "float64";
    default:
      return "map[string]interface {}";
  }
}

/** validateScalar: the error for a value of the wrong kind, or undefined. */
export function scalarError(
  t: Scalar,
  v: JsonValue | undefined,
  prefix: string,
): ValidationError | undefined {
  if (v === undefined || v === null) return undefined;
  switch (t) {
    case "numeric":
      if (typeof v !== "number")
        return { path: "", message: `${prefix}expected numeric (int or float), got ${goTypeOf(v)}` };
      return undefined;
    case "string":
      if (typeof v !== "string") {
        return {
          path: "",
          message: `${prefix}expected string, got &value.valueUnstructured{Value:${goFormat(v)}}`,
        };
      }
      return undefined;
    case "boolean":
      if (typeof v !== "boolean")
        return { path: "", message: `${prefix}expected boolean, got ${goValueV(v)}` };
      return undefined;
    default:
      return undefined;
  }
}

/** Validate: every problem found in v against type tr. */
export function validateValue(
  schema: ApplySchema,
  tr: TypeRef,
  v: JsonValue,
  opts: ValidateOptions = {},
): ValidationError[] {
  const atom = resolveType(schema, tr);
  if (!atom) return [{ path: "", message: `schema error: no type found matching: ${typeRefName(tr)}` }];
  return validateAtom(schema, deduceAtom(atom, v), tr, v, opts);
}

function validateAtom(
  schema: ApplySchema,
  a: Atom,
  tr: TypeRef,
  v: JsonValue,
  opts: ValidateOptions,
): ValidationError[] {
  if (a.map) {
    if (v === null) return [];
    if (!isMap(v)) return [{ path: "", message: `expected map, got ${goValueV(v)}` }];
    const errs: ValidationError[] = [];
    for (const [key, child] of Object.entries(v)) {
      const pe: PathElement = { kind: "field", name: key };
      const field = a.map.fields.get(key);
      const childType = field ? field.type : a.map.elementType;
      if (!childType) {
        errs.push({ path: pathElementString(pe), message: "field not declared in schema" });
        break;
      }
      errs.push(...withPrefix(validateValue(schema, childType, child, opts), pathElementString(pe)));
    }
    return errs;
  }
  if (a.scalar) {
    const e = scalarError(a.scalar, v, "");
    return e ? [e] : [];
  }
  if (a.list) {
    if (v === null) return [];
    if (!isList(v)) return [{ path: "", message: `expected list, got ${goValueV(v)}` }];
    const errs: ValidationError[] = [];
    const seen: PathElement[] = [];
    for (let i = 0; i < v.length; i++) {
      let pe: PathElement = indexElement(i);
      if (a.list.elementRelationship === "associative") {
        try {
          pe = listItemToPathElement(schema, a.list, v[i]);
        } catch (e) {
          errs.push({ path: "", message: `element ${i}: ${(e as Error).message}` });
          return errs;
        }
        const key = pathElementString(pe);
        if (!opts.allowDuplicates && seen.some((s) => pathElementString(s) === key)) {
          errs.push({ path: "", message: `duplicate entries for key ${key}` });
        }
        seen.push(pe);
      }
      errs.push(...withPrefix(validateValue(schema, a.list.elementType, v[i], opts), pathElementString(pe)));
    }
    return errs;
  }
  return [
    { path: "", message: `schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}` },
  ];
}
