import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { DefaultStorageClass, defaultClass } from "./default-storage-class.ts";
import { attrs, newRegistry } from "./test-helpers.ts";

function sc(name: string, isDefault: string | undefined, created = "2026-01-01T00:00:00Z"): Obj {
  return {
    metadata: {
      name,
      creationTimestamp: created,
      ...(isDefault === undefined
        ? {}
        : { annotations: { "storageclass.kubernetes.io/is-default-class": isDefault } }),
    },
    provisioner: "example.com/p",
  };
}

function claim(spec: Obj = {}, annotations?: Obj): Obj {
  return {
    metadata: { name: "data", namespace: "default", ...(annotations ? { annotations } : {}) },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
  };
}

test("the newest default class wins, then the first by name; 'false' is not default", () => {
  assert.equal(defaultClass([sc("a", "false"), sc("b", undefined)]), undefined);
  assert.equal(
    defaultClass([sc("old", "true", "2026-01-01T00:00:00Z"), sc("new", "true", "2026-02-01T00:00:00Z")])
      ?.metadata.name,
    "new",
  );
  assert.equal(defaultClass([sc("zeta", "true"), sc("alpha", "true")])?.metadata.name, "alpha");
  const beta = {
    metadata: { name: "beta", annotations: { "storageclass.beta.kubernetes.io/is-default-class": "true" } },
  };
  assert.equal(defaultClass([beta])?.metadata.name, "beta");
});

test('claims without a class get the default; claims naming one (even "") keep it', async () => {
  const registry = newRegistry();
  const store = registry.byResource("storage.k8s.io", "v1", "storageclasses")!;
  const plugin = new DefaultStorageClass({ registry });
  const admit = async (pvc: Obj) => {
    const a = attrs({ resource: "persistentvolumeclaims", object: pvc });
    await plugin.admit(a);
    return a.object!;
  };
  assert.equal((await admit(claim())).spec.storageClassName, undefined);
  await store.create(undefined, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    ...sc("standard", "true"),
  });
  await store.create(undefined, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    ...sc("fast", undefined),
  });
  assert.equal((await admit(claim())).spec.storageClassName, "standard");
  assert.equal((await admit(claim({ storageClassName: "fast" }))).spec.storageClassName, "fast");
  assert.equal((await admit(claim({ storageClassName: "" }))).spec.storageClassName, "");
  const beta = await admit(claim({}, { "volume.beta.kubernetes.io/storage-class": "fast" }));
  assert.equal(beta.spec.storageClassName, undefined);
});
