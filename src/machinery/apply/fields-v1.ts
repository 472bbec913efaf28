// The FieldsV1 wire format of a field set (fieldpath/serialize.go): a JSON
// trie whose keys are serialised path elements (`f:`, `k:`, `v:`, `i:`) and
// whose values are the subsets below them; `{}` marks a member with nothing
// below it, and `".": {}` marks a member that also has children. Keys come
// out in path-element order with "." last, exactly as upstream writes the raw
// bytes; JavaScript keeps that insertion order (no key here is integer-like).

import { FieldSet } from "./field-set.ts";
import {
  comparePathElements,
  deserializePathElement,
  type PathElement,
  serializePathElement,
  UnknownPathElementTypeError,
} from "./path-element.ts";

/** A FieldsV1 value as it appears in metadata.managedFields[].fieldsV1. */
export type FieldsV1 = { [key: string]: FieldsV1 };

/** Set.ToJSON. */
export function fieldSetToFieldsV1(set: FieldSet): FieldsV1 {
  return emitContents(set, false);
}

function emitContents(s: FieldSet, includeSelf: boolean): FieldsV1 {
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
  if (includeSelf && Object.keys(out).length > 0) out["."] = {};
  return out;
}

/** Set.FromJSON: unknown element kinds are dropped; malformed keys throw. */
export function fieldsV1ToFieldSet(fields: unknown): FieldSet {
  return readV1(fields).children ?? new FieldSet();
}

// Returns the subset below a node and whether the node itself is a member.
function readV1(v: unknown): { children?: FieldSet; isMember: boolean } {
  if (v === null || v === undefined) return { isMember: true };
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new Error(`ReadMapCB: expect { or n, but found ${JSON.stringify(v).slice(0, 1)}`);
  }
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (key === ".") {
      isMember = true;
      continue;
    }
    let pe: PathElement;
    try {
      pe = deserializePathElement(key);
    } catch (e) {
      if (e instanceof UnknownPathElementTypeError) continue;
      throw new Error(`parsing key as path element: ${(e as Error).message}`);
    }
    const sub = readV1(value);
    if (sub.isMember || sub.children) children ??= new FieldSet();
    if (sub.isMember) children!.insert([pe]);
    if (sub.children) {
      const parent = children!;
      const existing = parent.children.findIndex((n) => comparePathElements(n.pe, pe) === 0);
      if (existing >= 0) parent.children[existing] = { pe, set: sub.children };
      else {
        parent.children.push({ pe, set: sub.children });
        parent.children.sort((a, b) => comparePathElements(a.pe, b.pe));
      }
    }
  }
  if (!children) isMember = true;
  return { children, isMember };
}
