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

import {
  listItemToPathElement,
  mapKeyType,
  resolveAtom,
  TypedValidationError,
  type ValidationError,
  withPrefix,
} from "./helpers.ts";
import { type PathElement, pathElementString } from "./path-element.ts";
import type { ApplySchema, Atom, ListType, MapType, TypeRef } from "./schema.ts";
import { scalarError } from "./validate.ts";
import { isList, isMap, type JsonObject, type JsonValue } from "./value.ts";

/** Merge: lhs with pso merged over it. Throws TypedValidationError when either side does not fit the schema. */
export function mergeValues(schema: ApplySchema, tr: TypeRef, lhs: JsonValue, rhs: JsonValue): JsonValue {
  const w = new Walker(schema);
  const errs = w.merge(tr, lhs, rhs);
  if (errs.length > 0) throw new TypedValidationError(errs);
  return w.out === undefined ? null : w.out;
}

function form(a: Atom): string {
  return `${a.map ? "m" : ""}${a.scalar ? "s" : ""}${a.list ? "l" : ""}`;
}

class Walker {
  inLeaf = false;
  lhs: JsonValue | undefined;
  rhs: JsonValue | undefined;
  out: JsonValue | undefined;

  constructor(readonly schema: ApplySchema) {}

  merge(tr: TypeRef, lhs: JsonValue | undefined, rhs: JsonValue | undefined): ValidationError[] {
    this.lhs = lhs;
    this.rhs = rhs;
    this.out = undefined;
    if (lhs === undefined && rhs === undefined) {
      return [{ path: "", message: "at least one of lhs and rhs must be provided" }];
    }
    let alhs: Atom;
    let arhs: Atom;
    try {
      alhs = resolveAtom(this.schema, tr, lhs);
      arhs = resolveAtom(this.schema, tr, rhs);
    } catch (e) {
      return [...(e as TypedValidationError).errors];
    }
    if (form(alhs) === form(arhs)) return this.handle(arhs, tr);
    const w2 = new Walker(this.schema);
    w2.lhs = lhs;
    w2.rhs = rhs;
    return [...w2.handle(alhs, tr), ...this.handle(arhs, tr)];
  }

  private handle(a: Atom, tr: TypeRef): ValidationError[] {
    if (a.map) return this.doMap(a.map);
    if (a.scalar) {
      const errs = [
        scalarError(a.scalar, this.lhs, "lhs: "),
        scalarError(a.scalar, this.rhs, "rhs: "),
      ].filter((e): e is ValidationError => e !== undefined);
      if (errs.length > 0) return errs;
      this.doLeaf();
      return [];
    }
    if (a.list) return this.doList(a.list);
    return [
      {
        path: "",
        message: `schema error: invalid atom: ${tr.named ? `named type: ${tr.named}` : "inlined"}`,
      },
    ];
  }

  // ruleKeepRHS: a leaf takes the right-hand value when there is one.
  private doLeaf(): void {
    if (this.inLeaf) return;
    this.inLeaf = true;
    this.out = this.rhs !== undefined ? this.rhs : this.lhs;
  }

  private child(tr: TypeRef, pe: PathElement, lhs: JsonValue | undefined, rhs: JsonValue | undefined) {
    const w2 = new Walker(this.schema);
    const errs = withPrefix(w2.merge(tr, lhs, rhs), pathElementString(pe));
    return { out: w2.out, errs };
  }

  private doMap(t: MapType): ValidationError[] {
    const lhs = isMap(this.lhs) ? this.lhs : undefined;
    const rhs = isMap(this.rhs) ? this.rhs : undefined;
    const emptyPromoteToLeaf =
      (!lhs || Object.keys(lhs).length === 0) && (!rhs || Object.keys(rhs).length === 0);
    if (t.elementRelationship === "atomic" || emptyPromoteToLeaf) {
      this.doLeaf();
      return [];
    }
    if (!lhs && !rhs) return [];
    const errs: ValidationError[] = [];
    const out: JsonObject = {};
    const visit = (key: string) => {
      const l = lhs && Object.hasOwn(lhs, key) ? lhs[key] : undefined;
      const r = rhs && Object.hasOwn(rhs, key) ? rhs[key] : undefined;
      const res = this.child(mapKeyType(t, key), { kind: "field", name: key }, l, r);
      errs.push(...res.errs);
      if (res.out !== undefined) out[key] = res.out;
    };
    if (lhs) for (const key of Object.keys(lhs)) visit(key);
    if (rhs) for (const key of Object.keys(rhs)) if (!lhs || !Object.hasOwn(lhs, key)) visit(key);
    if (Object.keys(out).length > 0) this.out = out;
    return errs;
  }

  private doList(t: ListType): ValidationError[] {
    const lhs = isList(this.lhs) ? this.lhs : undefined;
    const rhs = isList(this.rhs) ? this.rhs : undefined;
    const emptyPromoteToLeaf = (!lhs || lhs.length === 0) && (!rhs || rhs.length === 0);
    if (t.elementRelationship === "atomic" || emptyPromoteToLeaf) {
      this.doLeaf();
      return [];
    }
    if (!lhs && !rhs) return [];
    return this.visitListItems(t, lhs ?? [], rhs ?? []);
  }

  private index(t: ListType, list: JsonValue[], side: "lhs" | "rhs", errs: ValidationError[]) {
    const order: { pe: PathElement; key: string }[] = [];
    const items = new Map<string, JsonValue[]>();
    for (let i = 0; i < list.length; i++) {
      let pe: PathElement;
      try {
        pe = listItemToPathElement(this.schema, t, list[i]);
      } catch (e) {
        errs.push({ path: "", message: `${side}: element ${i}: ${(e as Error).message}` });
        continue;
      }
      const key = pathElementString(pe);
      const seen = items.get(key);
      if (seen) {
        if (side === "rhs") errs.push({ path: "", message: `rhs: duplicate entries for key ${key}` });
        seen.push(list[i]);
        continue;
      }
      items.set(key, [list[i]]);
      order.push({ pe, key });
    }
    return { order, items };
  }

  private visitListItems(t: ListType, lhs: JsonValue[], rhs: JsonValue[]): ValidationError[] {
    const errs: ValidationError[] = [];
    const r = this.index(t, rhs, "rhs", errs);
    const l = this.index(t, lhs, "lhs", errs);
    const out: JsonValue[] = [];
    const emit = (pe: PathElement, key: string, withRHS: boolean) => {
      const lItems = l.items.get(key);
      const rItem = withRHS ? r.items.get(key)?.[0] : undefined;
      if (!withRHS && lItems && lItems.length > 1) {
        out.push(...lItems);
        return;
      }
      const res = this.child(t.elementType, pe, lItems?.[0], rItem);
      errs.push(...res.errs);
      if (res.out !== undefined) out.push(res.out);
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
    if (out.length > 0) this.out = out;
    return errs;
  }
}
