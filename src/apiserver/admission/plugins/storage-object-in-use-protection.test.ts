// StorageObjectInUseProtection, after upstream's admission_test.go: new PVs
// and PVCs get their protection finalizer once; nothing else changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { StorageObjectInUseProtection } from "./storage-object-in-use-protection.ts";
import { attrs, pod } from "./test-helpers.ts";

const plugin = new StorageObjectInUseProtection();

function admit(resource: string, object: Obj, subresource = ""): Obj {
  plugin.admit(attrs({ resource, object, subresource }));
  return object;
}

const claim = (finalizers?: string[]): Obj => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "claim", namespace: "ns", finalizers },
});
const volume = (finalizers?: string[]): Obj => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "pv", finalizers },
});

test("a new claim gets kubernetes.io/pvc-protection, a new volume kubernetes.io/pv-protection", () => {
  assert.deepEqual(admit("persistentvolumeclaims", claim()).metadata.finalizers, [
    "kubernetes.io/pvc-protection",
  ]);
  assert.deepEqual(admit("persistentvolumes", volume()).metadata.finalizers, ["kubernetes.io/pv-protection"]);
});

test("present finalizers are kept and never doubled", () => {
  assert.deepEqual(
    admit("persistentvolumeclaims", claim(["a", "kubernetes.io/pvc-protection"])).metadata.finalizers,
    ["a", "kubernetes.io/pvc-protection"],
  );
  assert.deepEqual(admit("persistentvolumes", volume(["a"])).metadata.finalizers, [
    "a",
    "kubernetes.io/pv-protection",
  ]);
});

test("only CREATE, only the objects themselves, only these two resources", () => {
  assert.equal(plugin.handles("CREATE"), true);
  assert.equal(plugin.handles("UPDATE"), false);
  assert.equal(plugin.handles("DELETE"), false);
  assert.equal(admit("persistentvolumeclaims", claim(), "status").metadata.finalizers, undefined);
  assert.equal(admit("pods", pod("p")).metadata.finalizers, undefined);
});
