// The table of a custom resource, from its CRD version's additionalPrinterColumns
// (apiextensions-apiserver's tableconvertor): NAME, then one column per
// definition, each cell found by the column's JSONPath.
import { findResults, parseJSONPath, printResult } from "../../machinery/jsonpath.ts";
import type { Obj } from "../registry.ts";
import { swaggerDoc } from "./descriptions.ts";
import { type Cell, column, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

const objectMeta = swaggerDoc["metav1.ObjectMeta"];

/** The cell of a non-string column: the value only when it has the column's type (cellForJSONValue). */
function cellForJSONValue(type: string, value: unknown, now: Date): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "string":
      return typeof value === "string" ? value : null;
    case "date": {
      if (typeof value !== "string") return null;
      // metav1.Time's UnmarshalQueryParameter: RFC3339, else the cell says so.
      if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return "<invalid>";
      return translateTimestampSince(value, now);
    }
  }
  return null;
}

export function customResourcePrinter(columns: Obj[]): TablePrinter<Obj> {
  const paths = columns.map((c) => {
    try {
      return parseJSONPath(String(c.jsonPath ?? ""));
    } catch {
      // The CRD's validation refuses such paths; a column that cannot be read stays empty.
      return undefined;
    }
  });
  return {
    columns: [
      column("Name", "string", objectMeta.name, { format: "name" }),
      ...columns.map((c) =>
        column(
          c.name,
          c.type,
          c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          { format: c.format ?? "", priority: c.priority ?? 0 },
        ),
      ),
    ],
    print(obj, ctx): PrintedRow {
      const cells: Cell[] = [obj.metadata?.name ?? ""];
      columns.forEach((c, i) => {
        const path = paths[i];
        const results = path ? findResults(obj, path) : [];
        if (results.length === 0) cells.push(null);
        else if (c.type === "string") cells.push(printResult(results[0]));
        else cells.push(cellForJSONValue(c.type, results[0], ctx.now));
      });
      return { cells };
    },
  };
}
