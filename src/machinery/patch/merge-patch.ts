// JSON merge patch (RFC 7386) as the apiserver applies it: evanphx/json-patch
// v4 MergePatch. Objects merge key by key, `null` deletes a key, anything
// else replaces. Like upstream, nulls are pruned from objects that are added
// whole (also inside added arrays), but not from a value that replaces an
// existing object.

import { deepCopyJson } from "../deep-copy.ts";
import { PatchError } from "./patch-error.ts";
import type { JSONObject, JSONValue } from "./strategic-merge.ts";

export const errBadJSONDoc = "Invalid JSON Document";
export const errBadJSONPatch = "Invalid JSON Patch";

function isObject(v: unknown): v is JSONObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Applies a decoded merge patch body to `doc`; neither is modified. An array
 * patch replaces the whole document (the caller's decode then rejects it);
 * null or a scalar patch is refused with 400 "Invalid JSON Patch".
 */
export function applyMergePatch(doc: JSONValue, patch: unknown): JSONValue {
  if (doc === null) throw new PatchError(errBadJSONDoc, 400);
  if (Array.isArray(patch)) {
    const ary = deepCopyJson(patch) as JSONValue[];
    pruneAryNulls(ary);
    return ary;
  }
  if (!isObject(patch)) throw new PatchError(errBadJSONPatch, 400);
  const p = deepCopyJson(patch);
  if (!isObject(doc)) return pruneDocNulls(p);
  const d = deepCopyJson(doc);
  mergeDocs(d, p);
  return d;
}

function mergeDocs(doc: JSONObject, patch: JSONObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.hasOwn(doc, k) ? doc[k] : null;
    if (cur === null) {
      pruneNulls(v);
      setKey(doc, k, v);
    } else {
      setKey(doc, k, merge(cur, v));
    }
  }
}

function merge(cur: JSONValue, patch: JSONValue): JSONValue {
  if (!isObject(cur)) {
    pruneNulls(patch);
    return patch;
  }
  if (!isObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

function pruneNulls(n: JSONValue): void {
  if (isObject(n)) pruneDocNulls(n);
  else if (Array.isArray(n)) pruneAryNulls(n);
}

function pruneDocNulls(doc: JSONObject): JSONObject {
  for (const [k, v] of Object.entries(doc)) {
    if (v === null) delete doc[k];
    else pruneNulls(v);
  }
  return doc;
}

// Null items stay; nulls inside object items go.
function pruneAryNulls(ary: JSONValue[]): void {
  for (const v of ary) if (v !== null) pruneNulls(v);
}

// Plain assignment would set the prototype for "__proto__".
function setKey(o: JSONObject, k: string, v: JSONValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
