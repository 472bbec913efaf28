// Just enough of resource.Quantity to compare and add amounts, for the QoS class
// computed at pod creation: a quantity is read into an exact count of nano-units.
// (Formatting and canonical serialization are not needed here.)

const quantityPattern = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const binaryExponent: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const decimalExponent: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** The amount in nano-units (1e-9), rounded up as Quantity rounds sub-nano amounts; undefined if malformed. */
export function quantityNanos(value: unknown): bigint | undefined {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string") return undefined;
  // Every pod create reads its requests and limits (QoS class); the same few
  // strings ("100m", "128Mi") recur, and the BigInt arithmetic is the cost.
  if (nanosCache.has(text)) return nanosCache.get(text);
  const nanos = parseNanos(text);
  if (text.length > 64) return nanos;
  if (nanosCache.size >= NANOS_CACHE_MAX) nanosCache.clear();
  nanosCache.set(text, nanos);
  return nanos;
}

const NANOS_CACHE_MAX = 1024;
const nanosCache = new Map<string, bigint | undefined>();

function parseNanos(text: string): bigint | undefined {
  const m = quantityPattern.exec(text.trim());
  if (!m) return undefined;
  const [, sign, whole, fraction = "", suffix = ""] = m;
  if (whole === "" && fraction === "") return undefined;

  let digits = BigInt(`${whole}${fraction}` || "0");
  let exponent10 = -fraction.length + 9; // count nano-units
  if (suffix in binaryExponent) digits <<= binaryExponent[suffix];
  else if (suffix in decimalExponent) exponent10 += decimalExponent[suffix];
  else if (suffix !== "") exponent10 += Number(suffix.slice(1));

  let nanos: bigint;
  if (exponent10 >= 0) nanos = digits * 10n ** BigInt(exponent10);
  else {
    const divisor = 10n ** BigInt(-exponent10);
    nanos = digits / divisor + (digits % divisor === 0n ? 0n : 1n);
  }
  return sign === "-" ? -nanos : nanos;
}
