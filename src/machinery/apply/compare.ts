// Comparing two values of one type (structured-merge-diff typed/compare.go):
// which fields the right-hand side added, modified or removed. Leaves (scalars,
// atomic lists and maps, empty containers) are compared by value; granular
// containers are entered, and one that appears or disappears as a whole is
// itself reported as added or removed.

import { type FieldSet, SetBuilder } from "./field-set.ts";
import { listItemToPathElement, TypedValidationError, type ValidationError } from "./helpers.ts";
import { fieldElement, type PathElement, pathElementString } from "./path-element.ts";
import {
  type ApplySchema,
  type Atom,
  type ListType,
  type MapType,
  type TypeRef,
  typeRefName,
} from "./schema.ts";
import { formOf, type TypeNode, typeNode } from "./type-node.ts";
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

/**
 * Compare: what changed from lhs to rhs. Throws TypedValidationError on values
 * that do not fit the schema.
 *
 * With `excluded` (for a caller that applies excludeFields(…, excluded) to the
 * result), a member of it whose value is equal on both sides and cannot fail
 * the walk is not entered: all it would add lies under what is excluded.
 */
export function compareTyped(
  schema: ApplySchema,
  tr: TypeRef,
  lhs: JsonValue,
  rhs: JsonValue,
  excluded?: FieldSet,
): Comparison {
  const w = new Walker(schema, excluded && !excluded.empty() ? excluded : undefined);
  w.compare(typeNode(schema, tr), lhs, rhs);
  if (w.errs.length > 0) throw new TypedValidationError(w.errs);
  return { added: w.added.set, modified: w.modified.set, removed: w.removed.set };
}

// One walk over both values, with the path as a stack; SetBuilders collect
// the results. Errors are collected in walk order with their full path, as
// upstream's per-level prefixing produces them.
class Walker {
  readonly errs: ValidationError[] = [];
  private readonly path: PathElement[] = [];
  private depth = 0;
  readonly added = new SetBuilder();
  readonly modified = new SetBuilder();
  readonly removed = new SetBuilder();
  // excluded[i]: the excluded set's level at path[0..i-1] (undefined: none).
  private readonly excluded: (FieldSet | undefined)[];

  constructor(
    private readonly schema: ApplySchema,
    excluded: FieldSet | undefined,
  ) {
    this.excluded = [excluded];
  }

  compare(node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined): void {
    if (node.atom === undefined) {
      this.error(`schema error: no type found matching: ${typeRefName(node.ref)}`);
      return;
    }
    let inLeaf: boolean;
    if (rhs === undefined) inLeaf = this.handle(node.deduce(lhs), node, lhs, rhs);
    else {
      const arhs = node.deduce(rhs);
      const alhs = lhs === undefined ? arhs : node.deduce(lhs);
      if (alhs === arhs || formOf(alhs) === formOf(arhs)) inLeaf = this.handle(arhs, node, lhs, rhs);
      else {
        // The value changed form (a scalar became a map...): walk each side on its own.
        this.handle(alhs, node, lhs, rhs);
        inLeaf = this.handle(arhs, node, lhs, rhs);
      }
    }
    if (!inLeaf) {
      if (lhs === undefined) this.insert(this.added);
      else if (rhs === undefined) this.insert(this.removed);
    }
  }

  // Returns whether the value was compared as a leaf.
  private handle(a: Atom, node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined): boolean {
    if (a.map) return this.doMap(a.map, node, lhs, rhs);
    if (a.scalar) {
      const le = scalarError(a.scalar, lhs, "lhs: ");
      const re = le && scalarError(a.scalar, rhs, "rhs: ");
      if (le && re) {
        this.error(le.message);
        this.error(re.message);
        return false;
      }
      this.leaf(lhs, rhs);
      return true;
    }
    if (a.list) return this.doList(a.list, node, lhs, rhs);
    const tr = node.ref;
    this.error(`schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}`);
    return false;
  }

  private leaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined): void {
    if (lhs === undefined) this.insert(this.added);
    else if (rhs === undefined) this.insert(this.removed);
    else if (lhs !== rhs && !valuesEqual(lhs, rhs)) this.insert(this.modified);
  }

  private insert(set: SetBuilder): void {
    set.insert(this.path, this.depth);
  }

  private error(message: string): void {
    let path = "";
    for (let i = 0; i < this.depth; i++) path += pathElementString(this.path[i]);
    this.errs.push({ path, message });
  }

  private descend(pe: PathElement, node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined) {
    const d = this.depth;
    const level = this.excluded[d];
    let below: FieldSet | undefined;
    if (level !== undefined) {
      // (Equal sides insert nothing here, so nothing outside what is excluded.)
      if (lhs !== undefined && rhs !== undefined && level.hasMember(pe) && this.unchanged(node, lhs, rhs))
        return;
      below = level.child(pe);
    }
    this.excluded[d + 1] = below;
    this.path[d] = pe;
    this.depth = d + 1;
    this.added.moved(d);
    this.modified.moved(d);
    this.removed.moved(d);
    this.compare(node, lhs, rhs);
    this.depth = d;
  }

  // Whether x and y are equal (valuesEqual) and comparing them could report
  // no error, in one walk over both. Every list item is checked (compare skips
  // repeated keys, so this finds at least what compare would).
  private unchanged(node: TypeNode, x: JsonValue, y: JsonValue): boolean {
    if (node.atom === undefined) return false;
    const a = node.deduce(x);
    if (a.map) {
      if (a.map.elementRelationship === "atomic" || !isMap(x)) return valuesEqual(x, y);
      if (!isMap(y)) return false;
      let n = 0;
      for (const key in x) {
        if (!Object.hasOwn(x, key)) continue;
        n++;
        if (!Object.hasOwn(y, key) || !this.unchanged(node.mapKey(key), x[key], y[key])) return false;
      }
      for (const key in y) if (Object.hasOwn(y, key) && --n < 0) return false;
      return n === 0;
    }
    // Equal scalars fail alike.
    if (a.scalar) return (x === y || valuesEqual(x, y)) && scalarError(a.scalar, x, "") === undefined;
    if (a.list) {
      if (a.list.elementRelationship === "atomic" || !isList(x) || x.length === 0) return valuesEqual(x, y);
      if (!isList(y) || y.length !== x.length) return false;
      const element = node.listElement();
      for (let i = 0; i < x.length; i++) {
        try {
          listItemToPathElement(this.schema, a.list, x[i]);
        } catch {
          return false;
        }
        if (!this.unchanged(element, x[i], y[i])) return false;
      }
      return true;
    }
    return false;
  }

  private doMap(t: MapType, node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined): boolean {
    const l = isMap(lhs) ? lhs : undefined;
    const r = isMap(rhs) ? rhs : undefined;
    const lk = l ? Object.keys(l) : undefined;
    const rk = r ? Object.keys(r) : undefined;
    if (t.elementRelationship === "atomic" || ((!lk || lk.length === 0) && (!rk || rk.length === 0))) {
      this.leaf(lhs, rhs);
      return true;
    }
    if (l && lk) {
      for (const key of lk) {
        this.descend(
          fieldElement(key),
          node.mapKey(key),
          l[key],
          r && Object.hasOwn(r, key) ? r[key] : undefined,
        );
      }
    }
    if (r && rk) {
      for (const key of rk) {
        if (!l || !Object.hasOwn(l, key))
          this.descend(fieldElement(key), node.mapKey(key), undefined, r[key]);
      }
    }
    return false;
  }

  private doList(
    t: ListType,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
  ): boolean {
    const l = isList(lhs) ? lhs : undefined;
    const r = isList(rhs) ? rhs : undefined;
    if (t.elementRelationship === "atomic" || ((!l || l.length === 0) && (!r || r.length === 0))) {
      this.leaf(lhs, rhs);
      return true;
    }
    const rItems = this.index(t, r);
    const lItems = this.index(t, l);
    const element = node.listElement();
    for (const [key, item] of lItems) this.descend(item.pe, element, item.value, rItems.get(key)?.value);
    for (const [key, item] of rItems)
      if (!lItems.has(key)) this.descend(item.pe, element, undefined, item.value);
    return false;
  }

  // The items of a list by key; repeated occurrences of a key are ignored.
  private index(t: ListType, list: JsonValue[] | undefined): Map<string, ListItem> {
    const items = new Map<string, ListItem>();
    if (!list) return items;
    for (let i = 0; i < list.length; i++) {
      let pe: PathElement;
      try {
        pe = listItemToPathElement(this.schema, t, list[i]);
      } catch (e) {
        this.error(`element ${i}: ${(e as Error).message}`);
        continue;
      }
      const key = pathElementString(pe);
      if (!items.has(key)) items.set(key, { pe, value: list[i] });
    }
    return items;
  }
}

interface ListItem {
  readonly pe: PathElement;
  readonly value: JsonValue;
}
