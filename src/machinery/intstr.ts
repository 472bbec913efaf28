// intstr.IntOrString (k8s.io/apimachinery/pkg/util/intstr, v1.32): a JSON
// number or string, used by maxSurge, maxUnavailable, targetPort and probes.
// Also the apps validators that check one is a non-negative int or a percentage.

import { type FieldError, GoValue, goQuote, invalid, type Path } from "./field-errors.ts";
import { validateNonnegativeField } from "./object-meta.ts";
import { isValidPercent } from "./validation.ts";

/** IntOrString as it appears in JSON. */
export type IntOrString = number | string;

/** intstr.FromInt. */
export function fromInt(value: number): IntOrString {
  return Math.trunc(value);
}

/** intstr.FromString. */
export function fromString(value: string): IntOrString {
  return value;
}

/** intstr.Parse: an int when the string is one, otherwise the string. */
export function parseIntOrString(value: string): IntOrString {
  const i = atoi(value);
  return i.ok ? i.value : value;
}

/** IntOrString.String(). */
export function intOrStringToString(v: IntOrString): string {
  return typeof v === "string" ? v : String(v);
}

/** IntOrString.IntValue(): a string that is not an int gives 0. */
export function intValue(v: IntOrString): number {
  if (typeof v === "number") return v;
  const i = atoi(v);
  return i.ok ? i.value : 0;
}

const intMax = 2n ** 63n - 1n;
const intMin = -(2n ** 63n);

/** strconv.Atoi, with its error text. */
function atoi(s: string): { ok: true; value: number } | { ok: false; error: string } {
  const syntax = { ok: false as const, error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  if (!/^[+-]?[0-9]+$/.test(s)) return syntax;
  const v = BigInt(s);
  if (v > intMax || v < intMin) {
    return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { ok: true, value: Number(v) };
}

/** True for a string ending in "%" (how upstream tells a percentage apart). */
export function isPercent(v: IntOrString): boolean {
  return typeof v === "string" && v.endsWith("%");
}

/** IsValidPercent's messages for a string that should be a percentage ("" when fine). */
export function validatePercent(s: string): string[] {
  return isValidPercent(s);
}

function getIntOrPercentValueSafely(v: IntOrString): { value: number; isPercent: boolean } {
  if (typeof v === "number") return { value: Math.trunc(v), isPercent: false };
  if (typeof v !== "string") throw new Error("invalid type: neither int nor percentage");
  if (!v.endsWith("%")) throw new Error("invalid type: string is not a percentage");
  const i = atoi(v.slice(0, -1));
  if (!i.ok) throw new Error(`invalid value ${goQuote(v)}: ${i.error}`);
  return { value: i.value, isPercent: true };
}

/**
 * GetScaledValueFromIntOrPercent: an int as is, or a percentage of total,
 * rounded up or down. Throws upstream's error text for anything else.
 */
export function getScaledValueFromIntOrPercent(
  intOrPercent: IntOrString | null | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (intOrPercent === null || intOrPercent === undefined) throw new Error("nil value for IntOrString");
  let r: { value: number; isPercent: boolean };
  try {
    r = getIntOrPercentValueSafely(intOrPercent);
  } catch (e) {
    throw new Error(`invalid value for IntOrString: ${(e as Error).message}`);
  }
  if (!r.isPercent) return r.value;
  // float64 arithmetic, as upstream.
  const scaled = (r.value * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** How %#v prints an IntOrString struct in validation messages. */
export function goIntOrString(v: IntOrString): GoValue {
  if (typeof v === "number") return new GoValue(`intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`);
  return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
}

/** apps ValidatePositiveIntOrPercent: a non-negative int, or a valid percent string. */
export function validatePositiveIntOrPercent(v: IntOrString, fldPath: Path | null): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((msg) => invalid(fldPath, goIntOrString(v), msg));
  if (typeof v === "number") return validateNonnegativeField(v, fldPath);
  return [invalid(fldPath, goIntOrString(String(v)), "must be an integer or percentage (e.g '5%')")];
}

/** apps IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(v: IntOrString, fldPath: Path | null): FieldError[] {
  // Only well-formed percentages are checked; other values are reported elsewhere.
  if (typeof v !== "string" || isValidPercent(v).length !== 0) return [];
  const value = Number.parseInt(v.slice(0, -1), 10);
  if (value <= 100) return [];
  return [invalid(fldPath, v, "must not be greater than 100%")];
}
