// Go's time.ParseDuration, which robfig/cron uses for `@every <duration>` and
// the apiserver for a request's ?timeout=: the value in nanoseconds as Go
// computes it (overflow checks included), or an Error with Go's text.

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // U+00B5 micro sign
  "\u03bcs": 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_UINT63 = 1n << 63n;

const isDigit = (c: string) => c >= "0" && c <= "9";

/**
 * The time package's own quote (not strconv.Quote): bytes of non-ASCII and
 * control characters as \x escapes, `"` and `\` backslashed.
 */
export function timeQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of new TextEncoder().encode(c)) out += `\\x${b.toString(16).padStart(2, "0")}`;
    } else {
      if (c === '"' || c === "\\") out += "\\";
      out += c;
    }
  }
  return `${out}"`;
}

/** time.ParseDuration: the duration in nanoseconds; throws Go's error text. */
export function parseGoDuration(orig: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
    // leadingInt: [0-9]*, an error on overflow.
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > MAX_UINT63 / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX_UINT63) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: (\.[0-9]*)?, digits past overflow ignored.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (MAX_UINT63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > MAX_UINT63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    // No digits at all, e.g. ".s".
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && !(s[u] === "." || isDigit(s[u]))) u++;
    if (u === 0) throw new Error(`time: missing unit in duration ${timeQuote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNIT_NS[unitName];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(orig)}`);
    if (v > MAX_UINT63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go's float64 step, nanosecond-accurate for fractions of an hour.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_UINT63) throw invalid();
    }
    d += v;
    if (d > MAX_UINT63) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX_UINT63 - 1n) throw invalid();
  return d;
}
