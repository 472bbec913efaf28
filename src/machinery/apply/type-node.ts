// Resolved types for the typed walks. Resolving a TypeRef (a named-type
// lookup, a relationship override) and finding the type of a map key are the
// same work for every object of a kind, so each reference is resolved once per
// schema into a TypeNode that links straight to the nodes of its fields and
// elements. Walks then follow pointers instead of looking types up per value.
//
// Schemas are treated as immutable: a named type must resolve to the same
// atom for as long as the schema object lives.

import { type ApplySchema, type Atom, resolveType, type TypeRef, untypedName } from "./schema.ts";
import type { JsonValue } from "./value.ts";

const untypedRef: TypeRef = { named: untypedName };

export class TypeNode {
  /** resolveType's atom; undefined when the reference names no type. */
  readonly atom: Atom | undefined;
  // What deduce returns for each form of value.
  private readonly forMap: Atom | undefined;
  private readonly forList: Atom | undefined;
  private readonly forScalar: Atom | undefined;
  private fields: Map<string, TypeNode> | undefined;
  private other: TypeNode | undefined;
  private element: TypeNode | undefined;

  constructor(
    private readonly cache: TypeCache,
    readonly ref: TypeRef,
  ) {
    const atom = resolveType(cache.schema, ref);
    this.atom = atom;
    if (atom) {
      this.forMap = atom.map ? { map: atom.map } : atom;
      this.forList = atom.list ? { list: atom.list } : atom;
      this.forScalar = atom.scalar ? { scalar: atom.scalar } : atom;
    }
  }

  /**
   * deduceAtom: of the forms this type allows, the one the value has (the
   * whole atom for absent and null values, and for a form the type does not
   * allow, which validation then rejects).
   */
  deduce(v: JsonValue | undefined): Atom {
    const atom = this.atom!;
    if (v === undefined || v === null) return atom;
    if (typeof v !== "object") return this.forScalar!;
    return Array.isArray(v) ? this.forList! : this.forMap!;
  }

  /**
   * The type of a map key: its declared field, else the map's element type.
   * Keys the schema does not declare (rejected by validation of applied
   * configurations) are walked as atomic untyped values, so that stored
   * objects with such keys still merge and compare.
   */
  mapKey(key: string): TypeNode {
    const node = (this.fields ?? this.declareFields()).get(key);
    if (node !== undefined) return node;
    if (this.other === undefined) this.other = this.cache.node(this.atom?.map?.elementType ?? untypedRef);
    return this.other;
  }

  /** The declared field's type, else the map's element type; undefined when the map allows no such key. */
  declared(key: string): TypeNode | undefined {
    const node = (this.fields ?? this.declareFields()).get(key);
    if (node !== undefined) return node;
    const elementType = this.atom?.map?.elementType;
    return elementType ? this.mapKey(key) : undefined;
  }

  /** Whether key is a declared field (a struct field rather than a map key). */
  isField(key: string): boolean {
    return (this.fields ?? this.declareFields()).has(key);
  }

  private declareFields(): Map<string, TypeNode> {
    const fields = new Map<string, TypeNode>();
    const map = this.atom?.map;
    if (map) for (const [name, field] of map.fields) fields.set(name, this.cache.node(field.type));
    this.fields = fields;
    return fields;
  }

  /** The type of a list's items. */
  listElement(): TypeNode {
    if (this.element === undefined) this.element = this.cache.node(this.atom!.list!.elementType);
    return this.element;
  }
}

class TypeCache {
  private readonly nodes = new Map<TypeRef, TypeNode>();

  constructor(readonly schema: ApplySchema) {}

  node(tr: TypeRef): TypeNode {
    let n = this.nodes.get(tr);
    if (n === undefined) {
      n = new TypeNode(this, tr);
      this.nodes.set(tr, n);
    }
    return n;
  }
}

const caches = new WeakMap<ApplySchema, TypeCache>();

/** The resolved node of a reference in a schema. */
export function typeNode(schema: ApplySchema, tr: TypeRef): TypeNode {
  let cache = caches.get(schema);
  if (cache === undefined) {
    cache = new TypeCache(schema);
    caches.set(schema, cache);
  }
  return cache.node(tr);
}

/** The forms an atom allows, as bits, to tell whether a value changed form. */
export function formOf(a: Atom): number {
  return (a.map ? 1 : 0) | (a.scalar ? 2 : 0) | (a.list ? 4 : 0);
}
