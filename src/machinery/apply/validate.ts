// Checking a value against its schema (structured-merge-diff typed/validate.go),
// as AsTyped does before any merge: scalars of the right kind, no undeclared
// struct fields, list items that can be identified and (unless duplicates are
// allowed, as for live objects) no two items with the same key.

import { goFormat } from "../patch/go-format.ts";
import { listItemToPathElement, type ValidationError } from "./helpers.ts";
import { fieldElement, indexElement, type PathElement, pathElementString } from "./path-element.ts";
import type { ApplySchema, Scalar, TypeRef } from "./schema.ts";
import { typeRefName } from "./schema.ts";
import { type TypeNode, typeNode } from "./type-node.ts";
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
  const w = new Walker(schema, opts.allowDuplicates ?? false);
  w.validate(typeNode(schema, tr), v);
  return w.errs;
}

// Errors carry their full path, built from the path stack only when one occurs.
class Walker {
  readonly errs: ValidationError[] = [];
  private readonly path: PathElement[] = [];
  private depth = 0;

  constructor(
    private readonly schema: ApplySchema,
    private readonly allowDuplicates: boolean,
  ) {}

  validate(node: TypeNode, v: JsonValue): void {
    if (node.atom === undefined) {
      this.error(`schema error: no type found matching: ${typeRefName(node.ref)}`);
      return;
    }
    const a = node.deduce(v);
    if (a.map) {
      if (v === null) return;
      if (!isMap(v)) {
        this.error(`expected map, got ${goValueV(v)}`);
        return;
      }
      for (const key of Object.keys(v)) {
        const child = node.declared(key);
        this.push(fieldElement(key));
        if (!child) {
          this.error("field not declared in schema");
          this.depth--;
          break;
        }
        this.validate(child, v[key]);
        this.depth--;
      }
      return;
    }
    if (a.scalar) {
      const e = scalarError(a.scalar, v, "");
      if (e) this.error(e.message);
      return;
    }
    if (a.list) {
      if (v === null) return;
      if (!isList(v)) {
        this.error(`expected list, got ${goValueV(v)}`);
        return;
      }
      const element = node.listElement();
      const associative = a.list.elementRelationship === "associative";
      const seen = associative && !this.allowDuplicates ? new Set<string>() : undefined;
      for (let i = 0; i < v.length; i++) {
        let pe: PathElement;
        if (associative) {
          try {
            pe = listItemToPathElement(this.schema, a.list, v[i]);
          } catch (e) {
            this.error(`element ${i}: ${(e as Error).message}`);
            return;
          }
          if (seen) {
            const key = pathElementString(pe);
            if (seen.has(key)) this.error(`duplicate entries for key ${key}`);
            seen.add(key);
          }
        } else {
          pe = indexElement(i);
        }
        this.push(pe);
        this.validate(element, v[i]);
        this.depth--;
      }
      return;
    }
    const tr = node.ref;
    this.error(`schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}`);
  }

  private push(pe: PathElement): void {
    this.path[this.depth++] = pe;
  }

  private error(message: string): void {
    let path = "";
    for (let i = 0; i < this.depth; i++) path += pathElementString(this.path[i]);
    this.errs.push({ path, message });
  }
}
