// Go-style durations on the command line: "5m", "30s", "1h30m", "250ms".
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  }
  if (consumed !== s.length || s.length === 0)
    throw new Error(`invalid duration ${JSON.stringify(s)}: use e.g. 30s, 5m, 1h`);
  return total;
}
