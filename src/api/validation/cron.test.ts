// The schedule parser's errors, as robfig/cron/v3's ParseStandard and Go's
// time.ParseDuration / time.LoadLocation word them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadLocationError, parseDurationError, parseStandardError } from "./cron.ts";

test("valid standard schedules and descriptors", () => {
  for (const s of [
    "* * * * *",
    "*/5 * * * *",
    "0 0 1 1 *",
    "0 0 * * MON-FRI",
    "0 0 * JAN,FEB *",
    "0 0 * * sun",
    "0 0 * * 0-6/2",
    "1,,2 * * * *",
    "? * * * *",
    "@hourly",
    "@daily",
    "@midnight",
    "@weekly",
    "@monthly",
    "@yearly",
    "@annually",
    "@every 5m",
    "@every 1h30m",
    "TZ=UTC * * * * *",
    "CRON_TZ=America/New_York 0 * * * *",
  ]) {
    assert.equal(parseStandardError(s), null, s);
  }
});

test("field counts and descriptors", () => {
  assert.equal(parseStandardError(""), "empty spec string");
  assert.equal(parseStandardError("* * * *"), "expected exactly 5 fields, found 4: [* * * *]");
  assert.equal(parseStandardError("* * * * * *"), "expected exactly 5 fields, found 6: [* * * * * *]");
  assert.equal(parseStandardError("@reboot"), "unrecognized descriptor: @reboot");
  assert.equal(parseStandardError("@every"), "unrecognized descriptor: @every");
  assert.equal(
    parseStandardError("@every 5"),
    'failed to parse duration @every 5: time: missing unit in duration "5"',
  );
  assert.equal(
    parseStandardError("TZ=Bogus/Zone * * * * *"),
    "provided bad location Bogus/Zone: unknown time zone Bogus/Zone",
  );
});

test("ranges, steps and numbers", () => {
  assert.equal(parseStandardError("60 * * * *"), "end of range (60) above maximum (59): 60");
  assert.equal(parseStandardError("* 24 * * *"), "end of range (24) above maximum (23): 24");
  assert.equal(parseStandardError("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  assert.equal(parseStandardError("* * 32 * *"), "end of range (32) above maximum (31): 32");
  assert.equal(parseStandardError("* * * 13 *"), "end of range (13) above maximum (12): 13");
  assert.equal(parseStandardError("* * * * 7"), "end of range (7) above maximum (6): 7");
  assert.equal(parseStandardError("*/0 * * * *"), "step of range should be a positive number: */0");
  assert.equal(parseStandardError("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  assert.equal(parseStandardError("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  assert.equal(
    parseStandardError("a * * * *"),
    'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax',
  );
  assert.equal(
    parseStandardError("-1 * * * *"),
    'failed to parse int from : strconv.Atoi: parsing "": invalid syntax',
  );
});

test("Go durations", () => {
  for (const d of ["5m", "1h30m", "0s", "-1s", "1.5h", "100ns", "1us", "1µs", ".5s"])
    assert.equal(parseDurationError(d), null, d);
  assert.equal(parseDurationError("5"), 'time: missing unit in duration "5"');
  assert.equal(parseDurationError(""), 'time: invalid duration ""');
  assert.equal(parseDurationError("1d"), 'time: unknown unit "d" in duration "1d"');
  assert.equal(parseDurationError("5m3"), 'time: missing unit in duration "5m3"');
});

test("time zone names", () => {
  for (const z of ["UTC", "America/New_York", "Europe/Berlin", "EST", "Local", ""])
    assert.equal(loadLocationError(z), null, z);
  assert.equal(loadLocationError("Bogus/Zone"), "unknown time zone Bogus/Zone");
  assert.equal(loadLocationError("utc"), "unknown time zone utc");
  assert.equal(loadLocationError("../etc/passwd"), "time: invalid location name");
});
