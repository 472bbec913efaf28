// Cases from TestPrintControllerRevision and TestFormatResourceName (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { controllerRevisionPrinter, formatResourceName } from "./controllerrevision.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();

test("CONTROLLER from the controlling owner reference", () => {
  const print = (
    ownerReferences:
      | { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[]
      | undefined,
    revision: number,
  ) =>
    controllerRevisionPrinter.print(
      { metadata: { name: "test", creationTimestamp: created, ownerReferences }, revision },
      { now },
    ).cells;
  assert.deepEqual(
    print([{ controller: true, apiVersion: "apps/v1", kind: "DaemonSet", name: "foo", uid: "u" }], 1),
    ["test", "daemonset.apps/foo", 1, "0s"],
  );
  assert.deepEqual(print([{ controller: false, apiVersion: "", kind: "ABC", name: "foo", uid: "u" }], 2), [
    "test",
    "<none>",
    2,
    "0s",
  ]);
  assert.deepEqual(print([], 3), ["test", "<none>", 3, "0s"]);
  assert.deepEqual(print(undefined, 4), ["test", "<none>", 4, "0s"]);
  assert.equal(
    print([{ controller: true, apiVersion: "v1", kind: "Pod", name: "p", uid: "u" }], 5)[1],
    "pod/p",
  );
});

test("formatResourceName", () => {
  assert.equal(formatResourceName("", "", ""), "");
  assert.equal(formatResourceName("", "", "name"), "name");
  assert.equal(formatResourceName("", "Kind", ""), "kind/");
  assert.equal(formatResourceName("", "Kind", "name"), "kind/name");
  assert.equal(formatResourceName("group", "Kind", "name"), "kind.group/name");
});
