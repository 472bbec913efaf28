// Removing fields from a value (structured-merge-diff typed/remove.go,
// RemoveItems): each member of the set is dropped with everything below it;
// an atomic list or map with anything to remove goes as a whole. A map or list
// left empty by the removal disappears from its parent (upstream leaves a null
// there that decoding into the Go type then drops).

import type { FieldSet } from "./field-set.ts";
import { listItemToPathElement } from "./helpers.ts";
import { fieldElement, type PathElement } from "./path-element.ts";
import type { ApplySchema, TypeRef } from "./schema.ts";
import { type TypeNode, typeNode } from "./type-node.ts";
import { isList, isMap, type JsonObject, type JsonValue } from "./value.ts";

/** RemoveItems: v without the fields of toRemove (v itself is not changed). */
export function removeItems(schema: ApplySchema, tr: TypeRef, v: JsonValue, toRemove: FieldSet): JsonValue {
  if (toRemove.empty()) return v;
  return remove(schema, typeNode(schema, tr), v, toRemove) ?? {};
}

// undefined: nothing is left of the value.
function remove(
  schema: ApplySchema,
  node: TypeNode,
  v: JsonValue,
  toRemove: FieldSet,
): JsonValue | undefined {
  if (node.atom === undefined) return v;
  const a = node.deduce(v);
  if (a.map) {
    if (!isMap(v)) return undefined;
    const keys = Object.keys(v);
    if (keys.length === 0 || a.map.elementRelationship === "atomic") return undefined;
    const out: JsonObject = {};
    let n = 0;
    for (const k of keys) {
      const pe = fieldElement(k);
      if (toRemove.hasMember(pe)) continue;
      const subset = toRemove.child(pe);
      if (subset === undefined || subset.empty()) {
        out[k] = v[k];
        n++;
        continue;
      }
      const child = remove(schema, node.mapKey(k), v[k], subset);
      if (child !== undefined) {
        out[k] = child;
        n++;
      }
    }
    return n > 0 && Object.keys(out).length > 0 ? out : undefined;
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
      if (toRemove.hasMember(pe)) continue;
      const subset = toRemove.child(pe);
      if (subset === undefined || subset.empty()) {
        out.push(item);
        continue;
      }
      out.push(remove(schema, node.listElement(), item, subset) ?? {});
    }
    return out.length > 0 ? out : undefined;
  }
  return v;
}
