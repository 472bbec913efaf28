// Go's fmt rendering of decoded JSON values, so that error messages built
// from them read exactly as the apiserver's ("map: map[image:nginx] does not
// contain declared merge key: name").

/** fmt's %v of a value decoded into interface{} (maps print with sorted keys). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return goFormatNumber(v);
    case "object": {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      return `map[${keys.map((k) => `${k}:${goFormat(o[k])}`).join(" ")}]`;
    }
    default:
      return String(v);
  }
}

// apimachinery's JSON decoding yields int64 for whole numbers and float64
// otherwise; %v of a float64 is strconv's shortest %g: exponent form below
// 1e-4 and from 1e6, with at least two exponent digits.
function goFormatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = n.toExponential().split("e");
    const sign = e.startsWith("-") ? "-" : "+";
    const digits = e.replace(/^[+-]/, "").padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  return String(n);
}

/** reflect.TypeOf(v).String() for a decoded JSON value, as printed by %s. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "%!s(<nil>)";
  if (Array.isArray(v)) return "[]interface {}";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int64" : "float64";
    default:
      return "map[string]interface {}";
  }
}
