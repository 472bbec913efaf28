// Comparing two values of one type (structured-merge-diff typed/compare.go):
// which fields the right-hand side added, modified or removed. Leaves (scalars,
// atomic lists and maps, empty containers) are compared by value; granular
// containers are entered, and one that appears or disappears as a whole is
// itself reported as added or removed.

import { FieldSet } from "./field-set.ts";
import {
  listItemToPathElement,
  mapKeyType,
  resolveAtom,
  TypedValidationError,
  type ValidationError,
  withPrefix,
} from "./helpers.ts";
import { type Path, type PathElement, pathElementString } from "./path-element.ts";
import type { ApplySchema, Atom, ListType, MapType, TypeRef } from "./schema.ts";
import { scalarError } from "./validate.ts";
import { isList, isMap, type JsonValue, valuesEqual } from "./value.ts";

/** Comparison: no path appears in more than one of the three sets. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function isSameComparison(c: Comparison): boolean {
  return c.added.empty() && c.modified.empty() && c.removed.empty();
}

/** ExcludeFields: drops the given fields, and everything below them, from all three sets. */
export function excludeFields(c: Comparison, fields: FieldSet | undefined): Comparison {
  if (!fields || fields.empty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

/** Compare: what changed from lhs to rhs. Throws TypedValidationError on values that do not fit the schema. */
export function compareTyped(schema: ApplySchema, tr: TypeRef, lhs: JsonValue, rhs: JsonValue): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const errs = new Walker(schema, c, []).compare(tr, lhs, rhs);
  if (errs.length > 0) throw new TypedValidationError(errs);
  return c;
}

function form(a: Atom): string {
  return `${a.map ? "m" : ""}${a.scalar ? "s" : ""}${a.list ? "l" : ""}`;
}

class Walker {
  inLeaf = false;
  lhs: JsonValue | undefined;
  rhs: JsonValue | undefined;

  constructor(
    readonly schema: ApplySchema,
    readonly c: Comparison,
    readonly path: Path,
  ) {}

  compare(tr: TypeRef, lhs: JsonValue | undefined, rhs: JsonValue | undefined): ValidationError[] {
    this.lhs = lhs;
    this.rhs = rhs;
    const errs: ValidationError[] = [];
    let alhs: Atom;
    let arhs: Atom;
    try {
      alhs = resolveAtom(this.schema, tr, lhs);
      arhs = resolveAtom(this.schema, tr, rhs);
    } catch (e) {
      return [...(e as TypedValidationError).errors];
    }
    if (rhs === undefined) errs.push(...this.handle(alhs, tr));
    else if (lhs === undefined || form(alhs) === form(arhs)) errs.push(...this.handle(arhs, tr));
    else {
      // The value changed form (a scalar became a map...): walk each side on its own.
      const w2 = new Walker(this.schema, this.c, this.path);
      w2.lhs = lhs;
      w2.rhs = rhs;
      errs.push(...w2.handle(alhs, tr), ...this.handle(arhs, tr));
    }
    if (!this.inLeaf) {
      if (lhs === undefined) this.c.added.insert(this.path);
      else if (rhs === undefined) this.c.removed.insert(this.path);
    }
    return errs;
  }

  private handle(a: Atom, tr: TypeRef): ValidationError[] {
    if (a.map) return this.doMap(a.map);
    if (a.scalar) {
      const le = scalarError(a.scalar, this.lhs, "lhs: ");
      const re = scalarError(a.scalar, this.rhs, "rhs: ");
      if (le && re) return [le, re];
      this.doLeaf();
      return [];
    }
    if (a.list) return this.doList(a.list);
    return [
      {
        path: "",
        message: `schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}`,
      },
    ];
  }

  private doLeaf(): void {
    if (this.inLeaf) return;
    this.inLeaf = true;
    if (this.lhs === undefined) this.c.added.insert(this.path);
    else if (this.rhs === undefined) this.c.removed.insert(this.path);
    else if (!valuesEqual(this.lhs, this.rhs)) this.c.modified.insert(this.path);
  }

  private descend(pe: PathElement, tr: TypeRef, lhs: JsonValue | undefined, rhs: JsonValue | undefined) {
    const w2 = new Walker(this.schema, this.c, [...this.path, pe]);
    return withPrefix(w2.compare(tr, lhs, rhs), pathElementString(pe));
  }

  private doMap(t: MapType): ValidationError[] {
    const lhs = isMap(this.lhs) ? this.lhs : undefined;
    const rhs = isMap(this.rhs) ? this.rhs : undefined;
    const emptyPromoteToLeaf =
      (!lhs || Object.keys(lhs).length === 0) && (!rhs || Object.keys(rhs).length === 0);
    if (t.elementRelationship === "atomic" || emptyPromoteToLeaf) {
      this.doLeaf();
      return [];
    }
    if (!lhs && !rhs) return [];
    const errs: ValidationError[] = [];
    const visit = (key: string) => {
      const l = lhs && Object.hasOwn(lhs, key) ? lhs[key] : undefined;
      const r = rhs && Object.hasOwn(rhs, key) ? rhs[key] : undefined;
      errs.push(...this.descend({ kind: "field", name: key }, mapKeyType(t, key), l, r));
    };
    if (lhs) for (const key of Object.keys(lhs)) visit(key);
    if (rhs) for (const key of Object.keys(rhs)) if (!lhs || !Object.hasOwn(lhs, key)) visit(key);
    return errs;
  }

  private doList(t: ListType): ValidationError[] {
    const lhs = isList(this.lhs) ? this.lhs : undefined;
    const rhs = isList(this.rhs) ? this.rhs : undefined;
    const emptyPromoteToLeaf = (!lhs || lhs.length === 0) && (!rhs || rhs.length === 0);
    if (t.elementRelationship === "atomic" || emptyPromoteToLeaf) {
      this.doLeaf();
      return [];
    }
    if (!lhs && !rhs) return [];
    const errs: ValidationError[] = [];
    const index = (list: JsonValue[] | undefined) => {
      const items = new Map<string, { pe: PathElement; value: JsonValue }>();
      for (let i = 0; list && i < list.length; i++) {
        let pe: PathElement;
        try {
          pe = listItemToPathElement(this.schema, t, list[i]);
        } catch (e) {
          errs.push({ path: "", message: `element ${i}: ${(e as Error).message}` });
          continue;
        }
        // Repeated occurrences of a key are ignored.
        const key = pathElementString(pe);
        if (!items.has(key)) items.set(key, { pe, value: list[i] });
      }
      return items;
    };
    const rItems = index(rhs);
    const lItems = index(lhs);
    for (const [key, l] of lItems)
      errs.push(...this.descend(l.pe, t.elementType, l.value, rItems.get(key)?.value));
    for (const [key, r] of rItems)
      if (!lItems.has(key)) errs.push(...this.descend(r.pe, t.elementType, undefined, r.value));
    return errs;
  }
}
