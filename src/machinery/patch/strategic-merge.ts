// Strategic merge patch, applied the way the apiserver applies it:
// apimachinery/pkg/util/strategicpatch/patch.go StrategicMergeMapPatch
// (MergeParallelList and IgnoreUnmatchedNulls on). The functions below keep
// upstream's names and order of operations, because list order in the result
// depends on them; errors carry upstream's texts.
//
// Directives: `$patch: replace|delete` in maps and list items, `$retainKeys`,
// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`; lists with
// patch strategy "merge" merge by their merge key (or as sets of scalars);
// `null` deletes a key. Computing a patch (two/three-way diff) is kubectl's
// side and is not here.

import { deepCopyJson } from "../deep-copy.ts";
import { goFormat, goTypeName } from "./go-format.ts";
import { genericInvalidMessage, PatchError } from "./patch-error.ts";
import type { PatchField, PatchSchema } from "./patch-schema.ts";

export type JSONValue = null | boolean | number | string | JSONValue[] | JSONObject;
export type JSONObject = { [key: string]: JSONValue };

const directiveMarker = "$patch";
const deleteDirective = "delete";
const replaceDirective = "replace";
const mergeDirective = "merge";
const retainKeysStrategy = "retainKeys";
const deleteFromPrimitiveListDirectivePrefix = "$deleteFromPrimitiveList";
const retainKeysDirective = "$retainKeys";
const setElementOrderDirectivePrefix = "$setElementOrder";

// apimachinery/pkg/util/mergepatch/errors.go
export const errBadJSONDoc = "invalid JSON document";
export const errNoListOfLists = "lists of lists are not supported";
export const errBadPatchFormatForPrimitiveList = "invalid patch format of primitive list";
export const errBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
export const errBadPatchFormatForSetElementOrderList = "invalid patch format of setElementOrder list";
export const errPatchContentNotMatchRetainKeys = "patch content doesn't match retainKeys list";

// interpretStrategicMergePatchError in the apiserver's patch handler.
function fail(message: string): never {
  switch (message) {
    case errBadJSONDoc:
    case errBadPatchFormatForPrimitiveList:
    case errBadPatchFormatForRetainKeys:
    case errBadPatchFormatForSetElementOrderList:
      throw new PatchError(message, 400);
    case errNoListOfLists:
    case errPatchContentNotMatchRetainKeys:
      throw new PatchError(message, 422, genericInvalidMessage);
    default:
      throw new PatchError(message, 500);
  }
}

const errNoMergeKey = (m: JSONObject, k: string) =>
  `map: ${goFormat(m)} does not contain declared merge key: ${k}`;
const errBadArgType = (expected: string, actual: unknown) =>
  `expected a ${expected}, but received a ${goTypeName(actual)}`;
const errBadPatchType = (t: unknown, m: JSONObject) =>
  `unknown patch type: ${goString(t)} in map: ${goFormat(m)}`;
const mapType = "map[string]interface {}";
const sliceType = "[]interface {}";

// fmt's %s of an interface value.
function goString(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "%!s(<nil>)";
  return `%!s(${goTypeName(v)}=${goFormat(v)})`;
}

function isMap(v: unknown): v is JSONObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasOwn(o: object, k: string): boolean {
  return Object.hasOwn(o, k);
}

// Plain assignment would set the prototype for "__proto__".
function setKey(o: JSONObject, k: string, v: JSONValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// reflect.TypeOf as upstream compares it (whole numbers decode as int64).
function typeKey(v: JSONValue): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "slice";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (typeof v === "object") return "map";
  return typeof v;
}

const noMeta: PatchField = { strategies: [], mergeKey: "", schema: undefined };

function lookup(schema: PatchSchema | undefined, key: string): PatchField {
  return schema?.field(key) ?? noMeta;
}

/**
 * Applies a strategic merge patch to `original` and returns the result.
 * Neither argument is modified. `patch` is the decoded request body; a body
 * that is not a JSON object is rejected as upstream's json.Unmarshal does.
 */
export function strategicMergePatch(
  original: JSONObject,
  patch: unknown,
  schema: PatchSchema | undefined,
): JSONObject {
  if (patch === null || patch === undefined) return deepCopyJson(original);
  if (!isMap(patch)) {
    throw new PatchError(`json: cannot unmarshal ${goJSONKind(patch)} into Go value of type ${mapType}`, 400);
  }
  return mergeMap(deepCopyJson(original), deepCopyJson(patch), schema);
}

function goJSONKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** extractRetainKeysPatchStrategy: whether retainKeys is set, and the other strategy. */
export function extractRetainKeysPatchStrategy(strategies: readonly string[]): [boolean, string] {
  switch (strategies.length) {
    case 0:
      return [false, ""];
    case 1:
      return strategies[0] === retainKeysStrategy ? [true, ""] : [false, strategies[0]];
    case 2:
      if (strategies[0] === retainKeysStrategy) return [true, strategies[1]];
      if (strategies[1] === retainKeysStrategy) return [true, strategies[0]];
      return fail(`unexpected patch strategy: ${goFormat(strategies)}`);
    default:
      return fail(`unexpected patch strategy: ${goFormat(strategies)}`);
  }
}

function mergeMap(
  original: JSONObject | null,
  patch: JSONObject,
  schema: PatchSchema | undefined,
): JSONObject {
  if (hasOwn(patch, directiveMarker)) return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  const orig: JSONObject = original ?? {};

  applyRetainKeysDirective(orig, patch);
  // Handles $setElementOrder lists and the lists they order, removing both from patch.
  mergePatchIntoOriginal(orig, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(deleteFromPrimitiveListDirectivePrefix)) {
      k = extractKey(patchKey, deleteFromPrimitiveListDirectivePrefix);
      isDeleteList = true;
    }

    // null deletes the key; unmatched nulls are not kept (IgnoreUnmatchedNulls).
    if (patchV === null) {
      delete orig[k];
      continue;
    }
    if (!hasOwn(orig, k)) {
      if (!isDeleteList) setKey(orig, k, patchV);
      continue;
    }
    const origV = orig[k];
    if (typeKey(origV) !== typeKey(patchV)) {
      if (!isDeleteList) setKey(orig, k, patchV);
      continue;
    }
    if (isMap(origV)) {
      const meta = lookup(schema, k);
      const [, patchStrategy] = extractRetainKeysPatchStrategy(meta.strategies);
      setKey(orig, k, mergeMapHandler(origV, patchV, meta.schema, patchStrategy));
    } else if (Array.isArray(origV)) {
      const meta = lookup(schema, k);
      const [, patchStrategy] = extractRetainKeysPatchStrategy(meta.strategies);
      setKey(
        orig,
        k,
        mergeSliceHandler(origV, patchV, meta.schema, patchStrategy, meta.mergeKey, isDeleteList),
      );
    } else {
      setKey(orig, k, patchV);
    }
  }
  return orig;
}

function handleDirectiveInMergeMap(directive: JSONValue, patch: JSONObject): JSONObject {
  if (directive === replaceDirective) {
    // Use the patch itself: the map is replaced, not merged.
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === deleteDirective) return {};
  return fail(errBadPatchType(directive, patch));
}

// $retainKeys: clear every key of original not in the list, after checking
// that the patch itself only sets keys from the list.
function applyRetainKeysDirective(original: JSONObject, patch: JSONObject): void {
  if (!hasOwn(patch, retainKeysDirective)) return;
  const retainKeysInPatch = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retainKeysInPatch)) fail(errBadPatchFormatForRetainKeys);
  const retain = new Set<unknown>(retainKeysInPatch);
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null ||
      k.startsWith(deleteFromPrimitiveListDirectivePrefix) ||
      k.startsWith(setElementOrderDirectivePrefix)
    ) {
      continue;
    }
    if (!retain.has(k)) fail(errBadPatchFormatForRetainKeys);
  }
  for (const k of Object.keys(original)) {
    if (!retain.has(k)) delete original[k];
  }
}

// $setElementOrder/<list>: merge the list (if patched) and order the result:
// the directive's order first, then the patch list's, then the live list's.
function mergePatchIntoOriginal(
  original: JSONObject,
  patch: JSONObject,
  schema: PatchSchema | undefined,
): void {
  for (const key of Object.keys(patch)) {
    if (!hasOwn(patch, key) || !key.startsWith(setElementOrderDirectivePrefix)) continue;
    const setElementOrderInPatch = patch[key];
    delete patch[key];

    if (!Array.isArray(setElementOrderInPatch)) fail(errBadArgType(sliceType, setElementOrderInPatch));
    const originalKey = extractKey(key, setElementOrderDirectivePrefix);
    const foundOriginal = hasOwn(original, originalKey);
    const foundPatch = hasOwn(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    let originalFieldValue: JSONValue[] = [];
    let patchFieldValue: JSONValue[] = [];
    if (foundOriginal) {
      if (!Array.isArray(originalList)) fail(errBadArgType(sliceType, originalList));
      originalFieldValue = originalList;
    }
    if (foundPatch) {
      if (!Array.isArray(patchList)) fail(errBadArgType(sliceType, patchList));
      patchFieldValue = patchList;
    }
    const meta = lookup(schema, originalKey);
    const [, patchStrategy] = extractRetainKeysPatchStrategy(meta.strategies);
    const mergeKey = meta.mergeKey;
    validatePatchWithSetOrderList(patchFieldValue, setElementOrderInPatch, mergeKey);

    let merged: JSONValue[];
    if (foundOriginal && !foundPatch) merged = originalFieldValue;
    else if (!foundOriginal && foundPatch) merged = patchFieldValue;
    else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(
        originalFieldValue,
        patchFieldValue,
        meta.schema,
        patchStrategy,
        mergeKey,
        false,
      );
    } else continue;

    const [patchItems, serverOnlyItems] =
      mergeKey === ""
        ? partitionPrimitivesByPresentInList(merged, setElementOrderInPatch)
        : partitionMapsByPresentInList(merged, setElementOrderInPatch, mergeKey);
    const kind = sliceElementType(originalFieldValue, patchFieldValue);
    setKey(
      original,
      originalKey,
      normalizeElementOrder(
        patchItems,
        serverOnlyItems,
        setElementOrderInPatch,
        originalFieldValue,
        mergeKey,
        kind,
      ),
    );
    delete patch[originalKey];
  }
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf("/");
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListDirectivePrefix) fail(errBadPatchFormatForPrimitiveList);
    if (prefix === setElementOrderDirectivePrefix) fail(errBadPatchFormatForSetElementOrderList);
    fail(`fail to find unknown prefix "${prefix}" in ${s}\n`);
  }
  return s.slice(slash + 1);
}

// Checks that the patch list names its (non-deleted) items in the order of
// the $setElementOrder list.
function validatePatchWithSetOrderList(
  patchList: JSONValue[],
  setOrderList: JSONValue[],
  mergeKey: string,
): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDeleteList = mergeKey !== "" ? extractToDeleteItems(patchList)[0] : patchList;
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    if (containsDirectiveMarker(nonDeleteList[patchIndex])) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(nonDeleteList[patchIndex], setOrderList[setOrderIndex], mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    fail(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderDirectivePrefix} list:\n${goFormat(setOrderList)}\n`,
    );
  }
}

function containsDirectiveMarker(item: JSONValue): boolean {
  return isMap(item) && hasOwn(item, directiveMarker);
}

function mergeKeyValueEqual(left: JSONValue, right: JSONValue, mergeKey: string): boolean {
  if (mergeKey === "") return left === right;
  if (!isMap(left)) fail(errBadArgType(mapType, left));
  if (!isMap(right)) fail(errBadArgType(mapType, right));
  if (!hasOwn(left, mergeKey)) fail(errNoMergeKey(left, mergeKey));
  if (!hasOwn(right, mergeKey)) fail(errNoMergeKey(right, mergeKey));
  return left[mergeKey] === right[mergeKey];
}

function mergeMapHandler(
  original: JSONObject,
  patch: JSONValue,
  schema: PatchSchema | undefined,
  patchStrategy: string,
): JSONObject {
  if (!isMap(patch)) fail(errBadArgType(mapType, patch));
  if (patchStrategy !== replaceDirective) return mergeMap(original, patch, schema);
  return patch;
}

function mergeSliceHandler(
  original: JSONValue,
  patch: JSONValue,
  schema: PatchSchema | undefined,
  patchStrategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): JSONValue[] {
  if (!Array.isArray(original)) fail(errBadArgType(sliceType, original));
  if (!Array.isArray(patch)) fail(errBadArgType(sliceType, patch));
  if (patchStrategy === mergeDirective) return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(
  originalIn: JSONValue[],
  patchIn: JSONValue[],
  schema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): JSONValue[] {
  if (originalIn.length === 0 && patchIn.length === 0) return originalIn;
  let original = originalIn.slice();
  let patch = patchIn;
  const kind = sliceElementType(original, patch);

  let merged: JSONValue[];
  if (kind !== "map") {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === "") fail(`cannot merge lists without merge key for ${schema ? "struct" : "interface"}`);
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, schema);
  }

  const [patchItems, serverOnlyItems] =
    mergeKey === ""
      ? partitionPrimitivesByPresentInList(merged, patch)
      : partitionMapsByPresentInList(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnlyItems, patch, original, mergeKey, kind);
}

// Items with `$patch: delete` remove every item with that merge key;
// `$patch: replace` makes the rest of the patch list the whole list.
function mergeSliceWithSpecialElements(
  original: JSONValue[],
  patch: JSONValue[],
  mergeKey: string,
): [JSONValue[], JSONValue[]] {
  const patchWithoutSpecialElements: JSONValue[] = [];
  let replace = false;
  for (const v of patch) {
    const typedV = v as JSONObject;
    if (!hasOwn(typedV, directiveMarker)) {
      patchWithoutSpecialElements.push(v);
      continue;
    }
    const patchType = typedV[directiveMarker];
    if (patchType === deleteDirective) {
      if (!hasOwn(typedV, mergeKey)) fail(errNoMergeKey(typedV, mergeKey));
      const mergeValue = typedV[mergeKey];
      original = original.filter(
        (o) => !(hasOwn(o as JSONObject, mergeKey) && (o as JSONObject)[mergeKey] === mergeValue),
      );
    } else if (patchType === replaceDirective) {
      // Keep going, to drop any other $patch elements.
      replace = true;
    } else if (patchType === mergeDirective) {
      fail("merging lists cannot yet be specified in the patch");
    } else {
      fail(errBadPatchType(patchType, typedV));
    }
  }
  if (replace) return [patchWithoutSpecialElements, []];
  return [original, patchWithoutSpecialElements];
}

function mergeSliceWithoutSpecialElements(
  original: JSONValue[],
  patch: JSONValue[],
  mergeKey: string,
  schema: PatchSchema | undefined,
): JSONValue[] {
  for (const v of patch) {
    const typedV = v as JSONObject;
    if (!hasOwn(typedV, mergeKey)) fail(errNoMergeKey(typedV, mergeKey));
    const mergeValue = typedV[mergeKey];
    const i = findMapInSliceBasedOnKeyValue(original, mergeKey, mergeValue);
    if (i >= 0) original[i] = mergeMap(original[i] as JSONObject, typedV, schema);
    else original.push(v);
  }
  return original;
}

function findMapInSliceBasedOnKeyValue(m: JSONValue[], key: string, value: JSONValue): number {
  for (let i = 0; i < m.length; i++) {
    const typedV = m[i];
    if (!isMap(typedV)) fail(`value for key ${i} is not a map`);
    if (hasOwn(typedV, key) && typedV[key] === value) return i;
  }
  return -1;
}

function deleteFromSlice(current: JSONValue[], toDelete: JSONValue[]): JSONValue[] {
  const del = new Set<JSONValue>(toDelete);
  return current.filter((v) => !del.has(v));
}

// Upstream's in-place de-duplication; its element order is kept because the
// later stable sorts can depend on it.
function deduplicateScalars(s: JSONValue[]): JSONValue[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function sliceElementType(...slices: JSONValue[][]): string {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = typeKey(v);
      if (prev === undefined) {
        prev = t;
        if (t === "slice") fail(errNoListOfLists);
      } else if (prev !== t) {
        fail(`list element types are not identical: ${goFormat(slices)}`);
      }
    }
  }
  if (prev === undefined) fail("no elements in any of the given slices");
  return prev;
}

function partitionPrimitivesByPresentInList(
  original: JSONValue[],
  partitionBy: JSONValue[],
): [JSONValue[], JSONValue[]] {
  const inPatch = new Set<JSONValue>(partitionBy);
  const patch: JSONValue[] = [];
  const serverOnly: JSONValue[] = [];
  for (const v of original) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(
  original: JSONValue[],
  partitionBy: JSONValue[],
  mergeKey: string,
): [JSONValue[], JSONValue[]] {
  const patch: JSONValue[] = [];
  const serverOnly: JSONValue[] = [];
  for (const v of original) {
    if (!isMap(v)) fail(errBadArgType(mapType, v));
    if (!hasOwn(v, mergeKey)) fail(errNoMergeKey(v, mergeKey));
    const found = findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v[mergeKey]) >= 0;
    (found ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

function extractToDeleteItems(l: JSONValue[]): [JSONValue[], JSONValue[]] {
  const nonDelete: JSONValue[] = [];
  const toDelete: JSONValue[] = [];
  for (const v of l) {
    if (!isMap(v)) fail(errBadArgType(mapType, v));
    if (hasOwn(v, directiveMarker) && v[directiveMarker] === deleteDirective) toDelete.push(v);
    else nonDelete.push(v);
  }
  return [nonDelete, toDelete];
}

function validateMergeKeyInLists(mergeKey: string, ...lists: JSONValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) fail(errBadArgType(mapType, item));
      if (!hasOwn(item, mergeKey)) fail(errNoMergeKey(item, mergeKey));
    }
  }
}

// Position of each item (by merge key value for maps) in a list: upstream's
// index(), precomputed.
function positions(list: JSONValue[], mergeKey: string, kind: string): (v: JSONValue) => number {
  const key = (item: JSONValue): unknown =>
    kind === "map" ? (isMap(item) ? (item[mergeKey] ?? null) : null) : item;
  const pos = new Map<unknown, number>();
  list.forEach((item, i) => {
    const k = key(item);
    if (!pos.has(k)) pos.set(k, i);
  });
  return (v) => pos.get(key(v)) ?? -1;
}

// Sorts `patch` items by patchOrder and server-only items by serverOrder,
// then interleaves them.
function normalizeElementOrder(
  patch: JSONValue[],
  serverOnly: JSONValue[],
  patchOrder: JSONValue[],
  serverOrder: JSONValue[],
  mergeKey: string,
  kind: string,
): JSONValue[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServerOnly = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServerOnly, sortedPatch, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(
  toSortIn: JSONValue[],
  order: JSONValue[],
  mergeKey: string,
  kind: string,
): JSONValue[] {
  let toSort = toSortIn.slice();
  let toDelete: JSONValue[] = [];
  if (kind === "map") {
    validateMergeKeyInLists(mergeKey, toSort, order);
    [toSort, toDelete] = extractToDeleteItems(toSort);
  }
  const indexOf = positions(order, mergeKey, kind);
  // Upstream's less is not a strict order when an item is missing from
  // `order`, so the result depends on Go's exact stable sort algorithm.
  goSliceStable(toSort, (a, b) => {
    const ia = indexOf(a);
    if (ia >= 0) {
      const ib = indexOf(b);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...toSort, ...toDelete];
}

// Inserts each item of `left` into `right` by their order in serverOrder,
// keeping the relative order within each list.
function mergeSortedSlice(
  left: JSONValue[],
  right: JSONValue[],
  serverOrder: JSONValue[],
  mergeKey: string,
  kind: string,
): JSONValue[] {
  const indexOf = positions(serverOrder, mergeKey, kind);
  const size = left.length + right.length;
  const s: JSONValue[] = new Array(size);
  let i = 0;
  let j = 0;
  for (let k = 0; k < size; k++) {
    if (i >= left.length && j < right.length) {
      s[k] = right[j++];
    } else if (j >= right.length && i < left.length) {
      s[k] = left[i++];
    } else {
      const li = indexOf(left[i]);
      const ri = indexOf(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) s[k] = left[i++];
      else s[k] = right[j++];
    }
  }
  return s;
}

// Go's sort.SliceStable (insertion sort in blocks of 20, then SymMerge),
// reproduced so that a non-strict `less` orders items as upstream does.
function goSliceStable<T>(data: T[], less: (a: T, b: T) => boolean): void {
  const n = data.length;
  const lessAt = (i: number, j: number) => less(data[i], data[j]);
  const swap = (i: number, j: number) => {
    const t = data[i];
    data[i] = data[j];
    data[j] = t;
  };
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
    }
  };
  const swapRange = (a: number, b: number, count: number) => {
    for (let i = 0; i < count; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number) => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const nn = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = nn - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = nn - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = nn - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };

  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}
