// robfig/cron/v3's ParseStandard: what it accepts and its error texts (with
// the strconv.Atoi, time.ParseDuration and time.LoadLocation errors it wraps),
// the same for the apiserver's validation and the CronJob controller.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CronParseError, parseStandard, parseStandardError } from "./parse.ts";
import { SpecSchedule } from "./schedule.ts";
import { loadLocation, UTC } from "./time-zone.ts";

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
    "+5 * * * *",
    " 0  0\t* * * ",
    // strings.Fields splits on every Unicode space.
    "0\u30000 * * *",
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
    "TZ=UTC   @daily",
    "CRON_TZ=America/New_York 0 * * * *",
  ]) {
    assert.equal(parseStandardError(s), null, s);
  }
});

describe("errors (robfig's texts)", () => {
  const cases: Array<[string, string]> = [
    ["", "empty spec string"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"],
    ["TZ=UTC", "expected exactly 5 fields, found 0: []"],
    ["@reboot", "unrecognized descriptor: @reboot"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
    ["@every", "unrecognized descriptor: @every"],
    ["@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ["@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ["TZ=Bogus/Zone * * * * *", "provided bad location Bogus/Zone: unknown time zone Bogus/Zone"],
    ["TZ=Mars/Olympus * * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"],
    ["CRON_TZ=../x * * * * *", "provided bad location ../x: time: invalid location name"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* 24 * * *", "end of range (24) above maximum (23): 24"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["* * 32 * *", "end of range (32) above maximum (31): 32"],
    ["* * * 13 *", "end of range (13) above maximum (12): 13"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["*/-1 * * * *", "negative number (-1) not allowed: -1"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["*/2/3 * * * *", "too many slashes: */2/3"],
    ["a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ["* * * foo *", 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ["-1 * * * *", 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    [
      "99999999999999999999 * * * *",
      'failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
  ];
  for (const [spec, message] of cases) {
    test(JSON.stringify(spec), () => {
      assert.equal(parseStandardError(spec), message);
      assert.throws(
        () => parseStandard(spec, UTC),
        (e: unknown) => e instanceof CronParseError && e.message === message,
      );
    });
  }
});

describe("what a schedule holds", () => {
  test("fields, the star bit and seconds at zero", () => {
    const s = parseStandard("5,10-12 */6 ? JAN-mar 1/2", UTC);
    assert.ok(s instanceof SpecSchedule);
    assert.deepEqual([...s.second.values], [0]);
    assert.deepEqual([...s.minute.values], [5, 10, 11, 12]);
    assert.deepEqual([...s.hour.values], [0, 6, 12, 18]);
    // `*/6` is a restriction, `?` is a star.
    assert.equal(s.hour.star, false);
    assert.equal(s.dom.star, true);
    assert.deepEqual([...s.month.values], [1, 2, 3]);
    assert.deepEqual([...s.dow.values], [1, 3, 5]);
  });
  test("the zone: a TZ= prefix, else the local one passed in", () => {
    const berlin = loadLocation("Europe/Berlin");
    assert.equal(
      (parseStandard("CRON_TZ=Asia/Tokyo @daily", berlin) as SpecSchedule).location.name,
      "Asia/Tokyo",
    );
    assert.equal((parseStandard("0 0 * * *", berlin) as SpecSchedule).location, berlin);
  });
});
