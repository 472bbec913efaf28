// Cases ported from k8s.io/apimachinery/pkg/util/intstr/intstr_test.go and the
// apps validation of maxSurge/maxUnavailable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPath } from "./field-errors.ts";
import {
  fromInt,
  fromString,
  getScaledValueFromIntOrPercent,
  intOrStringToString,
  intValue,
  isNotMoreThan100Percent,
  isPercent,
  parseIntOrString,
  validatePercent,
  validatePositiveIntOrPercent,
} from "./intstr.ts";

test("GetScaledValueFromIntOrPercent (TestGetScaledValueFromIntOrPercent)", () => {
  assert.equal(getScaledValueFromIntOrPercent(fromInt(123), 0, false), 123);
  assert.equal(getScaledValueFromIntOrPercent(fromString("90%"), 100, true), 90);
  assert.equal(getScaledValueFromIntOrPercent(fromString("90%"), 95, true), 86);
  assert.equal(getScaledValueFromIntOrPercent(fromString("90%"), 95, false), 85);
  assert.equal(getScaledValueFromIntOrPercent("25%", 10, true), 3);
  assert.equal(getScaledValueFromIntOrPercent("25%", 10, false), 2);
  assert.equal(getScaledValueFromIntOrPercent("0%", 10, true), 0);
  assert.equal(getScaledValueFromIntOrPercent("+5%", 100, true), 5);
  const errs: [string | null, string][] = [
    ["%", 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax'],
    ["90#", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["#%", 'invalid value for IntOrString: invalid value "#%": strconv.Atoi: parsing "#": invalid syntax'],
    ["90", "invalid value for IntOrString: invalid type: string is not a percentage"],
    [
      "99999999999999999999%",
      'invalid value for IntOrString: invalid value "99999999999999999999%": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    [null, "nil value for IntOrString"],
  ];
  for (const [v, msg] of errs)
    assert.throws(() => getScaledValueFromIntOrPercent(v, 100, true), { message: msg }, String(v));
});

test("Parse, IntValue and String", () => {
  assert.equal(parseIntOrString("12"), 12);
  assert.equal(parseIntOrString("-3"), -3);
  assert.equal(parseIntOrString("http"), "http");
  assert.equal(parseIntOrString("25%"), "25%");
  assert.equal(intValue("42"), 42);
  assert.equal(intValue("http"), 0);
  assert.equal(intValue(8080), 8080);
  assert.equal(intOrStringToString(8080), "8080");
  assert.equal(intOrStringToString("http"), "http");
  assert.equal(isPercent("10%"), true);
  assert.equal(isPercent(10), false);
  assert.deepEqual(validatePercent("10%"), []);
  assert.deepEqual(validatePercent("10"), [
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
});

test("ValidatePositiveIntOrPercent and IsNotMoreThan100Percent", () => {
  const p = newPath("spec", "strategy", "rollingUpdate", "maxSurge");
  assert.deepEqual(validatePositiveIntOrPercent(1, p), []);
  assert.deepEqual(validatePositiveIntOrPercent("25%", p), []);
  assert.deepEqual(
    validatePositiveIntOrPercent(-1, p).map((e) => e.error()),
    ["spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"],
  );
  assert.deepEqual(
    validatePositiveIntOrPercent("50", p).map((e) => e.error()),
    [
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"50"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    ],
  );
  assert.deepEqual(isNotMoreThan100Percent("100%", p), []);
  assert.deepEqual(isNotMoreThan100Percent(150, p), []);
  assert.deepEqual(isNotMoreThan100Percent("abc", p), []);
  assert.deepEqual(
    isNotMoreThan100Percent("150%", p).map((e) => e.error()),
    ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "150%": must not be greater than 100%'],
  );
});
