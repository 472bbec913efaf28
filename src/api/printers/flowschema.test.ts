// Cases after TestPrintFlowSchema (printers_test.go), plus the List handler's order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flowSchemaPrinter } from "./flowschema.ts";
import { printTable } from "./index.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() - 10 * 3600_000).toISOString();

test("NAME, PRIORITYLEVEL, MATCHINGPRECEDENCE, DISTINGUISHERMETHOD, AGE, MISSINGPL", () => {
  assert.deepEqual(
    flowSchemaPrinter.print(
      {
        metadata: { name: "all-matcher", creationTimestamp: created },
        spec: { matchingPrecedence: 1024, priorityLevelConfiguration: { name: "allee" } },
      },
      { now },
    ).cells,
    ["all-matcher", "allee", 1024, "<none>", "10h", "?"],
  );
  assert.deepEqual(
    flowSchemaPrinter.print(
      {
        metadata: { name: "some-matcher", creationTimestamp: created },
        spec: {
          matchingPrecedence: 1024,
          priorityLevelConfiguration: { name: "allee" },
          distinguisherMethod: { type: "ByUser" },
        },
        status: {
          conditions: [
            { type: "Dangling", status: "True" },
            { type: "Dangling", status: "False" },
          ],
        },
      },
      { now },
    ).cells,
    ["some-matcher", "allee", 1024, "ByUser", "10h", "True"],
  );
  assert.deepEqual(
    flowSchemaPrinter.print(
      {
        metadata: { name: "other" },
        spec: { priorityLevelConfiguration: { name: "p" }, matchingPrecedence: 5 },
        status: {
          conditions: [
            { type: "Other", status: "True" },
            { type: "Dangling", status: "False" },
          ],
        },
      },
      { now },
    ).cells,
    ["other", "p", 5, "<none>", "<unknown>", "False"],
  );
  assert.deepEqual(
    flowSchemaPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ["Name", "string", "name", 0],
      ["PriorityLevel", "string", "", 0],
      ["MatchingPrecedence", "string", "", 0],
      ["DistinguisherMethod", "string", "", 0],
      ["Age", "string", "", 0],
      ["MissingPL", "string", "", 0],
    ],
  );
  assert.equal(
    flowSchemaPrinter.columns[5].description,
    "references a broken or non-existent PriorityLevelConfiguration",
  );
});

test("a list prints by matchingPrecedence, then name (FlowSchemaSequence)", () => {
  const item = (name: string, matchingPrecedence: number) => ({
    metadata: { name },
    spec: { priorityLevelConfiguration: { name: "p" }, matchingPrecedence },
  });
  const table = printTable(
    "FlowSchema",
    [
      item("global-default", 9900),
      item("b", 500),
      item("exempt", 1),
      item("a", 500),
      item("catch-all", 10000),
    ],
    { now },
  );
  assert.deepEqual(
    table.rows?.map((r) => r.cells[0]),
    ["exempt", "a", "b", "global-default", "catch-all"],
  );
  // The rows' objects follow the same order.
  assert.deepEqual(
    table.rows?.map((r) => (r.object as { metadata: { name: string } }).metadata.name),
    ["exempt", "a", "b", "global-default", "catch-all"],
  );
});
