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
import { Quantity } from "../../machinery/quantity.ts";
import { type DecodeType, decodeTypeFor } from "../strict-decode.ts";

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

/** The decode type of group/kind at version v1 (every kind validated here is served as v1). */
export function decodeTypeOfKind(group: string, kind: string): DecodeType | undefined {
  try {
    return decodeTypeFor({ group, version: "v1", kind });
  } catch {
    return undefined;
  }
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

/** A step of the path to the current value: a field name, a map key or a list index. */
type Step = { field: string } | { key: string } | { index: number };

/** The field.Path of the steps; built only when there is an error to report. */
function pathOf(steps: Step[]): Path | null {
  let p: Path | null = null;
  for (const s of steps) {
    if ("field" in s) p = p === null ? newPath(s.field) : p.child(s.field);
    else if ("key" in s) p = p === null ? newPath(s.key) : p.key(s.key);
    else p = p === null ? newPath(`[${s.index}]`) : p.index(s.index);
  }
  return p;
}

function typeError(v: unknown, t: DecodeType, steps: Step[], errs: FieldError[]): void {
  errs.push(invalid(pathOf(steps), shown(v), `must be of type ${t.goType}`));
}

function walk(v: unknown, t: DecodeType, steps: Step[], errs: FieldError[]): void {
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
        steps.push({ field: k });
        walk(v[k], ft, steps, errs);
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
        steps.push({ key: k });
        walk(v[k], t.elem, steps, errs);
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
        steps.push({ index: i });
        walk(v[i], t.elem, steps, errs);
        steps.pop();
      }
      return;
    }
    case "string":
    case "bytes":
    case "time":
      if (typeof v !== "string") typeError(v, t, steps, errs);
      return;
    case "bool":
      if (typeof v !== "boolean") typeError(v, t, steps, errs);
      return;
    case "int32":
      if (typeof v !== "number" || !Number.isInteger(v) || v < int32Min || v > int32Max)
        typeError(v, t, steps, errs);
      return;
    case "int64":
      if (typeof v !== "number" || !Number.isInteger(v)) typeError(v, t, steps, errs);
      return;
    case "float64":
      if (typeof v !== "number") typeError(v, t, steps, errs);
      return;
    case "int-or-string":
      if (typeof v === "string") return;
      if (typeof v !== "number" || !Number.isInteger(v) || v < int32Min || v > int32Max)
        typeError(v, t, steps, errs);
      return;
    case "quantity":
      if (typeof v !== "string" && typeof v !== "number") {
        typeError(v, t, steps, errs);
        return;
      }
      try {
        Quantity.fromJSON(v);
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
