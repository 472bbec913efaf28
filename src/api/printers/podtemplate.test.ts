// Cases from TestPrintPodTemplate (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { podTemplatePrinter } from "./podtemplate.ts";

const now = new Date("2024-06-01T12:00:00Z");

test("CONTAINERS, IMAGES and POD LABELS", () => {
  assert.deepEqual(
    podTemplatePrinter.print(
      { metadata: { name: "pod-template-1" }, template: { spec: { containers: [] } } },
      { now },
    ).cells,
    ["pod-template-1", "", "", "<none>"],
  );
  assert.deepEqual(
    podTemplatePrinter.print(
      {
        metadata: { name: "pod-template-2" },
        template: {
          spec: {
            containers: [
              { name: "fake-container1", image: "fake-image1" },
              { name: "fake-container2", image: "fake-image2" },
            ],
          },
        },
      },
      { now },
    ).cells,
    ["pod-template-2", "fake-container1,fake-container2", "fake-image1,fake-image2", "<none>"],
  );
  assert.deepEqual(
    podTemplatePrinter.print(
      {
        metadata: { name: "pod-template-3" },
        template: { metadata: { labels: { foo: "bar" } }, spec: { containers: [] } },
      },
      { now },
    ).cells,
    ["pod-template-3", "", "", "foo=bar"],
  );
  assert.deepEqual(
    podTemplatePrinter.columns.map((c) => [c.name, c.priority]),
    [
      ["Name", 0],
      ["Containers", 0],
      ["Images", 0],
      ["Pod Labels", 0],
    ],
  );
});
