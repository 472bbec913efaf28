// robfig/cron/v3's spec_test.go cases (six-field specs rewritten as the five
// fields ParseStandard takes), plus DST in Europe/Berlin and America/New_York,
// 29 February and the day-of-month/day-of-week rule.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStandard } from "./parse.ts";
import { ConstantDelaySchedule, ZERO_TIME } from "./schedule.ts";
import { loadLocation, UTC } from "./time-zone.ts";

/** Next after `from` (an RFC 3339 instant), as an ISO instant in UTC ("" for Go's zero time). */
function next(spec: string, from: string): string {
  const t = parseStandard(spec, UTC).next(Date.parse(from));
  return t === ZERO_TIME ? "" : new Date(t).toISOString();
}

const iso = (s: string) => new Date(Date.parse(s)).toISOString();

/** robfig's getTime layout "Mon Jan 2 15:04 2006", in UTC. */
function goTime(s: string): string {
  const [, mon, day, clock, year] = s.split(/\s+/);
  const m = "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(mon) / 3 + 1;
  const hms = clock.length === 5 ? `${clock}:00` : clock;
  return `${year}-${String(m).padStart(2, "0")}-${day.padStart(2, "0")}T${hms}Z`;
}

describe("activation (spec_test.go TestActivation)", () => {
  const cases: Array<[string, string, boolean]> = [
    // Every fifteen minutes.
    ["Mon Jul 9 15:00 2012", "0/15 * * * *", true],
    ["Mon Jul 9 15:45 2012", "0/15 * * * *", true],
    ["Mon Jul 9 15:40 2012", "0/15 * * * *", false],
    // Every fifteen minutes, starting at 5 minutes.
    ["Mon Jul 9 15:05 2012", "5/15 * * * *", true],
    ["Mon Jul 9 15:20 2012", "5/15 * * * *", true],
    ["Mon Jul 9 15:50 2012", "5/15 * * * *", true],
    // Named months.
    ["Sun Jul 15 15:00 2012", "0/15 * * Jul *", true],
    ["Sun Jul 15 15:00 2012", "0/15 * * Jun *", false],
    // Everything set.
    ["Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", true],
    ["Sun Jul 15 08:30 2012", "30 08 15 Jul ?", true],
    ["Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", false],
    ["Mon Jul 16 08:30 2012", "30 08 15 Jul ?", false],
    // Predefined schedules.
    ["Mon Jul 9 15:00 2012", "@hourly", true],
    ["Mon Jul 9 15:04 2012", "@hourly", false],
    ["Mon Jul 9 15:00 2012", "@daily", false],
    ["Mon Jul 9 00:00 2012", "@daily", true],
    ["Mon Jul 9 00:00 2012", "@weekly", false],
    ["Sun Jul 8 00:00 2012", "@weekly", true],
    ["Sun Jul 8 01:00 2012", "@weekly", false],
    ["Sun Jul 8 00:00 2012", "@monthly", false],
    ["Sun Jul 1 00:00 2012", "@monthly", true],
    // Both day fields restricted: either one matching is enough.
    ["Sun Jul 15 00:00 2012", "* * 1,15 * Sun", true],
    ["Fri Jun 15 00:00 2012", "* * 1,15 * Sun", true],
    ["Wed Aug 1 00:00 2012", "* * 1,15 * Sun", true],
    // A step > 1 makes `*` a restriction too (v3).
    ["Sun Jul 15 00:00 2012", "* * */10 * Sun", true],
    // One of them is a star: both must match.
    ["Sun Jul 15 00:00 2012", "* * * * Mon", false],
    ["Mon Jul 9 00:00 2012", "* * 1,15 * *", false],
    ["Sun Jul 15 00:00 2012", "* * 1,15 * *", true],
    ["Sun Jul 15 00:00 2012", "* * */2 * Sun", true],
  ];
  for (const [time, spec, expected] of cases) {
    test(`${spec} at ${time}: ${expected}`, () => {
      const at = goTime(time);
      const fired = next(spec, new Date(Date.parse(at) - 1000).toISOString()) === iso(at);
      assert.equal(fired, expected);
    });
  }
});

describe("next (spec_test.go TestNext)", () => {
  const cases: Array<[string, string, string]> = [
    // Simple cases.
    ["Mon Jul 9 14:45 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"],
    ["Mon Jul 9 14:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"],
    ["Mon Jul 9 14:59:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"],
    // Wrap around hours.
    ["Mon Jul 9 15:45 2012", "20-35/15 * * * *", "Mon Jul 9 16:20 2012"],
    // Wrap around days.
    ["Mon Jul 9 23:46 2012", "*/15 * * * *", "Tue Jul 10 00:00 2012"],
    ["Mon Jul 9 23:45 2012", "20-35/15 * * * *", "Tue Jul 10 00:20 2012"],
    ["Mon Jul 9 23:35:51 2012", "20-35/15 1/2 * * *", "Tue Jul 10 01:20 2012"],
    ["Mon Jul 9 23:35:51 2012", "20-35/15 10-12 * * *", "Tue Jul 10 10:20 2012"],
    ["Mon Jul 9 23:35:51 2012", "20-35/15 1/2 */2 * *", "Thu Jul 11 01:20 2012"],
    ["Mon Jul 9 23:35:51 2012", "20-35/15 * 9-20 * *", "Tue Jul 10 00:20 2012"],
    ["Mon Jul 9 23:35:51 2012", "20-35/15 * 9-20 Jul *", "Tue Jul 10 00:20 2012"],
    // Wrap around months.
    ["Mon Jul 9 23:35 2012", "0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"],
    ["Mon Jul 9 23:35 2012", "0 0 */5 Apr,Aug,Oct Mon", "Wed Aug 1 00:00 2012"],
    ["Mon Jul 9 23:35 2012", "0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"],
    // Wrap around years.
    ["Mon Jul 9 23:35 2012", "0 0 * Feb Mon", "Mon Feb 4 00:00 2013"],
    ["Mon Jul 9 23:35 2012", "0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"],
    // Wrap around minute, hour, day, month, and year.
    ["Mon Dec 31 23:59:45 2012", "* * * * *", "Tue Jan 1 00:00:00 2013"],
    // Leap year.
    ["Mon Jul 9 23:35 2012", "0 0 29 Feb ?", "Mon Feb 29 00:00 2016"],
  ];
  for (const [from, spec, expected] of cases) {
    test(`${spec} after ${from}`, () => assert.equal(next(spec, goTime(from)), iso(goTime(expected))));
  }

  test("unsatisfiable schedules give Go's zero time", () => {
    assert.equal(next("0 0 30 Feb ?", goTime("Mon Jul 9 23:35 2012")), "");
    assert.equal(next("0 0 31 Apr ?", goTime("Mon Jul 9 23:35 2012")), "");
    assert.equal(next("59 23 31 2 *", "2024-01-01T00:00:00Z"), "");
  });
});

describe("daylight saving time (spec_test.go, America/New_York)", () => {
  const ny = (spec: string) => `TZ=America/New_York ${spec}`;
  const cases: Array<[string, string, string]> = [
    // 2am EST (-5) -> 3am EDT (-4).
    ["2012-03-11T00:00:00-05:00", "30 2 11 Mar ?", "2013-03-11T02:30:00-04:00"],
    // Hourly job.
    ["2012-03-11T00:00:00-05:00", "0 * * * ?", "2012-03-11T01:00:00-05:00"],
    ["2012-03-11T01:00:00-05:00", "0 * * * ?", "2012-03-11T03:00:00-04:00"],
    ["2012-03-11T03:00:00-04:00", "0 * * * ?", "2012-03-11T04:00:00-04:00"],
    ["2012-03-11T04:00:00-04:00", "0 * * * ?", "2012-03-11T05:00:00-04:00"],
    // 1am nightly job.
    ["2012-03-11T00:00:00-05:00", "0 1 * * ?", "2012-03-11T01:00:00-05:00"],
    ["2012-03-11T01:00:00-05:00", "0 1 * * ?", "2012-03-12T01:00:00-04:00"],
    // 2am nightly job: skipped the day 2am does not exist.
    ["2012-03-11T00:00:00-05:00", "0 2 * * ?", "2012-03-12T02:00:00-04:00"],
    // 2am EDT (-4) -> 1am EST (-5).
    ["2012-11-04T00:00:00-04:00", "30 2 04 Nov ?", "2012-11-04T02:30:00-05:00"],
    ["2012-11-04T01:45:00-04:00", "30 1 04 Nov ?", "2012-11-04T01:30:00-05:00"],
    // Hourly job.
    ["2012-11-04T00:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-04:00"],
    ["2012-11-04T01:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-05:00"],
    ["2012-11-04T01:00:00-05:00", "0 * * * ?", "2012-11-04T02:00:00-05:00"],
    // 1am nightly job runs twice.
    ["2012-11-04T00:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-04:00"],
    ["2012-11-04T01:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-05:00"],
    ["2012-11-04T01:00:00-05:00", "0 1 * * ?", "2012-11-05T01:00:00-05:00"],
    // 2am nightly job.
    ["2012-11-04T00:00:00-04:00", "0 2 * * ?", "2012-11-04T02:00:00-05:00"],
    ["2012-11-04T02:00:00-05:00", "0 2 * * ?", "2012-11-05T02:00:00-05:00"],
    // 3am nightly job.
    ["2012-11-04T00:00:00-04:00", "0 3 * * ?", "2012-11-04T03:00:00-05:00"],
    ["2012-11-04T03:00:00-05:00", "0 3 * * ?", "2012-11-05T03:00:00-05:00"],
    // Monthly job.
    ["2012-11-04T00:00:00-04:00", "0 3 3 * ?", "2012-12-03T03:00:00-05:00"],
  ];
  for (const [from, spec, expected] of cases) {
    test(`${spec} after ${from}`, () => assert.equal(next(ny(spec), from), iso(expected)));
  }

  test("a zone where DST skips midnight (robfig issue 157, America/Sao_Paulo)", () => {
    assert.equal(
      next("TZ=America/Sao_Paulo 0 9 10 * ?", "2018-10-17T05:00:00-04:00"),
      iso("2018-11-10T06:00:00-05:00"),
    );
    assert.equal(
      next("TZ=America/Sao_Paulo 0 9 22 * ?", "2018-02-14T05:00:00-05:00"),
      iso("2018-02-22T07:00:00-05:00"),
    );
  });
});

describe("daylight saving time in Europe/Berlin", () => {
  const berlin = "TZ=Europe/Berlin 30 2 * * *";
  test("02:30 does not exist on 31 March 2024: that day is skipped", () => {
    assert.equal(next(berlin, "2024-03-30T02:30:00+01:00"), iso("2024-04-01T02:30:00+02:00"));
  });
  test("02:30 happens twice on 27 October 2024: it runs twice", () => {
    assert.equal(next(berlin, "2024-10-26T02:30:00+02:00"), iso("2024-10-27T02:30:00+02:00"));
    assert.equal(next(berlin, "2024-10-27T02:30:00+02:00"), iso("2024-10-27T02:30:00+01:00"));
    assert.equal(next(berlin, "2024-10-27T02:30:00+01:00"), iso("2024-10-28T02:30:00+01:00"));
  });
  test("hourly across the spring gap goes from 01:00 CET to 03:00 CEST", () => {
    const s = "TZ=Europe/Berlin 0 * * * *";
    assert.equal(next(s, "2024-03-31T01:00:00+01:00"), iso("2024-03-31T03:00:00+02:00"));
  });
  test("daily at midnight keeps local midnight across the change", () => {
    const s = "TZ=Europe/Berlin @daily";
    assert.equal(next(s, "2024-03-30T12:00:00+01:00"), iso("2024-03-31T00:00:00+01:00"));
    assert.equal(next(s, "2024-03-31T00:00:00+01:00"), iso("2024-04-01T00:00:00+02:00"));
  });
  test("CRON_TZ= is the same prefix", () => {
    assert.equal(
      next("CRON_TZ=Europe/Berlin 0 9 * * *", "2024-07-01T00:00:00Z"),
      iso("2024-07-01T09:00:00+02:00"),
    );
  });
  test("without a prefix, fields are read in the local zone passed in (Go's time.Local)", () => {
    const s = parseStandard("0 9 * * *", loadLocation("Europe/Berlin"));
    assert.equal(
      new Date(s.next(Date.parse("2024-01-15T00:00:00Z"))).toISOString(),
      iso("2024-01-15T08:00:00Z"),
    );
  });
});

describe("29 February", () => {
  test("fires only in leap years", () => {
    assert.equal(next("0 0 29 2 *", "2023-01-01T00:00:00Z"), iso("2024-02-29T00:00:00Z"));
    assert.equal(next("0 0 29 2 *", "2024-02-29T00:00:00Z"), iso("2028-02-29T00:00:00Z"));
  });
  test("2100 is not a leap year and 2104 is more than five years on: zero time", () => {
    assert.equal(next("0 0 29 2 *", "2096-03-01T00:00:00Z"), "");
  });
  test("day 31 skips the months without one", () => {
    assert.equal(next("0 0 31 * *", "2024-04-01T00:00:00Z"), iso("2024-05-31T00:00:00Z"));
  });
});

describe("fields", () => {
  test("lists, ranges and steps", () => {
    assert.equal(next("5,10-12,40/10 * * * *", "2024-01-01T00:05:00Z"), iso("2024-01-01T00:10:00Z"));
    assert.equal(next("5,10-12,40/10 * * * *", "2024-01-01T00:12:00Z"), iso("2024-01-01T00:40:00Z"));
    assert.equal(next("5,10-12,40/10 * * * *", "2024-01-01T00:50:00Z"), iso("2024-01-01T01:05:00Z"));
    assert.equal(next("0 9-17/4 * * *", "2024-01-01T09:00:00Z"), iso("2024-01-01T13:00:00Z"));
    assert.equal(next("0 9-17/4 * * *", "2024-01-01T17:00:00Z"), iso("2024-01-02T09:00:00Z"));
  });
  test("month and weekday names in any case", () => {
    // 2024-01-05 is a Friday: the next weekday in Jan-Mar after it is Monday the 8th.
    assert.equal(next("0 9 * jan-MAR Mon-fri", "2024-01-05T10:00:00Z"), iso("2024-01-08T09:00:00Z"));
    assert.equal(next("0 0 1 JUN *", "2024-07-01T00:00:00Z"), iso("2025-06-01T00:00:00Z"));
  });
  test("? is a star", () => {
    // Mondays only: `?` in day-of-month does not widen it to every day.
    assert.equal(next("0 0 ? * 1", "2024-01-02T00:00:00Z"), iso("2024-01-08T00:00:00Z"));
  });
  test("both day fields restricted: a day matches if either does", () => {
    // The 13th, or any Friday: 2024-09-06 is a Friday, before the 13th.
    assert.equal(next("0 0 13 * 5", "2024-09-01T00:00:00Z"), iso("2024-09-06T00:00:00Z"));
    assert.equal(next("0 0 13 * 5", "2024-09-06T00:00:00Z"), iso("2024-09-13T00:00:00Z"));
    assert.equal(next("0 0 13 * 5", "2024-09-13T00:00:00Z"), iso("2024-09-20T00:00:00Z"));
  });
  test("weekday 0 is Sunday", () => {
    assert.equal(next("0 0 * * 0", "2024-01-01T00:00:00Z"), iso("2024-01-07T00:00:00Z"));
  });
});

describe("descriptors", () => {
  const from = "2024-05-15T10:20:30Z";
  test("@yearly and @annually", () => {
    assert.equal(next("@yearly", from), iso("2025-01-01T00:00:00Z"));
    assert.equal(next("@annually", from), iso("2025-01-01T00:00:00Z"));
  });
  test("@monthly", () => assert.equal(next("@monthly", from), iso("2024-06-01T00:00:00Z")));
  test("@weekly is Sunday midnight", () => assert.equal(next("@weekly", from), iso("2024-05-19T00:00:00Z")));
  test("@daily and @midnight", () => {
    assert.equal(next("@daily", from), iso("2024-05-16T00:00:00Z"));
    assert.equal(next("@midnight", from), iso("2024-05-16T00:00:00Z"));
  });
  test("@hourly", () => assert.equal(next("@hourly", from), iso("2024-05-15T11:00:00Z")));
  test("@every counts from the given time, dropping its fraction of a second", () => {
    assert.equal(next("@every 1h30m", "2024-01-01T00:00:00.750Z"), iso("2024-01-01T01:30:00Z"));
    assert.equal(next("@every 90s", "2024-01-01T00:00:10Z"), iso("2024-01-01T00:01:40Z"));
  });
  test("@every below a second is a second; fractions of a second are dropped", () => {
    assert.equal(new ConstantDelaySchedule(500).delayMs, 1000);
    assert.equal(next("@every 1.5s", "2024-01-01T00:00:00Z"), iso("2024-01-01T00:00:01Z"));
    assert.equal(next("@every 2500ms", "2024-01-01T00:00:00Z"), iso("2024-01-01T00:00:02Z"));
  });
});
