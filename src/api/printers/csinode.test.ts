// printCSINode. Upstream's printers_test.go has no CSINode case; NAME, the driver count, AGE.
import assert from "node:assert/strict";
import { test } from "node:test";
import { csiNodePrinter } from "./csinode.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("NAME, DRIVERS, AGE", () => {
  const created = new Date(now.getTime() - 2 * 3_600_000).toISOString();
  assert.deepEqual(
    csiNodePrinter.print(
      {
        metadata: { name: "node1", creationTimestamp: created },
        spec: {
          drivers: [
            { name: "a.csi.example.com", nodeID: "n1" },
            { name: "b.csi.example.com", nodeID: "n1", topologyKeys: ["zone"] },
          ],
        },
      },
      { now },
    ).cells,
    ["node1", 2, "120m"],
  );
  assert.deepEqual(
    csiNodePrinter.print({ metadata: { name: "node2" }, spec: { drivers: [] } }, { now }).cells,
    ["node2", 0, "<unknown>"],
  );
  assert.deepEqual(
    csiNodePrinter.columns.map((c) => [c.name, c.type, c.description]),
    [
      ["Name", "string", csiNodePrinter.columns[0].description],
      ["Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"],
      ["Age", "string", csiNodePrinter.columns[2].description],
    ],
  );
});
