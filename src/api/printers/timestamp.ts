// metav1.Time handling for the printers: parsing RFC3339 strings, Go's zero time, translateTimestampSince.
import { humanDuration } from "./duration.ts";

/** Go's zero time.Time (0001-01-01T00:00:00Z) in epoch milliseconds; an absent timestamp decodes to it. */
export const ZERO_TIME = Date.parse("0001-01-01T00:00:00Z");

/** Parses a metav1.Time / MicroTime string; absent or unparsable values are the zero time. */
export function parseTime(value: string | null | undefined): number {
  if (!value) return ZERO_TIME;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? ZERO_TIME : ms;
}

export function isZeroTime(ms: number): boolean {
  return ms === ZERO_TIME;
}

/** translateTimestampSince (and translateMicroTimestampSince): elapsed time as a HumanDuration. */
export function translateTimestampSince(value: string | null | undefined, now: Date): string {
  return translateTimeSince(parseTime(value), now);
}

/** translateTimestampSince for an already parsed time. */
export function translateTimeSince(ms: number, now: Date): string {
  if (isZeroTime(ms)) return "<unknown>";
  return humanDuration(now.getTime() - ms);
}

/** time.Time.UTC().Format(time.RFC3339): whole seconds, "Z" suffix. */
export function formatRFC3339(value: string | null | undefined): string {
  return new Date(parseTime(value)).toISOString().replace(/\.\d{3}Z$/, "Z");
}
