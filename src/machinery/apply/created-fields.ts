// The fields a create gives its manager, as FieldsV1, in one walk. On a
// create nobody owns anything yet, so Updater.updateFields comes down to
// (added ∪ modified) of compare(empty object, new object), less what the
// strategy resets (recursively) and what StripMeta strips (the paths only).
// This walk is compare.ts's Walker restricted to those two sets: it visits the
// same values in the same way, but writes the FieldsV1 trie directly instead
// of building three sets, uniting, subtracting and encoding them.
//
// Whatever compare would report as an error, and rare cases kept out of this
// walk (a value that changed form, which compare walks twice; list items of
// the empty object; list keys that are not scalars, or that repeat), make it
// give up (CreateFallback): the caller then takes the general path, which
// answers for them exactly as before.

import type { FieldSet } from "./field-set.ts";
import type { FieldsV1 } from "./fields-v1.ts";
import { listItemToPathElement } from "./helpers.ts";
import { comparePathElements, fieldElement, type PathElement, serializePathElement } from "./path-element.ts";
import type { ApplySchema, Atom, ListType, MapType } from "./schema.ts";
import { formOf, type TypeNode } from "./type-node.ts";
import { scalarError } from "./validate.ts";
import { compareStrings, type JsonObject, type JsonValue, valuesEqual } from "./value.ts";

/** Thrown when the walk cannot answer as compare would; the caller takes the general path. */
export class CreateFallback extends Error {}

const fallback = new CreateFallback("take the general path");

/**
 * The FieldsV1 of what a create owns: (added ∪ modified) of empty → next,
 * less reset (recursively) and strip (exact paths); undefined when that is
 * empty. Throws CreateFallback when compare would fail or walk a value twice.
 */
export function createdFields(
  schema: ApplySchema,
  root: TypeNode,
  empty: JsonObject,
  next: JsonObject,
  reset: FieldSet | undefined,
  strip: FieldSet | undefined,
): FieldsV1 | undefined {
  const w = new Walker(schema);
  const out = w.compare(root, empty, next, cutOf(reset, strip), false);
  return out !== undefined && hasKeys(out) ? out : undefined;
}

// The reset and strip sets as a tree of field names, looked up by name
// during the walk instead of searched as sets.
interface Cut {
  readonly fields: Map<string, CutField>;
}

interface CutField {
  /** Reset: never owned, nor anything below it. */
  readonly reset: boolean;
  /** Stripped: this path itself is not owned. */
  readonly strip: boolean;
  readonly below: Cut | undefined;
}

// Per reset set (resetFieldsFor keeps one per kind and subresource), per strip set.
const cuts = new WeakMap<FieldSet, WeakMap<FieldSet, Cut | null>>();
const noReset = new WeakMap<FieldSet, Cut | null>();

function cutOf(reset: FieldSet | undefined, strip: FieldSet | undefined): Cut | undefined {
  if (!strip) return buildCut(reset, undefined);
  let byStrip = reset ? cuts.get(reset) : noReset;
  if (!byStrip) {
    byStrip = new WeakMap();
    cuts.set(reset!, byStrip);
  }
  let cut = byStrip.get(strip);
  if (cut === undefined) {
    cut = buildCut(reset, strip) ?? null;
    byStrip.set(strip, cut);
  }
  return cut ?? undefined;
}

// Throws CreateFallback for sets with elements other than field names (none of upstream's).
function buildCut(reset: FieldSet | undefined, strip: FieldSet | undefined): Cut | undefined {
  if (!reset && !strip) return undefined;
  const fields = new Map<string, CutField>();
  const names = new Set<string>();
  for (const set of [reset, strip]) {
    if (!set) continue;
    for (const pe of set.members) names.add(fieldName(pe));
    for (const c of set.children) names.add(fieldName(c.pe));
  }
  for (const name of names) {
    const pe = fieldElement(name);
    fields.set(name, {
      reset: reset?.hasMember(pe) ?? false,
      strip: strip?.hasMember(pe) ?? false,
      below: buildCut(reset?.child(pe), strip?.child(pe)),
    });
  }
  return { fields };
}

function fieldName(pe: PathElement): string {
  if (pe.kind !== "field") throw fallback;
  return pe.name;
}

function hasKeys(o: FieldsV1): boolean {
  for (const _ in o) return true;
  return false;
}

/** A map key's type, FieldsV1 key and, for a declared field, its rank in name order (else -1). */
interface FieldInfo {
  readonly node: TypeNode;
  readonly key: string;
  readonly rank: number;
}

// Declared fields of each struct type, resolved once (the schema is immutable).
const declaredFields = new WeakMap<TypeNode, Map<string, FieldInfo>>();

function declaredOf(node: TypeNode): Map<string, FieldInfo> {
  let fields = declaredFields.get(node);
  if (fields === undefined) {
    fields = new Map();
    const names = [...(node.atom?.map?.fields.keys() ?? [])].sort(compareStrings);
    names.forEach((name, rank) => {
      fields!.set(name, { node: node.mapKey(name), key: serializePathElement(fieldElement(name)), rank });
    });
    declaredFields.set(node, fields);
  }
  return fields;
}

function isEmptyMap(m: JsonObject): boolean {
  for (const _ in m) return false;
  return true;
}

function asMap(v: JsonValue | undefined): JsonObject | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
}

// Owned children of one map or list, sorted before they are written out.
interface Entry {
  key: string;
  rank: number;
  name: string;
  pe: PathElement | undefined;
  value: FieldsV1;
}

class Walker {
  // What the last handle() entered: the outputs of its children, keys in FieldsV1 order.
  private entered: FieldsV1 | undefined = undefined;

  constructor(private readonly schema: ApplySchema) {}

  // The FieldsV1 value under this path's key, or undefined when neither the
  // path nor anything below it is owned. `cut` is the reset and strip sets
  // below this path; `stripped` says whether this path itself is stripped.
  compare(
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
    cut: Cut | undefined,
    stripped: boolean,
  ): FieldsV1 | undefined {
    if (node.atom === undefined) throw fallback;
    if (rhs === undefined) {
      // Removed: nothing to own, but compare still walks it (and may fail).
      this.handle(node.deduce(lhs), node, lhs, rhs, undefined);
      return undefined;
    }
    const arhs = node.deduce(rhs);
    if (lhs !== undefined) {
      const alhs = node.deduce(lhs);
      if (alhs !== arhs && formOf(alhs) !== formOf(arhs)) throw fallback;
    }
    const isLeaf = this.handle(arhs, node, lhs, rhs, cut);
    const children = this.entered;
    // A leaf is added or modified; a granular value that appeared is added as a whole.
    const member =
      !stripped && (lhs === undefined || (isLeaf && lhs !== rhs && !valuesEqual(lhs, rhs as JsonValue)));
    if (children === undefined) return member ? {} : undefined;
    if (member) children["."] = {};
    return children;
  }

  // Whether the value was compared as a leaf; sets `entered`.
  private handle(
    a: Atom,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
    cut: Cut | undefined,
  ): boolean {
    this.entered = undefined;
    if (a.map) return this.doMap(a.map, node, lhs, rhs, cut);
    if (a.scalar) {
      // Only both sides failing is an error (an absent or null side never fails).
      if (
        lhs !== undefined &&
        lhs !== null &&
        scalarError(a.scalar, lhs, "") &&
        scalarError(a.scalar, rhs, "")
      )
        throw fallback;
      return true;
    }
    if (a.list) return this.doList(a.list, node, lhs, rhs);
    throw fallback;
  }

  private doMap(
    t: MapType,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
    cut: Cut | undefined,
  ): boolean {
    const l = asMap(lhs);
    const r = asMap(rhs);
    if (t.elementRelationship === "atomic") return true;
    const declared = declaredOf(node);
    const entries: Entry[] = [];
    let ranked = true;
    if (l === undefined || isEmptyMap(l)) {
      // Everything on the right is new (the usual case on a create). for-in
      // reads r[key] faster than Object.keys does; a parsed object has no
      // inherited keys, and for-in visits own keys in Object.keys order.
      if (r === undefined) return true;
      let any = false;
      for (const key in r) {
        any = true;
        ranked = this.field(entries, declared, node, key, undefined, r[key], cut) && ranked;
      }
      if (!any) return true;
    } else {
      for (const key of Object.keys(l)) {
        const rv = r && Object.hasOwn(r, key) ? r[key] : undefined;
        ranked = this.field(entries, declared, node, key, l[key], rv, cut) && ranked;
      }
      if (r) {
        for (const key of Object.keys(r)) {
          if (!Object.hasOwn(l, key))
            ranked = this.field(entries, declared, node, key, undefined, r[key], cut) && ranked;
        }
      }
    }
    // Field names in string order; declared fields by their precomputed rank.
    if (ranked) sortByRank(entries);
    else sortEntries(entries, byName);
    this.entered = writeOut(entries);
    return false;
  }

  // One key of a map, its output (if any) added to entries; reset fields are
  // never owned (compare still walks them). False when it added an undeclared key.
  private field(
    entries: Entry[],
    declared: Map<string, FieldInfo>,
    node: TypeNode,
    key: string,
    lv: JsonValue | undefined,
    rv: JsonValue | undefined,
    cut: Cut | undefined,
  ): boolean {
    const info = declared.get(key);
    const child = info ? info.node : node.mapKey(key);
    const c = cut?.fields.get(key);
    let v: FieldsV1 | undefined;
    if (c === undefined) {
      // A new scalar is added as a leaf whatever the type's forms (compare's
      // shortest way through, taken here without the calls).
      const atom = child.atom;
      if (
        lv === undefined &&
        rv !== undefined &&
        typeof rv !== "object" &&
        atom &&
        (atom.map || atom.scalar || atom.list)
      )
        v = {};
      else v = this.compare(child, lv, rv, undefined, false);
    } else if (c.reset) this.compare(child, lv, rv, undefined, true);
    else v = this.compare(child, lv, rv, c.below, c.strip);
    if (v === undefined) return true;
    const e: Entry = {
      key: info ? info.key : serializePathElement(fieldElement(key)),
      rank: info ? info.rank : -1,
      name: key,
      pe: undefined,
      value: v,
    };
    entries.push(e);
    return info !== undefined;
  }

  private doList(
    t: ListType,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
  ): boolean {
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (t.elementRelationship === "atomic" || ((!l || l.length === 0) && (!r || r.length === 0))) return true;
    // Items on the left are not matched here (empty objects have none).
    if (l && l.length > 0) throw fallback;
    if (!r) return false;
    const element = node.listElement();
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < r.length; i++) {
      let pe: PathElement;
      try {
        pe = listItemToPathElement(this.schema, t, r[i]);
      } catch {
        throw fallback;
      }
      // The FieldsV1 key identifies an item as compare's key does when key values are scalars.
      if (!scalarKey(pe)) throw fallback;
      const key = serializePathElement(pe);
      if (seen.has(key)) throw fallback;
      seen.add(key);
      const v = this.compare(element, undefined, r[i], undefined, false);
      if (v !== undefined) entries.push({ key, rank: -1, name: "", pe, value: v });
    }
    sortEntries(entries, byElement);
    this.entered = writeOut(entries);
    return false;
  }
}

function scalarKey(pe: PathElement): boolean {
  if (pe.kind === "value") return typeof pe.value !== "object" || pe.value === null;
  if (pe.kind !== "key") return false;
  for (const f of pe.fields) if (typeof f.value === "object" && f.value !== null) return false;
  return true;
}

const byName = (a: Entry, b: Entry) => compareStrings(a.name, b.name);
const byElement = (a: Entry, b: Entry) => comparePathElements(a.pe!, b.pe!);

// Insertion sort: the lists are short and often nearly in order already.
function sortEntries(entries: Entry[], cmp: (a: Entry, b: Entry) => number): void {
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i];
    if (cmp(entries[i - 1], e) <= 0) continue;
    let j = i - 1;
    while (j >= 0 && cmp(entries[j], e) > 0) {
      entries[j + 1] = entries[j];
      j--;
    }
    entries[j + 1] = e;
  }
}

function sortByRank(entries: Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i];
    if (entries[i - 1].rank <= e.rank) continue;
    let j = i - 1;
    while (j >= 0 && entries[j].rank > e.rank) {
      entries[j + 1] = entries[j];
      j--;
    }
    entries[j + 1] = e;
  }
}

function writeOut(entries: Entry[]): FieldsV1 | undefined {
  if (entries.length === 0) return undefined;
  const out: FieldsV1 = {};
  for (const e of entries) out[e.key] = e.value;
  return out;
}
