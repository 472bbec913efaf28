// printCSIDriver. Upstream's printers_test.go has no CSIDriver case; these follow printCSIDriver's branches.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CSIDriver } from "kubernetes-types/storage/v1.d.ts";
import { csiDriverPrinter } from "./csidriver.ts";

const now = new Date("2024-06-01T12:00:00Z");
const fiveMinAgo = new Date(now.getTime() - 300_000).toISOString();
const print = (d: CSIDriver) => csiDriverPrinter.print(d, { now }).cells;

test("columns: NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE", () => {
  assert.deepEqual(
    csiDriverPrinter.columns.map((c) => [c.name, c.type, c.format]),
    [
      ["Name", "string", "name"],
      ["AttachRequired", "boolean", ""],
      ["PodInfoOnMount", "boolean", ""],
      ["StorageCapacity", "boolean", ""],
      ["TokenRequests", "string", ""],
      ["RequiresRepublish", "boolean", ""],
      ["Modes", "string", ""],
      ["Age", "string", ""],
    ],
  );
  assert.match(csiDriverPrinter.columns[1].description, /^attachRequired indicates this CSI volume driver/);
});

test("unset fields print upstream's fallbacks", () => {
  assert.deepEqual(print({ metadata: { name: "d1" }, spec: {} }), [
    "d1",
    true,
    false,
    false,
    "<unset>",
    false,
    "<none>",
    "<unknown>",
  ]);
});

test("a defaulted driver with token requests and both modes", () => {
  assert.deepEqual(
    print({
      metadata: { name: "hostpath.csi.k8s.io", creationTimestamp: fiveMinAgo },
      spec: {
        attachRequired: false,
        podInfoOnMount: true,
        storageCapacity: true,
        requiresRepublish: true,
        tokenRequests: [
          { audience: "gcp" },
          { audience: "" },
          { audience: "vault", expirationSeconds: 3600 },
        ],
        volumeLifecycleModes: ["Persistent", "Ephemeral"],
      },
    }),
    ["hostpath.csi.k8s.io", false, true, true, "gcp,,vault", true, "Persistent,Ephemeral", "5m"],
  );
});

test("an empty token request list joins to the empty string", () => {
  assert.equal(print({ metadata: { name: "d" }, spec: { tokenRequests: [] } })[4], "");
});
