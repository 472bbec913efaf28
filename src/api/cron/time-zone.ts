// Go's *time.Location for CronJob schedules: time.LoadLocation (the
// apiserver's check of spec.timeZone and TZ= prefixes, and the controller's
// zone), wall-clock fields of an instant in an IANA zone, time.Date (with
// Go's choice for wall times that a DST change skips or repeats) and the
// RFC 3339 / RFC 1123Z layouts. Zone rules come from Intl (the ICU data Node
// ships), so no tzdata package is needed. Times are milliseconds since the epoch.

export interface Location {
  /** The name it was loaded by ("UTC", "Local", "Europe/Berlin"). */
  readonly name: string;
  /** Milliseconds to add to UTC to get the wall clock at instant ms. */
  offsetAt(ms: number): number;
}

export const UTC: Location = { name: "UTC", offsetAt: () => 0 };

/** Wall-clock fields; month 1–12, weekday 0 (Sunday)–6. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const OFFSET_CACHE_LIMIT = 4096;

class IntlLocation implements Location {
  private readonly format: Intl.DateTimeFormat;
  /** Offsets by whole second: schedules step through the same hours again and again. */
  private readonly cache = new Map<number, number>();

  constructor(
    readonly name: string,
    timeZone: string,
  ) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  offsetAt(ms: number): number {
    const sec = Math.floor(ms / 1000);
    const hit = this.cache.get(sec);
    if (hit !== undefined) return hit;
    const p: Record<string, string> = {};
    for (const part of this.format.formatToParts(sec * 1000)) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === "BC" || p.era === "B") year = 1 - year;
    const wall = utcMs(
      year,
      Number(p.month),
      Number(p.day),
      Number(p.hour),
      Number(p.minute),
      Number(p.second),
    );
    const offset = wall - sec * 1000;
    if (this.cache.size >= OFFSET_CACHE_LIMIT) this.cache.clear();
    this.cache.set(sec, offset);
    return offset;
  }
}

let local: Location | undefined;

/** time.Local: the process's zone (TZ, else the system's), as Go reads it. */
export function localLocation(): Location {
  if (!local) {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    local =
      zone === "UTC" || zone === "Etc/UTC" ? { ...UTC, name: "Local" } : new IntlLocation("Local", zone);
  }
  return local;
}

/** time.LoadLocation's error: null when the zone exists, else Go's text. */
export function loadLocationError(name: string): string | null {
  if (name === "" || name === "UTC" || name === "Local") return null;
  // No IANA name contains "..", or starts with a slash.
  if (name.includes("..") || name[0] === "/" || name[0] === "\\") return "time: invalid location name";
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

const loaded = new Map<string, Location>();

/** time.LoadLocation: "" and "UTC" are UTC, "Local" is localLocation(); throws Go's error text otherwise. */
export function loadLocation(name: string): Location {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return localLocation();
  const err = loadLocationError(name);
  if (err !== null) throw new Error(err);
  let loc = loaded.get(name);
  if (!loc) {
    loc = new IntlLocation(name, name);
    loaded.set(name, loc);
  }
  return loc;
}

/** Date.UTC without its two-digit-year quirk; fields overflow into the next one as in Go. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

export function wallClock(ms: number, loc: Location): WallClock {
  const d = new Date(ms + loc.offsetAt(ms));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/**
 * time.Date: the instant of a wall-clock time in loc. Fields out of range
 * normalise (month 13 is January of the next year). Like Go, the offset is
 * looked up at the wall time read as UTC and corrected once if that instant
 * lies outside the offset's period, so a skipped time moves by the DST gap
 * and a repeated one resolves as Go resolves it.
 */
export function dateIn(
  loc: Location,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const wall = utcMs(year, month, day, hour, minute, second);
  let offset = loc.offsetAt(wall);
  if (offset !== 0) {
    const utc = wall - offset;
    const there = loc.offsetAt(utc);
    if (there !== offset) offset = there;
  }
  return wall - offset;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function zoneSuffix(offsetMs: number, colon: boolean): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(offsetMs) / 60_000);
  return `${sign}${pad(Math.floor(minutes / 60))}${colon ? ":" : ""}${pad(minutes % 60)}`;
}

/** Go's time.RFC3339 layout, "2006-01-02T15:04:05Z07:00" ("Z" for a zero offset). */
export function formatRFC3339(ms: number, loc: Location): string {
  const w = wallClock(ms, loc);
  const offset = loc.offsetAt(ms);
  const zone = offset === 0 ? "Z" : zoneSuffix(offset, true);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${zone}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Go's time.RFC1123Z layout, "Mon, 02 Jan 2006 15:04:05 -0700". */
export function formatRFC1123Z(ms: number, loc: Location): string {
  const w = wallClock(ms, loc);
  return `${DAYS[w.weekday]}, ${pad(w.day)} ${MONTHS[w.month - 1]} ${pad(w.year, 4)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${zoneSuffix(loc.offsetAt(ms), false)}`;
}
