// resource.Quantity's canonical String() (k8s.io/apimachinery/pkg/api/resource), which the printers use for
// capacities and quota: "1000" prints as "1k", "2048Mi" as "2Gi", "0.5" as "500m", "1.5Gi" as "1536Mi".
// Kept local to the printers; values are exact (BigInt mantissa and a power-of-ten exponent).

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_BY_EXPONENT: Record<number, string> = Object.fromEntries(
  Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]),
);
const BINARY_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

interface Parsed {
  mantissa: bigint;
  exponent: number; // value = mantissa * 10^exponent
  format: Format;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function parse(input: string): Parsed | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(input);
  if (!m) return null;
  const [, sign, whole, frac = "", suffix] = m;
  if (whole.length + frac.length === 0) return null;
  let mantissa = BigInt(`${whole}${frac}` || "0");
  if (sign === "-") mantissa = -mantissa;
  let exponent = -frac.length;
  let format: Format;
  if (suffix in BINARY_SUFFIXES) {
    format = "BinarySI";
    mantissa *= 1n << BigInt(10 * BINARY_SUFFIXES[suffix]);
  } else if (suffix in DECIMAL_SUFFIXES) {
    format = "DecimalSI";
    exponent += DECIMAL_SUFFIXES[suffix];
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = "DecimalExponent";
    exponent += Number.parseInt(suffix.slice(1), 10);
  } else {
    return null;
  }
  // Quantities keep nano precision; anything finer is rounded up (away from zero).
  if (exponent < -9) {
    const divisor = pow10(-9 - exponent);
    const negative = mantissa < 0n;
    const abs = negative ? -mantissa : mantissa;
    let q = abs / divisor;
    if (abs % divisor !== 0n) q += 1n;
    mantissa = negative ? -q : q;
    exponent = -9;
  }
  return { mantissa, exponent, format };
}

/** The integer value when it is exact at scale 0, else null. */
function asInteger(p: Parsed): bigint | null {
  if (p.exponent >= 0) return p.mantissa * pow10(p.exponent);
  const d = pow10(-p.exponent);
  return p.mantissa % d === 0n ? p.mantissa / d : null;
}

function decimalString(p: Parsed, format: Format): string {
  let { mantissa, exponent } = p;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  // Bring the exponent down to a multiple of 3.
  const r = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(r);
  exponent -= r;
  let suffix: string;
  if (format === "DecimalSI" && exponent in DECIMAL_BY_EXPONENT) suffix = DECIMAL_BY_EXPONENT[exponent];
  else suffix = exponent === 0 ? "" : `e${exponent}`;
  return `${mantissa}${suffix}`;
}

/** Quantity.String() of a serialized quantity; absent values are the zero Quantity ("0"). */
export function formatQuantity(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "0";
  const text = String(value);
  const p = parse(text);
  if (!p) return text;
  if (p.mantissa === 0n) return "0";
  if (p.format === "BinarySI") {
    const int = asInteger(p);
    // Small or fractional binary quantities print in DecimalSI rather than lose precision.
    if (int === null || (int > -1024n && int < 1024n)) return decimalString(p, "DecimalSI");
    let v = int;
    let power = 0;
    while (v % 1024n === 0n && power < BINARY_BY_POWER.length - 1) {
      v /= 1024n;
      power++;
    }
    return `${v}${BINARY_BY_POWER[power]}`;
  }
  return decimalString(p, p.format);
}

/** intstr.IntOrString.String(). */
export function formatIntOrString(value: number | string): string {
  return typeof value === "number" ? String(Math.trunc(value)) : value;
}
