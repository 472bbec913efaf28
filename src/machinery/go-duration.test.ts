// Go's time.ParseDuration: values in nanoseconds and error texts, after
// time_test.go's parseDurationTests and parseDurationErrorTests.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseGoDuration, timeQuote } from "./go-duration.ts";

test("values", () => {
  const cases: Array<[string, bigint]> = [
    ["0", 0n],
    ["5s", 5_000_000_000n],
    ["30s", 30_000_000_000n],
    ["1478s", 1_478_000_000_000n],
    ["-5s", -5_000_000_000n],
    ["+5s", 5_000_000_000n],
    ["-0", 0n],
    ["+0", 0n],
    ["5.0s", 5_000_000_000n],
    ["5.6s", 5_600_000_000n],
    ["5.s", 5_000_000_000n],
    [".5s", 500_000_000n],
    ["1.0s", 1_000_000_000n],
    ["1.00s", 1_000_000_000n],
    ["1.004s", 1_004_000_000n],
    ["100.00100s", 100_001_000_000n],
    ["10ns", 10n],
    ["11us", 11_000n],
    ["12\u00b5s", 12_000n],
    ["12\u03bcs", 12_000n],
    ["13ms", 13_000_000n],
    ["14s", 14_000_000_000n],
    ["15m", 900_000_000_000n],
    ["16h", 57_600_000_000_000n],
    ["3h30m", 12_600_000_000_000n],
    ["10.5s4m", 250_500_000_000n],
    ["-2m3.4s", -123_400_000_000n],
    ["1h2m3s4ms5us6ns", 3_723_004_005_006n],
    ["39h9m14.425s", 140_954_425_000_000n],
    ["52763797000ns", 52_763_797_000n],
    ["0.3333333333333333333h", 1_200_000_000_000n],
    ["9007199254740993ns", 9_007_199_254_740_993n],
    ["9223372036854775807ns", 9_223_372_036_854_775_807n],
    ["9223372036854775.807us", 9_223_372_036_854_775_807n],
    ["-9223372036854775808ns", -9_223_372_036_854_775_808n],
    ["-9223372036s854ms775us808ns", -9_223_372_036_854_775_808n],
    ["-2562047h47m16.854775808s", -9_223_372_036_854_775_808n],
    // A huge fraction (Go issue 15011), and leadingFraction's first overflow check.
    ["0.100000000000000000000h", 360_000_000_000n],
    ["0.830103483285477580700h", 2_988_372_539_827n],
  ];
  for (const [s, ns] of cases) assert.equal(parseGoDuration(s), ns, s);
});

test("errors", () => {
  const cases: Array<[string, string]> = [
    ["", 'time: invalid duration ""'],
    ["3", 'time: missing unit in duration "3"'],
    ["-", 'time: invalid duration "-"'],
    ["s", 'time: invalid duration "s"'],
    [".", 'time: invalid duration "."'],
    ["-.", 'time: invalid duration "-."'],
    [".s", 'time: invalid duration ".s"'],
    ["+.s", 'time: invalid duration "+.s"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["5m3", 'time: missing unit in duration "5m3"'],
    ["\x85\x85", 'time: invalid duration "\\xc2\\x85\\xc2\\x85"'],
    ['"', 'time: invalid duration "\\""'],
    ["1\u00e9", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
    ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
    ["9223372036854775.808us", 'time: invalid duration "9223372036854775.808us"'],
    ["9223372036854ms775us808ns", 'time: invalid duration "9223372036854ms775us808ns"'],
    ["-9223372036854775809ns", 'time: invalid duration "-9223372036854775809ns"'],
  ];
  for (const [s, message] of cases) assert.throws(() => parseGoDuration(s), { message }, s);
});

test("the time package quotes bytes, not runes", () => {
  assert.equal(timeQuote("a\tb"), '"a\\x09b"');
  assert.equal(timeQuote("\\"), '"\\\\"');
});
