// Helpers for defaulting decoded JSON objects in place.
//
// Upstream defaulters run on typed Go structs, so two kinds of "unset" exist:
// a pointer field is unset when nil (absent or null in JSON), a plain field is
// unset when it holds Go's zero value ("" / 0 / false). A field of the wrong
// JSON type is left alone: validation reports it later, defaulting never throws.

import { deepCopyJson } from "../../machinery/deep-copy.ts";

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object at parent[key], or undefined when absent or not an object. */
export function objectAt(parent: JsonObject, key: string): JsonObject | undefined {
  const v = parent[key];
  return isObject(v) ? v : undefined;
}

/**
 * The object at parent[key], created empty when absent or null: a non-pointer
 * struct field in Go always exists, so defaults inside it always materialise.
 * Undefined when the field holds something other than an object.
 */
export function structAt(parent: JsonObject, key: string): JsonObject | undefined {
  const v = parent[key];
  if (v === undefined || v === null) {
    const created: JsonObject = {};
    parent[key] = created;
    return created;
  }
  return isObject(v) ? v : undefined;
}

/** The objects in the array at parent[key]; non-object items are skipped. */
export function objectsAt(parent: JsonObject, key: string): JsonObject[] {
  const v = parent[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Pointer semantics: set when absent or null. */
export function defaultPointer(parent: JsonObject, key: string, value: unknown): void {
  if (isUnset(parent[key])) parent[key] = value;
}

/** Plain string field: set when absent, null or "". */
export function defaultString(parent: JsonObject, key: string, value: string): void {
  const v = parent[key];
  if (isUnset(v) || v === "") parent[key] = value;
}

/** Plain integer field: set when absent, null or 0. */
export function defaultNumber(parent: JsonObject, key: string, value: number): void {
  const v = parent[key];
  if (isUnset(v) || v === 0) parent[key] = value;
}

/** Go's len(map) for a JSON value: 0 for anything that is not a non-empty object. */
export function mapLen(v: unknown): number {
  return isObject(v) ? Object.keys(v).length : 0;
}

/** Go's len(slice) for a JSON value. */
export function sliceLen(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

/** A deep copy of a JSON value, so that defaults never alias another field. */
export function clone<T>(v: T): T {
  return deepCopyJson(v);
}
