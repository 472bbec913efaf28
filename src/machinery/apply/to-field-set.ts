// The set of fields a value sets (structured-merge-diff typed/tofieldset.go):
// every scalar, every atomic list or map as a whole, every associative list
// item and every map key (not struct fields: those are implied by what they
// hold). An applier owns exactly this set of its configuration.

import { FieldSet } from "./field-set.ts";
import { listItemToPathElement, mapKeyType, resolveAtom } from "./helpers.ts";
import type { Path } from "./path-element.ts";
import type { ApplySchema, TypeRef } from "./schema.ts";
import { isList, isMap, type JsonValue } from "./value.ts";

export function toFieldSet(schema: ApplySchema, tr: TypeRef, v: JsonValue): FieldSet {
  const set = new FieldSet();
  walk(schema, tr, v, [], set);
  return set;
}

function walk(schema: ApplySchema, tr: TypeRef, v: JsonValue, path: Path, set: FieldSet): void {
  const a = resolveAtom(schema, tr, v);
  if (a.map) {
    if (a.map.elementRelationship === "atomic") {
      set.insert(path);
      return;
    }
    if (!isMap(v)) return;
    for (const [key, child] of Object.entries(v)) {
      const childPath: Path = [...path, { kind: "field", name: key }];
      walk(schema, mapKeyType(a.map, key), child, childPath, set);
      if (!a.map.fields.has(key)) set.insert(childPath);
    }
    return;
  }
  if (a.scalar) {
    set.insert(path);
    return;
  }
  if (a.list) {
    if (a.list.elementRelationship === "atomic") {
      set.insert(path);
      return;
    }
    if (!isList(v)) return;
    for (const child of v) {
      let pe: Path[number];
      try {
        pe = listItemToPathElement(schema, a.list, child);
      } catch {
        // Items that cannot be identified were rejected by validation.
        continue;
      }
      const childPath: Path = [...path, pe];
      walk(schema, a.list.elementType, child, childPath, set);
      set.insert(childPath);
    }
  }
}
