// The schema server-side apply walks objects with: structured-merge-diff's
// schema package (schema/elements.go). A type is an Atom: a scalar, a list, a
// map (structs are maps with declared fields), or several of these when the
// value decides (untyped values). Named types are looked up through
// ApplySchema, which src/api/apply-schema.ts builds from the OpenAPI document
// (as kube-openapi's schemaconv does); this package never imports src/api.

import type { JsonValue } from "./value.ts";

/**
 * How the parts of a list or map relate: "atomic" (owned and replaced as a
 * whole), "associative" (list items owned one by one, by key or by value),
 * "separable" (map keys owned one by one); "" means unset (a granular map).
 */
export type ElementRelationship = "atomic" | "associative" | "separable" | "";

/** Scalar kinds; "untyped" accepts any scalar (int-or-string, quantities, times). */
export type Scalar = "numeric" | "string" | "boolean" | "untyped";

export interface StructField {
  readonly type: TypeRef;
  /** Used when this field is an associative-list key the item leaves out. */
  readonly default?: JsonValue;
}

export interface MapType {
  /** Declared fields (struct fields); keys not listed here use elementType. */
  readonly fields: ReadonlyMap<string, StructField>;
  /** The type of undeclared keys; undefined when undeclared keys are not allowed. */
  readonly elementType?: TypeRef;
  readonly elementRelationship: ElementRelationship;
}

export interface ListType {
  readonly elementType: TypeRef;
  readonly elementRelationship: ElementRelationship;
  /** Key fields of an associative list of maps; empty for sets of scalars. */
  readonly keys: readonly string[];
}

export interface Atom {
  readonly scalar?: Scalar;
  readonly list?: ListType;
  readonly map?: MapType;
}

/** A reference to a named type or an inline type, with an optional relationship override. */
export interface TypeRef {
  readonly named?: string;
  readonly inlined?: Atom;
  readonly elementRelationship?: ElementRelationship;
}

/** Named types, looked up lazily. */
export interface ApplySchema {
  namedType(name: string): Atom | undefined;
}

/** A schema and the type of the objects it describes (a kind). */
export interface TypedSchema {
  readonly schema: ApplySchema;
  readonly root: TypeRef;
}

/** kube-openapi's "__untyped_atomic_": any value, owned as a whole. */
export const untypedName = "__untyped_atomic_";
/** kube-openapi's "__untyped_deduced_": any value; maps are granular, lists atomic. */
export const deducedName = "__untyped_deduced_";

const untypedRef: TypeRef = { named: untypedName };
const deducedRef: TypeRef = { named: deducedName };

const untypedAtom: Atom = {
  scalar: "untyped",
  list: { elementType: untypedRef, elementRelationship: "atomic", keys: [] },
  map: { fields: new Map(), elementType: untypedRef, elementRelationship: "atomic" },
};

const deducedAtom: Atom = {
  scalar: "untyped",
  list: { elementType: untypedRef, elementRelationship: "atomic", keys: [] },
  map: { fields: new Map(), elementType: deducedRef, elementRelationship: "separable" },
};

const overridden = new WeakMap<TypeRef, Atom | null>();

/**
 * Schema.Resolve: the atom a reference points to, with a field-level
 * relationship override applied to its map or list. The two kube-openapi
 * common types are always available.
 */
export function resolveType(schema: ApplySchema, tr: TypeRef): Atom | undefined {
  let atom: Atom | undefined;
  if (tr.named !== undefined) {
    if (tr.named === untypedName) atom = untypedAtom;
    else if (tr.named === deducedName) atom = deducedAtom;
    else atom = schema.namedType(tr.named);
  } else {
    atom = tr.inlined;
  }
  if (atom === undefined || tr.elementRelationship === undefined) return atom;
  const cached = overridden.get(tr);
  if (cached !== undefined) return cached ?? undefined;
  let result: Atom | null = null;
  if (atom.map) result = { ...atom, map: { ...atom.map, elementRelationship: tr.elementRelationship } };
  else if (atom.list)
    result = { ...atom, list: { ...atom.list, elementRelationship: tr.elementRelationship } };
  overridden.set(tr, result);
  return result ?? undefined;
}

/** The name to print for a reference in schema errors. */
export function typeRefName(tr: TypeRef): string {
  return tr.named ?? "inlined type";
}

/** The schema used when a kind has none (CRDs without a schema): every value is deduced. */
export const deducedSchema: TypedSchema = {
  schema: { namedType: () => undefined },
  root: deducedRef,
};
