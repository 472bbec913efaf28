// apiequality.Semantic.DeepEqual over JSON values: quantities compare by value,
// times by instant, and (as in Kubernetes' forked reflect.DeepEqual) an empty
// slice or map equals a nil one. JSON cannot tell a nil pointer from an
// absent field, so an absent field also equals its Go zero value here.

import type { DecodeType } from "../strict-decode.ts";
import { quantityFromJSON } from "./quantity-memo.ts";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True for values Go would hold as a zero value (or nil) after decoding. */
export function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isZeroValue);
  return false;
}

function sameQuantity(a: unknown, b: unknown): boolean | undefined {
  try {
    return quantityFromJSON(a).cmp(quantityFromJSON(b)) === 0;
  } catch {
    return undefined;
  }
}

function fieldType(t: DecodeType | undefined, key: string): DecodeType | undefined {
  if (!t) return undefined;
  if (t.kind === "struct") return t.field(key);
  if (t.kind === "map") return t.elem;
  return undefined;
}

function sameEntry(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  k: string,
  t: DecodeType | undefined,
): boolean {
  // A map entry present on one side only is a difference even when its value is empty.
  if (t?.kind === "map" && Object.hasOwn(a, k) !== Object.hasOwn(b, k)) return false;
  return semanticEqual(a[k], b[k], fieldType(t, k));
}

/** Semantic deep equality of two JSON values, guided by their decode type when known. */
export function semanticEqual(a: unknown, b: unknown, t?: DecodeType): boolean {
  if (a === b) return true;
  const aZero = a === undefined || a === null;
  const bZero = b === undefined || b === null;
  if (aZero || bZero) return isZeroValue(aZero ? b : a);
  if (t?.kind === "quantity") {
    const q = sameQuantity(a, b);
    if (q !== undefined) return q;
  }
  if (t?.kind === "time" && typeof a === "string" && typeof b === "string") {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return Math.trunc(ta / 1000) === Math.trunc(tb / 1000);
  }
  // Two different scalars: most fields, and nothing below applies to them.
  if (typeof a !== "object" && typeof b !== "object") return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const elem = t?.kind === "list" ? t.elem : undefined;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i], elem)) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      (Array.isArray(a) ? a.length === 0 : isZeroValue(a)) &&
      (Array.isArray(b) ? b.length === 0 : isZeroValue(b))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    // The keys of a, then those only b has.
    for (const k of Object.keys(a)) if (!sameEntry(a, b, k, t)) return false;
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k) && !sameEntry(a, b, k, t)) return false;
    return true;
  }
  return false;
}
