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

function child(path: Path | null, name: string): Path {
  return path === null ? newPath(name) : path.child(name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(v: unknown, t: DecodeType, path: Path | null, errs: FieldError[], depth: number): void {
  if (v === null || v === undefined || depth > 64) return;
  const typeError = () => errs.push(invalid(path, shown(v), `must be of type ${t.goType}`));
  switch (t.kind) {
    case "struct": {
      if (!isPlainObject(v)) return void typeError();
      for (const [k, x] of Object.entries(v)) {
        const ft = t.field(k);
        if (ft) walk(x, ft, child(path, k), errs, depth + 1);
      }
      return;
    }
    case "map": {
      if (!isPlainObject(v)) return void typeError();
      for (const [k, x] of Object.entries(v)) {
        walk(x, t.elem, path === null ? newPath(k) : path.key(k), errs, depth + 1);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(v)) return void typeError();
      v.forEach((x, i) => {
        walk(x, t.elem, path === null ? newPath(`[${i}]`) : path.index(i), errs, depth + 1);
      });
      return;
    }
    case "string":
    case "bytes":
    case "time":
      if (typeof v !== "string") typeError();
      return;
    case "bool":
      if (typeof v !== "boolean") typeError();
      return;
    case "int32":
      if (typeof v !== "number" || !Number.isInteger(v) || v < int32Min || v > int32Max) typeError();
      return;
    case "int64":
      if (typeof v !== "number" || !Number.isInteger(v)) typeError();
      return;
    case "float64":
      if (typeof v !== "number") typeError();
      return;
    case "int-or-string":
      if (typeof v === "string") return;
      if (typeof v !== "number" || !Number.isInteger(v) || v < int32Min || v > int32Max) typeError();
      return;
    case "quantity":
      if (typeof v !== "string" && typeof v !== "number") return void typeError();
      try {
        Quantity.fromJSON(v);
      } catch (e) {
        errs.push(invalid(path, shown(v), (e as Error).message));
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
  walk(obj, t, null, errs, 0);
  return errs;
}
