// defaultTableConvertor (apiserver/pkg/registry/rest/table.go): NAME and CREATED AT in RFC3339.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultPrinter } from "./default.ts";
import { swaggerDoc } from "./descriptions.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("cells are the name and the UTC creation time", () => {
  assert.deepEqual(
    defaultPrinter.print({ metadata: { name: "admin", creationTimestamp: "2024-05-01T08:30:00Z" } }, { now })
      .cells,
    ["admin", "2024-05-01T08:30:00Z"],
  );
  assert.deepEqual(defaultPrinter.print({ metadata: { name: "x" } }, { now }).cells, [
    "x",
    "0001-01-01T00:00:00Z",
  ]);
});

test("columns are Name (format name) and Created At (type date)", () => {
  assert.deepEqual(defaultPrinter.columns, [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: swaggerDoc["metav1.ObjectMeta"].name,
      priority: 0,
    },
    {
      name: "Created At",
      type: "date",
      format: "",
      description: swaggerDoc["metav1.ObjectMeta"].creationTimestamp,
      priority: 0,
    },
  ]);
});
