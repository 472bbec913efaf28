// Pieces every typed walk shares (structured-merge-diff typed/helpers.go):
// validation errors with their paths and the path element that identifies a
// list item. (Which form of a type a value takes: TypeNode.deduce.)

import { type KeyField, keyElement, type PathElement, valueElement } from "./path-element.ts";
import { type ApplySchema, type ListType, resolveType } from "./schema.ts";
import { isList, isMap, type JsonValue } from "./value.ts";

/** One problem found walking a value against its schema. */
export interface ValidationError {
  /** Path string such as `.spec.containers[name="a"]`; "" at the root. */
  path: string;
  message: string;
}

/** ValidationErrors.Error(): one error alone, or "errors:" and one indented line each. */
export function validationErrorsString(errs: readonly ValidationError[]): string {
  const one = (e: ValidationError) => (e.path.length === 0 ? e.message : `${e.path}: ${e.message}`);
  if (errs.length === 1) return one(errs[0]);
  return ["errors:", ...errs.map((e) => `  ${one(e)}`)].join("\n");
}

/** An error carrying typed-walk validation errors. */
export class TypedValidationError extends Error {
  constructor(readonly errors: readonly ValidationError[]) {
    super(validationErrorsString(errors));
    this.name = "TypedValidationError";
  }
}

/** The default of a key field an item leaves out (getAssociativeKeyDefault). */
function keyDefault(schema: ApplySchema, list: ListType, field: string): JsonValue | undefined {
  const atom = resolveType(schema, list.elementType);
  if (!atom) throw new Error("invalid elementType for list");
  if (!atom.map) throw new Error("associative list may not have non-map types");
  return atom.map.fields.get(field)?.default;
}

/**
 * listItemToPathElement: items of associative lists of maps are identified by
 * their key fields, items of sets by their value. Throws with upstream's text
 * when an item cannot be identified.
 */
export function listItemToPathElement(schema: ApplySchema, list: ListType, child: JsonValue): PathElement {
  if (list.elementRelationship !== "associative") throw new Error("invalid indexing of non-associative list");
  const keys = list.keys;
  if (keys.length > 0) {
    if (child === null) throw new Error("associative list with keys may not have a null element");
    if (!isMap(child)) throw new Error("associative list with keys may not have non-map elements");
    const fields: KeyField[] = [];
    for (const name of keys) {
      if (Object.hasOwn(child, name)) {
        fields.push({ name, value: child[name] });
        continue;
      }
      let def: JsonValue | undefined;
      try {
        def = keyDefault(schema, list, name);
      } catch (e) {
        throw new Error(`couldn't find default value for ${name}: ${(e as Error).message}`);
      }
      if (def === undefined || def === null) {
        throw new Error(
          `associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`,
        );
      }
      fields.push({ name, value: def });
    }
    return keyElement(fields);
  }
  if (isMap(child)) throw new Error("associative list without keys has an element that's a map type");
  if (isList(child)) throw new Error("not supported: associative list with lists as elements");
  if (child === null) throw new Error("associative list without keys has an element that's an explicit null");
  return valueElement(child);
}
