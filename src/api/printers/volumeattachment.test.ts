// printVolumeAttachment. Upstream's printers_test.go has no VolumeAttachment case; these follow its branches.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { VolumeAttachment } from "kubernetes-types/storage/v1.d.ts";
import { volumeAttachmentPrinter } from "./volumeattachment.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (va: VolumeAttachment) => volumeAttachmentPrinter.print(va, { now }).cells;

test("columns: NAME ATTACHER PV NODE ATTACHED AGE, with ATTACHER formatted as a name", () => {
  assert.deepEqual(
    volumeAttachmentPrinter.columns.map((c) => [c.name, c.type, c.format]),
    [
      ["Name", "string", "name"],
      ["Attacher", "string", "name"],
      ["PV", "string", ""],
      ["Node", "string", ""],
      ["Attached", "boolean", ""],
      ["Age", "string", ""],
    ],
  );
  assert.equal(
    volumeAttachmentPrinter.columns[2].description,
    "persistentVolumeName represents the name of the persistent volume to attach.",
  );
});

test("an attached persistent volume", () => {
  assert.deepEqual(
    print({
      metadata: { name: "csi-123", creationTimestamp: new Date(now.getTime() - 90_000).toISOString() },
      spec: { attacher: "ebs.csi.aws.com", nodeName: "node1", source: { persistentVolumeName: "pv-1" } },
      status: { attached: true },
    }),
    ["csi-123", "ebs.csi.aws.com", "pv-1", "node1", true, "90s"],
  );
});

test("an inline volume spec has no PV, and no status means not attached", () => {
  assert.deepEqual(
    print({
      metadata: { name: "csi-456" },
      spec: {
        attacher: "a.csi.example.com",
        nodeName: "node2",
        source: { inlineVolumeSpec: { csi: { driver: "a.csi.example.com", volumeHandle: "h" } } },
      },
    }),
    ["csi-456", "a.csi.example.com", "", "node2", false, "<unknown>"],
  );
});
