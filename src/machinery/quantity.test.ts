// Cases ported from k8s.io/apimachinery/pkg/api/resource/quantity_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  errFormatWrong,
  errSuffix,
  Format,
  parseQuantity,
  parseQuantityString,
  Quantity,
} from "./quantity.ts";

const { DecimalSI, BinarySI, DecimalExponent } = Format;
const maxInt64 = 2n ** 63n - 1n;
const mostNegative = -(2n ** 63n);

/** decQuantity(i, exponent, format): i * 10^exponent. */
function dec(i: bigint | number, exponent: number, format: Format): Quantity {
  return Quantity.fromDecimal(BigInt(i), exponent, format);
}

test("the brief's canonical forms", () => {
  const cases: [string, string][] = [
    ["1000m", "1"],
    ["1536Mi", "1536Mi"],
    ["0.5Gi", "512Mi"],
    ["1.5", "1500m"],
    ["100m", "100m"],
    ["1e3", "1e3"],
    ["12e6", "12e6"],
    ["1024Mi", "1Gi"],
    ["2048Ki", "2Mi"],
    ["1000", "1k"],
    ["1.5Gi", "1536Mi"],
    ["0.1", "100m"],
    ["250m", "250m"],
    ["500Mi", "500Mi"],
    ["128974848", "128974848"],
    ["129e6", "129e6"],
    ["129M", "129M"],
    ["123Mi", "123Mi"],
    ["0", "0"],
    ["0Gi", "0"],
    ["-0", "0"],
    ["-1.5", "-1500m"],
  ];
  for (const [input, out] of cases) assert.equal(parseQuantity(input).toString(), out, input);
});

test("parse values and formats (TestQuantityParse)", () => {
  assert.throws(() => parseQuantity(""), { message: errFormatWrong });
  const table: [string, Quantity][] = [
    ["0", dec(0, 0, DecimalSI)],
    ["0n", dec(0, 0, DecimalSI)],
    ["0u", dec(0, 0, DecimalSI)],
    ["0m", dec(0, 0, DecimalSI)],
    ["0Ki", dec(0, 0, BinarySI)],
    ["0k", dec(0, 0, DecimalSI)],
    ["0Mi", dec(0, 0, BinarySI)],
    ["0M", dec(0, 0, DecimalSI)],
    ["0Gi", dec(0, 0, BinarySI)],
    ["0G", dec(0, 0, DecimalSI)],
    ["0Ti", dec(0, 0, BinarySI)],
    ["0T", dec(0, 0, DecimalSI)],
    ["1", dec(1, 0, DecimalSI)],
    ["1Ki", dec(1024, 0, BinarySI)],
    ["8Ki", dec(8 * 1024, 0, BinarySI)],
    ["7Mi", dec(7 * 1024 * 1024, 0, BinarySI)],
    ["6Gi", dec(6 * 1024 ** 3, 0, BinarySI)],
    ["5Ti", dec(5 * 1024 ** 4, 0, BinarySI)],
    ["4Pi", dec(4n * 1024n ** 5n, 0, BinarySI)],
    ["3Ei", dec(3n * 1024n ** 6n, 0, BinarySI)],
    ["10Ti", dec(10 * 1024 ** 4, 0, BinarySI)],
    ["100Ti", dec(100 * 1024 ** 4, 0, BinarySI)],
    ["5n", dec(5, -9, DecimalSI)],
    ["4u", dec(4, -6, DecimalSI)],
    ["3m", dec(3, -3, DecimalSI)],
    ["9", dec(9, 0, DecimalSI)],
    ["8k", dec(8, 3, DecimalSI)],
    ["50k", dec(5, 4, DecimalSI)],
    ["7M", dec(7, 6, DecimalSI)],
    ["6G", dec(6, 9, DecimalSI)],
    ["5T", dec(5, 12, DecimalSI)],
    ["40T", dec(4, 13, DecimalSI)],
    ["300T", dec(3, 14, DecimalSI)],
    ["2P", dec(2, 15, DecimalSI)],
    ["1E", dec(1, 18, DecimalSI)],
    ["1E-3", dec(1, -3, DecimalExponent)],
    ["1e3", dec(1, 3, DecimalExponent)],
    ["1E6", dec(1, 6, DecimalExponent)],
    ["1e9", dec(1, 9, DecimalExponent)],
    ["1E12", dec(1, 12, DecimalExponent)],
    ["1e15", dec(1, 15, DecimalExponent)],
    ["1E18", dec(1, 18, DecimalExponent)],
    ["1e14", dec(1, 14, DecimalExponent)],
    ["1e13", dec(1, 13, DecimalExponent)],
    ["100.035k", dec(100035, 0, DecimalSI)],
    ["0.001", dec(1, -3, DecimalSI)],
    ["0.0005k", dec(5, -1, DecimalSI)],
    ["0.005", dec(5, -3, DecimalSI)],
    ["0.05", dec(5, -2, DecimalSI)],
    ["0.5", dec(5, -1, DecimalSI)],
    ["0.00050k", dec(5, -1, DecimalSI)],
    ["0.00500", dec(5, -3, DecimalSI)],
    ["0.05000", dec(5, -2, DecimalSI)],
    ["0.50000", dec(5, -1, DecimalSI)],
    ["0.5e0", dec(5, -1, DecimalExponent)],
    ["0.5e-1", dec(5, -2, DecimalExponent)],
    ["0.5e-2", dec(5, -3, DecimalExponent)],
    ["10.035M", dec(10035, 3, DecimalSI)],
    ["1.2e3", dec(12, 2, DecimalExponent)],
    ["1.3E+6", dec(13, 5, DecimalExponent)],
    ["1.40e9", dec(14, 8, DecimalExponent)],
    ["1.53E12", dec(153, 10, DecimalExponent)],
    ["1.6e15", dec(16, 14, DecimalExponent)],
    ["1.7E18", dec(17, 17, DecimalExponent)],
    ["9.01", dec(901, -2, DecimalSI)],
    ["8.1k", dec(81, 2, DecimalSI)],
    ["7.123456M", dec(7123456, 0, DecimalSI)],
    ["6.987654321G", dec(6987654321, 0, DecimalSI)],
    ["5.444T", dec(5444, 9, DecimalSI)],
    ["40.1T", dec(401, 11, DecimalSI)],
    ["300.2T", dec(3002, 11, DecimalSI)],
    ["2.5P", dec(25, 14, DecimalSI)],
    ["1.01E", dec(101, 16, DecimalSI)],
    // Things that saturate or round.
    ["3.001n", dec(4, -9, DecimalSI)],
    ["1.1E-9", dec(2, -9, DecimalExponent)],
    ["0.0000000001", dec(1, -9, DecimalSI)],
    ["0.0000000005", dec(1, -9, DecimalSI)],
    ["0.00000000050", dec(1, -9, DecimalSI)],
    ["0.5e-9", dec(1, -9, DecimalExponent)],
    ["0.9n", dec(1, -9, DecimalSI)],
    ["0.00000012345", dec(124, -9, DecimalSI)],
    ["0.00000012354", dec(124, -9, DecimalSI)],
    ["9Ei", dec(maxInt64, 0, BinarySI)],
    ["9223372036854775807Ki", dec(maxInt64, 0, BinarySI)],
    ["12E", dec(12, 18, DecimalSI)],
    // Fractional binary values.
    ["100.035Ki", dec(10243584, -2, BinarySI)],
    ["0.5Mi", dec(0.5 * 1024 * 1024, 0, BinarySI)],
    ["0.05Gi", dec(536870912, -1, BinarySI)],
    ["0.025Ti", dec(274877906944, -1, BinarySI)],
    // Things written by trolls.
    ["0.000000000001Ki", dec(2, -9, DecimalSI)], // rounds up, changes format
    [".001", dec(1, -3, DecimalSI)],
    [".0001k", dec(100, -3, DecimalSI)],
    ["1.", dec(1, 0, DecimalSI)],
    ["1.G", dec(1, 9, DecimalSI)],
  ];
  for (const [input, want] of table) {
    for (const [prefix, sign] of [
      ["", 1],
      ["+", 1],
      ["-", -1],
    ] as const) {
      const got = parseQuantity(prefix + input);
      const expect = sign < 0 ? want.neg() : want;
      assert.equal(got.cmp(expect), 0, `${prefix}${input}: got ${got}, want ${expect}`);
      assert.equal(got.format, want.format, `${prefix}${input}: format`);
    }
  }
});

test("invalid quantities are rejected with upstream's errors", () => {
  for (const s of [
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    " 1",
    "1 ",
  ]) {
    assert.throws(() => parseQuantity(s), s);
  }
  assert.throws(() => parseQuantity("aoeu"), { message: errFormatWrong });
  assert.throws(() => parseQuantity("1 "), { message: errFormatWrong });
  assert.throws(() => parseQuantity("1i"), { message: errSuffix });
  assert.throws(() => parseQuantity("1Kb"), { message: errFormatWrong });
  assert.throws(() => parseQuantity("1KK"), { message: errSuffix });
  assert.throws(() => parseQuantity("1e"), { message: errSuffix });
  assert.equal(
    errFormatWrong,
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  );
  assert.equal(errSuffix, "unable to parse quantity's suffix");
  assert.throws(() => Quantity.mustParse("Non-Numeric"), /cannot parse 'Non-Numeric'/);
});

test("parseQuantityString splits number and suffix (TestParseQuantityString)", () => {
  const cases: [string, boolean, string, string, string, string][] = [
    ["0.025Ti", true, "0.025", "0", "025", "Ti"],
    ["1.025Ti", true, "1.025", "1", "025", "Ti"],
    ["-1.025Ti", false, "-1.025", "1", "025", "Ti"],
    [".", true, ".", "0", "", ""],
    ["-.", false, "-.", "0", "", ""],
    ["1E-3", true, "1", "1", "", "E-3"],
  ];
  for (const [input, positive, value, num, denom, suffix] of cases) {
    assert.deepEqual(parseQuantityString(input), { positive, value, num, denom, suffix }, input);
  }
});

test("canonical String() (TestQuantityString)", () => {
  const table: [Quantity, string, string][] = [
    [dec(1024 ** 3, 0, BinarySI), "1Gi", "1024Mi"],
    [dec(300 * 1024 * 1024, 0, BinarySI), "300Mi", "307200Ki"],
    [dec(6 * 1024, 0, BinarySI), "6Ki", ""],
    [dec(1001 * 1024 ** 3, 0, BinarySI), "1001Gi", "1025024Mi"],
    [dec(1024 ** 4, 0, BinarySI), "1Ti", "1024Gi"],
    [dec(5, 0, BinarySI), "5", "5000m"],
    [dec(500, -3, BinarySI), "500m", "0.5"],
    [dec(1, 9, DecimalSI), "1G", "1000M"],
    [dec(1000, 6, DecimalSI), "1G", "0.001T"],
    [dec(1000000, 3, DecimalSI), "1G", ""],
    [dec(1000000000, 0, DecimalSI), "1G", ""],
    [dec(1, -3, DecimalSI), "1m", "1000u"],
    [dec(80, -3, DecimalSI), "80m", ""],
    [dec(1080, -3, DecimalSI), "1080m", "1.08"],
    [dec(108, -2, DecimalSI), "1080m", "1080000000n"],
    [dec(10800, -4, DecimalSI), "1080m", ""],
    [dec(300, 6, DecimalSI), "300M", ""],
    [dec(1, 12, DecimalSI), "1T", ""],
    [dec(1234567, 6, DecimalSI), "1234567M", ""],
    [dec(1234567, -3, BinarySI), "1234567m", ""],
    [dec(3, 3, DecimalSI), "3k", ""],
    [dec(1025, 0, BinarySI), "1025", ""],
    [dec(0, 0, DecimalSI), "0", ""],
    [dec(0, 0, BinarySI), "0", ""],
    [dec(1, 9, DecimalExponent), "1e9", ".001e12"],
    [dec(1, -3, DecimalExponent), "1e-3", "0.001e0"],
    [dec(1, -9, DecimalExponent), "1e-9", "1000e-12"],
    [dec(80, -3, DecimalExponent), "80e-3", ""],
    [dec(300, 6, DecimalExponent), "300e6", ""],
    [dec(1, 12, DecimalExponent), "1e12", ""],
    [dec(1, 3, DecimalExponent), "1e3", ""],
    [dec(3, 3, DecimalExponent), "3e3", ""],
    [dec(0, 0, DecimalExponent), "0", "00"],
    [dec(1, -9, DecimalSI), "1n", ""],
    [dec(80, -9, DecimalSI), "80n", ""],
    [dec(1080, -9, DecimalSI), "1080n", ""],
    [dec(108, -8, DecimalSI), "1080n", ""],
    [dec(10800, -10, DecimalSI), "1080n", ""],
    [dec(1, -6, DecimalSI), "1u", ""],
    [dec(80, -6, DecimalSI), "80u", ""],
    [dec(1080, -6, DecimalSI), "1080u", ""],
  ];
  for (const [q, expect, alternate] of table) {
    assert.equal(q.toString(), expect);
    assert.equal(parseQuantity(expect).toString(), expect, `re-parse ${expect}`);
    if (alternate) assert.equal(parseQuantity(alternate).toString(), expect, `alternate ${alternate}`);
    if (!q.isZero()) assert.equal(q.neg().toString(), `-${expect}`);
  }
});

test("parse then emit (TestQuantityParseEmit)", () => {
  const table: [string, string][] = [
    ["1Ki", "1Ki"],
    ["1Mi", "1Mi"],
    ["1Gi", "1Gi"],
    ["1024Mi", "1Gi"],
    ["1000M", "1G"],
    [".001Ki", "1024m"],
    [".000001Ki", "1024u"],
    [".000000001Ki", "1024n"],
    [".000000000001Ki", "2n"],
  ];
  for (const [input, out] of table) {
    assert.equal(parseQuantity(input).toString(), out, input);
    assert.equal(parseQuantity(`-${input}`).toString(), `-${out}`, `-${input}`);
  }
});

test("a string already in canonical form is kept verbatim, as upstream's fast path does", () => {
  assert.equal(parseQuantity("1E3").toString(), "1E3");
  assert.equal(parseQuantity("+1Ki").toString(), "+1Ki");
  assert.equal(parseQuantity("01").toString(), "01");
  assert.equal(parseQuantity("1000E").toString(), "1", "upstream has no suffix for 10^21 in DecimalSI");
  assert.equal(parseQuantity("12E").toString(), "12E");
  assert.equal(parseQuantity("1.0").toString(), "1");
  // A fraction of exactly 3, 6 or 9 digits passes upstream's "canonical" test too.
  assert.equal(parseQuantity("1.001").toString(), "1.001");
  assert.equal(parseQuantity("1.0010").toString(), "1001m");
});

test("NewQuantity, NewMilliQuantity, NewScaledQuantity (TestNewSet, TestMilliNewSet, TestNewScaledSet)", () => {
  const newSet: [number, Format, string][] = [
    [1, DecimalSI, "1"],
    [1000, DecimalSI, "1k"],
    [1234000, DecimalSI, "1234k"],
    [1024, BinarySI, "1Ki"],
    [1000000, "invalidFormatDefaultsToExponent" as Format, "1e6"],
    [1024 * 1024, BinarySI, "1Mi"],
  ];
  for (const [v, f, out] of newSet) {
    const q = Quantity.fromInt(v, f);
    assert.equal(q.toString(), out);
    assert.equal(parseQuantity(q.toString()).value(), BigInt(v));
  }
  const milli: [number, Format, string, boolean][] = [
    [1, DecimalSI, "1m", true],
    [1000, DecimalSI, "1", true],
    [1234000, DecimalSI, "1234", true],
    [1024, BinarySI, "1024m", false],
    [1000000, "invalidFormatDefaultsToExponent" as Format, "1e3", true],
    [1024 * 1024, BinarySI, "1048576m", false],
  ];
  for (const [v, f, out, exact] of milli) {
    const q = Quantity.fromMilli(v, f);
    assert.equal(q.toString(), out);
    if (exact) assert.equal(parseQuantity(q.toString()).milliValue(), BigInt(v));
  }
  const scaled: [number, number, string][] = [
    [1, -9, "1n"],
    [1000, -9, "1u"],
    [1, -6, "1u"],
    [1000, -6, "1m"],
    [1, -3, "1m"],
    [1000, -3, "1"],
    [1, 0, "1"],
    [0, -9, "0"],
    [0, -6, "0"],
    [0, -3, "0"],
    [0, 0, "0"],
  ];
  for (const [v, scale, out] of scaled) {
    const q = Quantity.fromScaled(v, scale);
    assert.equal(q.toString(), out);
    assert.equal(parseQuantity(q.toString()).scaledValue(scale), BigInt(v));
  }
});

test("ScaledValue, Value and MilliValue round up (TestScaledValue)", () => {
  const table: [number, number, bigint][] = [
    [-9, -9, 1n],
    [-9, -6, 1n],
    [-9, -3, 1n],
    [-9, 0, 1n],
    [-6, -9, 1000n],
    [-6, -6, 1n],
    [-6, -3, 1n],
    [-6, 0, 1n],
    [-3, -9, 1000n * 1000n],
    [-3, -6, 1000n],
    [-3, -3, 1n],
    [-3, 0, 1n],
    [0, -9, 1000n * 1000n * 1000n],
    [0, -6, 1000n * 1000n],
    [0, -3, 1000n],
    [0, 0, 1n],
    [2, -2, 100n * 100n],
  ];
  for (const [from, to, want] of table) assert.equal(Quantity.fromScaled(1, from).scaledValue(to), want);
  assert.equal(parseQuantity("1.5").value(), 2n);
  assert.equal(parseQuantity("100m").value(), 1n);
  assert.equal(parseQuantity("100m").milliValue(), 100n);
  assert.equal(parseQuantity("1.5").milliValue(), 1500n);
  assert.equal(parseQuantity("1n").milliValue(), 1n);
  assert.equal(parseQuantity("-1.5").value(), -2n, "away from zero, as the int64 path rounds");
  assert.equal(parseQuantity("1Gi").value(), 1073741824n);
  assert.equal(parseQuantity("8Ei").value(), maxInt64, "BinarySI is capped at 2^63-1");
  assert.equal(parseQuantity("100E").value(), 10n ** 20n, "exact where Go would overflow");
  assert.equal(parseQuantity("123456789012345678901234567890").value(), 123456789012345678901234567890n);
  assert.equal(parseQuantity("0").value(), 0n);
});

test("Cmp (TestQuantityCmp, TestQuantityCmpInt64AndDec)", () => {
  const strs: [string, string, number][] = [
    ["0", "0", 0],
    ["100m", "50m", 1],
    ["50m", "100m", -1],
    ["10000T", "100Gi", 1],
    ["1Gi", "1G", 1],
    ["1000m", "1", 0],
    ["-1", "1m", -1],
  ];
  for (const [x, y, want] of strs) assert.equal(parseQuantity(x).cmp(parseQuantity(y)), want, `${x} vs ${y}`);
  const table: [Quantity, Quantity, number][] = [
    [dec(901, -2, DecimalSI), dec(901, -2, DecimalSI), 0],
    [dec(90, -1, DecimalSI), dec(901, -2, DecimalSI), -1],
    [dec(901, -2, DecimalSI), dec(900, -2, DecimalSI), 1],
    [dec(0, 0, DecimalSI), dec(0, 0, DecimalSI), 0],
    [dec(0, 1, DecimalSI), dec(0, -1, DecimalSI), 0],
    [dec(800, -3, DecimalSI), dec(1, 0, DecimalSI), -1],
    [dec(800, -3, DecimalSI), dec(79, -2, DecimalSI), 1],
    [dec(maxInt64, 0, DecimalSI), dec(1, -1, DecimalSI), 1],
    [dec(maxInt64, 1, DecimalSI), dec(1, 0, DecimalSI), 1],
    [dec(maxInt64, 1, DecimalSI), dec(1, 1, DecimalSI), 1],
    [dec(maxInt64, 1, DecimalSI), dec(0, 1, DecimalSI), 1],
    [dec(maxInt64, -16, DecimalSI), dec(1, 3, DecimalSI), -1],
    [dec(mostNegative, 0, DecimalSI), dec(0, 0, DecimalSI), -1],
    [dec(mostNegative, -18, DecimalSI), dec(-1, 0, DecimalSI), -1],
    [dec(mostNegative, -19, DecimalSI), dec(-1, 0, DecimalSI), 1],
    [dec(10n ** 18n, -17, DecimalSI), dec(1, 1, DecimalSI), 0],
    [dec(10n ** 18n, -17, DecimalSI), dec(-10, 0, DecimalSI), 1],
    [dec(-(10n ** 18n), -17, DecimalSI), dec(-10, 0, DecimalSI), 0],
    [dec(10n ** 18n, -17, DecimalSI), dec(1, 0, DecimalSI), 1],
    [dec(10n ** 18n + 1n, -17, DecimalSI), dec(1, 1, DecimalSI), 1],
    [dec(10n ** 18n - 1n, -17, DecimalSI), dec(1, 1, DecimalSI), -1],
  ];
  for (const [a, b, want] of table) {
    assert.equal(a.cmp(b), want, `${a} vs ${b}`);
    assert.equal(b.cmp(a), 0 - want, `${b} vs ${a}`);
  }
  assert.equal(
    parseQuantity("1e2000000000").cmp(parseQuantity("1")),
    1,
    "huge exponents compare without expanding",
  );
  assert.equal(parseQuantity("1e-2000000000").cmp(parseQuantity("1n")), 0, "tiny values round up to 1n");
  assert.equal(parseQuantity("2k").cmpInt(2000), 0);
  assert.equal(parseQuantity("1Ki").equals(parseQuantity("1024")), true);
});

test("Add, Sub and Neg (TestAdd, TestSub, TestNeg)", () => {
  const zero = Quantity.fromInt(0, DecimalSI);
  const add: [Quantity, Quantity, Quantity][] = [
    [dec(10, 0, DecimalSI), dec(1, 1, DecimalSI), dec(20, 0, DecimalSI)],
    [dec(10, 0, DecimalSI), dec(1, 0, BinarySI), dec(11, 0, DecimalSI)],
    [dec(10, 0, BinarySI), dec(1, 0, DecimalSI), dec(11, 0, BinarySI)],
    [zero, dec(50, 0, DecimalSI), dec(50, 0, DecimalSI)],
    [dec(50, 0, DecimalSI), zero, dec(50, 0, DecimalSI)],
    [zero, zero, dec(0, 0, DecimalSI)],
  ];
  for (const [a, b, want] of add) {
    const got = a.add(b);
    assert.equal(got.cmp(want), 0, `${a}+${b}=${got}`);
    assert.equal(got.format, want.format);
  }
  const sub: [Quantity, Quantity, Quantity][] = [
    [dec(10, 0, DecimalSI), dec(1, 1, DecimalSI), dec(0, 0, DecimalSI)],
    [dec(10, 0, DecimalSI), dec(1, 0, BinarySI), dec(9, 0, DecimalSI)],
    [dec(10, 0, BinarySI), dec(1, 0, DecimalSI), dec(9, 0, BinarySI)],
    [zero, dec(50, 0, DecimalSI), dec(-50, 0, DecimalSI)],
    [dec(50, 0, DecimalSI), zero, dec(50, 0, DecimalSI)],
  ];
  for (const [a, b, want] of sub) {
    const got = a.sub(b);
    assert.equal(got.cmp(want), 0, `${a}-${b}=${got}`);
    assert.equal(got.format, want.format);
  }
  assert.equal(dec(901, -2, DecimalSI).neg().toString(), "-9010m");
  assert.equal(
    dec(10, 0, BinarySI)
      .neg()
      .cmp(dec(-10, 0, BinarySI)),
    0,
  );
  // Adding to or subtracting zero keeps the suffix (TestQuantityAddZeroPreservesSuffix).
  for (const s of ["100m", "1Gi"]) {
    const v = parseQuantity(s);
    const z = parseQuantity("0");
    assert.equal(v.add(z).toString(), s);
    assert.equal(z.add(v).toString(), s);
    assert.equal(v.sub(z).toString(), s);
    assert.equal(z.sub(v).toString(), v.neg().toString());
  }
  assert.equal(parseQuantity("500m").add(parseQuantity("1.5")).toString(), "2");
  assert.equal(parseQuantity("1Gi").add(parseQuantity("512Mi")).toString(), "1536Mi");
  assert.equal(
    dec(maxInt64, 0, DecimalSI)
      .add(dec(maxInt64, 0, DecimalSI))
      .value(),
    2n * maxInt64,
  );
  assert.equal(parseQuantity("100m").mul(3).toString(), "300m");
});

test("AsApproximateFloat64 (TestStringQuantityAsApproximateFloat64)", () => {
  const cases: [string, number][] = [
    ["2Ki", 2048],
    ["1.1Ki", 1126.4],
    ["1Mi", 1.048576e6],
    ["2Gi", 2.147483648e9],
    ["100m", 0.1],
    ["1.5", 1.5],
  ];
  for (const [s, want] of cases) assert.equal(parseQuantity(s).asApproximateFloat64(), want, s);
  assert.equal(dec(7 * 1024 * 1024, -1, DecimalSI).asApproximateFloat64(), 7 * 1024 * 1024 * 0.1);
  assert.equal(dec(7 * 1024 * 1024, -8, DecimalSI).asApproximateFloat64(), (7 * 1024 * 1024) / 100000000);
  assert.equal(dec(12, 18, DecimalSI).asApproximateFloat64(), 1.2e19);
  assert.equal(dec(12, 500, DecimalSI).asApproximateFloat64(), Number.POSITIVE_INFINITY);
  assert.equal(dec(-12, 500, DecimalSI).asApproximateFloat64(), Number.NEGATIVE_INFINITY);
});

test("JSON form is the canonical string; numbers and padded strings decode (TestJSONWhitespace)", () => {
  assert.equal(JSON.stringify({ cpu: parseQuantity("0.5") }), '{"cpu":"500m"}');
  const cases: [unknown, string][] = [
    [" 1", "1"],
    ["1 ", "1"],
    [1, "1"],
    [10, "10"],
    [-1, "-1"],
    [" -1", "-1"],
    [0.5, "500m"],
  ];
  for (const [v, want] of cases) assert.equal(Quantity.fromJSON(v).toString(), want, String(v));
  assert.throws(() => Quantity.fromJSON(null));
});

test("big and tiny values stay exact", () => {
  const big = parseQuantity("123456789012345678901234567890");
  assert.equal(big.toString(), "123456789012345678901234567890");
  assert.equal(big.toDecimalString(), "123456789012345678901234567890");
  assert.equal(parseQuantity("1.0000000010").toString(), "1000000001n");
  assert.equal(parseQuantity("0.000000001").toDecimalString(), "0.000000001");
  assert.equal(parseQuantity("1e-2000000000").toString(), "1e-9");
  assert.equal(parseQuantity("12345678901234567890123Mi").toDecimalString(), "9223372036854775807");
});
