import assert from "node:assert/strict";
import { test } from "node:test";
import {
  deleteOwnerRefJSONMergePatch,
  deleteOwnerRefStrategicMergePatch,
  finalizersPatch,
  unblockOwnerReferencesJSONMergePatch,
  unblockOwnerReferencesStrategicMergePatch,
} from "./patch.ts";

const a = { apiVersion: "v1", kind: "ConfigMap", name: "a", uid: "ua", blockOwnerDeletion: true };
const b = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "ub", controller: true };

test("the strategic merge patches are upstream's bytes", () => {
  // GenerateDeleteOwnerRefStrategicMergeBytes: uid first, then the $patch: delete directives.
  assert.equal(
    JSON.stringify(deleteOwnerRefStrategicMergePatch("dep", ["ua", "ub"])),
    '{"metadata":{"uid":"dep","ownerReferences":[{"$patch":"delete","uid":"ua"},{"$patch":"delete","uid":"ub"}]}}',
  );
  assert.deepEqual(unblockOwnerReferencesStrategicMergePatch("dep", [a, b]), {
    metadata: { uid: "dep", ownerReferences: [{ ...a, blockOwnerDeletion: false }] },
  });
});

test("the JSON merge patches carry the resourceVersion and the whole list (null when empty)", () => {
  const obj = { metadata: { resourceVersion: "7", ownerReferences: [a, b] } };
  assert.deepEqual(deleteOwnerRefJSONMergePatch(obj, ["ua"]), {
    metadata: { resourceVersion: "7", ownerReferences: [b] },
  });
  assert.equal(
    JSON.stringify(deleteOwnerRefJSONMergePatch(obj, ["ua", "ub"])),
    '{"metadata":{"resourceVersion":"7","ownerReferences":null}}',
  );
  assert.deepEqual(unblockOwnerReferencesJSONMergePatch(obj, [a, b]), {
    metadata: {
      resourceVersion: "7",
      ownerReferences: [
        { ...a, blockOwnerDeletion: false },
        { ...b, blockOwnerDeletion: false },
      ],
    },
  });
  assert.equal(
    JSON.stringify(finalizersPatch("9", [])),
    '{"metadata":{"resourceVersion":"9","finalizers":null}}',
  );
  assert.deepEqual(finalizersPatch("9", ["x"]), { metadata: { resourceVersion: "9", finalizers: ["x"] } });
});
