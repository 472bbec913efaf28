// Cases from TestTranslateTimestampSince (pkg/printers/internalversion/printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatRFC3339, translateTimestampSince } from "./timestamp.ts";

const now = new Date("2024-06-01T12:00:00Z");
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();

test("translateTimestampSince", () => {
  assert.equal(translateTimestampSince(at(2100), now), "<invalid>", "a while from now");
  assert.equal(translateTimestampSince(at(1900), now), "0s", "almost now");
  assert.equal(translateTimestampSince(at(0), now), "0s", "now");
  assert.equal(translateTimestampSince(undefined, now), "<unknown>", "unknown");
  assert.equal(translateTimestampSince(at(-30_000), now), "30s");
  assert.equal(translateTimestampSince(at(-300_000), now), "5m");
  assert.equal(translateTimestampSince(at(-6_000_000), now), "100m", "an hour ago");
  assert.equal(translateTimestampSince("2024-05-30T12:00:00Z", now), "2d");
  assert.equal(translateTimestampSince("2024-03-03T12:00:00Z", now), "90d", "months ago");
  assert.equal(translateTimestampSince(at(-10 * 365 * 24 * 3600 * 1000), now), "10y");
});

test("RFC3339 rendering drops fractions and renders the zero time like Go", () => {
  assert.equal(formatRFC3339("2024-06-01T12:00:00.123456Z"), "2024-06-01T12:00:00Z");
  assert.equal(formatRFC3339("2024-06-01T14:00:00+02:00"), "2024-06-01T12:00:00Z");
  assert.equal(formatRFC3339(undefined), "0001-01-01T00:00:00Z");
});
