// robfig/cron/v3's standard parser and its two schedules, as the CronJob
// controller uses them: cron.ParseStandard (minute hour day-of-month month
// day-of-week; ranges, steps, lists, month and weekday names, `?`, the
// @yearly…@hourly descriptors, `@every <duration>`, and a "TZ=" / "CRON_TZ="
// prefix, which the controller itself adds for spec.timeZone) and
// Schedule.Next. Errors carry robfig's texts (src/api/validation/cron.ts, the
// apiserver's check, is the single source of them).
import { parseDurationError, parseStandardError } from "../../api/validation/cron.ts";
import { dateIn, type Location, loadLocation, localLocation, wallClock } from "./time-zone.ts";

/** Go's zero time.Time (0001-01-01T00:00:00Z): what Next returns when no time matches within five years. */
export const ZERO_TIME = -62_135_596_800_000;

export interface Schedule {
  /** The first activation strictly after t (ms since the epoch), or ZERO_TIME. */
  next(t: number): number;
}

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

/** A field's bit set: which values match, and robfig's star bit (the field was `*` or `?` without a step > 1). */
export interface Field {
  values: ReadonlySet<number>;
  star: boolean;
}

function bits(min: number, max: number, step = 1, star = false): Field {
  const values = new Set<number>();
  for (let i = min; i <= max; i += step) values.add(i);
  return { values, star };
}

const all = (r: Bounds): Field => bits(r.min, r.max, 1, true);
const only = (v: number): Field => bits(v, v);

/** robfig's SpecSchedule. */
export class SpecSchedule implements Schedule {
  constructor(
    readonly second: Field,
    readonly minute: Field,
    readonly hour: Field,
    readonly dom: Field,
    readonly month: Field,
    readonly dow: Field,
    /** Where fields are read; time.Local stands for the zone of the time passed to next. */
    readonly location: Location,
  ) {}

  /**
   * SpecSchedule.Next, step for step: find the month, then the day, hour,
   * minute and second, wrapping to the month search whenever a field rolls
   * over. Hours and smaller units advance by absolute time, so a wall time a
   * DST change skips never fires and one it repeats fires twice.
   */
  next(from: number): number {
    const loc = this.location;
    const at = (ms: number) => wallClock(ms, loc);
    // The upcoming whole second.
    let t = Math.floor(from / 1000) * 1000 + 1000;
    let added = false;
    const yearLimit = at(t).year + 5;
    wrap: for (;;) {
      let w = at(t);
      if (w.year > yearLimit) return ZERO_TIME;

      while (!this.month.values.has(w.month)) {
        if (!added) {
          added = true;
          t = dateIn(loc, w.year, w.month, 1);
          w = at(t);
        }
        t = dateIn(loc, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = at(t);
        if (w.month === 1) continue wrap;
      }

      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) {
          added = true;
          t = dateIn(loc, w.year, w.month, w.day);
          w = at(t);
        }
        t = dateIn(loc, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = at(t);
        // Midnight that DST skipped or repeated: back to the day's first hour.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = at(t);
        }
        if (w.day === 1) continue wrap;
      }

      while (!this.hour.values.has(w.hour)) {
        if (!added) {
          added = true;
          t = dateIn(loc, w.year, w.month, w.day, w.hour);
        }
        t += 3_600_000;
        w = at(t);
        if (w.hour === 0) continue wrap;
      }

      while (!this.minute.values.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = at(t);
        if (w.minute === 0) continue wrap;
      }

      while (!this.second.values.has(w.second)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = at(t);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }

  /** When both day fields are restricted a day matches if either does; if one is `*`, both must. */
  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.dom.values.has(day);
    const dowMatch = this.dow.values.has(weekday);
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }
}

/** robfig's ConstantDelaySchedule (`@every`): whole seconds, at least one. */
export class ConstantDelaySchedule implements Schedule {
  readonly delayMs: number;

  constructor(durationMs: number) {
    const d = Math.max(durationMs, 1000);
    this.delayMs = d - (d % 1000);
  }

  next(t: number): number {
    return t - (((t % 1000) + 1000) % 1000) + this.delayMs;
  }
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** time.ParseDuration's value in milliseconds, for a string parseDurationError accepted. */
export function parseGoDuration(s: string): number {
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  let total = 0;
  for (const m of s.matchAll(/([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return sign * total;
}

function getRange(expr: string, r: Bounds): Field {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const value = (s: string) => r.names?.[s.toLowerCase()] ?? Number.parseInt(s, 10);
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = value(lowAndHigh[0]);
    end = lowAndHigh.length === 2 ? value(lowAndHigh[1]) : start;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = Number.parseInt(rangeAndStep[1], 10);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = r.max;
    if (step > 1) star = false;
  }
  return bits(start, end, step, star);
}

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

function parseDescriptor(spec: string, loc: Location): Schedule {
  const z = only(0);
  switch (spec) {
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
  // parseStandardError has accepted it, so only @every is left.
  const duration = spec.slice("@every ".length);
  if (parseDurationError(duration) !== null) throw new CronParseError(`unrecognized descriptor: ${spec}`);
  return new ConstantDelaySchedule(parseGoDuration(duration));
}

/**
 * cron.ParseStandard. Without a TZ= prefix, fields are read in `local`
 * (Go's time.Local: the controller-manager's own zone unless given).
 * Throws CronParseError with robfig's message.
 */
export function parseStandard(spec: string, local: Location = localLocation()): Schedule {
  const err = parseStandardError(spec);
  if (err !== null) throw new CronParseError(err);
  let loc = local;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const i = spec.indexOf(" ");
    loc = loadLocation(spec.slice(spec.indexOf("=") + 1, i));
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith("@")) return parseDescriptor(spec, loc);
  const fields = spec.split(/[\t\n\v\f\r \u0085\u00a0]+/).filter((f) => f.length > 0);
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
