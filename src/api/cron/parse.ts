// robfig/cron/v3's standard parser (parser.go), the one both the apiserver's
// CronJob validation and the CronJob controller use, as upstream does:
// cron.ParseStandard takes minute hour day-of-month month day-of-week
// (ranges, steps, lists, month and weekday names, `?`), the @yearly…@hourly
// descriptors, `@every <duration>` and a "TZ=" / "CRON_TZ=" prefix (which
// the controller adds itself for spec.timeZone). Errors carry robfig's texts,
// with the strconv, time.ParseDuration and time.LoadLocation errors it wraps.
import { goQuote } from "../../machinery/field-errors.ts";
import { parseGoDuration } from "../../machinery/go-duration.ts";
import { goPlainSlice } from "../validation/gofmt.ts";
import { ConstantDelaySchedule, type Field, type Schedule, SpecSchedule } from "./schedule.ts";
import { type Location, loadLocation, loadLocationError, localLocation } from "./time-zone.ts";

/** A schedule robfig rejects; the message is robfig's. */
export class CronParseError extends Error {}

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

/** unicode.IsSpace, which strings.Fields and strings.TrimSpace split and trim on. */
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const goFieldsRe = new RegExp(`[${GO_SPACE}]+`);
const goTrimRe = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

const goFields = (s: string) => s.split(goFieldsRe).filter((f) => f.length > 0);

/** getBits: the values min..max a step apart; the star bit is robfig's extra. */
function bits(min: number, max: number, step = 1, star = false): Field {
  const values = new Set<number>();
  for (let i = min; i <= max; i += step) values.add(i);
  return { values, star };
}

const all = (r: Bounds): Field => bits(r.min, r.max, 1, true);
const only = (v: number): Field => bits(v, v);

/** strconv.Atoi on a 64-bit platform, with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n))
    throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return Number(v);
}

function mustParseInt(expr: string): number {
  let num: number;
  try {
    num = atoi(expr);
  } catch (e) {
    throw new CronParseError(`failed to parse int from ${expr}: ${(e as Error).message}`);
  }
  if (num < 0) throw new CronParseError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** getRange: number | number "-" number [ "/" number ], or `*` / `?` with an optional step. */
function getRange(expr: string, r: Bounds): Field {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = r.min;
    end = r.max;
    star = true;
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
        throw new CronParseError(`too many hyphens: ${expr}`);
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
      // A step > 1 makes `*` a restriction, for the day-of-month/day-of-week rule.
      if (step > 1) star = false;
      break;
    default:
      throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < r.min)
    throw new CronParseError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronParseError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end)
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  return bits(start, end, step, star);
}

/** getField: a comma-separated list of ranges (empty items skipped, as strings.FieldsFunc does). */
function getField(field: string, r: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(",").filter((x) => x.length > 0)) {
    const f = getRange(expr, r);
    for (const v of f.values) values.add(v);
    star ||= f.star;
  }
  return { values, star };
}

function parseDescriptor(descriptor: string, loc: Location): Schedule {
  const z = only(0);
  switch (descriptor) {
    case "@yearly":
    case "@annually":
      return new SpecSchedule(z, z, z, only(1), only(1), all(dow), loc);
    case "@monthly":
      return new SpecSchedule(z, z, z, only(1), all(months), all(dow), loc);
    case "@weekly":
      return new SpecSchedule(z, z, z, all(dom), all(months), only(0), loc);
    case "@daily":
    case "@midnight":
      return new SpecSchedule(z, z, z, all(dom), all(months), all(dow), loc);
    case "@hourly":
      return new SpecSchedule(z, z, all(hours), all(dom), all(months), all(dow), loc);
  }
  const every = "@every ";
  if (descriptor.startsWith(every)) {
    let ns: bigint;
    try {
      ns = parseGoDuration(descriptor.slice(every.length));
    } catch (e) {
      throw new CronParseError(`failed to parse duration ${descriptor}: ${(e as Error).message}`);
    }
    return new ConstantDelaySchedule(Number(ns) / 1e6);
  }
  throw new CronParseError(`unrecognized descriptor: ${descriptor}`);
}

/**
 * cron.ParseStandard. Without a TZ= prefix, fields are read in `local`
 * (Go's time.Local: the controller-manager's own zone unless given).
 * Throws CronParseError with robfig's message.
 */
export function parseStandard(input: string, local: Location = localLocation()): Schedule {
  let spec = input;
  if (spec.length === 0) throw new CronParseError("empty spec string");
  let loc = local;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    // robfig slices up to the first space; without one Go panics, and we read the zone to the end.
    const i = spec.indexOf(" ");
    const eq = spec.indexOf("=");
    const zone = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    const err = loadLocationError(zone);
    if (err !== null) throw new CronParseError(`provided bad location ${zone}: ${err}`);
    loc = loadLocation(zone);
    spec = i < 0 ? "" : spec.slice(i).replace(goTrimRe, "");
  }
  if (spec.startsWith("@")) return parseDescriptor(spec, loc);
  const fields = goFields(spec);
  if (fields.length !== 5) {
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: ${goPlainSlice(fields)}`);
  }
  return new SpecSchedule(
    only(0),
    getField(fields[0], minutes),
    getField(fields[1], hours),
    getField(fields[2], dom),
    getField(fields[3], months),
    getField(fields[4], dow),
    loc,
  );
}

/** cron.ParseStandard's error for a CronJob schedule: null when valid, else robfig's text. */
export function parseStandardError(spec: string): string | null {
  try {
    parseStandard(spec);
    return null;
  } catch (e) {
    if (e instanceof CronParseError) return e.message;
    throw e;
  }
}
