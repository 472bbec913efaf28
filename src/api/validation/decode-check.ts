// A structural type check of a JSON object against its kind's schema. The
// apiserver decodes request bodies into Go structs before validating, so a
// value of the wrong JSON type never reaches upstream validation; here an
// object may come from anywhere, so this pass reports such values as field
// errors and lets the ported validators assume well-typed input.

import {
  type BadValue,
  type FieldError,
  GoValue,
  invalid,
  newPath,
  type Path,
} from "../../machinery/field-errors.ts";
import { type DecodeType, decodeTypeFor } from "../strict-decode.ts";
import { quantityFromJSON } from "./quantity-memo.ts";

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

// The schema document is fixed, so a kind's decode type never changes.
const decodeTypes = new Map<string, DecodeType | undefined>();

/** The decode type of group/kind at version v1 (every kind validated here is served as v1). */
export function decodeTypeOfKind(group: string, kind: string): DecodeType | undefined {
  const key = `${group}/${kind}`;
  if (decodeTypes.has(key)) return decodeTypes.get(key);
  let t: DecodeType | undefined;
  try {
    t = decodeTypeFor({ group, version: "v1", kind });
  } catch {
    t = undefined;
  }
  // Bounded: unknown kinds sent by clients must not grow it without end.
  if (decodeTypes.size >= 1024) decodeTypes.clear();
  decodeTypes.set(key, t);
  return t;
}

function shown(v: unknown): BadValue {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  if (text.length > 200) text = `${text.slice(0, 200)}...`;
  return new GoValue(text);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The path to the current value, one entry per step: a field name, a map key
 * or a list index. A key is kept as a one-element array so that it tells
 * itself apart from a field name without an object per step.
 */
type Steps = Array<string | [string] | number>;

/** The field.Path of the steps; built only when there is an error to report. */
function pathOf(steps: Steps): Path | null {
  let p: Path | null = null;
  for (const s of steps) {
    if (typeof s === "string") p = p === null ? newPath(s) : p.child(s);
    else if (typeof s === "number") p = p === null ? newPath(`[${s}]`) : p.index(s);
    else p = p === null ? newPath(s[0]) : p.key(s[0]);
  }
  return p;
}

function typeError(v: unknown, t: DecodeType, steps: Steps, errs: FieldError[]): void {
  errs.push(invalid(pathOf(steps), shown(v), `must be of type ${t.goType}`));
}

function isInt32(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= int32Min && v <= int32Max;
}

/**
 * Whether v is a well-typed leaf that needs no step of its own: the common
 * case (a string where a string belongs) is answered without recursing.
 */
function isValidLeaf(v: unknown, t: DecodeType): boolean {
  switch (t.kind) {
    case "string":
    case "bytes":
    case "time":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "int32":
      return isInt32(v);
    case "int64":
      return typeof v === "number" && Number.isInteger(v);
    case "float64":
      return typeof v === "number";
    case "int-or-string":
      return typeof v === "string" || isInt32(v);
    default:
      return false;
  }
}

function walk(v: unknown, t: DecodeType, steps: Steps, errs: FieldError[]): void {
  if (v === null || v === undefined || steps.length > 64) return;
  switch (t.kind) {
    case "struct": {
      if (!isPlainObject(v)) {
        typeError(v, t, steps, errs);
        return;
      }
      for (const k in v) {
        const ft = t.field(k);
        if (!ft) continue;
        const fv = v[k];
        if (isValidLeaf(fv, ft)) continue;
        steps.push(k);
        walk(fv, ft, steps, errs);
        steps.pop();
      }
      return;
    }
    case "map": {
      if (!isPlainObject(v)) {
        typeError(v, t, steps, errs);
        return;
      }
      for (const k in v) {
        const ev = v[k];
        if (isValidLeaf(ev, t.elem)) continue;
        steps.push([k]);
        walk(ev, t.elem, steps, errs);
        steps.pop();
      }
      return;
    }
    case "list": {
      if (!Array.isArray(v)) {
        typeError(v, t, steps, errs);
        return;
      }
      for (let i = 0; i < v.length; i++) {
        if (isValidLeaf(v[i], t.elem)) continue;
        steps.push(i);
        walk(v[i], t.elem, steps, errs);
        steps.pop();
      }
      return;
    }
    case "string":
    case "bytes":
    case "time":
    case "bool":
    case "int32":
    case "int64":
    case "float64":
    case "int-or-string":
      if (!isValidLeaf(v, t)) typeError(v, t, steps, errs);
      return;
    case "quantity":
      if (typeof v !== "string" && typeof v !== "number") {
        typeError(v, t, steps, errs);
        return;
      }
      try {
        quantityFromJSON(v);
      } catch (e) {
        errs.push(invalid(pathOf(steps), shown(v), (e as Error).message));
      }
      return;
    default:
      return;
  }
}

/** Field errors for every value whose JSON type does not fit the kind's schema. */
export function checkJSONTypes(group: string, kind: string, obj: unknown): FieldError[] {
  const t = decodeTypeOfKind(group, kind);
  const errs: FieldError[] = [];
  if (!t) return errs;
  if (!isPlainObject(obj)) {
    errs.push(invalid(null, shown(obj), `must be of type ${t.goType}`));
    return errs;
  }
  walk(obj, t, [], errs);
  return errs;
}
