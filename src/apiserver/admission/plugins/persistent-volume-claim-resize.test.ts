import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { ObjectCache } from "./object-cache.ts";
import { PersistentVolumeClaimResize } from "./persistent-volume-claim-resize.ts";
import { attrs, newRegistry, status } from "./test-helpers.ts";

function claim(storage: string, phase = "Bound", storageClassName = "expandable"): Obj {
  return {
    metadata: { name: "data", namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } }, storageClassName },
    status: { phase },
  };
}

/** A registry with the classes "expandable" (allowVolumeExpansion: true), "fixed" (false) and "unsaid". */
async function setup(cached: boolean) {
  const registry = newRegistry();
  const classes = registry.byResource("storage.k8s.io", "v1", "storageclasses")!;
  for (const [name, allowVolumeExpansion] of [
    ["expandable", true],
    ["fixed", false],
    ["unsaid", undefined],
  ] as const) {
    await classes.create(undefined, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name },
      provisioner: "example.com/p",
      ...(allowVolumeExpansion === undefined ? {} : { allowVolumeExpansion }),
    });
  }
  const cache = new ObjectCache(classes);
  if (cached) await cache.start();
  const plugin = new PersistentVolumeClaimResize({ registry, cache });
  const update = (object: Obj, oldObject: Obj) =>
    plugin.validate(attrs({ resource: "persistentvolumeclaims", operation: "UPDATE", object, oldObject }));
  return { update, cache };
}

const REFUSED =
  'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

test("a bound claim grows only when its class allows volume expansion", async () => {
  const { update, cache } = await setup(true);
  try {
    await update(claim("2Gi"), claim("1Gi"));
    // Equal or smaller is not an expansion (validation judges shrinking).
    await update(claim("1Gi", "Pending"), claim("1Gi", "Pending"));
    await update(claim("1024Mi"), claim("1Gi"));
    for (const cls of ["fixed", "unsaid", ""]) {
      await assert.rejects(update(claim("2Gi", "Bound", cls), claim("1Gi", "Bound", cls)), (e) => {
        assert.equal(status(e).code, 403);
        assert.equal(status(e).message, REFUSED);
        return true;
      });
    }
    // The class may not change on the way, and must exist.
    await assert.rejects(update(claim("2Gi"), claim("1Gi", "Bound", "fixed")), /must support resize/);
    await assert.rejects(
      update(claim("2Gi", "Bound", "gone"), claim("1Gi", "Bound", "gone")),
      /must support resize/,
    );
  } finally {
    cache.stop();
  }
});

test("only a bound claim may grow", async () => {
  const { update, cache } = await setup(true);
  try {
    await assert.rejects(update(claim("2Gi", "Pending"), claim("1Gi", "Pending")), (e) => {
      assert.equal(
        status(e).message,
        'persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded',
      );
      return true;
    });
  } finally {
    cache.stop();
  }
});

test("without a synced cache it reads the class from the store", async () => {
  const { update } = await setup(false);
  await update(claim("2Gi"), claim("1Gi"));
  await assert.rejects(
    update(claim("2Gi", "Bound", "fixed"), claim("1Gi", "Bound", "fixed")),
    /must support resize/,
  );
});
