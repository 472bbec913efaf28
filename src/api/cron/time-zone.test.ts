// Go's time.LoadLocation (its errors, as the apiserver reports them), time.Date
// and the layouts the CronJob controller uses.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  dateIn,
  formatRFC1123Z,
  formatRFC3339,
  loadLocation,
  loadLocationError,
  UTC,
  wallClock,
} from "./time-zone.ts";

const berlin = loadLocation("Europe/Berlin");
const newYork = loadLocation("America/New_York");
const iso = (ms: number) => new Date(ms).toISOString();

test("wall clock of an instant in a zone", () => {
  assert.deepEqual(wallClock(Date.parse("2024-07-01T22:30:15Z"), berlin), {
    year: 2024,
    month: 7,
    day: 2,
    hour: 0,
    minute: 30,
    second: 15,
    weekday: 2,
  });
});

test("time.Date normalises overflowing fields", () => {
  assert.equal(iso(dateIn(UTC, 2024, 13, 1)), "2025-01-01T00:00:00.000Z");
  assert.equal(iso(dateIn(UTC, 2023, 2, 29)), "2023-03-01T00:00:00.000Z");
  assert.equal(iso(dateIn(berlin, 2024, 1, 32, 10)), "2024-02-01T09:00:00.000Z");
});

test("time.Date of a wall time DST skips: Go's lookup moves Berlin forward and New York back", () => {
  // 02:30 on 31 March 2024 does not exist in Berlin: 03:30 CEST.
  assert.equal(iso(dateIn(berlin, 2024, 3, 31, 2, 30)), "2024-03-31T01:30:00.000Z");
  // 02:30 on 10 March 2024 does not exist in New York: 01:30 EST.
  assert.equal(iso(dateIn(newYork, 2024, 3, 10, 2, 30)), "2024-03-10T06:30:00.000Z");
});

test("time.Date of a wall time DST repeats: Berlin takes the second, New York the first", () => {
  assert.equal(iso(dateIn(berlin, 2024, 10, 27, 2, 30)), "2024-10-27T01:30:00.000Z");
  assert.equal(iso(dateIn(newYork, 2024, 11, 3, 1, 30)), "2024-11-03T05:30:00.000Z");
});

test("RFC 3339 and RFC 1123Z layouts", () => {
  const t = Date.parse("2024-01-15T08:05:09Z");
  assert.equal(formatRFC3339(t, UTC), "2024-01-15T08:05:09Z");
  assert.equal(formatRFC3339(t, berlin), "2024-01-15T09:05:09+01:00");
  assert.equal(formatRFC3339(t, newYork), "2024-01-15T03:05:09-05:00");
  assert.equal(formatRFC3339(t, loadLocation("Europe/London")), "2024-01-15T08:05:09Z");
  assert.equal(formatRFC3339(t, loadLocation("Asia/Kolkata")), "2024-01-15T13:35:09+05:30");
  assert.equal(formatRFC1123Z(t, UTC), "Mon, 15 Jan 2024 08:05:09 +0000");
  assert.equal(formatRFC1123Z(t, newYork), "Mon, 15 Jan 2024 03:05:09 -0500");
});

test("LoadLocation: empty and UTC are UTC; unknown and wrongly cased names fail with Go's text", () => {
  assert.equal(loadLocation(""), UTC);
  assert.equal(loadLocation("UTC"), UTC);
  assert.throws(() => loadLocation("Mars/Olympus"), { message: "unknown time zone Mars/Olympus" });
  assert.throws(() => loadLocation("europe/berlin"), { message: "unknown time zone europe/berlin" });
});

test("LoadLocation's errors", () => {
  for (const z of ["UTC", "America/New_York", "Europe/Berlin", "EST", "Local", ""])
    assert.equal(loadLocationError(z), null, z);
  assert.equal(loadLocationError("Bogus/Zone"), "unknown time zone Bogus/Zone");
  assert.equal(loadLocationError("utc"), "unknown time zone utc");
  assert.equal(loadLocationError("../etc/passwd"), "time: invalid location name");
  assert.equal(loadLocationError("Europe/../Berlin"), "time: invalid location name");
  assert.equal(loadLocationError("/etc/localtime"), "time: invalid location name");
  assert.equal(loadLocationError("\\Europe"), "time: invalid location name");
  // Only a leading backslash is refused up front; elsewhere the zone is just not found.
  assert.equal(loadLocationError("Europe\\Berlin"), "unknown time zone Europe\\Berlin");
});
