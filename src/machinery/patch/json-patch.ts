// JSON patch (RFC 6902) as the apiserver applies it: gopkg.in/evanphx/json-patch.v4
// (v4.12), including its quirks: negative array indices count from the end,
// "replace" of a missing object key adds it, "replace" of the root with a
// scalar does nothing, and a path without a leading "/" addresses the root.
// Error texts are the library's; the apiserver answers a patch that does not
// apply with 422 and a generic message (see PatchError).

import { deepCopyJson } from "../deep-copy.ts";
import { genericInvalidMessage, PatchError } from "./patch-error.ts";
import type { JSONObject, JSONValue } from "./strategic-merge.ts";

/** The apiserver refuses JSON patches with more operations (413). */
export const maxJSONPatchOperations = 10000;

type Container = JSONObject | JSONValue[];

class OpError extends Error {}

const errMissing = "missing value";
const errInvalidIndex = "invalid index referenced";
const errTestFailed = "test failed";

function wrap(cause: string, msg: string): never {
  throw new OpError(`${msg}: ${cause}`);
}

function isObject(v: unknown): v is JSONObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks the shape of a decoded JSON patch body (upstream's DecodePatch:
 * an array of objects) and the operation limit. Throws PatchError 400 / 413.
 */
export function decodeJSONPatch(patch: unknown): JSONObject[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    throw new PatchError(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`,
      400,
    );
  }
  for (const op of patch) {
    if (op !== null && !isObject(op)) {
      throw new PatchError(
        `json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`,
        400,
      );
    }
  }
  if (patch.length > maxJSONPatchOperations) {
    const msg = `The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${patch.length}`;
    throw new PatchError(msg, 413);
  }
  return patch.map((op) => (op ?? {}) as JSONObject);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/**
 * Applies a decoded JSON patch body to `doc` and returns the new document;
 * `doc` is not modified. A patch that does not apply throws PatchError 422.
 */
export function applyJSONPatch(doc: JSONValue, patch: unknown): JSONValue {
  const ops = decodeJSONPatch(patch);
  const root: { doc: JSONValue } = { doc: deepCopyJson(doc) };
  for (const op of ops) {
    try {
      applyOperation(root, op);
    } catch (e) {
      if (e instanceof OpError) throw new PatchError(e.message, 422, genericInvalidMessage);
      throw e;
    }
  }
  return root.doc;
}

type OperationFn = (root: { doc: JSONValue }, op: JSONObject) => void;

function applyOperation(root: { doc: JSONValue }, op: JSONObject): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  const operations: Record<string, OperationFn> = {
    add: opAdd,
    remove: opRemove,
    replace: opReplace,
    move: opMove,
    test: opTest,
    copy: opCopy,
  };
  if (!Object.hasOwn(operations, kind)) throw new OpError(`Unexpected kind: ${kind}`);
  operations[kind](root, op);
}

// Operation.Path / Operation.From: the error text when absent or not a string.
function readString(op: JSONObject, field: "path" | "from"): string | Error {
  const v = op[field];
  if (v === undefined || v === null) {
    return new Error(
      field === "path"
        ? `operation missing path field: ${errMissing}`
        : `operation, missing from field: ${errMissing}`,
    );
  }
  if (typeof v !== "string")
    return new Error(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  return v;
}

function opValue(op: JSONObject): JSONValue {
  return op.value === undefined ? null : deepCopyJson(op.value);
}

// rfc6901Decoder: "~1" → "/", then "~0" → "~", in one left-to-right pass.
function decodePatchKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === "~1" ? "/" : "~"));
}

// findObject: the container holding the last path segment, and that segment.
function findObject(root: { doc: JSONValue }, path: string): [Container, string] | undefined {
  const split = path.split("/");
  if (split.length < 2) return undefined;
  let doc = root.doc;
  if (!isObject(doc) && !Array.isArray(doc)) return undefined;
  for (const part of split.slice(1, -1)) {
    let next: JSONValue | undefined;
    try {
      next = get(doc, decodePatchKey(part));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null) return undefined;
    if (!isObject(next) && !Array.isArray(next)) return undefined;
    doc = next;
  }
  return [doc as Container, decodePatchKey(split[split.length - 1])];
}

// strconv.Atoi, with its error text.
function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key))
    throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n))
    throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  return n;
}

function invalidIndex(idx: number): never {
  throw new OpError(`Unable to access invalid index: ${idx}: ${errInvalidIndex}`);
}

function get(c: Container, key: string): JSONValue | undefined {
  if (!Array.isArray(c)) return Object.hasOwn(c, key) ? c[key] : undefined;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.length) invalidIndex(idx);
    idx += c.length;
  }
  if (idx >= c.length) invalidIndex(idx);
  return c[idx];
}

function set(c: Container, key: string, val: JSONValue): void {
  if (!Array.isArray(c)) {
    setKey(c, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.length) invalidIndex(idx);
    idx += c.length;
  }
  c[idx] = val;
}

function add(c: Container, key: string, val: JSONValue): void {
  if (!Array.isArray(c)) {
    setKey(c, key, val);
    return;
  }
  if (key === "-") {
    c.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    wrap((e as Error).message, `value was not a proper array index: '${key}'`);
  }
  const size = c.length + 1;
  if (idx >= size) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) invalidIndex(idx);
    idx += size;
  }
  c.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.hasOwn(c, key)) wrap(errMissing, `Unable to remove nonexistent key: ${key}`);
    delete c[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.length) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.length) invalidIndex(idx);
    idx += c.length;
  }
  c.splice(idx, 1);
}

// Plain assignment would set the prototype for "__proto__".
function setKey(o: JSONObject, k: string, v: JSONValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// Runs fn, prefixing an OpError it throws with msg.
function within<T>(msg: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OpError) wrap(e.message, msg);
    throw e;
  }
}

function opAdd(root: { doc: JSONValue }, op: JSONObject): void {
  const path = readString(op, "path");
  if (path instanceof Error) wrap(errMissing, "add operation failed to decode path");
  const found = findObject(root, path);
  if (!found) wrap(errMissing, `add operation does not apply: doc is missing path: "${path}"`);
  within(`error in add for path: '${path}'`, () => add(found[0], found[1], opValue(op)));
}

function opRemove(root: { doc: JSONValue }, op: JSONObject): void {
  const path = readString(op, "path");
  if (path instanceof Error) wrap(errMissing, "remove operation failed to decode path");
  const found = findObject(root, path);
  if (!found) wrap(errMissing, `remove operation does not apply: doc is missing path: "${path}"`);
  within(`error in remove for path: '${path}'`, () => remove(found[0], found[1]));
}

function opReplace(root: { doc: JSONValue }, op: JSONObject): void {
  const path = readString(op, "path");
  if (path instanceof Error) wrap(path.message, "replace operation failed to decode path");
  if (path === "") {
    // Upstream wraps a nil error here, so a scalar value is silently ignored.
    const val = opValue(op);
    if (isObject(val) || Array.isArray(val)) root.doc = val;
    return;
  }
  const found = findObject(root, path);
  if (!found) wrap(errMissing, `replace operation does not apply: doc is missing path: ${path}`);
  try {
    get(found[0], found[1]);
  } catch (e) {
    if (e instanceof OpError)
      wrap(errMissing, `replace operation does not apply: doc is missing key: ${path}`);
    throw e;
  }
  within(`error in remove for path: '${path}'`, () => set(found[0], found[1], opValue(op)));
}

function opMove(root: { doc: JSONValue }, op: JSONObject): void {
  const from = readString(op, "from");
  if (from instanceof Error) wrap(from.message, "move operation failed to decode from");
  const src = findObject(root, from);
  if (!src) wrap(errMissing, `move operation does not apply: doc is missing from path: ${from}`);
  const val = within(`error in move for path: '${src[1]}'`, () => get(src[0], src[1]));
  within(`error in move for path: '${src[1]}'`, () => remove(src[0], src[1]));
  const path = readString(op, "path");
  if (path instanceof Error) wrap(path.message, "move operation failed to decode path");
  const dst = findObject(root, path);
  if (!dst) wrap(errMissing, `move operation does not apply: doc is missing destination path: ${path}`);
  within(`error in move for path: '${path}'`, () => add(dst[0], dst[1], val ?? null));
}

function opTest(root: { doc: JSONValue }, op: JSONObject): void {
  const path = readString(op, "path");
  if (path instanceof Error) wrap(path.message, "test operation failed to decode path");
  const expected = op.value === undefined ? null : op.value;
  if (path === "") {
    if (jsonEqual(root.doc, expected)) return;
    wrap(errTestFailed, `testing value ${path} failed`);
  }
  const found = findObject(root, path);
  if (!found) wrap(errMissing, `test operation does not apply: is missing path: ${path}`);
  const val = within(`error in test for path: '${path}'`, () => get(found[0], found[1]));
  // A missing key and a null both read as nil upstream.
  if (val === undefined || val === null) {
    if (expected === null) return;
    wrap(errTestFailed, `testing value ${path} failed`);
  }
  if (op.value === undefined || !jsonEqual(val, expected))
    wrap(errTestFailed, `testing value ${path} failed`);
}

function opCopy(root: { doc: JSONValue }, op: JSONObject): void {
  const from = readString(op, "from");
  if (from instanceof Error) wrap(from.message, "copy operation failed to decode from");
  const src = findObject(root, from);
  if (!src) wrap(errMissing, `copy operation does not apply: doc is missing from path: ${from}`);
  const val = within(`error in copy for from: '${from}'`, () => get(src[0], src[1]));
  const path = readString(op, "path");
  if (path instanceof Error) wrap(errMissing, "copy operation failed to decode path");
  const dst = findObject(root, path);
  if (!dst) wrap(errMissing, `copy operation does not apply: doc is missing destination path: ${path}`);
  within("error while adding value during copy", () => add(dst[0], dst[1], deepCopyJson(val ?? null)));
}

// lazyNode.equal: objects by keys, arrays by position, scalars by value.
function jsonEqual(a: JSONValue | undefined, b: JSONValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
