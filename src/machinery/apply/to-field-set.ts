// The set of fields a value sets (structured-merge-diff typed/tofieldset.go):
// every scalar, every atomic list or map as a whole, every associative list
// item and every map key (not struct fields: those are implied by what they
// hold). An applier owns exactly this set of its configuration.

import { type FieldSet, SetBuilder } from "./field-set.ts";
import { listItemToPathElement, TypedValidationError } from "./helpers.ts";
import { fieldElement, type PathElement } from "./path-element.ts";
import { type ApplySchema, type TypeRef, typeRefName } from "./schema.ts";
import { type TypeNode, typeNode } from "./type-node.ts";
import { isList, isMap, type JsonValue } from "./value.ts";

/** ToFieldSet; throws TypedValidationError when a type cannot be resolved. */
export function toFieldSet(schema: ApplySchema, tr: TypeRef, v: JsonValue): FieldSet {
  const w = new Walker(schema);
  w.walk(typeNode(schema, tr), v);
  return w.out.set;
}

class Walker {
  readonly out = new SetBuilder();
  private readonly path: PathElement[] = [];
  private depth = 0;

  constructor(private readonly schema: ApplySchema) {}

  walk(node: TypeNode, v: JsonValue): void {
    if (node.atom === undefined) {
      throw new TypedValidationError([
        { path: "", message: `schema error: no type found matching: ${typeRefName(node.ref)}` },
      ]);
    }
    const a = node.deduce(v);
    if (a.map) {
      if (a.map.elementRelationship === "atomic") {
        this.out.insert(this.path, this.depth);
        return;
      }
      if (!isMap(v)) return;
      for (const key of Object.keys(v)) {
        this.push(fieldElement(key));
        this.walk(node.mapKey(key), v[key]);
        if (!node.isField(key)) this.out.insert(this.path, this.depth);
        this.depth--;
      }
      return;
    }
    if (a.scalar) {
      this.out.insert(this.path, this.depth);
      return;
    }
    if (a.list) {
      if (a.list.elementRelationship === "atomic") {
        this.out.insert(this.path, this.depth);
        return;
      }
      if (!isList(v)) return;
      const element = node.listElement();
      for (const child of v) {
        let pe: PathElement;
        try {
          pe = listItemToPathElement(this.schema, a.list, child);
        } catch {
          // Items that cannot be identified were rejected by validation.
          continue;
        }
        this.push(pe);
        this.walk(element, child);
        this.out.insert(this.path, this.depth);
        this.depth--;
      }
    }
  }

  private push(pe: PathElement): void {
    const d = this.depth;
    this.path[d] = pe;
    this.depth = d + 1;
    this.out.moved(d);
  }
}
