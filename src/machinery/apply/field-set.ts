// A set of field paths: structured-merge-diff's fieldpath.Set (set.go). A
// tree whose nodes hold the path elements that are members at that level and
// the child subsets below them; both kept sorted so that set operations are
// linear merges and serialisation order is fixed. Parents are not implied by
// their children: `.spec.replicas` being a member says nothing about `.spec`.
//
// Sets are treated as immutable once built: only the walk or decoder building
// a set inserts into it, and set operations may return (parts of) their
// operands instead of copies.

import type { FieldsV1 } from "./fields-v1.ts";
import {
  comparePathElements,
  type Path,
  type PathElement,
  pathElementsEqual,
  pathString,
} from "./path-element.ts";
import type { ApplySchema, TypeRef } from "./schema.ts";
import { type TypeNode, typeNode } from "./type-node.ts";

export interface SetNode {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

// Index of the first member not less than pe.
function searchMembers(items: readonly PathElement[], pe: PathElement): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePathElements(items[mid], pe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Index of the first child not less than pe.
function searchChildren(items: readonly SetNode[], pe: PathElement): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePathElements(items[mid].pe, pe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class FieldSet {
  /** Path elements that are members at this level, sorted. */
  readonly members: PathElement[];
  /** Subsets below path elements, sorted; an element here need not be a member. */
  readonly children: SetNode[];

  /**
   * The FieldsV1 this set was decoded from, when it is exactly what encoding
   * the set writes (fields-v1.ts); sets are immutable, so it stays true.
   */
  source: FieldsV1 | undefined = undefined;

  constructor(members: PathElement[] = [], children: SetNode[] = []) {
    this.members = members;
    this.children = children;
  }

  /** NewSet: a set of the given paths. */
  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (the empty path, the whole object, is never tracked). Only for a set being built. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]);
    s.insertMember(path[path.length - 1]);
  }

  /** Adds pe as a member at this level. Only for a set being built. */
  insertMember(pe: PathElement): void {
    this.source = undefined;
    const members = this.members;
    const n = members.length;
    // Walks add elements mostly in order: try the end first.
    if (n === 0 || comparePathElements(members[n - 1], pe) < 0) {
      members.push(pe);
      return;
    }
    const i = searchMembers(members, pe);
    if (i < n && pathElementsEqual(members[i], pe)) return;
    members.splice(i, 0, pe);
  }

  /** The subset below pe, added when missing. Only for a set being built. */
  descend(pe: PathElement): FieldSet {
    this.source = undefined;
    const children = this.children;
    const n = children.length;
    if (n === 0 || comparePathElements(children[n - 1].pe, pe) < 0) {
      const set = new FieldSet();
      children.push({ pe, set });
      return set;
    }
    const i = searchChildren(children, pe);
    if (i < n && pathElementsEqual(children[i].pe, pe)) return children[i].set;
    const set = new FieldSet();
    children.splice(i, 0, { pe, set });
    return set;
  }

  /** The subset below pe, without the prefix (empty when none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? new FieldSet();
  }

  /** The subset below pe, or undefined when there is none. */
  child(pe: PathElement): FieldSet | undefined {
    const children = this.children;
    const i = searchChildren(children, pe);
    return i < children.length && pathElementsEqual(children[i].pe, pe) ? children[i].set : undefined;
  }

  hasMember(pe: PathElement): boolean {
    const i = searchMembers(this.members, pe);
    return i < this.members.length && pathElementsEqual(this.members[i], pe);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.child(path[i]);
    return s?.hasMember(path[path.length - 1]) ?? false;
  }

  empty(): boolean {
    if (this.members.length !== 0) return false;
    for (const n of this.children) if (!n.set.empty()) return false;
    return true;
  }

  // No members and no children at all (not even empty ones).
  private bare(): boolean {
    return this.members.length === 0 && this.children.length === 0;
  }

  size(): number {
    let n = this.members.length;
    for (const c of this.children) n += c.set.size();
    return n;
  }

  union(o: FieldSet): FieldSet {
    if (o.bare()) return this.bare() ? o : this;
    if (this.bare()) return o;
    const am = this.members;
    const bm = o.members;
    let members: PathElement[];
    if (bm.length === 0) members = am;
    else if (am.length === 0) members = bm;
    else {
      members = [];
      let i = 0;
      let j = 0;
      while (i < am.length && j < bm.length) {
        const c = comparePathElements(am[i], bm[j]);
        if (c < 0) members.push(am[i++]);
        else {
          members.push(bm[j++]);
          if (c === 0) i++;
        }
      }
      while (i < am.length) members.push(am[i++]);
      while (j < bm.length) members.push(bm[j++]);
    }
    const ac = this.children;
    const bc = o.children;
    let children: SetNode[];
    if (bc.length === 0) children = ac;
    else if (ac.length === 0) children = bc;
    else {
      children = [];
      let i = 0;
      let j = 0;
      while (i < ac.length && j < bc.length) {
        const a = ac[i];
        const b = bc[j];
        const c = comparePathElements(a.pe, b.pe);
        if (c < 0) {
          children.push(a);
          i++;
        } else {
          children.push(c === 0 ? { pe: a.pe, set: a.set.union(b.set) } : b);
          if (c === 0) i++;
          j++;
        }
      }
      while (i < ac.length) children.push(ac[i++]);
      while (j < bc.length) children.push(bc[j++]);
    }
    return new FieldSet(members, children);
  }

  /** The leaf paths present in both sets. */
  intersection(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    const am = this.members;
    const bm = o.members;
    let i = 0;
    let j = 0;
    while (i < am.length && j < bm.length) {
      const c = comparePathElements(am[i], bm[j]);
      if (c < 0) i++;
      else {
        if (c === 0) members.push(am[i++]);
        j++;
      }
    }
    const children: SetNode[] = [];
    const ac = this.children;
    const bc = o.children;
    i = 0;
    j = 0;
    while (i < ac.length && j < bc.length) {
      const a = ac[i];
      const b = bc[j];
      const c = comparePathElements(a.pe, b.pe);
      if (c < 0) i++;
      else {
        if (c === 0) {
          const res = a.set.intersection(b.set);
          if (!res.empty()) children.push({ pe: a.pe, set: res });
          i++;
        }
        j++;
      }
    }
    return new FieldSet(members, children);
  }

  /** Paths of this set not in o (a parent minus its child keeps the parent). */
  difference(o: FieldSet): FieldSet {
    return this.minus(o, false);
  }

  /** Like difference, but a member of o also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    return this.minus(o, true);
  }

  // Returns this set itself when o takes nothing from it.
  private minus(o: FieldSet, recursive: boolean): FieldSet {
    if (o.bare()) return this;
    const members = this.memberDifference(o);
    const children = this.childDifference(o, recursive);
    if (members === this.members && children === this.children) return this;
    return new FieldSet(members, children);
  }

  // The members not in o; the same array when there are none.
  private memberDifference(o: FieldSet): PathElement[] {
    const am = this.members;
    const bm = o.members;
    if (bm.length === 0 || am.length === 0) return am;
    const out: PathElement[] = [];
    let i = 0;
    let j = 0;
    while (i < am.length && j < bm.length) {
      const c = comparePathElements(am[i], bm[j]);
      if (c < 0) out.push(am[i++]);
      else {
        if (c === 0) i++;
        j++;
      }
    }
    while (i < am.length) out.push(am[i++]);
    return out.length === am.length ? am : out;
  }

  // The subsets minus o's; the same array when o takes nothing.
  private childDifference(o: FieldSet, recursive: boolean): SetNode[] {
    const ac = this.children;
    const bc = o.children;
    // A member of o drops the subset below it (recursive only).
    const dropping = recursive && o.members.length > 0;
    if ((bc.length === 0 && !dropping) || ac.length === 0) return ac;
    const out: SetNode[] = [];
    let changed = false;
    let i = 0;
    let j = 0;
    while (i < ac.length && j < bc.length) {
      const a = ac[i];
      const c = comparePathElements(a.pe, bc[j].pe);
      if (c < 0) {
        if (!dropping || !o.hasMember(a.pe)) out.push(a);
        else changed = true;
        i++;
      } else {
        if (c === 0) {
          if (!dropping || !o.hasMember(a.pe)) {
            const diff = a.set.minus(bc[j].set, recursive);
            if (!diff.empty()) {
              if (diff === a.set) out.push(a);
              else {
                out.push({ pe: a.pe, set: diff });
                changed = true;
              }
            } else changed = true;
          } else changed = true;
          i++;
        }
        j++;
      }
    }
    for (; i < ac.length; i++) {
      if (!dropping || !o.hasMember(ac[i].pe)) out.push(ac[i]);
      else changed = true;
    }
    return changed ? out : ac;
  }

  /** Only the paths with nothing below them. */
  leaves(): FieldSet {
    const members = this.members.filter((m) => this.child(m) === undefined);
    return new FieldSet(
      members,
      this.children.map((n) => ({ pe: n.pe, set: n.set.leaves() })),
    );
  }

  /**
   * EnsureNamedFieldsAreMembers: also owns the struct fields (not map keys or
   * list items) that lead to members, so pruning removes a dropped struct as a
   * whole instead of leaving it empty.
   */
  ensureNamedFieldsAreMembers(schema: ApplySchema, tr: TypeRef | undefined): FieldSet {
    return this.namedFieldsAsMembers(tr ? typeNode(schema, tr) : undefined);
  }

  private namedFieldsAsMembers(node: TypeNode | undefined): FieldSet {
    const atom = node?.atom;
    const out = new FieldSet([...this.members], []);
    for (const child of this.children) {
      let childType: TypeNode | undefined;
      if (child.pe.kind === "field" && atom?.map) {
        const name = child.pe.name;
        if (node!.isField(name)) out.insertMember(child.pe);
        childType = node!.declared(name);
      } else if (child.pe.kind === "key" && atom?.list) {
        childType = node!.listElement();
      }
      out.children.push({ pe: child.pe, set: child.set.namedFieldsAsMembers(childType) });
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.members.length !== o.members.length || this.children.length !== o.children.length) return false;
    if (!this.members.every((m, i) => pathElementsEqual(m, o.members[i]))) return false;
    return this.children.every(
      (n, i) => pathElementsEqual(n.pe, o.children[i].pe) && n.set.equals(o.children[i].set),
    );
  }

  /** Calls fn for each member path, members of a level before its children (pre-order). */
  iterate(fn: (path: Path) => void, prefix: Path = []): void {
    for (const m of this.members) fn([...prefix, m]);
    for (const n of this.children) n.set.iterate(fn, [...prefix, n.pe]);
  }

  paths(): Path[] {
    const out: Path[] = [];
    this.iterate((p) => out.push(p));
    return out;
  }

  /** One path per line, as Set.String prints them. */
  toString(): string {
    return this.paths().map(pathString).join("\n");
  }
}

/**
 * Builds a set for a walk that inserts the path it is at: path[0..depth-1] of
 * a stack of path elements. The subsets along the current path are kept, so an
 * insert creates what is missing below the last one instead of searching
 * from the root.
 */
export class SetBuilder {
  readonly set = new FieldSet();
  // sets[i] is the subset at path[0..i-1]; the first `valid` belong to the current path.
  private readonly sets: FieldSet[] = [this.set];
  private valid = 1;

  /** The walk put a new element at depth d: the subsets below it are stale. */
  moved(d: number): void {
    if (this.valid > d + 1) this.valid = d + 1;
  }

  insert(path: readonly PathElement[], depth: number): void {
    if (depth === 0) return;
    const sets = this.sets;
    for (let i = this.valid; i < depth; i++) sets[i] = sets[i - 1].descend(path[i - 1]);
    if (this.valid < depth) this.valid = depth;
    sets[depth - 1].insertMember(path[depth - 1]);
  }
}
