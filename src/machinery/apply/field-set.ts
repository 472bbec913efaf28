// A set of field paths: structured-merge-diff's fieldpath.Set (set.go). A
// tree whose nodes hold the path elements that are members at that level and
// the child subsets below them; both kept sorted so that set operations are
// linear merges and serialisation order is fixed. Parents are not implied by
// their children: `.spec.replicas` being a member says nothing about `.spec`.
//
// Sets are treated as immutable once built; only insert() changes one.

import {
  comparePathElements,
  type Path,
  type PathElement,
  pathElementsEqual,
  pathString,
} from "./path-element.ts";
import { type ApplySchema, resolveType, type TypeRef } from "./schema.ts";

export interface SetNode {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

// Index of the first element not less than pe.
function search<T>(items: readonly T[], pe: PathElement, key: (t: T) => PathElement): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePathElements(key(items[mid]), pe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const ident = (pe: PathElement) => pe;
const nodeKey = (n: SetNode) => n.pe;

export class FieldSet {
  /** Path elements that are members at this level, sorted. */
  readonly members: PathElement[];
  /** Subsets below path elements, sorted; an element here need not be a member. */
  readonly children: SetNode[];

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

  /** Adds a path (the empty path, the whole object, is never tracked). */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]);
    s.insertMember(path[path.length - 1]);
  }

  private insertMember(pe: PathElement): void {
    const i = search(this.members, pe, ident);
    if (i < this.members.length && pathElementsEqual(this.members[i], pe)) return;
    this.members.splice(i, 0, pe);
  }

  private descend(pe: PathElement): FieldSet {
    const i = search(this.children, pe, nodeKey);
    if (i < this.children.length && pathElementsEqual(this.children[i].pe, pe)) return this.children[i].set;
    const set = new FieldSet();
    this.children.splice(i, 0, { pe, set });
    return set;
  }

  /** The subset below pe, without the prefix (empty when none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? new FieldSet();
  }

  private child(pe: PathElement): FieldSet | undefined {
    const i = search(this.children, pe, nodeKey);
    return i < this.children.length && pathElementsEqual(this.children[i].pe, pe)
      ? this.children[i].set
      : undefined;
  }

  hasMember(pe: PathElement): boolean {
    const i = search(this.members, pe, ident);
    return i < this.members.length && pathElementsEqual(this.members[i], pe);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.child(path[i]);
    return s?.hasMember(path[path.length - 1]) ?? false;
  }

  empty(): boolean {
    return this.members.length === 0 && this.children.every((n) => n.set.empty());
  }

  size(): number {
    return this.members.length + this.children.reduce((n, c) => n + c.set.size(), 0);
  }

  union(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    let i = 0;
    let j = 0;
    while (i < this.members.length && j < o.members.length) {
      const c = comparePathElements(this.members[i], o.members[j]);
      if (c < 0) members.push(this.members[i++]);
      else {
        members.push(o.members[j++]);
        if (c === 0) i++;
      }
    }
    members.push(...this.members.slice(i), ...o.members.slice(j));
    const children: SetNode[] = [];
    i = 0;
    j = 0;
    while (i < this.children.length && j < o.children.length) {
      const a = this.children[i];
      const b = o.children[j];
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
    children.push(...this.children.slice(i), ...o.children.slice(j));
    return new FieldSet(members, children);
  }

  /** The leaf paths present in both sets. */
  intersection(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    let i = 0;
    let j = 0;
    while (i < this.members.length && j < o.members.length) {
      const c = comparePathElements(this.members[i], o.members[j]);
      if (c < 0) i++;
      else {
        if (c === 0) members.push(this.members[i++]);
        j++;
      }
    }
    const children: SetNode[] = [];
    i = 0;
    j = 0;
    while (i < this.children.length && j < o.children.length) {
      const a = this.children[i];
      const b = o.children[j];
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
    return new FieldSet(this.memberDifference(o), this.childDifference(o, false));
  }

  /** Like difference, but a member of o also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    return new FieldSet(this.memberDifference(o), this.childDifference(o, true));
  }

  private memberDifference(o: FieldSet): PathElement[] {
    const out: PathElement[] = [];
    let i = 0;
    let j = 0;
    while (i < this.members.length && j < o.members.length) {
      const c = comparePathElements(this.members[i], o.members[j]);
      if (c < 0) out.push(this.members[i++]);
      else {
        if (c === 0) i++;
        j++;
      }
    }
    out.push(...this.members.slice(i));
    return out;
  }

  private childDifference(o: FieldSet, recursive: boolean): SetNode[] {
    const out: SetNode[] = [];
    const dropped = (pe: PathElement) => recursive && o.hasMember(pe);
    let i = 0;
    let j = 0;
    while (i < this.children.length && j < o.children.length) {
      const a = this.children[i];
      const c = comparePathElements(a.pe, o.children[j].pe);
      if (c < 0) {
        if (!dropped(a.pe)) out.push(a);
        i++;
      } else {
        if (c === 0) {
          if (!dropped(a.pe)) {
            const diff = recursive
              ? a.set.recursiveDifference(o.children[j].set)
              : a.set.difference(o.children[j].set);
            if (!diff.empty()) out.push({ pe: a.pe, set: diff });
          }
          i++;
        }
        j++;
      }
    }
    for (; i < this.children.length; i++) if (!dropped(this.children[i].pe)) out.push(this.children[i]);
    return out;
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
    const atom = tr ? resolveType(schema, tr) : undefined;
    const members = [...this.members];
    const out = new FieldSet(members, []);
    for (const node of this.children) {
      let childType: TypeRef | undefined;
      if (node.pe.kind === "field" && atom?.map) {
        const field = atom.map.fields.get(node.pe.name);
        if (field) out.insertMember(node.pe);
        childType = field ? field.type : atom.map.elementType;
      } else if (node.pe.kind === "key" && atom?.list) {
        childType = atom.list.elementType;
      }
      out.children.push({ pe: node.pe, set: node.set.ensureNamedFieldsAreMembers(schema, childType) });
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
