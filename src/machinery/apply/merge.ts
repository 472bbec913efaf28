// Merging a partial configuration into an object (structured-merge-diff
// typed/merge.go with ruleKeepRHS): nothing is removed; a leaf set on the
// right wins; granular maps merge key by key and associative lists item by
// item (by key or set value); atomic lists and maps are replaced whole.
//
// Order: map keys keep the left-hand order, new keys follow. List items keep
// the left-hand order for items the right does not mention, and the
// right-hand order among the items it does (upstream's "shared order" walk).
// Duplicate keys in the left-hand list (possible in stored objects) are kept
// as they are unless the right-hand side sets that key, which replaces them.

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
import { isList, isMap, type JsonObject, type JsonValue } from "./value.ts";

/** Merge: lhs with pso merged over it. Throws TypedValidationError when either side does not fit the schema. */
export function mergeValues(schema: ApplySchema, tr: TypeRef, lhs: JsonValue, rhs: JsonValue): JsonValue {
  const w = new Walker(schema);
  const out = w.merge(typeNode(schema, tr), lhs, rhs);
  if (w.errs.length > 0) throw new TypedValidationError(w.errs);
  return out === undefined ? null : out;
}

// One walk over both values, with the path as a stack; errors carry their
// full path, built only when one occurs. Returns the merged value, undefined
// for nothing.
class Walker {
  readonly errs: ValidationError[] = [];
  private readonly path: PathElement[] = [];
  private depth = 0;

  constructor(private readonly schema: ApplySchema) {}

  merge(node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined): JsonValue | undefined {
    if (lhs === undefined && rhs === undefined) {
      this.error("at least one of lhs and rhs must be provided");
      return undefined;
    }
    if (node.atom === undefined) {
      this.error(`schema error: no type found matching: ${typeRefName(node.ref)}`);
      return undefined;
    }
    const alhs = node.deduce(lhs);
    const arhs = node.deduce(rhs);
    if (alhs === arhs || formOf(alhs) === formOf(arhs)) return this.handle(arhs, node, lhs, rhs);
    // Upstream walks the left-hand form too, for its errors; its result is dropped.
    this.handle(alhs, node, lhs, rhs);
    return this.handle(arhs, node, lhs, rhs);
  }

  private handle(
    a: Atom,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
  ): JsonValue | undefined {
    if (a.map) return this.doMap(a.map, node, lhs, rhs);
    if (a.scalar) {
      const le = scalarError(a.scalar, lhs, "lhs: ");
      const re = scalarError(a.scalar, rhs, "rhs: ");
      if (le) this.error(le.message);
      if (re) this.error(re.message);
      if (le || re) return undefined;
      return leaf(lhs, rhs);
    }
    if (a.list) return this.doList(a.list, node, lhs, rhs);
    const tr = node.ref;
    this.error(`schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}`);
    return undefined;
  }

  private child(pe: PathElement, node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined) {
    const d = this.depth;
    this.path[d] = pe;
    this.depth = d + 1;
    const out = this.merge(node, lhs, rhs);
    this.depth = d;
    return out;
  }

  private error(message: string): void {
    let path = "";
    for (let i = 0; i < this.depth; i++) path += pathElementString(this.path[i]);
    this.errs.push({ path, message });
  }

  private doMap(
    t: MapType,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
  ): JsonValue | undefined {
    const l = isMap(lhs) ? lhs : undefined;
    const r = isMap(rhs) ? rhs : undefined;
    const lk = l ? Object.keys(l) : undefined;
    const rk = r ? Object.keys(r) : undefined;
    if (t.elementRelationship === "atomic" || ((!lk || lk.length === 0) && (!rk || rk.length === 0))) {
      return leaf(lhs, rhs);
    }
    const out: JsonObject = {};
    let n = 0;
    if (l && lk) {
      for (const key of lk) {
        const res = this.child(
          fieldElement(key),
          node.mapKey(key),
          l[key],
          r && Object.hasOwn(r, key) ? r[key] : undefined,
        );
        if (res !== undefined) {
          out[key] = res;
          n++;
        }
      }
    }
    if (r && rk) {
      for (const key of rk) {
        if (l && Object.hasOwn(l, key)) continue;
        const res = this.child(fieldElement(key), node.mapKey(key), undefined, r[key]);
        if (res !== undefined) {
          out[key] = res;
          n++;
        }
      }
    }
    return n > 0 && Object.keys(out).length > 0 ? out : undefined;
  }

  private doList(
    t: ListType,
    node: TypeNode,
    lhs: JsonValue | undefined,
    rhs: JsonValue | undefined,
  ): JsonValue | undefined {
    const l = isList(lhs) ? lhs : undefined;
    const r = isList(rhs) ? rhs : undefined;
    if (t.elementRelationship === "atomic" || ((!l || l.length === 0) && (!r || r.length === 0))) {
      return leaf(lhs, rhs);
    }
    return this.visitListItems(t, node.listElement(), l ?? [], r ?? []);
  }

  private index(t: ListType, list: JsonValue[], side: "lhs" | "rhs"): ListIndex {
    const order: ListEntry[] = [];
    const items = new Map<string, JsonValue[]>();
    for (let i = 0; i < list.length; i++) {
      let pe: PathElement;
      try {
        pe = listItemToPathElement(this.schema, t, list[i]);
      } catch (e) {
        this.error(`${side}: element ${i}: ${(e as Error).message}`);
        continue;
      }
      const key = pathElementString(pe);
      const seen = items.get(key);
      if (seen) {
        if (side === "rhs") this.error(`rhs: duplicate entries for key ${key}`);
        seen.push(list[i]);
        continue;
      }
      items.set(key, [list[i]]);
      order.push({ pe, key });
    }
    return { order, items };
  }

  private visitListItems(
    t: ListType,
    element: TypeNode,
    lhs: JsonValue[],
    rhs: JsonValue[],
  ): JsonValue | undefined {
    const r = this.index(t, rhs, "rhs");
    const l = this.index(t, lhs, "lhs");
    const out: JsonValue[] = [];
    const emit = (pe: PathElement, key: string, withRHS: boolean) => {
      const lItems = l.items.get(key);
      const rItem = withRHS ? r.items.get(key)?.[0] : undefined;
      if (!withRHS && lItems && lItems.length > 1) {
        out.push(...lItems);
        return;
      }
      const res = this.child(pe, element, lItems?.[0], rItem);
      if (res !== undefined) out.push(res);
    };
    const shared = r.order.filter((x) => l.items.has(x.key)).map((x) => x.key);
    let next = 0;
    const nextShared = () => (next < shared.length ? shared[next] : undefined);
    let li = 0;
    let ri = 0;
    while (li < l.order.length || ri < r.order.length) {
      if (li < l.order.length && ri < r.order.length) {
        const cur = l.order[li];
        if (cur.key === r.order[ri].key) {
          emit(cur.pe, cur.key, true);
          li++;
          ri++;
          next++;
          continue;
        }
        const ns = nextShared();
        if (r.items.has(cur.key) && ns !== undefined && ns !== cur.key) {
          // A shared item, but not the one whose turn it is: the right-hand walk places it.
          li++;
          continue;
        }
      }
      if (li < l.order.length) {
        const cur = l.order[li];
        if (!r.items.has(cur.key)) {
          emit(cur.pe, cur.key, false);
          li++;
          continue;
        }
      }
      if (ri < r.order.length) {
        const cur = r.order[ri];
        emit(cur.pe, cur.key, true);
        ri++;
        if (nextShared() === cur.key) next++;
      }
    }
    return out.length > 0 ? out : undefined;
  }
}

// ruleKeepRHS: a leaf takes the right-hand value when there is one.
function leaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined): JsonValue | undefined {
  return rhs !== undefined ? rhs : lhs;
}

interface ListEntry {
  readonly pe: PathElement;
  readonly key: string;
}

interface ListIndex {
  readonly order: ListEntry[];
  readonly items: Map<string, JsonValue[]>;
}
