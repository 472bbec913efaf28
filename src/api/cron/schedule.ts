// robfig/cron/v3's two schedules (spec.go, constantdelay.go): when a parsed
// CronJob schedule next fires. parse.ts builds them.
import { dateIn, type Location, wallClock } from "./time-zone.ts";

/** Go's zero time.Time (0001-01-01T00:00:00Z): what Next returns when no time matches within five years. */
export const ZERO_TIME = -62_135_596_800_000;

export interface Schedule {
  /** The first activation strictly after t (ms since the epoch), or ZERO_TIME. */
  next(t: number): number;
}

/** A field's bit set: which values match, and robfig's star bit (the field was `*` or `?` without a step > 1). */
export interface Field {
  values: ReadonlySet<number>;
  star: boolean;
}

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
