// Quantity.String() canonical forms, as resource.MustParse(x).String() prints them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatIntOrString, formatQuantity } from "./quantity.ts";

test("canonical quantity strings", () => {
  const cases: [string | number | undefined, string][] = [
    [undefined, "0"],
    ["0", "0"],
    ["0Gi", "0"],
    ["4Gi", "4Gi"],
    ["10Gi", "10Gi"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["1.5Gi", "1536Mi"],
    ["0.5Gi", "512Mi"],
    ["100Ki", "100Ki"],
    ["1Ki", "1Ki"],
    ["512", "512"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["1", "1"],
    ["100", "100"],
    ["0.5", "500m"],
    ["1.5", "1500m"],
    ["100m", "100m"],
    ["1000m", "1"],
    ["2000Mi", "2000Mi"],
    ["1e3", "1e3"],
    // A canonical string is kept as written (Quantity caches it), exponent case included.
    ["1E6", "1E6"],
    ["12e2", "1200"],
    ["1M", "1M"],
    ["1000k", "1M"],
    ["0.1m", "100u"],
    ["1n", "1n"],
    ["0.1n", "1n"],
    [2, "2"],
    ["-1", "-1"],
  ];
  for (const [input, want] of cases) assert.equal(formatQuantity(input), want, String(input));
});

test("IntOrString String()", () => {
  assert.equal(formatIntOrString(22), "22");
  assert.equal(formatIntOrString("50%"), "50%");
});
