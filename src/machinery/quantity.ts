// resource.Quantity, ported from k8s.io/apimachinery/pkg/api/resource
// (quantity.go, suffix.go, amount.go; v1.32). A quantity is an exact decimal
// (BigInt mantissa times a power of ten) plus the format it was written in.
// Parsing, rounding (up to 1n), the BinarySI cap, the canonical String() and
// the "keep the input string when it is already canonical" rule follow upstream,
// quirks included, because clients compare these strings.

/** resource.Format: how a quantity is written back out. */
export const Format = {
  /** 12e6 */
  DecimalExponent: "DecimalExponent",
  /** 12Mi (12 * 2^20) */
  BinarySI: "BinarySI",
  /** 12M (12 * 10^6) */
  DecimalSI: "DecimalSI",
} as const;
export type Format = (typeof Format)[keyof typeof Format];

const splitREString = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/** ErrFormatWrong's text. */
export const errFormatWrong = `quantities must match the regular expression '${splitREString}'`;
/** ErrNumeric's text. */
export const errNumeric = "unable to parse numeric part of quantity";
/** ErrSuffix's text. */
export const errSuffix = "unable to parse quantity's suffix";

/** A quantity string that does not parse; the message is upstream's error text. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantityParseError";
  }
}

const maxInt64 = 2n ** 63n - 1n;
const nanoExp = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function sign(v: bigint): number {
  return v > 0n ? 1 : v < 0n ? -1 : 0;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

export interface QuantityParts {
  positive: boolean;
  /** The numeric part as written (sign included, leading zeros of an all-zero number dropped). */
  value: string;
  /** The integer digits without leading zeros ("0" if none). */
  num: string;
  /** The fraction digits. */
  denom: string;
  suffix: string;
}

// A plain function rather than a closure over `positive`: parsing is hot, and
// a closure would be created on every call.
function quantityParts(
  positive: boolean,
  value: string,
  num: string,
  denom: string,
  suffix: string,
): QuantityParts {
  return { positive, value, num, denom, suffix };
}

/** parseQuantityString: upstream's scanner, which splits number and suffix. */
export function parseQuantityString(str: string): QuantityParts {
  let positive = true;
  let pos = 0;
  const end = str.length;

  if (pos < end) {
    if (str[0] === "-") {
      positive = false;
      pos++;
    } else if (str[0] === "+") {
      pos++;
    }
  }

  // Leading zeros.
  for (let i = pos; ; i++) {
    if (i >= end) return quantityParts(positive, "0", "0", "", "");
    if (str[i] === "0") pos++;
    else break;
  }

  // Integer part.
  let num = "";
  for (let i = pos; ; i++) {
    if (i >= end) return quantityParts(positive, str.slice(0, end), str.slice(pos, end), "", "");
    if (!isDigit(str[i])) {
      num = str.slice(pos, i);
      pos = i;
      break;
    }
  }
  if (num.length === 0) num = "0";

  // Fraction.
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    for (let i = pos; ; i++) {
      if (i >= end) return quantityParts(positive, str.slice(0, end), num, str.slice(pos, end), "");
      if (!isDigit(str[i])) {
        denom = str.slice(pos, i);
        pos = i;
        break;
      }
    }
  }
  const value = str.slice(0, pos);

  // Suffix: letters, then an optional sign and digits (for exponents).
  const suffixStart = pos;
  for (let i = pos; ; i++) {
    if (i >= end) return quantityParts(positive, value, num, denom, str.slice(suffixStart, end));
    if (!"eEinumkKMGTP".includes(str[i])) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  for (let i = pos; ; i++) {
    if (i >= end) return quantityParts(positive, value, num, denom, str.slice(suffixStart, end));
    if (!isDigit(str[i])) break;
  }
  throw new QuantityParseError(errFormatWrong);
}

const decSuffixes = new Map<string, number>([
  ["n", -9],
  ["u", -6],
  ["m", -3],
  ["", 0],
  ["k", 3],
  ["M", 6],
  ["G", 9],
  ["T", 12],
  ["P", 15],
  ["E", 18],
]);
const decSuffixByExp = new Map([...decSuffixes].map(([s, e]) => [e, s]));

const binSuffixes = new Map<string, number>([
  ["Ki", 10],
  ["Mi", 20],
  ["Gi", 30],
  ["Ti", 40],
  ["Pi", 50],
  ["Ei", 60],
]);
const binSuffixByExp = new Map([...binSuffixes].map(([s, e]) => [e, s]));

/** suffixHandler.interpret: base, exponent and format of a suffix, or null. */
function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: Format } | null {
  const d = decSuffixes.get(suffix);
  if (d !== undefined) return { base: 10, exponent: d, format: Format.DecimalSI };
  const b = binSuffixes.get(suffix);
  if (b !== undefined) return { base: 2, exponent: b, format: Format.BinarySI };
  if (suffix.length > 1 && (suffix[0] === "E" || suffix[0] === "e")) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return null;
    const parsed = BigInt(rest);
    if (parsed > maxInt64 || parsed < -maxInt64 - 1n) return null; // strconv.ParseInt range error
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: Format.DecimalExponent };
  }
  return null;
}

/** An exact decimal: unscaled * 10^exp. */
interface Dec {
  u: bigint;
  exp: number;
}

function numDigits(v: bigint): number {
  return v === 0n ? 0 : abs(v).toString().length;
}

function cmpDec(a: Dec, b: Dec): number {
  const sa = sign(a.u);
  const sb = sign(b.u);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Compare orders of magnitude first so huge exponents never get expanded.
  const ma = numDigits(a.u) + a.exp;
  const mb = numDigits(b.u) + b.exp;
  let m: number;
  if (ma !== mb) {
    m = ma < mb ? -1 : 1;
  } else {
    let x = abs(a.u);
    let y = abs(b.u);
    if (a.exp > b.exp) x *= pow10(a.exp - b.exp);
    else y *= pow10(b.exp - a.exp);
    m = x < y ? -1 : x > y ? 1 : 0;
  }
  return m === 0 ? 0 : sa > 0 ? m : -m;
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  if (a.exp === b.exp) return [a.u, b.u, a.exp];
  if (a.exp > b.exp) return [a.u * pow10(a.exp - b.exp), b.u, b.exp];
  return [a.u, b.u * pow10(b.exp - a.exp), a.exp];
}

/** Rounds |d| up (away from zero) to a multiple of 10^exp when it has finer digits. */
function roundUpTo(d: Dec, exp: number): { dec: Dec; exact: boolean } {
  if (d.exp >= exp || d.u === 0n) return { dec: d, exact: true };
  const shift = exp - d.exp;
  const mag = abs(d.u);
  let q: bigint;
  let exact: boolean;
  if (shift > numDigits(mag)) {
    // Every digit is below the target: the magnitude rounds up to one unit.
    q = 1n;
    exact = false;
  } else {
    const div = pow10(shift);
    q = mag / div;
    exact = mag % div === 0n;
    if (!exact) q += 1n;
  }
  return { dec: { u: d.u < 0n ? -q : q, exp }, exact };
}

function removeFactors(v: bigint, base: bigint): [bigint, number] {
  let times = 0;
  let r = abs(v);
  while (r >= base && r % base === 0n) {
    r /= base;
    times++;
  }
  return [v < 0n ? -r : r, times];
}

/** Mantissa and exponent (a multiple of 3) with trailing zeros folded in: AsCanonicalBytes. */
function asCanonical(d: Dec): [string, number] {
  let u = d.u;
  let exp = d.exp;
  while (u !== 0n && u % 10n === 0n) {
    u /= 10n;
    exp++;
  }
  while (exp % 3 !== 0) {
    u *= 10n;
    exp--;
  }
  return [u.toString(), exp];
}

/** math.Pow10. */
function goPow10(n: number): number {
  if (n > 308) return Number.POSITIVE_INFINITY;
  if (n < -323) return 0;
  if (n >= 0) return Number(`1e${Math.floor(n / 32) * 32}`) * Number(`1e${n % 32}`);
  const m = -n;
  return Number(`1e-${Math.floor(m / 32) * 32}`) / Number(`1e${m % 32}`);
}

/**
 * A fixed-point quantity such as `500m`, `1Gi` or `1e3`. Immutable: arithmetic
 * returns new quantities. JSON form is the canonical string.
 */
export class Quantity {
  private cached: string | undefined;

  private constructor(
    private readonly d: Dec,
    readonly format: Format,
    cached?: string,
  ) {
    this.cached = cached;
  }

  /** ParseQuantity: throws QuantityParseError with upstream's message. */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityParseError(errFormatWrong);
    if (str === "0") return new Quantity({ u: 0n, exp: 0 }, Format.DecimalSI, str);

    const { positive, num, denom, suffix } = parseQuantityString(str);
    const interp = interpretSuffix(suffix);
    if (interp === null) throw new QuantityParseError(errSuffix);
    const { base, exponent } = interp;
    let format = interp.format;

    // Upstream's int64 fast path keeps the input string when it is already in
    // canonical form; work out whether it would have been taken.
    let canonicalInput = false;
    let precision: number;
    let mantissa = 1n;
    if (format === Format.BinarySI) {
      if (exponent >= 0 && denom.length === 0) {
        mantissa = 1n << BigInt(exponent);
        precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
      } else {
        precision = -1;
      }
    } else {
      precision = 18 - (num.length + denom.length);
    }
    if (precision >= 0) {
      const scale = (format === Format.BinarySI ? 0 : exponent) - denom.length;
      if (scale >= nanoExp) {
        const shifted = num + denom;
        const v = BigInt(shifted);
        if (v * mantissa <= maxInt64) {
          if (format === Format.BinarySI) {
            canonicalInput = exponent % 10 === 0 && (v & 7n) !== 0n;
          } else {
            canonicalInput = scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
          }
        }
      }
    }

    // The exact value.
    let d: Dec = { u: BigInt(num + denom), exp: -denom.length };
    if (base === 10) d.exp += exponent;
    else d.u <<= BigInt(exponent);

    // Round non-zero values up to 1n: asking for a little should give a little.
    d = roundUpTo(d, nanoExp).dec;
    // BinarySI is capped at the largest int64.
    if (format === Format.BinarySI && cmpDec(d, { u: maxInt64, exp: 0 }) > 0) d = { u: maxInt64, exp: 0 };
    // A fraction below 1 cannot be written in BinarySI without rounding.
    if (format === Format.BinarySI && d.u !== 0n && cmpDec(d, { u: 1n, exp: 0 }) < 0)
      format = Format.DecimalSI;
    if (!positive) d = { u: -d.u, exp: d.exp };

    return new Quantity(d, format, canonicalInput ? str : undefined);
  }

  /** MustParse for constants known to be valid. */
  static mustParse(str: string): Quantity {
    try {
      return Quantity.parse(str);
    } catch (e) {
      throw new Error(`cannot parse '${str}': ${(e as Error).message}`);
    }
  }

  /** NewQuantity: an integer value in the given format. */
  static fromInt(value: number | bigint, format: Format): Quantity {
    return new Quantity({ u: BigInt(value), exp: 0 }, format);
  }

  /** NewMilliQuantity: value/1000 in the given format. */
  static fromMilli(value: number | bigint, format: Format): Quantity {
    return new Quantity({ u: BigInt(value), exp: -3 }, format);
  }

  /** NewScaledQuantity: value * 10^scale in DecimalSI. */
  static fromScaled(value: number | bigint, scale: number): Quantity {
    return new Quantity({ u: BigInt(value), exp: scale }, Format.DecimalSI);
  }

  /** An exact decimal unscaled * 10^exponent in the given format. */
  static fromDecimal(unscaled: bigint, exponent: number, format: Format): Quantity {
    return new Quantity({ u: unscaled, exp: exponent }, format);
  }

  /** UnmarshalJSON: a JSON string (trimmed) or number. */
  static fromJSON(v: unknown): Quantity {
    if (typeof v === "number") return Quantity.parse(String(v));
    if (typeof v === "string") return Quantity.parse(v.trim());
    throw new QuantityParseError(errFormatWrong);
  }

  isZero(): boolean {
    return this.d.u === 0n;
  }

  /** -1, 0 or 1. */
  sign(): number {
    return sign(this.d.u);
  }

  /** Cmp: -1, 0 or 1. */
  cmp(y: Quantity): number {
    return cmpDec(this.d, y.d);
  }

  /** CmpInt64. */
  cmpInt(y: number | bigint): number {
    return cmpDec(this.d, { u: BigInt(y), exp: 0 });
  }

  /** Semantic equality (apiequality.Semantic compares quantities by value). */
  equals(y: Quantity): boolean {
    return this.cmp(y) === 0;
  }

  /** Add: the sum; a zero receiver takes y's format. */
  add(y: Quantity): Quantity {
    const [a, b, exp] = align(this.d, y.d);
    return new Quantity({ u: a + b, exp }, this.isZero() ? y.format : this.format);
  }

  /** Sub: the difference; a zero receiver takes y's format. */
  sub(y: Quantity): Quantity {
    const [a, b, exp] = align(this.d, y.d);
    return new Quantity({ u: a - b, exp }, this.isZero() ? y.format : this.format);
  }

  /** Mul by an integer. */
  mul(n: number | bigint): Quantity {
    return new Quantity({ u: this.d.u * BigInt(n), exp: this.d.exp }, this.format);
  }

  neg(): Quantity {
    return new Quantity({ u: -this.d.u, exp: this.d.exp }, this.format);
  }

  /**
   * ScaledValue: the value in units of 10^scale, rounded up (away from zero,
   * as upstream's int64 path does). Exact, where Go would overflow int64.
   */
  scaledValue(scale: number): bigint {
    const rel = this.d.exp - scale;
    if (rel >= 0) {
      if (rel > 4096) throw new RangeError("quantity too large to scale");
      return this.d.u * pow10(rel);
    }
    return roundUpTo({ u: this.d.u, exp: rel }, 0).dec.u;
  }

  /** Value: the integer value, rounded up. */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** MilliValue: ceil(q * 1000). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** AsApproximateFloat64. */
  asApproximateFloat64(): number {
    const base = Number(this.d.u);
    if (this.d.exp === 0) return base;
    return base * goPow10(this.d.exp);
  }

  /** The exact value as a plain decimal string (e.g. "0.5", "1048576"), for debugging. */
  toDecimalString(): string {
    const { u, exp } = this.d;
    if (exp >= 0) return (u * pow10(exp)).toString();
    const digits = abs(u)
      .toString()
      .padStart(-exp + 1, "0");
    const int = digits.slice(0, digits.length + exp);
    const frac = digits.slice(digits.length + exp).replace(/0+$/, "");
    return `${u < 0n ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
  }

  /** String: the canonical form (or the input, when it was already canonical). */
  toString(): string {
    if (this.cached === undefined) {
      const [number, suffix] = this.canonicalize();
      this.cached = number + suffix;
    }
    return this.cached;
  }

  toJSON(): string {
    return this.toString();
  }

  /** CanonicalizeBytes: number and suffix of the canonical form. */
  private canonicalize(): [string, string] {
    if (this.isZero()) return ["0", ""];
    let format: Format = this.format;
    let integer: bigint | undefined;
    switch (format) {
      case Format.DecimalExponent:
      case Format.DecimalSI:
        break;
      case Format.BinarySI:
        if (this.cmpInt(-1024) > 0 && this.cmpInt(1024) < 0) {
          format = Format.DecimalSI;
        } else {
          const r = roundUpTo(this.d, 0);
          if (!r.exact) format = Format.DecimalSI;
          else integer = r.dec.exp > 0 ? r.dec.u * pow10(r.dec.exp) : r.dec.u;
        }
        break;
      default:
        format = Format.DecimalExponent;
    }
    if (format === Format.BinarySI && integer !== undefined) {
      const [amount, times] = removeFactors(integer, 1024n);
      // Like upstream, an exponent without a suffix (2^0, or beyond Ei) prints none.
      return [amount.toString(), binSuffixByExp.get(times * 10) ?? ""];
    }
    const [number, exponent] = asCanonical(this.d);
    if (format === Format.DecimalExponent) return [number, exponent === 0 ? "" : `e${exponent}`];
    // Upstream prints no suffix for a DecimalSI exponent beyond E (e.g. 1000E -> "1"); kept as is.
    return [number, decSuffixByExp.get(exponent) ?? ""];
  }
}

/** ParseQuantity. */
export function parseQuantity(str: string): Quantity {
  return Quantity.parse(str);
}

/** MustParse. */
export function mustParse(str: string): Quantity {
  return Quantity.mustParse(str);
}
