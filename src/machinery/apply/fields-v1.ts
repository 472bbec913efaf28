// The FieldsV1 wire format of a field set (fieldpath/serialize.go): a JSON
// trie whose keys are serialised path elements (`f:`, `k:`, `v:`, `i:`) and
// whose values are the subsets below them; `{}` marks a member with nothing
// below it, and `".": {}` marks a member that also has children. Keys come
// out in path-element order with "." last, exactly as upstream writes the raw
// bytes; JavaScript keeps that insertion order (no key here is integer-like).

import { FieldSet, type SetNode } from "./field-set.ts";
import {
  comparePathElements,
  deserializePathElement,
  isSerializedForm,
  type PathElement,
  serializePathElement,
  UnknownPathElementTypeError,
} from "./path-element.ts";

/** A FieldsV1 value as it appears in metadata.managedFields[].fieldsV1. */
export type FieldsV1 = { [key: string]: FieldsV1 };

// A set decoded from FieldsV1 that is exactly what emitContents writes for
// it keeps that FieldsV1 as its source, at every level of the trie. Sets are
// immutable, so such a set encodes to its source: what a write leaves alone
// of an entry, whole entries or the parts of one that set operations carry
// over, is not encoded again. (A level whose source has "." is reused only
// where the element is still a member too.)

/** Set.ToJSON. */
export function fieldSetToFieldsV1(set: FieldSet): FieldsV1 {
  return emitContents(set, false);
}

function emitContents(s: FieldSet, includeSelf: boolean): FieldsV1 {
  const source = s.source;
  if (source !== undefined && Object.hasOwn(source, ".") === includeSelf) return source;
  const out: FieldsV1 = {};
  let mi = 0;
  let ci = 0;
  const { members, children } = s;
  while (mi < members.length && ci < children.length) {
    const c = comparePathElements(members[mi], children[ci].pe);
    if (c < 0) {
      out[serializePathElement(members[mi++])] = {};
    } else {
      out[serializePathElement(children[ci].pe)] = emitContents(children[ci].set, c === 0);
      if (c === 0) mi++;
      ci++;
    }
  }
  for (; mi < members.length; mi++) out[serializePathElement(members[mi])] = {};
  for (; ci < children.length; ci++)
    out[serializePathElement(children[ci].pe)] = emitContents(children[ci].set, false);
  // Keys never repeat (members and children are sorted and distinct), so any emitted element means non-empty.
  if (includeSelf && (members.length > 0 || children.length > 0)) out["."] = {};
  return out;
}

/** Set.FromJSON: unknown element kinds are dropped; malformed keys throw. */
export function fieldsV1ToFieldSet(fields: unknown): FieldSet {
  canonical = true;
  return readV1(fields, true) ?? new FieldSet();
}

const byElement = (a: PathElement, b: PathElement) => comparePathElements(a, b);
const byNode = (a: SetNode, b: SetNode) => comparePathElements(a.pe, b.pe);

// Second and third results of readV1, kept here rather than allocated per
// node: whether the node it last read is itself a member (it has "." or
// nothing below it), and whether the node and everything below it are in the
// exact form emitContents writes (elements in order, each key as
// serializePathElement writes it, "." last, only beside other keys and only
// as {}, no nulls).
let member = false;
let canonical = true;

// The subset below a node, undefined when it has none. Elements may come in
// any order: they are sorted once, and repeats resolved as inserting them one
// after another would.
function readV1(v: unknown, top: boolean): FieldSet | undefined {
  if (v === null || v === undefined) {
    canonical = false;
    member = true;
    return undefined;
  }
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new Error(`ReadMapCB: expect { or n, but found ${JSON.stringify(v).slice(0, 1)}`);
  }
  const obj = v as Record<string, unknown>;
  let members: PathElement[] | undefined;
  let children: SetNode[] | undefined;
  let isMember = false;
  let previous: PathElement | undefined;
  // Elements strictly ascending so far (then members and children need no sorting).
  let ordered = true;
  // This node's own keys are in their written form.
  let written = true;
  let below = true;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (key === ".") {
      isMember = true;
      if (top || !isEmptyObject(obj[key])) written = false;
      continue;
    }
    let pe: PathElement;
    try {
      pe = deserializePathElement(key);
    } catch (e) {
      if (e instanceof UnknownPathElementTypeError) {
        written = false;
        continue;
      }
      throw new Error(`parsing key as path element: ${(e as Error).message}`);
    }
    if (previous !== undefined && ordered && comparePathElements(previous, pe) >= 0) ordered = false;
    previous = pe;
    if (isMember || !isSerializedForm(key, pe)) written = false;
    canonical = true;
    const sub = readV1(obj[key], false);
    if (!canonical) below = false;
    if (member) {
      members ??= [];
      members.push(pe);
    }
    if (sub) {
      children ??= [];
      children.push({ pe, set: sub });
    }
  }
  if (!members && !children) {
    canonical = written && !isMember;
    member = true;
    return undefined;
  }
  member = isMember;
  if (!ordered) {
    if (members && !isSorted(members, byElement)) {
      members.sort(byElement);
      members = dedupeMembers(members);
    }
    if (children && !isSorted(children, byNode)) {
      children.sort(byNode);
      children = dedupeChildren(children);
    }
  }
  const set = new FieldSet(members ?? [], children ?? []);
  canonical = written && below && ordered;
  if (canonical) set.source = obj as FieldsV1;
  return set;
}

function isEmptyObject(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  for (const key in v) if (Object.hasOwn(v, key)) return false;
  return true;
}

// Strictly ascending: no repeats either.
function isSorted<T>(items: T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (cmp(items[i - 1], items[i]) >= 0) return false;
  return true;
}

// A repeated member keeps its first occurrence (members come sorted).
function dedupeMembers(members: PathElement[]): PathElement[] {
  const out: PathElement[] = [];
  for (const pe of members) {
    if (out.length > 0 && comparePathElements(out[out.length - 1], pe) === 0) continue;
    out.push(pe);
  }
  return out;
}

// A repeated subset keeps its last occurrence (children come sorted, stably).
function dedupeChildren(children: SetNode[]): SetNode[] {
  const out: SetNode[] = [];
  for (const node of children) {
    if (out.length > 0 && comparePathElements(out[out.length - 1].pe, node.pe) === 0)
      out[out.length - 1] = node;
    else out.push(node);
  }
  return out;
}
