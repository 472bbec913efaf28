import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDate, parseDate } from "./legacy-token-cleaner.ts";

test("dates are Go's 2006-01-02 in UTC, and only well-formed days parse", () => {
  assert.equal(formatDate(Date.parse("2024-02-29T23:59:59Z")), "2024-02-29");
  assert.equal(parseDate("2024-02-29"), Date.parse("2024-02-29T00:00:00Z"));
  assert.equal(parseDate("2023-02-29"), undefined);
  assert.equal(parseDate("2024-2-1"), undefined);
  assert.equal(parseDate("2024-02-01T00:00:00Z"), undefined);
  assert.equal(parseDate(undefined), undefined);
});
