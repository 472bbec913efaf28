// The CronJob schedule syntax as upstream checks it: robfig/cron/v3's
// ParseStandard (five fields, names for months and weekdays, `@hourly`
// style descriptors and `@every <duration>`), with its error texts, plus the
// Go time.ParseDuration and time.LoadLocation errors it passes through.

import { goQuote } from "../../machinery/field-errors.ts";
import { goPlainSlice } from "./gofmt.ts";

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const minutes: Bounds = { min: 0, max: 59 };
const hours: Bounds = { min: 0, max: 23 };
const dom: Bounds = { min: 1, max: 31 };
const months: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const dow: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

class CronError extends Error {}

/** strconv.Atoi's error text, or the value. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new CronError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n))
    throw new CronError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return Number(v);
}

function mustParseInt(expr: string): number {
  let num: number;
  try {
    num = atoi(expr);
  } catch (e) {
    throw new CronError(`failed to parse int from ${expr}: ${(e as Error).message}`);
  }
  if (num < 0) throw new CronError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  if (names) {
    const n = names[expr.toLowerCase()];
    if (n !== undefined) return n;
  }
  return mustParseInt(expr);
}

function getRange(expr: string, r: Bounds): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = r.min;
    end = r.max;
  } else {
    start = parseIntOrName(lowAndHigh[0], r.names);
    switch (lowAndHigh.length) {
      case 1:
        end = start;
        break;
      case 2:
        end = parseIntOrName(lowAndHigh[1], r.names);
        break;
      default:
        throw new CronError(`too many hyphens: ${expr}`);
    }
  }
  let step: number;
  switch (rangeAndStep.length) {
    case 1:
      step = 1;
      break;
    case 2:
      step = mustParseInt(rangeAndStep[1]);
      // "N/step" means "N-max/step".
      if (singleDigit) end = r.max;
      break;
    default:
      throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < r.min) throw new CronError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
}

function getField(field: string, r: Bounds): void {
  for (const expr of field.split(",").filter((x) => x.length > 0)) getRange(expr, r);
}

const durationUnits = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);

/** time.ParseDuration: null when valid, else Go's error text. */
export function parseDurationError(orig: string): string | null {
  const invalidMsg = `time: invalid duration ${goQuote(orig)}`;
  let s = orig;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  if (s === "0") return null;
  if (s === "") return invalidMsg;
  while (s !== "") {
    if (!(s[0] === "." || (s[0] >= "0" && s[0] <= "9"))) return invalidMsg;
    const intMatch = /^[0-9]*/.exec(s)?.[0] ?? "";
    if (intMatch.length > 0 && BigInt(intMatch) > 2n ** 63n - 1n) return invalidMsg;
    const pre = intMatch.length > 0;
    s = s.slice(intMatch.length);
    let post = false;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      const frac = /^[0-9]*/.exec(s)?.[0] ?? "";
      post = frac.length > 0;
      s = s.slice(frac.length);
    }
    if (!pre && !post) return invalidMsg;
    let i = 0;
    while (i < s.length && !(s[i] === "." || (s[i] >= "0" && s[i] <= "9"))) i++;
    if (i === 0) return `time: missing unit in duration ${goQuote(orig)}`;
    const unit = s.slice(0, i);
    s = s.slice(i);
    if (!durationUnits.has(unit)) return `time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`;
  }
  return null;
}

/** time.LoadLocation: null when the zone exists, else Go's error text. */
export function loadLocationError(name: string): string | null {
  if (name === "" || name === "UTC" || name === "Local") return null;
  if (name.includes("..") || name.startsWith("/") || name.includes("\\") || name.includes("\0")) {
    return "time: invalid location name";
  }
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    // Go opens zoneinfo files by exact name; Intl matches names case-insensitively.
    if (resolved.toLowerCase() === name.toLowerCase() && resolved !== name)
      return `unknown time zone ${name}`;
    return null;
  } catch {
    return `unknown time zone ${name}`;
  }
}

function parseDescriptor(descriptor: string): void {
  switch (descriptor) {
    case "@yearly":
    case "@annually":
    case "@monthly":
    case "@weekly":
    case "@daily":
    case "@midnight":
    case "@hourly":
      return;
  }
  const every = "@every ";
  if (descriptor.startsWith(every)) {
    const err = parseDurationError(descriptor.slice(every.length));
    if (err !== null) throw new CronError(`failed to parse duration ${descriptor}: ${err}`);
    return;
  }
  throw new CronError(`unrecognized descriptor: ${descriptor}`);
}

/** cron.ParseStandard: null for a valid schedule, else robfig/cron's error text. */
export function parseStandardError(spec: string): string | null {
  try {
    parseStandard(spec);
    return null;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

function parseStandard(input: string): void {
  let spec = input;
  if (spec.length === 0) throw new CronError("empty spec string");
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const i = spec.indexOf(" ");
    const eq = spec.indexOf("=");
    const zone = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    const err = loadLocationError(zone);
    if (err !== null) throw new CronError(`provided bad location ${zone}: ${err}`);
    spec = i < 0 ? "" : spec.slice(i).trim();
  }
  if (spec.startsWith("@")) {
    parseDescriptor(spec);
    return;
  }
  const fields = spec.split(/[\t\n\v\f\r \u0085\u00a0]+/).filter((f) => f.length > 0);
  if (fields.length !== 5) {
    throw new CronError(`expected exactly 5 fields, found ${fields.length}: ${goPlainSlice(fields)}`);
  }
  getField(fields[0], minutes);
  getField(fields[1], hours);
  getField(fields[2], dom);
  getField(fields[3], months);
  getField(fields[4], dow);
}
