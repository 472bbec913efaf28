// Removing fields from a value (structured-merge-diff typed/remove.go,
// RemoveItems): each member of the set is dropped with everything below it;
// an atomic list or map with anything to remove goes as a whole. A map or list
// left empty by the removal disappears from its parent (upstream leaves a null
// there that decoding into the Go type then drops).

import type { FieldSet } from "./field-set.ts";
import { listItemToPathElement, mapKeyType, resolveAtom } from "./helpers.ts";
import type { PathElement } from "./path-element.ts";
import type { ApplySchema, TypeRef } from "./schema.ts";
import { isList, isMap, type JsonObject, type JsonValue } from "./value.ts";

/** RemoveItems: v without the fields of toRemove (v itself is not changed). */
export function removeItems(schema: ApplySchema, tr: TypeRef, v: JsonValue, toRemove: FieldSet): JsonValue {
  if (toRemove.empty()) return v;
  return remove(schema, tr, v, toRemove) ?? {};
}

// undefined: nothing is left of the value.
function remove(schema: ApplySchema, tr: TypeRef, v: JsonValue, toRemove: FieldSet): JsonValue | undefined {
  let a: ReturnType<typeof resolveAtom>;
  try {
    a = resolveAtom(schema, tr, v);
  } catch {
    return v;
  }
  if (a.map) {
    if (!isMap(v)) return undefined;
    const keys = Object.keys(v);
    if (keys.length === 0 || a.map.elementRelationship === "atomic") return undefined;
    const out: JsonObject = {};
    for (const k of keys) {
      const pe: PathElement = { kind: "field", name: k };
      if (toRemove.has([pe])) continue;
      const subset = toRemove.withPrefix(pe);
      if (subset.empty()) {
        out[k] = v[k];
        continue;
      }
      const child = remove(schema, mapKeyType(a.map, k), v[k], subset);
      if (child !== undefined) out[k] = child;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (a.scalar) return v;
  if (a.list) {
    if (!isList(v) || v.length === 0 || a.list.elementRelationship === "atomic") return undefined;
    const out: JsonValue[] = [];
    for (const item of v) {
      let pe: PathElement;
      try {
        pe = listItemToPathElement(schema, a.list, item);
      } catch {
        out.push(item);
        continue;
      }
      if (toRemove.has([pe])) continue;
      const subset = toRemove.withPrefix(pe);
      if (subset.empty()) {
        out.push(item);
        continue;
      }
      out.push(remove(schema, a.list.elementType, item, subset) ?? {});
    }
    return out.length > 0 ? out : undefined;
  }
  return v;
}
